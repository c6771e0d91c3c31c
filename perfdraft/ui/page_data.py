"""The 抽取 page (uploads extracted in the isolated worker, with a cancel and downloads) and the 语料 page."""

from __future__ import annotations

import streamlit as st

from perfdraft.core.errors import PerfdraftError
from perfdraft.core.settings import Settings
from perfdraft.ui import service
from perfdraft.ui.common import TYPES_ZH, UPLOAD_TYPES, add_usage, ask, confirm, get_store, upload_limit_mb
from perfdraft.ui.draft_view import downloads
from perfdraft.ui.fmt import STATUS_ZH, error_text, location_text, plain, wan_text
from perfdraft.ui.table import project_to_frame

POLL_S = 0.5


# ------------------------------------------------------------------------------------- 抽取

def page_extract(settings: Settings, backend: str) -> None:
    st.header("从文件中抽取绩效目标表")
    files = st.file_uploader(f"上传 {TYPES_ZH}（可多选，每个不超过 {upload_limit_mb(settings)} MB）",
                             type=UPLOAD_TYPES, accept_multiple_files=True, key="extract_files")
    job = st.session_state.get("extract_job")
    if job is None and st.button("开始抽取", type="primary", disabled=not files, key="extract_go"):
        job, refused = service.start_extraction([(f.name, f.getvalue()) for f in files], backend, settings)
        st.session_state["extract_refused"] = refused
        st.session_state["extractions"] = []
        if job is None:
            st.session_state["extractions"] = refused
        else:
            st.session_state["extract_job"] = job
    if st.session_state.get("extract_job") is not None:
        job_panel()
        return
    show_outcomes(settings, st.session_state.get("extractions", []))


@st.fragment(run_every=POLL_S)
def job_panel() -> None:
    """Progress of the running job with a cancel; the server only polls, the worker does the work."""
    job = st.session_state.get("extract_job")
    if job is None:
        return
    if job.running:
        done, total = job.finished(), len(job.paths)
        st.progress(done / max(total, 1), text=f"正在抽取（已完成 {done}/{total} 个文件）…")
        page = job.page()
        if page is not None:  # a scanned upload: OCR takes seconds per page, so say which page
            name, k, n = page
            st.progress(k / max(n, 1), text=f"正在识别 {plain(name)}：第 {k}/{n} 页")
        if st.button("取消抽取", key="extract_cancel"):
            job.cancel()
        else:
            return
    outcomes = st.session_state.pop("extract_refused", []) + service.job_outcomes(job)
    for o in outcomes:
        if o.result is not None:
            add_usage(o.result.usage)
    st.session_state["extractions"] = outcomes
    st.session_state.pop("extract_job")
    st.rerun(scope="app")


def show_outcomes(settings: Settings, outcomes) -> None:
    if not outcomes:
        return
    ok = [o for o in outcomes if o.result is not None and o.result.document is not None
          and o.result.document.projects]
    if ok and st.button("全部加入语料库", key="extract_add_all"):
        for o in ok:
            add_outcome(settings, o)
    for i, o in enumerate(outcomes):
        show_outcome(settings, i, o)


def add_outcome(settings: Settings, o) -> None:
    try:
        service.add_to_store(get_store(settings), o.result.document, o.name, backend=o.result.backend)
        o.added = True
        st.success(f"已加入语料库：{plain(o.name)}")
    except PerfdraftError as exc:
        st.error(f"加入语料库失败：{plain(error_text(exc))}")


def show_outcome(settings: Settings, i: int, o) -> None:
    st.divider()
    if o.error:
        st.error(f"{plain(o.name)}：{plain(o.error)}（其余文件不受影响）")
        return
    res = o.result
    st.subheader(f"{plain(o.name)} — {STATUS_ZH.get(res.status, res.status)}（{res.seconds:.1f} 秒）", anchor=False)
    for e in res.errors:
        st.error(plain(error_text(e)))
    if res.rejections:  # what the model claimed but the source does not say there: shown, never kept
        with st.expander(f"已拒绝模型给出的 {len(res.rejections)} 处内容（原文对应位置没有）"):
            st.dataframe([{"表": (r.table + 1) if r.table is not None else "—",
                           "行": (r.row + 1) if r.row is not None else "—", "字段": r.field,
                           "模型给出": plain(r.claimed), "原因": plain(r.reason)} for r in res.rejections],
                         hide_index=True, width="stretch")
    doc = res.document
    if doc is None:
        return
    if not doc.projects:
        st.info("文件中没有找到绩效目标表。")
        return
    stem = o.name.rsplit(".", 1)[0]
    downloads(doc, f"{stem}_抽取结果", settings, f"ex_{i}", json_text=doc.to_json())
    summary = [{"序号": j + 1, "项目": p.name, "指标数": len(p.indicators), "置信度": round(p.confidence, 2),
                "位置": location_text(p.source, o.name), "提示": "；".join(p.warnings)}
               for j, p in enumerate(doc.projects)]
    if len(summary) > 1:
        st.caption(f"共 {len(summary)} 张绩效目标表")
        st.dataframe(summary, hide_index=True, width="stretch")
    pick = st.selectbox("查看表格", range(len(doc.projects)), key=f"extract_pick_{i}",
                        format_func=lambda j: f"{j + 1}. {doc.projects[j].name}")
    show_extracted_table(o, doc, doc.projects[pick or 0])
    if o.added:
        st.caption("已加入语料库。")
    elif st.button("加入语料库", key=f"extract_add_{i}"):
        add_outcome(settings, o)


def show_extracted_table(o, doc, proj) -> None:
    """One extracted table with its warnings, confidence and location; the source text beside it."""
    left, right = st.columns([3, 2])
    with left:
        st.markdown(plain(f"{proj.name}　部门：{doc.department or '—'}　年度：{doc.year or '—'}　"
                          f"预算数：{wan_text(proj.budget_wan)} 万元"))
        st.caption(plain(f"置信度 {proj.confidence:.2f}　·　位置：{location_text(proj.source, o.name)}"))
        for w in proj.warnings:
            st.warning(plain(w))
        frame = project_to_frame(proj).drop(columns=["来源"])
        frame.insert(0, "页", [ind.source.page if ind.source else None for ind in proj.indicators])
        frame.insert(1, "行", [ind.source.line if ind.source else None for ind in proj.indicators])
        frame["提示"] = ["；".join(ind.warnings) for ind in proj.indicators]
        st.dataframe(frame, hide_index=True, width="stretch")
    with right:
        st.markdown("**原文**")
        ref = proj.source
        try:
            text = service.source_lines(o.path, ref.line if ref else None, ref.line_end if ref else None)
        except (PerfdraftError, OSError) as exc:
            text = f"（无法显示原文：{error_text(exc) if isinstance(exc, PerfdraftError) else '文件不可读'}）"
        st.code(text or "（无原文）", language=None, height=360)


# ------------------------------------------------------------------------------------- 语料

def page_corpus(settings: Settings) -> None:
    st.header("语料库")
    store = get_store(settings)
    docs = service.documents(store)
    stats = service.stats(store)
    c1, c2, c3 = st.columns(3)
    c1.metric("文件", stats.documents)
    c2.metric("项目", stats.projects)
    c3.metric("指标行", stats.rows)
    c1, c2 = st.columns(2)
    with c1:
        st.markdown("**按部门统计的指标行数**")
        st.dataframe(service.count_frame(stats.rows_by_department, "部门"), hide_index=True, width="stretch")
    with c2:
        st.markdown("**按年度统计的指标行数**")
        st.dataframe(service.count_frame(stats.rows_by_year, "年度"), hide_index=True, width="stretch")
    st.markdown(f"**文件（{len(docs)} 份）**")
    if docs:
        st.dataframe(service.documents_frame(docs), hide_index=True, width="stretch")

    st.markdown("**搜索相似项目**")
    c1, c2 = st.columns([4, 1])
    query = c1.text_input("搜索", key="corpus_query", placeholder="项目名称或用途，如：印刷费", max_chars=200)
    k = c2.number_input("条数", min_value=1, max_value=50, value=5, key="corpus_k")
    if query.strip():
        hits = service.search(store, query.strip(), int(k))
        if not hits:
            st.caption("没有找到。")
        for h in hits:
            meta = " · ".join(x for x in (h.department or "未注明部门", f"{h.year}年" if h.year else "") if x)
            with st.expander(plain(f"{h.project.name}（相似度 {h.score:.2f}）— {meta}")):
                st.dataframe(project_to_frame(h.project).drop(columns=["来源"]), hide_index=True, width="stretch")
    delete_section(store, [d.source for d in docs])


def delete_section(store, sources: list[str]) -> None:
    """Delete a document with a confirmation; the last delete can be undone (the rows are kept in the session)."""
    st.markdown("**删除文件**")
    undo = st.session_state.get("corpus_undo")
    if undo is not None:
        c1, c2 = st.columns([4, 1])
        c1.success(f"已删除：{plain(undo.source)}")
        if c2.button("撤销删除", key="corpus_undo_btn"):
            service.restore_document(store, undo)
            st.session_state.pop("corpus_undo")
            st.rerun()
    if not sources:
        return
    c1, c2 = st.columns([4, 1])
    target = c1.selectbox("选择要删除的文件", sources, key="corpus_delete_pick")
    if c2.button("删除…", key="corpus_delete"):
        ask("corpus_delete", target)
    answer = confirm("corpus_delete", target,
                     f"确定从共享语料库删除「{plain(target)}」吗？所有人都将看不到它；删除后可以撤销。")
    if answer is True:
        st.session_state["corpus_undo"] = service.document_snapshot(store, target)
        service.delete_document(store, target)
    if answer is not None:
        st.rerun()
