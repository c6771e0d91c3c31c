"""perfdraft tables and rows as LangChain Documents, provenance in flat metadata (vector-store friendly)."""

from __future__ import annotations

from typing import Any

from langchain_core.documents import Document as LCDocument

from perfdraft.core.models import Indicator, PerformanceDocument, Project, SourceRef


def _flat(meta: dict[str, Any]) -> dict[str, Any]:
    """Metadata without None values (Chroma, FAISS and others accept only str/int/float/bool)."""
    return {k: v for k, v in meta.items() if v is not None}


def _ref(prefix: str, ref: SourceRef | None) -> dict[str, Any]:
    if ref is None:
        return {}
    return {f"{prefix}file": ref.file, f"{prefix}page": ref.page, f"{prefix}line": ref.line,
            f"{prefix}line_end": ref.line_end, f"{prefix}table": ref.table, f"{prefix}grid_row": ref.row,
            f"{prefix}col": ref.col, f"{prefix}text": ref.text or None}


def row_text(ind: Indicator) -> str:
    """One indicator row as a line of text: levels, name, description, value, basis."""
    parts = [f"{ind.level1} / {ind.level2} / {ind.level3}"]
    for label, v in (("描述", ind.description), ("指标值", ind.value), ("实施期指标值", ind.period_value),
                     ("依据", ind.basis)):
        if v:
            parts.append(f"{label}：{v}")
    return "；".join(parts)


def project_text(p: Project) -> str:
    """A whole 绩效目标表 as text: header fields, goals, then one line per row."""
    head = [f"项目名称：{p.name}"]
    for label, v in (("项目编码", p.code), ("单位", p.unit), ("资金用途", p.purpose)):
        if v:
            head.append(f"{label}：{v}")
    if p.budget_wan is not None:
        head.append(f"预算数：{p.budget_wan:g}万元")
    if p.goals:
        head.append("绩效目标：" + "；".join(p.goals))
    return "\n".join(head + [row_text(i) for i in p.indicators])


def _common(perf: PerformanceDocument | None, source: str, index: int, p: Project) -> dict[str, Any]:
    return {"source": source, "project": p.name, "project_index": index, "scope": p.scope,
            "department": perf.department if perf else None, "year": perf.year if perf else None,
            "backend": p.backend, "confidence": p.confidence}


def project_document(p: Project, *, source: str, index: int, perf: PerformanceDocument | None = None,
                     id: str | None = None, score: float | None = None) -> LCDocument:
    """One table as a LangChain Document."""
    meta = {**_common(perf, source, index, p), "kind": "table", "code": p.code, "unit": p.unit,
            "budget_wan": p.budget_wan, "rows": len(p.indicators), "score": score, **_ref("", p.source)}
    return LCDocument(page_content=project_text(p), metadata=_flat(meta), id=id)


def row_document(p: Project, row: int, *, source: str, index: int, perf: PerformanceDocument | None = None,
                 id: str | None = None, score: float | None = None) -> LCDocument:
    """One indicator row as a LangChain Document, with the line or cell it was read from."""
    ind = p.indicators[row]
    meta = {**_common(perf, source, index, p), "kind": "row", "row": row, "level1": ind.level1,
            "level2": ind.level2, "level3": ind.level3, "value": ind.value, "target_kind": ind.target.kind,
            "score": score, **_ref("", ind.source)}
    return LCDocument(page_content=f"{p.name}：{row_text(ind)}", metadata=_flat(meta), id=id)


def documents_of(perf: PerformanceDocument, source: str) -> list[LCDocument]:
    """One Document per table and one per indicator row, in document order."""
    out: list[LCDocument] = []
    for i, p in enumerate(perf.projects):
        out.append(project_document(p, source=source, index=i, perf=perf))
        out += [row_document(p, j, source=source, index=i, perf=perf) for j in range(len(p.indicators))]
    return out
