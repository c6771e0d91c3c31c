"""Streamlit page for budget staff: draft, extract and browse 绩效目标表 (run with `streamlit run app.py`)."""

from __future__ import annotations

import streamlit as st

from perfdraft.core.models import Usage
from perfdraft.core.settings import Settings
from perfdraft.ui.common import get_store, show_error, style_page, upload_limit_mb
from perfdraft.ui.fmt import backend_label, usage_lines
from perfdraft.ui.page_data import page_corpus, page_extract
from perfdraft.ui.page_draft import page_batch, page_draft, page_saved

PAGES = {
    "起草": lambda settings, backend: page_draft(settings, backend),
    "我的草稿": lambda settings, backend: page_saved(settings),
    "批量起草": lambda settings, backend: page_batch(settings, backend),
    "抽取": lambda settings, backend: page_extract(settings, backend),
    "语料": lambda settings, backend: page_corpus(settings),
}


def sidebar(settings: Settings) -> tuple[str, str]:
    """Page choice, backend choice and a plain statement of what runs the work."""
    if "goto" in st.session_state:  # a page asked to switch (e.g. 打开 on 我的草稿)
        st.session_state["page"] = st.session_state.pop("goto")
    with st.sidebar:
        st.title("绩效目标表助手")
        page = st.radio("页面", list(PAGES), key="page")
        options = ["rules", "llm"] if settings.llm_configured else ["rules"]
        labels = {"rules": "规则（内置）", "llm": "大模型"}
        default = options.index(settings.backend) if settings.backend in options else 0
        backend = st.radio("后端", options, index=default, format_func=labels.get, key="backend")
        st.info(backend_label(settings, backend))
        if backend != "rules":
            usage = st.session_state.get("usage", Usage())
            st.caption("累计 token 用量")
            st.markdown("\n".join(f"- {line}" for line in usage_lines(usage)))
        elif not settings.llm_configured:
            st.caption("如需使用大模型，请联系管理员配置。")
        st.caption(f"上传文件上限：{upload_limit_mb(settings)} MB")
    return page, backend


def main() -> None:
    st.set_page_config(page_title="绩效目标表助手", layout="wide", menu_items={})
    style_page()
    try:
        settings = Settings()
    except Exception as exc:  # a bad PERFDRAFT_* variable
        show_error(exc)
        return
    page, backend = sidebar(settings)
    try:
        get_store(settings)  # first start: load the bundled corpus now, with a progress bar
    except Exception as exc:
        show_error(exc)
    try:
        PAGES[page](settings, backend)
    except Exception as exc:  # the page's last line of defence: a message, never a traceback
        if type(exc).__module__.startswith("streamlit"):  # Streamlit's rerun/stop signals pass through
            raise
        show_error(exc)


# Streamlit runs this file as __main__; a spawned extraction worker re-imports it as __mp_main__ and must not
# draw the page (multiprocessing's "safe importing of the main module")
if __name__ == "__main__":
    main()
