"""LLM drafter: brief + retrieved past tables -> a cited, validated, linted draft (same contract as the rules drafter)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from pydantic import BaseModel, Field

from perfdraft.drafting.lint import lint_project
from perfdraft.drafting.retrieve import retrieve
from perfdraft.core.values import parse_target
from perfdraft.llm.client import LLMClient
from perfdraft.llm.grounding import numbers
from perfdraft.llm.ledger import Ledger
from perfdraft.llm.prompts import load_prompt, render
from perfdraft.llm.protocol import StructuredClient
from perfdraft.core.models import Citation, DraftResult, Indicator, Project, ProjectBrief, RetrievedProject
from perfdraft.core.protocols import Store
from perfdraft.core.settings import Settings, get_settings

LAST_YEAR_DOC = "last_year"
MAX_EXAMPLE_ROWS = 40  # rows per example sent to the model: enough for any real table
_ID = re.compile(r"^E(\d+)\.R(\d+)$")


class LLMDraftRow(BaseModel):
    """One drafted indicator row."""

    level1: str = Field(description="一级指标: 产出指标, 效益指标, 满意度指标 or 成本指标")
    level2: str = Field(description="二级指标, e.g. 数量指标, 质量指标, 时效指标, 成本指标, 社会效益指标, 服务对象满意度指标")
    level3: str = Field(description="三级指标 name")
    description: str | None = Field(None, description="绩效指标描述, from the cited rows")
    value: str = Field(description="指标值 adapted to the brief, e.g. '≥95%', '≤12万元', '2026年12月'")
    basis: str | None = Field(None, description="指标值确定依据, from the cited rows")
    sources: list[str] = Field(description="ids of the example rows this row derives from, e.g. ['E1.R3', 'E2.R0']")


class LLMDraft(BaseModel):
    """A drafted 绩效目标表."""

    goals: list[str] = Field(description="2 to 4 绩效目标 sentences without numbering")
    indicators: list[LLMDraftRow] = Field(description="the indicator rows, 产出 first, then 效益, then 满意度")


class _Example(BaseModel):
    """A past table as the model sees it, and where its rows came from (for citations)."""

    tag: str
    document: str
    year: int | None = None
    department: str | None = None
    score: float | None = None
    project: Project


def _examples(brief: ProjectBrief, retrieved: list[RetrievedProject]) -> list[_Example]:
    out = []
    if brief.last_year is not None:
        doc = brief.last_year.source.file if brief.last_year.source else LAST_YEAR_DOC
        out.append(_Example(tag="E0", document=doc, year=brief.year - 1, department=brief.department, score=1.0,
                            project=brief.last_year))
    for n, ex in enumerate(retrieved, start=1):
        out.append(_Example(tag=f"E{n}", document=ex.document, year=ex.year, department=ex.department,
                            score=ex.score, project=ex.project))
    return out


def _examples_text(examples: list[_Example]) -> str:
    blocks = []
    for ex in examples:
        p = ex.project
        head = {"id": ex.tag, "project": p.name, "year": ex.year, "department": ex.department,
                "budget_wan": p.budget_wan, "purpose": p.purpose, "goals": p.goals}
        rows = [{"id": f"{ex.tag}.R{i}", "level1": r.level1, "level2": r.level2, "level3": r.level3,
                 "description": r.description, "value": r.value, "basis": r.basis}
                for i, r in enumerate(p.indicators[:MAX_EXAMPLE_ROWS])]
        blocks.append(json.dumps({**head, "rows": rows}, ensure_ascii=False))
    return "\n".join(blocks)


def _cite(ids: list[str], examples: list[_Example]) -> tuple[list[Citation], list[str]]:
    """Citations for the ids that exist; the ids that do not."""
    by_tag = {ex.tag: ex for ex in examples}
    cites, bad = [], []
    for raw in ids:
        m = _ID.match(raw.strip())
        ex = by_tag.get(f"E{m.group(1)}") if m else None
        row = int(m.group(2)) if m else -1
        if ex is None or not 0 <= row < min(len(ex.project.indicators), MAX_EXAMPLE_ROWS):
            bad.append(raw)
            continue
        ind = ex.project.indicators[row]
        cites.append(Citation(document=ex.document, project=ex.project.name, row=row, level3=ind.level3,
                              value=ind.value, year=ex.year, department=ex.department,
                              score=round(ex.score, 4) if ex.score is not None else None))
    return cites, bad


def _project(draft: LLMDraft, brief: ProjectBrief, examples: list[_Example]) -> Project:
    rows = []
    for r in draft.indicators:
        cites, _ = _cite(r.sources, examples)
        rows.append(Indicator(level1=r.level1, level2=r.level2, level3=r.level3, description=r.description,
                              value=r.value, basis=r.basis, target=parse_target(r.value), sources=cites))
    return Project(name=brief.name, unit=brief.department, budget_wan=brief.budget_wan, purpose=brief.purpose,
                   goals=[g for g in draft.goals if g.strip()], indicators=rows, backend="llm")


def _brief_text(brief: ProjectBrief) -> str:
    return " ".join(str(x) for x in (brief.name, brief.budget_wan, brief.year, brief.department, brief.purpose) if x)


def unsupported_numbers(row: LLMDraftRow, brief: ProjectBrief, cites: list[Citation],
                        examples: list[_Example]) -> list[float]:
    """Numbers in a drafted row that neither the brief nor any cited row contains."""
    by_doc = {(ex.document, ex.project.name): ex.project for ex in examples}
    sources = [_brief_text(brief)]
    for c in cites:
        p = by_doc.get((c.document, c.project))
        ind = p.indicators[c.row] if p is not None and c.row < len(p.indicators) else None
        if ind is not None:
            sources.append(" ".join(x or "" for x in (ind.level3, ind.description, ind.value, ind.period_value,
                                                        ind.basis)))
    have = set(numbers(" ".join(sources)))
    return [n for field in (row.level3, row.description, row.value, row.basis) for n in numbers(field)
            if n not in have]


def _problems(draft: LLMDraft, brief: ProjectBrief, examples: list[_Example]) -> list[str]:
    """Uncited rows, unknown citations and lint errors: fed back to the model for a re-ask."""
    out = []
    for k, r in enumerate(draft.indicators):
        cites, bad = _cite(r.sources, examples)
        if bad:
            out.append(f"indicators[{k}].sources: unknown example row id(s) {', '.join(bad)}")
        if not cites:
            out.append(f"indicators[{k}] ({r.level3}) cites no example row")
    project = _project(draft, brief, examples)
    for f in lint_project(project, budget_wan=brief.budget_wan, year=brief.year, last_year=brief.last_year):
        if f.severity == "error":
            where = f"indicators[{f.row}]" if f.row is not None else "table"
            out.append(f"{where}: {f.message} [{f.rule}]")
    return out


def draft_llm(brief: ProjectBrief, store: Store | None, *, k: int = 5, exclude_ids: Iterable[str] | None = None,
              settings: Settings | None = None, client: StructuredClient | None = None) -> DraftResult:
    """Draft with the configured LLM; rows cite example rows; lint errors are sent back for a bounded re-ask."""
    settings = settings or get_settings()
    if client is None:
        settings.require_llm()
        client = LLMClient(settings)
    retrieved = retrieve(brief, store, k, exclude_ids)
    examples = _examples(brief, retrieved)
    brief_text = json.dumps(brief.model_dump(exclude={"last_year"}), ensure_ascii=False)
    prompt = render(load_prompt("draft_project"), schema=json.dumps(LLMDraft.model_json_schema(), ensure_ascii=False),
                    brief=brief_text, examples=_examples_text(examples) or "(no similar past tables found)")
    ledger = Ledger(settings.llm_token_budget)
    answer = client.structured(prompt, LLMDraft, ledger=ledger, check=lambda d: _problems(d, brief, examples))
    draft_value = answer.value
    kept = [r for r in draft_value.indicators if not _cite(r.sources, examples)[1]]
    dropped = len(draft_value.indicators) - len(kept)
    draft_value = draft_value.model_copy(update={"indicators": kept})
    project = _project(draft_value, brief, examples)
    project.warnings.append(f"drafted by LLM with prompt {answer.prompt}")
    if dropped:
        project.warnings.append(f"{dropped} row(s) dropped: they cite example rows that do not exist")
    for row, ind in zip(kept, project.indicators):
        extra = unsupported_numbers(row, brief, ind.sources, examples)
        if extra:
            ind.warnings.append("数值待核对: " + "、".join(f"{n:g}" for n in extra)
                                + " 不在项目信息或所引用的往年指标中，请人工核对")
    findings = lint_project(project, budget_wan=brief.budget_wan, year=brief.year, last_year=brief.last_year)
    uncited = [k for k, r in enumerate(project.indicators) if not r.sources]
    for k in uncited:
        project.indicators[k].warnings.append("no valid citation: check this row by hand")
    return DraftResult(brief=brief, project=project, examples=retrieved, findings=findings, backend="llm",
                       usage=ledger.snapshot(),
                       retrieval_score=round(min(1.0, max((ex.score or 0.0 for ex in examples), default=0.0)), 3))


draft = draft_llm
