"""One saved draft on the page: header block and table editable, every change saved as a version, checks per row."""

from __future__ import annotations

import streamlit as st

from perfdraft.core.errors import PerfdraftError
from perfdraft.core.models import PerformanceDocument, Project, ProjectBrief
from perfdraft.core.settings import Settings
from perfdraft.ui import service
from perfdraft.ui.common import drafts
from perfdraft.ui.compare import compare_projects, header_changes
from perfdraft.ui.drafts import SavedDraft
from perfdraft.ui.fmt import SEVERITY_ZH, citations_text, error_text, local_time, plain, wan_text
from perfdraft.ui.table import frame_to_project, project_to_frame
from perfdraft.ui.validate import LIMITS, brief_problems

CELL_MAX = LIMITS["单元格"]
# 指标值 right after the level columns, which stay pinned while the rest scrolls: readable at 1280 px
EDITOR_ORDER = ["一级指标", "二级指标", "三级指标", "指标值", "指标描述", "指标值确定依据", "来源"]
EDITOR_COLUMNS = {
    "一级指标": st.column_config.TextColumn(width=80, pinned=True, max_chars=CELL_MAX),
    "二级指标": st.column_config.TextColumn(width=90, pinned=True, max_chars=CELL_MAX),
    "三级指标": st.column_config.TextColumn(width=170, pinned=True, max_chars=CELL_MAX),
    "指标值": st.column_config.TextColumn(width=110, max_chars=CELL_MAX,
                                        help="例如 ≥95%、≤12万元、2026年12月31日前"),
    "指标描述": st.column_config.TextColumn(width=160, max_chars=CELL_MAX),
    "指标值确定依据": st.column_config.TextColumn(width=160, max_chars=CELL_MAX),
    "来源": st.column_config.TextColumn(width=220, help="该行参考的往年表格：部门 · 项目 · 年度 · 行"),
}
MIME = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "pdf": "application/pdf", "json": "application/json"}
LABEL = {"xlsx": "下载 Excel", "docx": "下载 Word", "pdf": "下载 PDF"}


def _base(draft: SavedDraft) -> int:
    """The version the widgets were opened on; a fresh open (or a return from another page) takes the newest."""
    key = f"base_{draft.id}"
    base = st.session_state.get(key)
    if base is None or f"ed_{draft.id}_{base}" not in st.session_state:
        base = draft.current.number
        st.session_state[key] = base
    return base


def header_block(draft: SavedDraft, base: int) -> tuple[dict, dict[str, str]]:
    """The editable header (名称, 编码, 部门, 预算, 年度, 用途, 目标); returns the values and field problems."""
    v = next(x for x in draft.versions if x.number == base)
    b, p = v.brief, v.project
    k = f"{draft.id}_{base}"
    st.markdown("**表头**")
    c1, c2 = st.columns(2)
    vals = {
        "name": c1.text_input("项目名称", p.name, key=f"h_name_{k}", max_chars=LIMITS["项目名称"]),
        "code": c2.text_input("项目编码", p.code or "", key=f"h_code_{k}", max_chars=LIMITS["项目编码"]),
    }
    vals["department"] = st.text_input("部门", b.department or "", key=f"h_dept_{k}", max_chars=LIMITS["部门"])
    c3, c4 = st.columns(2)
    vals["budget"] = c3.number_input("预算数（万元）", value=float(p.budget_wan or b.budget_wan), step=1.0,
                                     format="%.2f", key=f"h_budget_{k}")
    vals["year"] = c4.number_input("年度", value=int(b.year), step=1, format="%d", key=f"h_year_{k}")
    vals["purpose"] = st.text_area("资金用途", p.purpose or b.purpose or "", key=f"h_purpose_{k}", height=90,
                                   max_chars=LIMITS["资金用途"])
    vals["goals"] = st.text_area("绩效目标（每行一条）", "\n".join(p.goals), key=f"h_goals_{k}", height=90,
                                 max_chars=LIMITS["绩效目标"])
    problems = brief_problems(vals["name"], vals["budget"], vals["year"], vals["department"], vals["purpose"],
                              vals["code"], vals["goals"])
    for label, msg in problems.items():
        st.error(f"{label}：{msg}")
    return vals, problems


def _apply(draft: SavedDraft, base: int, vals: dict, edited) -> tuple[ProjectBrief, Project]:
    v = next(x for x in draft.versions if x.number == base)
    project = frame_to_project(edited, v.project)
    project.name, project.code = vals["name"].strip(), vals["code"].strip() or None
    project.budget_wan, project.purpose = float(vals["budget"]), vals["purpose"].strip() or None
    project.goals = [g.strip() for g in vals["goals"].splitlines() if g.strip()]
    brief = v.brief.model_copy(update={"name": project.name, "budget_wan": project.budget_wan,
                                       "year": int(vals["year"]), "department": vals["department"].strip() or None,
                                       "purpose": project.purpose})
    return brief, project


def show_checks(project: Project, brief: ProjectBrief, key: str) -> None:
    """Lint findings in full, each naming its row; a row picker shows that row whole."""
    findings = service.lint(project, brief.budget_wan, brief.year, brief.last_year)
    errors = [f for f in findings if f.severity == "error"]
    st.markdown("**检查结果**")
    if errors:
        st.error(f"发现 {len(errors)} 个错误，{len(findings) - len(errors)} 个警告")
    elif findings:
        st.warning(f"没有错误，{len(findings)} 个警告")
    else:
        st.success("没有错误和警告")
    for f in findings:
        where = "整表" if f.row is None or f.row >= len(project.indicators) else \
            f"第{f.row + 1}行「{project.indicators[f.row].level3}」"
        st.markdown(f"- **{SEVERITY_ZH.get(f.severity, f.severity)}** {plain(where)}：{plain(f.message)}")
    if project.indicators:
        flagged = {f.row for f in findings if f.row is not None}
        pick = st.selectbox("查看整行", range(len(project.indicators)), key=f"row_pick_{key}",
                            format_func=lambda i: f"第{i + 1}行 {project.indicators[i].level3}"
                            + ("（有提示）" if i in flagged else ""))
        ind = project.indicators[pick or 0]
        st.text(f"一级指标：{ind.level1}\n二级指标：{ind.level2}\n三级指标：{ind.level3}\n指标值：{ind.value}\n"
                f"指标描述：{ind.description or '—'}\n指标值确定依据：{ind.basis or '—'}\n"
                f"来源：{citations_text(ind.sources) or '人工新增'}")
        for f in findings:
            if f.row == pick:
                st.caption(f"{SEVERITY_ZH.get(f.severity, f.severity)}：{plain(f.message)}")


def show_examples(draft: SavedDraft) -> None:
    with st.expander(f"参考的相似往年项目（{len(draft.examples)} 个）"):
        if not draft.examples:
            st.caption("语料库中没有找到相似项目。")
        for ex in draft.examples:
            meta = " · ".join(str(x) for x in (ex.department or "未注明部门", f"{ex.year}年" if ex.year else None) if x)
            st.markdown(f"**{plain(ex.project.name)}**（相似度 {ex.score:.2f}）— {plain(meta)}")
            st.dataframe(project_to_frame(ex.project).drop(columns=["来源"]).head(8), hide_index=True,
                         width="stretch")


def show_compare(last: Project, project: Project) -> None:
    st.subheader("与上年对比")
    for line in header_changes(last, project):
        st.caption(plain(line))
    left, right = st.columns(2)
    with left:
        st.markdown(f"**上年：{plain(last.name)}**")
        st.dataframe(project_to_frame(last)[["一级指标", "三级指标", "指标值"]], hide_index=True, width="stretch")
    with right:
        st.markdown("**变化**")
        st.dataframe(compare_projects(last, project), hide_index=True, width="stretch")


def downloads(obj: Project | PerformanceDocument, stem: str, settings: Settings, key: str,
              json_text: str | None = None) -> None:
    """Excel / Word / PDF (and JSON) download buttons; a failed export is a message on its own button."""
    cols = st.columns(4)
    for col, kind in zip(cols, ("xlsx", "docx", "pdf")):
        with col:
            try:
                data = service.export_bytes(obj, kind, settings)
            except PerfdraftError as exc:
                st.error(f"{LABEL[kind]}不可用：{plain(error_text(exc))}")
            else:
                st.download_button(LABEL[kind], data, file_name=f"{stem}.{kind}", mime=MIME[kind],
                                   key=f"dl_{kind}_{key}")
    if json_text is not None:
        with cols[3]:
            st.download_button("下载 JSON", json_text.encode("utf-8"), file_name=f"{stem}.json", mime=MIME["json"],
                               key=f"dl_json_{key}")


def show_draft(settings: Settings, draft_id: str) -> None:
    """The draft editor: header block beside the table, checks below, every valid change saved as a version."""
    store = drafts(settings)
    draft = store.load(draft_id)
    base = _base(draft)
    v = next(x for x in draft.versions if x.number == base)
    st.subheader(plain(f"草稿：{draft.title}"), anchor=False)  # no link made from document text
    st.caption(f"第 {draft.current.number} 版 · 保存于 {local_time(draft.updated_at)} · "
               f"由「{'规则' if draft.backend == 'rules' else '大模型'}」后端生成。修改会自动保存。")
    left, right = st.columns([3, 2])
    with left:
        edited = st.data_editor(project_to_frame(v.project), key=f"ed_{draft.id}_{base}", num_rows="dynamic",
                                disabled=["来源"], hide_index=True, width="stretch", column_config=EDITOR_COLUMNS,
                                column_order=EDITOR_ORDER)
    with right:
        vals, problems = header_block(draft, base)
    brief, project = _apply(draft, base, vals, edited)
    if problems:
        st.warning("表头有误，修改暂未保存。")
    else:
        draft = store.save_version(draft.id, brief, project)
    show_checks(project, brief, draft.id)
    with st.expander("每行的引用来源"):
        lines = [f"{i + 1}. {ind.level3} ← {citations_text(ind.sources) or '无（人工新增）'}"
                 for i, ind in enumerate(project.indicators)]
        st.text("\n".join(lines) or "（无）")
    if brief.last_year is not None:
        show_compare(brief.last_year, project)
    show_examples(draft)
    st.markdown("**下载**")
    stem = f"{brief.year}_{project.name}_绩效目标表"
    downloads(project, stem, settings, draft.id, service.draft_json(project, brief))
