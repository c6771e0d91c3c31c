"""Page plumbing shared by every page: the store, the drafts store, errors as Chinese messages, page styling."""

from __future__ import annotations

import logging
from datetime import datetime

import streamlit as st
from pydantic import ValidationError

from perfdraft.core.errors import PerfdraftError
from perfdraft.core.models import Usage
from perfdraft.core.settings import Settings
from perfdraft.ui import service
from perfdraft.ui.drafts import DraftStore
from perfdraft.ui.fmt import LOCAL_TZ, error_text, plain
from perfdraft.ui.uploads import upload_types, upload_types_label

log = logging.getLogger("perfdraft.app")
UPLOAD_TYPES = upload_types()  # the loader registry's one list: the page accepts what the CLI reads
TYPES_ZH = upload_types_label()

# Streamlit's own English chrome (upload hints, "Press Enter to apply", the running man, menus) replaced or hidden
PAGE_CSS = """
<style>
[data-testid="InputInstructions"], [data-testid="stStatusWidget"], [data-testid="stMainMenu"],
[data-testid="stToolbar"], [data-testid="stAppDeployButton"], #MainMenu, footer { display: none !important; }
[data-testid="stFileUploaderDropzoneInstructions"] span,
[data-testid="stFileUploaderDropzoneInstructions"] small { display: none; }
[data-testid="stFileUploaderDropzoneInstructions"] > div::after { content: "拖放文件到这里，或点右侧按钮选择"; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] { display: none; }
[data-testid="stFileUploaderDropzone"] button::after { content: "选择文件"; font-size: 14px; }
[data-testid="stFileUploaderDeleteBtn"] button::after { content: ""; }
</style>
"""


def style_page() -> None:
    st.markdown(PAGE_CSS, unsafe_allow_html=True)


@st.cache_resource(show_spinner=False)
def _store_for(key: str, _settings: Settings):
    """One store per location, shared by sessions (the key is the store path or server address)."""
    return service.open_store(_settings)


def store_key(settings: Settings) -> str:
    if settings.chroma_host:
        return f"chroma://{settings.chroma_host}:{settings.chroma_port}"
    return str(settings.store.resolve())


def get_store(settings: Settings):
    """The store, with the bundled corpus loaded the first time it is found empty."""
    key = store_key(settings)
    store = _store_for(key, settings)
    if st.session_state.get("corpus_checked") != key:
        bar = st.progress(0.0, text="正在检查语料库…")
        try:
            problems = service.ensure_corpus(store, settings, progress=lambda f, t: bar.progress(f, text=t))
        finally:
            bar.empty()
        for p in problems:
            st.warning(f"示例语料载入失败：{plain(p)}")
        st.session_state["corpus_checked"] = key
    return store


def drafts(settings: Settings) -> DraftStore:
    return DraftStore.for_settings(settings)


def show_error(exc: BaseException) -> None:
    """A clear Chinese message, never a traceback or a server path."""
    if isinstance(exc, PerfdraftError):
        st.error(f"出错了：{plain(error_text(exc))}")
    elif isinstance(exc, ValidationError):
        fields = "、".join(sorted({".".join(map(str, e["loc"])) for e in exc.errors()}))
        st.error(f"输入有误：{fields} 的值不正确，请检查后重试（系统设置请联系管理员）。")
    else:
        log.exception("unexpected error in the page")
        st.error(f"内部错误（{datetime.now(LOCAL_TZ):%H:%M}）。请把这个时间告诉维护人员，其他功能不受影响。")


def add_usage(usage: Usage | None) -> None:
    if usage is not None:
        st.session_state.setdefault("usage", Usage()).add(usage)


def keep_widget_state(*keys: str) -> None:
    """Keep widget values across page switches (Streamlit drops the state of widgets it did not draw)."""
    for k in keys:
        if k in st.session_state:
            st.session_state[k] = st.session_state[k]


def upload_limit_mb(settings: Settings) -> int:
    """The smaller of our setting and Streamlit's server.maxUploadSize (the one the browser widget enforces)."""
    try:
        server = int(st.get_option("server.maxUploadSize"))
    except Exception:  # option missing in an odd Streamlit build
        server = settings.max_upload_mb
    return min(server, settings.max_upload_mb)


def confirm(key: str, target: str, question: str) -> bool | None:
    """A two-step delete: True once confirmed, False when cancelled, None while asking (or not asked)."""
    if st.session_state.get("confirm") != (key, target):
        return None
    st.warning(question)
    yes, no = st.columns(2)
    if yes.button("确认删除", key=f"{key}_yes", type="primary"):
        st.session_state.pop("confirm")
        return True
    if no.button("取消", key=f"{key}_no"):
        st.session_state.pop("confirm")
        return False
    return None


def ask(key: str, target: str) -> None:
    """Start the confirmation of deleting target (confirm() shows it on this run and the next)."""
    st.session_state["confirm"] = (key, target)
