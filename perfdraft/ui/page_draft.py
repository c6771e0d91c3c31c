"""The 起草 page (brief form -> saved draft), the 我的草稿 list and the 批量起草 page."""

from __future__ import annotations

import uuid
from datetime import date

import streamlit as st

from perfdraft.core.models import PerformanceDocument, ProjectBrief
from perfdraft.core.settings import Settings
from perfdraft.ui import service
from perfdraft.ui.common import (TYPES_ZH, UPLOAD_TYPES, add_usage, ask, confirm, drafts, get_store,
                                 keep_widget_state, upload_limit_mb)
from perfdraft.ui.draft_view import downloads, show_draft
from perfdraft.ui.fmt import error_text, local_time, plain, wan_text
from perfdraft.ui.project_list import parse_text, parse_upload
from perfdraft.ui.uploads import save_upload
from perfdraft.ui.validate import LIMITS, brief_problems

BRIEF_KEYS = ("brief_name", "brief_department", "brief_budget", "brief_year", "brief_purpose")


def open_draft(draft_id: str | None) -> None:
    """Make a draft the current one, in the session and in the address (a reload reopens it)."""
    if draft_id:
        st.session_state["draft_id"] = draft_id
        st.query_params["draft"] = draft_id
    else:
        st.session_state.pop("draft_id", None)
        st.query_params.pop("draft", None)


def current_draft_id() -> str | None:
    if "draft_id" not in st.session_state and st.query_params.get("draft"):
        st.session_state["draft_id"] = st.query_params["draft"]
    return st.session_state.get("draft_id")


# ------------------------------------------------------------------------------------- 起草

def page_draft(settings: Settings, backend: str) -> None:
    st.header("起草下一年度绩效目标表")
    keep_widget_state(*BRIEF_KEYS)
    st.session_state.setdefault("brief_budget", 10.0)
    st.session_state.setdefault("brief_year", date.today().year + 1)
    with st.form("brief", enter_to_submit=False):
        c1, c2 = st.columns(2)
        name = c1.text_input("项目名称", key="brief_name", placeholder="例如：印刷费", max_chars=LIMITS["项目名称"])
        department = c2.text_input("部门", key="brief_department", placeholder="例如：唐山市医疗保障局",
                                   max_chars=LIMITS["部门"])
        c3, c4 = st.columns(2)
        budget = c3.number_input("预算数（万元）", step=1.0, format="%.2f", key="brief_budget")
        year = c4.number_input("年度", step=1, format="%d", key="brief_year")
        purpose = st.text_area("资金用途", key="brief_purpose", height=80, max_chars=LIMITS["资金用途"])
        last_file = st.file_uploader(f"上年绩效目标表（可选，{TYPES_ZH}，不超过 {upload_limit_mb(settings)} MB）",
                                     type=UPLOAD_TYPES, key="brief_last_year")
        submitted = st.form_submit_button("生成草稿", type="primary")
    if submitted:
        problems = brief_problems(name, budget, year, department, purpose)
        for label, msg in problems.items():
            st.error(f"{label}：{msg}")
        if not problems:
            run_draft(settings, backend, name.strip(), float(budget), int(year), department.strip() or None,
                      purpose.strip() or None, last_file)
    draft_id = current_draft_id()
    if draft_id:
        show_draft(settings, draft_id)


def read_last_year(settings: Settings, backend: str, last_file, name: str):
    """Last year's table from an uploaded file (extracted in the isolated worker), or None with a warning."""
    with st.spinner("正在读取上年绩效目标表…"):
        path = save_upload(last_file.name, last_file.getvalue(), settings, sub="uploads/last_year")
        res = service.extract_isolated(path, backend, settings)
        add_usage(res.usage)
        last_year = service.best_project(res, name)
    if last_year is None:
        msgs = "；".join(error_text(e) for e in res.errors) or "文件中未找到绩效目标表"
        st.warning(f"上年绩效目标表未能使用：{plain(msgs)}。将只参考语料库。")
    else:
        st.info(f"已读取上年绩效目标表：{plain(last_year.name)}（{len(last_year.indicators)} 项指标），作为最主要的参考。")
    return last_year


def run_draft(settings, backend, name, budget, year, department, purpose, last_file, batch=None,
              batch_index=0) -> str:
    """Draft from the brief (with last year's table if uploaded), save it, make it the current draft."""
    last_year = read_last_year(settings, backend, last_file, name) if last_file is not None else None
    brief = ProjectBrief(name=name, budget_wan=budget, year=year, department=department, purpose=purpose,
                         last_year=last_year)
    store = get_store(settings)
    with st.spinner("正在检索相似项目并起草…"):
        result = service.make_draft(brief, store, backend, settings)
    add_usage(result.usage)
    saved = drafts(settings).create(result.brief, result.project, backend=result.backend, examples=result.examples,
                                    batch=batch, batch_index=batch_index)
    if batch is None:
        open_draft(saved.id)
    return saved.id


# ------------------------------------------------------------------------------------- 我的草稿

def page_saved(settings: Settings) -> None:
    st.header("我的草稿")
    store = drafts(settings)
    undo = st.session_state.get("draft_undo")
    if undo:
        c1, c2 = st.columns([4, 1])
        c1.success(f"已删除草稿：{plain(undo['title'])}")
        if c2.button("撤销删除", key="draft_undo_btn"):
            store.restore(undo["id"])
            st.session_state.pop("draft_undo")
            st.rerun()
    items = store.list()
    if not items:
        st.info("还没有保存的草稿。在「起草」页生成的草稿会自动保存在这里。")
        return
    st.dataframe([{"名称": s.title, "最后修改": local_time(s.updated_at), "版本数": s.versions,
                   "批量": "是" if s.batch else ""} for s in items], hide_index=True, width="stretch")
    ids = [s.id for s in items]
    titles = {s.id: s.title for s in items}
    pick = st.selectbox("选择草稿", ids, format_func=lambda i: titles[i], key="saved_pick")
    c1, c2, c3 = st.columns(3)
    if c1.button("打开", key="saved_open", type="primary"):
        open_draft(pick)
        st.session_state["goto"] = "起草"  # the page radio is already drawn: switch on the next run
        st.rerun()
    if c2.button("复制一份", key="saved_dup"):
        copy = store.duplicate(pick)
        st.success(f"已复制为：{plain(copy.title)}")
        st.rerun()
    if c3.button("删除…", key="saved_delete"):
        ask("saved_delete", pick)
    answer = confirm("saved_delete", pick, f"确定删除草稿「{plain(titles[pick])}」吗？删除后可以撤销。")
    if answer is True:
        store.delete(pick)
        st.session_state["draft_undo"] = {"id": pick, "title": titles[pick]}
        if st.session_state.get("draft_id") == pick:
            open_draft(None)
    if answer is not None:
        st.rerun()
    with st.form("rename"):
        new = st.text_input("新名称", titles[pick], key=f"rename_{pick}", max_chars=LIMITS["项目名称"])
        if st.form_submit_button("重命名"):
            if not new.strip():
                st.error("新名称：请填写名称。")
            else:
                store.rename(pick, new)
                st.rerun()


# ------------------------------------------------------------------------------------- 批量起草

def page_batch(settings: Settings, backend: str) -> None:
    st.header("批量起草")
    st.caption("每行一个项目：项目名称、预算数（万元）、资金用途，用制表符（从 Excel 复制）、逗号或 | 分隔；"
               "也可以上传 Excel / CSV 清单（前三列）。")
    keep_widget_state("batch_department", "batch_year", "batch_text")
    st.session_state.setdefault("batch_year", date.today().year + 1)
    c1, c2 = st.columns(2)
    department = c1.text_input("部门", key="batch_department", max_chars=LIMITS["部门"])
    year = c2.number_input("年度", step=1, format="%d", key="batch_year")
    text = st.text_area("项目清单", key="batch_text", height=160, max_chars=20000,
                        placeholder="印刷费\t12\t用于公文印制\n宣传费\t30\t用于政策宣传")
    upload = st.file_uploader("或上传项目清单（XLSX / CSV）", type=["xlsx", "csv", "txt"], key="batch_file")
    if st.button("批量生成草稿", type="primary", key="batch_go"):
        listed, problems = parse_upload(upload.name, upload.getvalue()) if upload is not None else parse_text(text)
        for p in problems:
            st.error(p)
        year_ok = brief_problems("x", 1.0, year).get("年度")
        if year_ok:
            st.error(f"年度：{year_ok}")
        elif not listed:
            st.error("项目清单：没有可用的项目行。")
        else:
            batch = uuid.uuid4().hex[:12]
            bar = st.progress(0.0, text="准备中…")
            for i, item in enumerate(listed):
                bar.progress(i / len(listed), text=f"正在起草 {item.name}（{i + 1}/{len(listed)}）")
                run_draft(settings, backend, item.name, item.budget_wan, int(year), department.strip() or None,
                          item.purpose, None, batch=batch, batch_index=i)
            bar.empty()
            st.session_state["batch_id"] = batch
            st.query_params["batch"] = batch
    batch = st.session_state.get("batch_id") or st.query_params.get("batch")
    if batch:
        show_batch(settings, batch)


def show_batch(settings: Settings, batch: str) -> None:
    """The batch's drafts: reviewed one by one in the editor, exported together."""
    store = drafts(settings)
    items = store.list(batch=batch)
    if not items:
        return
    st.subheader(f"本批共 {len(items)} 份草稿")
    current = [store.load(s.id) for s in items]
    doc = PerformanceDocument(department=current[0].current.brief.department, year=current[0].current.brief.year,
                              projects=[d.current.project for d in current])
    st.markdown("**全部下载（一个文件）**")
    downloads(doc, f"{doc.year}_批量绩效目标表", settings, f"batch_{batch}")
    titles = {d.id: f"{d.current.project.name}（{wan_text(d.current.project.budget_wan)} 万元）" for d in current}
    pick = st.selectbox("逐个审阅", list(titles), format_func=titles.get, key=f"batch_pick_{batch}")
    show_draft(settings, pick)
