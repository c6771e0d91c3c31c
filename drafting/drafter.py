"""Rules drafter: next year's 绩效目标表 merged from the most similar past tables, every row cited."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from perfdraft.drafting.adapt import adapt_row, shift_years
from perfdraft.core.vocabulary import canon_level1, canon_level2, display_level1, display_level2
from perfdraft.drafting.lint import lint_project
from perfdraft.drafting.guards import NO_PRECEDENT_NOTICE
from perfdraft.drafting.llm_drafter import draft_llm
from perfdraft.drafting.memory_store import bigrams, dice
from perfdraft.drafting.relevance import RELEVANCE_THRESHOLD
from perfdraft.drafting.retrieve import retrieve
from perfdraft.drafting.templates import project_kind, template_rows
from perfdraft.core.errors import ConfigError
from perfdraft.core.models import (Citation, DraftResult, Indicator, Project, ProjectBrief, RetrievedProject,
                              Target)
from perfdraft.core.protocols import Store
from perfdraft.core.settings import Settings

# slots in table order; the first six must be filled
REQUIRED = [("产出", "数量"), ("产出", "质量"), ("产出", "时效"), ("产出", "成本"), ("效益", "社会效益"),
            ("满意度", "服务对象满意度")]
OPTIONAL = [("效益", "经济效益"), ("效益", "生态效益"), ("效益", "可持续影响"),
            ("成本", "经济成本"), ("成本", "社会成本"), ("成本", "生态环境成本")]
ORDER = REQUIRED[:4] + [("成本", "经济成本"), ("成本", "社会成本"), ("成本", "生态环境成本"),
                        ("效益", "经济效益"), ("效益", "社会效益"), ("效益", "生态效益"), ("效益", "可持续影响"),
                        ("满意度", "服务对象满意度")]
MAX_CITATIONS = 5
LAST_YEAR_DOC = "last_year"


@dataclass
class _Source:
    """One past table with its weight in the merge."""

    weight: float
    document: str
    year: int | None
    department: str | None
    score: float
    project: Project
    id: str = ""


@dataclass
class _Candidate:
    """A past row (by normalised 三级 name within a slot) and every table it appears in."""

    key: str
    instances: list[tuple[_Source, int, Indicator]] = field(default_factory=list)

    @property
    def support(self) -> float:
        return sum(s.weight for s, _, _ in {id(s): (s, i, r) for s, i, r in self.instances}.values())


def _norm(name: str) -> str:
    return re.sub(r"[\s，。、；：,.;:（）()]|20\d{2}年?", "", name)


def _sources(brief: ProjectBrief, examples: list[RetrievedProject]) -> list[_Source]:
    out = []
    best = max((ex.score for ex in examples), default=0.0) or 1.0
    for ex in examples:
        # relative to the best hit: store scores (fused ranks, cosines) have no common scale
        w = max(ex.score / best, 0.01) ** 2
        if brief.department and ex.department == brief.department:
            w *= 1.2
        out.append(_Source(w, ex.document, ex.year, ex.department, ex.score, ex.project, ex.id))
    if brief.last_year is not None:
        # last year's own table outweighs all retrieved examples together
        top = sum(s.weight for s in out) + 1.0
        src = brief.last_year.source.file if brief.last_year.source else LAST_YEAR_DOC
        out.insert(0, _Source(top, src, brief.year - 1, brief.department, 1.0, brief.last_year))
    return sorted(out, key=lambda s: -s.weight)


def _candidates(sources: list[_Source]) -> dict[tuple[str, str], list[_Candidate]]:
    slots: dict[tuple[str, str], dict[str, _Candidate]] = {}
    for src in sources:
        for i, ind in enumerate(src.project.indicators):
            if not ind.level3.strip() or not ind.value.strip():
                continue
            slot = (canon_level1(ind.level1), canon_level2(ind.level2))
            key = _norm(ind.level3)
            slots.setdefault(slot, {}).setdefault(key, _Candidate(key)).instances.append((src, i, ind))
    return {slot: sorted(c.values(), key=lambda c: -c.support) for slot, c in slots.items()}


def _best_instance(cand: _Candidate, slot: tuple[str, str], brief: ProjectBrief) -> tuple[_Source, int, Indicator]:
    """The instance to copy: the heaviest source; for cost rows, the close source whose budget is nearest."""
    best = max(cand.instances, key=lambda x: x[0].weight)
    if slot[1] != "成本" and slot[0] != "成本":
        return best
    close = [x for x in cand.instances if x[0].weight >= 0.5 * best[0].weight and x[0].project.budget_wan]
    if not close or best[0].document == LAST_YEAR_DOC:
        return best
    return min(close, key=lambda x: abs(math.log(x[0].project.budget_wan / brief.budget_wan)))


def _row_ok(row: Indicator, brief: ProjectBrief) -> bool:
    """No row-level lint error on this row alone."""
    probe = Project(name=brief.name, budget_wan=brief.budget_wan, goals=["-"], indicators=[row])
    return not any(f.severity == "error" and f.row == 0
                   for f in lint_project(probe, budget_wan=brief.budget_wan, year=brief.year))


def _cite(cand: _Candidate) -> list[Citation]:
    seen, out = set(), []
    for src, i, ind in sorted(cand.instances, key=lambda x: -x[0].weight):
        if (src.id, src.document, src.project.name, i) in seen:
            continue
        seen.add((src.id, src.document, src.project.name, i))
        out.append(Citation(document=src.document, project=src.project.name, project_id=src.id or None, row=i,
                            level3=ind.level3, value=ind.value, year=src.year, department=src.department,
                            score=round(src.score, 4), budget_wan=src.project.budget_wan))
    return out[:MAX_CITATIONS]


def _default_row(slot: tuple[str, str], brief: ProjectBrief) -> Indicator:
    """The kind's template row for a required slot no past table could fill (a placeholder value, no guess)."""
    rows = template_rows(project_kind(brief), brief)
    found = next((r for r in rows if (canon_level1(r.level1), canon_level2(r.level2)) == slot), None)
    if found is not None:
        return found
    l1, l2 = slot
    return Indicator(level1=display_level1(l1), level2=display_level2(l2), level3=f"{l2}指标",
                     value="【待填写：指标值】", basis="计划标准", target=Target(kind="text"),
                     warnings=["无可引用的历史指标，请按本项目实际填写"])


def _goals(brief: ProjectBrief, sources: list[_Source]) -> list[str]:
    """Goals from the closest table (last year's first), names and years adapted, plus the stated purpose."""
    goals: list[str] = []
    for src in sources[:1]:
        for g in src.project.goals:
            g = shift_years(g, src.year, brief.year) or g
            if src.project.name and src.project.name in g:
                g = g.replace(src.project.name, brief.name)
            if g.strip():
                goals.append(g.strip())
    if brief.purpose:
        purpose = brief.purpose.strip().rstrip("。；;")
        if not any(dice(bigrams(purpose), bigrams(g)) > 0.6 for g in goals):
            goals.insert(0, f"{purpose}，保障{brief.name}相关工作按计划完成。")
    if not goals:
        goals = [f"保障{brief.name}相关工作于{brief.year}年内按计划完成，资金使用规范有效。"]
    return goals


class DraftBackend(Protocol):
    """A drafting backend: brief + store -> DraftResult (registered in BACKENDS)."""

    def __call__(self, brief: ProjectBrief, store: Store | None, *, k: int, exclude_ids: Iterable[str] | None,
                 settings: Settings | None) -> DraftResult: ...


def draft(brief: ProjectBrief, store: Store | None, *, k: int = 5, backend: str = "rules",
          exclude_ids: Iterable[str] | None = None, settings: Settings | None = None) -> DraftResult:
    """Draft next year's table with the chosen backend (rules, llm); ConfigError for an unknown one."""
    run = BACKENDS.get(backend)
    if run is None:
        raise ConfigError(f"unknown drafting backend {backend!r}: use {' or '.join(BACKENDS)}")
    return run(brief, store, k=k, exclude_ids=exclude_ids, settings=settings)


def _llm_backend(brief: ProjectBrief, store: Store | None, *, k: int, exclude_ids: Iterable[str] | None,
                 settings: Settings | None) -> DraftResult:
    return draft_llm(brief, store, k=k, exclude_ids=set(exclude_ids) if exclude_ids else None, settings=settings)


def template_draft(brief: ProjectBrief) -> DraftResult:
    """No similar past table: the framework's template rows for the project's kind, copying nothing."""
    kind = project_kind(brief)
    notice = NO_PRECEDENT_NOTICE.format(kind=kind)
    project = Project(name=brief.name, unit=brief.department, budget_wan=brief.budget_wan, purpose=brief.purpose,
                      goals=_goals(brief, []), indicators=template_rows(kind, brief), backend="rules",
                      warnings=[notice])
    findings = lint_project(project, budget_wan=brief.budget_wan, year=brief.year)
    return DraftResult(brief=brief, project=project, findings=findings, backend="rules", status="no_precedent",
                       notices=[notice])


def draft_rules(brief: ProjectBrief, store: Store | None, *, k: int = 5, exclude_ids: Iterable[str] | None = None,
                settings: Settings | None = None, relevance_threshold: float = RELEVANCE_THRESHOLD) -> DraftResult:
    """Draft next year's table from the k most similar past tables (and last year's, when given); with no
    similar table, the template of the project's kind (status no_precedent, with a notice)."""
    examples = retrieve(brief, store, k, exclude_ids, threshold=relevance_threshold)
    if not examples and brief.last_year is None:
        return template_draft(brief)
    sources = _sources(brief, examples)
    cands = _candidates(sources)
    top = sources[0] if sources else None
    top_counts: dict[tuple[str, str], int] = {}
    if top is not None:
        for ind in top.project.indicators:
            slot = (canon_level1(ind.level1), canon_level2(ind.level2))
            top_counts[slot] = top_counts.get(slot, 0) + 1
    total_w = sum(s.weight for s in sources) or 1.0

    rows: list[Indicator] = []
    for slot in ORDER:
        slot_cands = cands.get(slot, [])
        slot_support = sum(s.weight for s in sources
                           if any((canon_level1(i.level1), canon_level2(i.level2)) == slot for i in s.project.indicators))
        # as many rows as the closest table has; required slots at least one; others when most tables have them
        want = top_counts.get(slot, 0)
        if slot in REQUIRED or (want == 0 and slot_support / total_w >= 0.5):
            want = max(want, 1)
        picked: list[Indicator] = []
        for cand in slot_cands:
            if len(picked) >= want:
                break
            src, i, ind = _best_instance(cand, slot, brief)
            row = adapt_row(ind, src_year=src.year, src_budget=src.project.budget_wan, year=brief.year,
                            budget=brief.budget_wan, src_department=src.department, department=brief.department)
            if row is None or not _row_ok(row, brief):
                continue
            if any(_norm(r.level3) == _norm(row.level3) for r in rows + picked):
                continue
            if slot[0] == "效益":
                row.level1 = "效益指标"  # write the current name (效果 is the older one)
            row.level2 = display_level2(slot[1]) if slot[1] == "可持续影响" else row.level2
            row.sources = _cite(cand)
            picked.append(row)
        if not picked and slot in REQUIRED and want:
            picked.append(_default_row(slot, brief))
        rows.extend(picked)

    project = Project(name=brief.name, unit=brief.department, budget_wan=brief.budget_wan, purpose=brief.purpose,
                      goals=_goals(brief, sources), indicators=rows, backend="rules")
    findings = _drop_conflicts(project, brief)
    return DraftResult(brief=brief, project=project, examples=examples, findings=findings, backend="rules",
                       retrieval_score=round(min(1.0, max((s.score for s in sources), default=0.0)), 3))


def _drop_conflicts(project: Project, brief: ProjectBrief) -> list:
    """Drop rows whose errors come from the assembled table (unit cost x quantity > budget ...), refill slots."""
    for _ in range(5):
        findings = lint_project(project, budget_wan=brief.budget_wan, year=brief.year, last_year=brief.last_year)
        bad = {f.row for f in findings if f.severity == "error" and f.row is not None}
        if not bad:
            return findings
        project.indicators = [r for i, r in enumerate(project.indicators) if i not in bad]
        have = {(canon_level1(r.level1), canon_level2(r.level2)) for r in project.indicators}
        for slot in REQUIRED:
            if slot not in have:
                pos = next((i for i, r in enumerate(project.indicators)
                            if ORDER.index((canon_level1(r.level1), canon_level2(r.level2))) > ORDER.index(slot)),
                           len(project.indicators)) if all(
                    (canon_level1(r.level1), canon_level2(r.level2)) in ORDER for r in project.indicators) else len(
                    project.indicators)
                project.indicators.insert(pos, _default_row(slot, brief))
    return lint_project(project, budget_wan=brief.budget_wan, year=brief.year, last_year=brief.last_year)


BACKENDS: dict[str, DraftBackend] = {"rules": draft_rules, "llm": _llm_backend}
