"""Streamlit page for budget staff: draft, extract and browse 绩效目标表 (run with `streamlit run app.py`)."""

from __future__ import annotations

import logging
from datetime import date

import streamlit as st
from pydantic import ValidationError

from perfdraft.core.errors import PerfdraftError
from perfdraft.core.models import ProjectBrief, Usage
from perfdraft.core.settings import Settings
from perfdraft.ui import service
from perfdraft.ui.fmt import STATUS_ZH, backend_label, citations_text, error_text, location_text, usage_lines
from perfdraft.ui.table import findings_frame, frame_to_project, project_to_frame
from perfdraft.ui.uploads import save_upload, upload_types, upload_types_label

log = logging.getLogger("perfdraft.app")
PAGES = ["起草", "抽取", "语料"]
UPLOAD_TYPES = upload_types()
UPLOAD_LABEL = upload_types_label().replace("、", " / ")
EDITOR_COLUMNS = {
    "一级指标": st.column_config.TextColumn(width=90),
    "二级指标": st.column_config.TextColumn(width=120),
    "指标值": st.column_config.TextColumn(width=130, help="例如 ≥95%、≤12万元、2026年12月31日前"),
    "来源": st.column_config.TextColumn(width="medium", help="该行参考的往年表格：文件 · 项目 · 行"),
}


# ------------------------------------------------------------------------------------- plumbing

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
            st.warning(f"示例语料载入失败：{p}")
        st.session_state["corpus_checked"] = key
    return store


def show_error(exc: BaseException) -> None:
    """A clear message, never a traceback."""
    if isinstance(exc, PerfdraftError):
        st.error(f"出错了：{error_text(exc)}")
    elif isinstance(exc, ValidationError):
        msgs = "；".join(f"{'.'.join(map(str, e['loc']))}：{e['msg']}" for e in exc.errors())
        st.error(f"输入有误：{msgs}")
    else:
        log.exception("unexpected error in the page")
        st.error(f"内部错误（{type(exc).__name__}）：{exc}。请把这条信息告诉维护人员。")


def add_usage(usage: Usage | None) -> None:
    if usage is not None:
        st.session_state.setdefault("usage", Usage()).add(usage)


# ------------------------------------------------------------------------------------- sidebar

def sidebar(settings: Settings) -> tuple[str, str]:
    """Page choice, backend choice and a plain statement of what runs the work."""
    with st.sidebar:
        st.title("绩效目标表助手")
        page = st.radio("页面", PAGES, key="page")
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
            st.caption("如需大模型：设置 PERFDRAFT_LLM_BASE_URL 和 PERFDRAFT_LLM_MODEL 后重启。")
        st.caption(f"数据目录：{settings.data_dir}　上传上限：{settings.max_upload_mb} MB")
    return page, backend


# ------------------------------------------------------------------------------------- 起草

def page_draft(settings: Settings, backend: str) -> None:
    st.header("起草下一年度绩效目标表")
    with st.form("brief"):
        c1, c2 = st.columns(2)
        name = c1.text_input("项目名称", key="brief_name", placeholder="例如：印刷费")
        department = c2.text_input("部门", key="brief_department", placeholder="例如：唐山市医疗保障局")
        c3, c4 = st.columns(2)
        budget = c3.number_input("预算数（万元）", min_value=0.0, value=10.0, step=1.0, key="brief_budget")
        year = c4.number_input("年度", min_value=2000, max_value=2100, value=date.today().year + 1, step=1,
                               key="brief_year")
        purpose = st.text_area("资金用途", key="brief_purpose", height=80)
        last_file = st.file_uploader(f"上年绩效目标表（可选，{UPLOAD_LABEL}）", type=UPLOAD_TYPES,
                                     key="brief_last_year")
        submitted = st.form_submit_button("生成草稿", type="primary")

    if submitted:
        if not name.strip():
            st.error("请填写项目名称。")
        elif budget <= 0:
            st.error("预算数必须大于 0 万元。")
        else:
            run_draft(settings, backend, name.strip(), budget, int(year), department.strip() or None,
                      purpose.strip() or None, last_file)

    result = st.session_state.get("draft")
    if result is not None:
        show_draft(settings, result)


def run_draft(settings, backend, name, budget, year, department, purpose, last_file) -> None:
    """Build the brief (with last year's table if uploaded), draft, and keep the result in the session."""
    last_year = None
    if last_file is not None:
        with st.spinner("正在读取上年绩效目标表…"):
            path = save_upload(last_file.name, last_file.getvalue(), settings, sub="uploads/last_year")
            res = service.extract_path(path, backend, settings)
            add_usage(res.usage)
            last_year = service.best_project(res, name)
        if last_year is None:
            msgs = "；".join(error_text(e) for e in res.errors) or "文件中未找到绩效目标表"
            st.warning(f"上年绩效目标表未能使用：{msgs}。将只参考语料库。")
        else:
            st.info(f"已读取上年绩效目标表：{last_year.name}（{len(last_year.indicators)} 项指标），作为最主要的参考。")
    brief = ProjectBrief(name=name, budget_wan=budget, year=year, department=department, purpose=purpose,
                         last_year=last_year)
    store = get_store(settings)
    with st.spinner("正在检索相似项目并起草…"):
        result = service.make_draft(brief, store, backend, settings)
    add_usage(result.usage)
    st.session_state["draft"] = result
    st.session_state.pop("draft_editor", None)  # a new draft starts with no pending edits


def show_draft(settings: Settings, result) -> None:
    brief = result.brief
    st.subheader("参考的相似往年项目")
    if not result.examples:
        st.caption("语料库中没有找到相似项目。")
    for ex in result.examples:
        meta = " · ".join(str(x) for x in (ex.document, ex.project.unit or ex.department, ex.year) if x)
        with st.expander(f"{ex.project.name}（相似度 {ex.score:.2f}）— 来源：{meta}"):
            st.caption(f"预算数：{ex.project.budget_wan if ex.project.budget_wan is not None else '—'} 万元；"
                       f"共 {len(ex.project.indicators)} 项指标")
            st.dataframe(project_to_frame(ex.project).drop(columns=["来源"]).head(8), hide_index=True,
                         width="stretch")

    st.subheader(f"草稿：{brief.name}（{brief.year} 年，{brief.budget_wan:g} 万元）")
    st.caption(f"由「{'规则' if result.backend == 'rules' else '大模型'}」后端生成。直接在表格中修改，右侧检查结果随之更新。")
    left, right = st.columns([5, 2])
    with left:
        edited = st.data_editor(project_to_frame(result.project), key="draft_editor", num_rows="dynamic",
                                disabled=["来源"], hide_index=True, width="stretch", column_config=EDITOR_COLUMNS)
    project = frame_to_project(edited, result.project)
    with right:
        st.markdown("**检查结果**")
        findings = service.lint(project, brief.budget_wan, brief.year, brief.last_year)
        errors = [f for f in findings if f.severity == "error"]
        if errors:
            st.error(f"发现 {len(errors)} 个错误，{len(findings) - len(errors)} 个警告")
        elif findings:
            st.warning(f"没有错误，{len(findings)} 个警告")
        else:
            st.success("没有错误和警告")
        if findings:
            st.dataframe(findings_frame(findings), hide_index=True, width="stretch")

    with st.expander("每行的引用来源", expanded=True):
        for i, ind in enumerate(project.indicators):
            cites = citations_text(ind.sources) or "无（人工新增）"
            st.markdown(f"{i + 1}. **{ind.level3}** ← {cites}")

    st.markdown("**下载**")
    c1, c2, c3 = st.columns(3)
    stem = f"{brief.year}_{brief.name}_绩效目标表"
    for col, kind, label, mime in (
        (c1, "xlsx", "下载 Excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (c2, "docx", "下载 Word", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ):
        with col:
            try:
                data = service.export_bytes(project, kind, settings)
            except PerfdraftError as exc:
                st.error(f"{label}不可用：{error_text(exc)}")
            else:
                st.download_button(label, data, file_name=f"{stem}.{kind}", mime=mime, key=f"dl_{kind}")
    with c3:
        st.download_button("下载 JSON", service.draft_json(project, brief).encode("utf-8"),
                           file_name=f"{stem}.json", mime="application/json", key="dl_json")


# ------------------------------------------------------------------------------------- 抽取

def page_extract(settings: Settings, backend: str) -> None:
    st.header("从文件中抽取绩效目标表")
    files = st.file_uploader(f"上传 {UPLOAD_LABEL}（可多选，每个不超过 {settings.max_upload_mb} MB）",
                             type=UPLOAD_TYPES, accept_multiple_files=True, key="extract_files")
    if st.button("开始抽取", type="primary", disabled=not files, key="extract_go"):
        bar = st.progress(0.0, text="准备中…")
        outcomes = service.extract_uploads([(f.name, f.getvalue()) for f in files], backend, settings,
                                           progress=lambda f, t: bar.progress(f, text=t))
        for o in outcomes:
            if o.result is not None:
                add_usage(o.result.usage)
        st.session_state["extractions"] = outcomes

    outcomes = st.session_state.get("extractions", [])
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
        st.success(f"已加入语料库：{o.name}")
    except PerfdraftError as exc:
        st.error(f"加入语料库失败：{error_text(exc)}")


def show_outcome(settings: Settings, i: int, o) -> None:
    st.divider()
    if o.error:
        st.error(f"处理失败：{o.error}（其余文件不受影响）")
        return
    res = o.result
    st.subheader(f"{o.name} — {STATUS_ZH.get(res.status, res.status)}（{res.seconds:.1f} 秒）")
    for e in res.errors:
        st.error(error_text(e))
    doc = res.document
    for w in res.warnings:
        if doc is not None and not doc.projects and "no 绩效目标表" in w:
            continue  # said in Chinese just below
        st.warning(w)
    if res.rejections:  # what the model claimed but the source does not say there: shown, never kept
        with st.expander(f"已拒绝模型给出的 {len(res.rejections)} 处内容（原文对应位置没有）"):
            st.dataframe([{"表": (r.table + 1) if r.table is not None else "—",
                           "行": (r.row + 1) if r.row is not None else "—", "字段": r.field,
                           "模型给出": r.claimed, "原因": r.reason} for r in res.rejections],
                         hide_index=True, width="stretch")
    if doc is None:
        return
    if not doc.projects:
        st.info("文件中没有找到绩效目标表。")
        return
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
        st.markdown(f"**{proj.name}**　部门：{doc.department or '—'}　年度：{doc.year or '—'}　"
                    f"预算数：{proj.budget_wan if proj.budget_wan is not None else '—'} 万元")
        st.caption(f"置信度 {proj.confidence:.2f}　·　位置：{location_text(proj.source, o.name)}")
        for w in proj.warnings:
            st.warning(w)
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
        except PerfdraftError as exc:
            text = f"（无法显示原文：{error_text(exc)}）"
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
    st.caption(f"存储位置：{stats.location}　·　向量：{stats.embedder}")
    c1, c2 = st.columns(2)
    with c1:
        st.markdown("**按部门统计的指标行数**")
        st.dataframe(service.count_frame(stats.rows_by_department, "部门"), hide_index=True,
                     width="stretch")
    with c2:
        st.markdown("**按年度统计的指标行数**")
        st.dataframe(service.count_frame(stats.rows_by_year, "年度"), hide_index=True, width="stretch")
    st.markdown(f"**文件（{len(docs)} 份）**")
    if docs:
        st.dataframe(service.documents_frame(docs), hide_index=True, width="stretch")

    st.markdown("**搜索相似项目**")
    c1, c2 = st.columns([4, 1])
    query = c1.text_input("搜索", key="corpus_query", placeholder="项目名称或用途，如：印刷费")
    k = c2.number_input("条数", min_value=1, max_value=50, value=5, key="corpus_k")
    if query.strip():
        hits = service.search(store, query.strip(), int(k))
        if not hits:
            st.caption("没有找到。")
        for h in hits:
            meta = " · ".join(str(x) for x in (h.document, h.project.unit or h.department, h.year) if x)
            with st.expander(f"{h.project.name}（相似度 {h.score:.2f}）— {meta}"):
                st.dataframe(project_to_frame(h.project).drop(columns=["来源"]), hide_index=True,
                             width="stretch")

    st.markdown("**删除文件**")
    sources = [d.source for d in docs]
    if sources:
        c1, c2 = st.columns([4, 1])
        target = c1.selectbox("选择要删除的文件", sources, key="corpus_delete_pick")
        if c2.button("删除", key="corpus_delete"):
            service.delete_document(store, target)
            st.success(f"已删除：{target}")
            st.rerun()


# ------------------------------------------------------------------------------------- main

def main() -> None:
    st.set_page_config(page_title="绩效目标表助手", layout="wide")
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
        if page == "起草":
            page_draft(settings, backend)
        elif page == "抽取":
            page_extract(settings, backend)
        else:
            page_corpus(settings)
    except Exception as exc:  # the page's last line of defence: a message, never a traceback
        show_error(exc)


main()
