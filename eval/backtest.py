"""Backtests on the gold corpus: drafting with the whole source document hidden, and retrieval recall@5 / MRR.

Drafting: every table of a document is drafted from its name, budget, purpose, year and unit while *every* table
of that document is hidden from the store (most recurring tables come from one document, so hiding one table
would mostly measure copying a sibling). The draft is compared with the real table. A second set, briefs with no
counterpart in the corpus (eval/no_counterpart_briefs.json), is drafted from the full store: every row copied
there is an unrelated row, and their share must be 0.

Retrieval: a kind is a normalised project name (eval.normalize.norm_name) occurring at least twice (印刷费,
网络租赁费 …); each member is hidden in turn and searched for by name + purpose (head noun from the name) and,
harder, by purpose alone.
"""

from __future__ import annotations

import json
import statistics
import tempfile
from importlib.resources import files
import time
from collections.abc import Callable
from typing import Literal

import numpy as np
from pydantic import BaseModel, Field
from rapidfuzz import fuzz
from scipy.optimize import linear_sum_assignment

from perfdraft.core.text import norm_name, norm_text, num_equal
from perfdraft.core.models import PerformanceDocument, Project, ProjectBrief, RetrievedProject

LEVEL3_MATCH = 0.6  # fuzzy level3 similarity at which a drafted row counts as the real row
K = 5


class Member(BaseModel):
    """One project of a recurring kind."""

    id: str
    document: str
    index: int
    kind: str
    project: Project
    department: str | None = None
    year: int | None = None


class DraftScore(BaseModel):
    """How one drafted table compares with the real one (counts, so they add up)."""

    level2_gold: int = 0
    level2_covered: int = 0
    gold_rows: int = 0
    draft_rows: int = 0
    matched_rows: int = 0
    op_agree: int = 0
    num_agree: int = 0
    unit_agree: int = 0
    value_agree: int = Field(0, description="op, number and unit all agree")
    lint_errors: int = 0
    placeholder_errors: int = Field(0, description="lint errors that are unfilled template values (L17)")

    @property
    def coverage(self) -> float | None:
        return self.level2_covered / self.level2_gold if self.level2_gold else None

    @property
    def recall(self) -> float | None:
        return self.matched_rows / self.gold_rows if self.gold_rows else None

    @property
    def precision(self) -> float | None:
        return self.matched_rows / self.draft_rows if self.draft_rows else None

    @property
    def agreement(self) -> float | None:
        return self.value_agree / self.matched_rows if self.matched_rows else None


class CaseResult(BaseModel):
    """One hidden project."""

    id: str
    document: str
    name: str
    kind: str
    peers: int
    seconds: float = 0.0
    error: str | None = None
    draft: DraftScore | None = None
    recall_at_k: float | None = None
    reciprocal_rank: float | None = None
    recall_at_k_purpose: float | None = Field(None, description="recall@k when the query is the purpose alone")
    reciprocal_rank_purpose: float | None = None
    retrieved: list[str] = Field(default_factory=list, description="names of the top results")
    group: str = Field("kind", description="kind (retrieval), document (whole document hidden), no_counterpart")
    status: str | None = Field(None, description="the draft's status: drafted or no_precedent")
    rows: int | None = None
    copied_rows: int | None = Field(None, description="drafted rows citing a past row")


class BacktestEval(BaseModel):
    """All figures of a drafting or retrieval backtest."""

    schema_: str = Field("perfdraft-eval/1", alias="schema")
    task: Literal["drafting", "retrieval"]
    backend: str
    kinds: dict[str, int] = Field(default_factory=dict,
                                  description="retrieval: recurring kind -> members; drafting: document -> tables")
    cases: list[CaseResult] = Field(default_factory=list)
    summary: dict[str, float | None] = Field(default_factory=dict)
    level3_match: float = LEVEL3_MATCH
    k: int = K
    model_config = {"populate_by_name": True}

    def one_line(self) -> str:
        s = self.summary
        f = lambda k: "n/a" if s.get(k) is None else f"{100 * s[k]:.1f}%"  # noqa: E731
        if self.task == "retrieval":
            head = f"retrieval [{self.backend}] {len(self.cases)} hidden projects in {len(self.kinds)} recurring kinds: "
            return head + (f"recall@{self.k} {f('recall_at_k')}, MRR {s.get('mrr') or 0:.3f} (name + purpose); "
                           f"purpose only: recall@{self.k} {f('recall_at_k_purpose_only')}, MRR "
                           f"{s.get('mrr_purpose_only') or 0:.3f}")
        docs = sum(c.group == "document" for c in self.cases)
        head = f"drafting [{self.backend}] {docs} tables, each with its whole document ({len(self.kinds)}) hidden: "
        return head + (f"二级 coverage {f('level2_coverage')}, level3 recall {f('level3_recall')}, precision "
                       f"{f('level3_precision')}, value agreement {f('value_agreement')}, lint errors/draft "
                       f"{s.get('lint_errors_per_draft') or 0:.2f} ({s.get('non_placeholder_lint_errors_per_draft') or 0:.2f} "
                       f"besides unfilled placeholders), no-precedent drafts {f('no_precedent_share')}; "
                       f"{int(s.get('no_counterpart_briefs') or 0)} no-counterpart briefs: unrelated-copy rate "
                       f"{f('unrelated_copy_rate')}; failures {int(s.get('failures') or 0)}")


# ------------------------------------------------------------------------------------------ grouping


def recurring_members(gold: dict[str, PerformanceDocument], id_of: Callable[[str, int], str]) -> dict[str, list[Member]]:
    """Project tables grouped by normalised name, kinds with at least two members only."""
    groups: dict[str, list[Member]] = {}
    for stem, doc in gold.items():
        source = doc.source or stem
        for i, p in enumerate(doc.projects):
            if p.scope != "project":
                continue
            kind = norm_name(p.name)
            groups.setdefault(kind, []).append(Member(id=id_of(source, i), document=source, index=i, kind=kind,
                                                      project=p, department=doc.department, year=doc.year))
    return {k: v for k, v in groups.items() if len(v) >= 2}


def document_members(gold: dict[str, PerformanceDocument], id_of: Callable[[str, int], str]) -> dict[str, list[Member]]:
    """Every named project table with a budget, grouped by its document."""
    out: dict[str, list[Member]] = {}
    for stem, doc in gold.items():
        source = doc.source or stem
        for i, p in enumerate(doc.projects):
            if p.scope == "project" and p.name.strip() and p.budget_wan:
                out.setdefault(source, []).append(Member(id=id_of(source, i), document=source, index=i,
                                                         kind=norm_name(p.name), project=p,
                                                         department=doc.department, year=doc.year))
    return out


def no_counterpart_briefs() -> list[ProjectBrief]:
    """The hand-written briefs of other sectors (eval/no_counterpart_briefs.json)."""
    data = json.loads(files("perfdraft.eval").joinpath("no_counterpart_briefs.json").read_text(encoding="utf-8"))
    return [ProjectBrief.model_validate(b) for b in data["briefs"]]


# ------------------------------------------------------------------------------------------ metrics


def _l2(s: str | None) -> str:
    t = norm_text(s)
    return t[:-2] if t.endswith("指标") else t


def match_level3(gold: Project, draft: Project, threshold: float = LEVEL3_MATCH) -> list[tuple[int, int]]:
    """Optimal one-to-one fuzzy matching of level3 names (pairs at or above the threshold)."""
    g, d = gold.indicators, draft.indicators
    if not g or not d:
        return []
    sim = np.array([[fuzz.ratio(norm_text(a.level3), norm_text(b.level3)) / 100 for b in d] for a in g])
    rows, cols = linear_sum_assignment(-sim)
    return [(int(i), int(j)) for i, j in zip(rows, cols) if sim[i, j] >= threshold]


def score_draft(gold: Project, draft: Project, lint_errors: int = 0) -> DraftScore:
    """二级 coverage, fuzzy level3 recall/precision and op/num/unit agreement of matched rows."""
    s = DraftScore(gold_rows=len(gold.indicators), draft_rows=len(draft.indicators), lint_errors=lint_errors)
    gl2 = {_l2(i.level2) for i in gold.indicators}
    dl2 = {_l2(i.level2) for i in draft.indicators}
    s.level2_gold, s.level2_covered = len(gl2), len(gl2 & dl2)
    for i, j in match_level3(gold, draft):
        s.matched_rows += 1
        a, b = gold.indicators[i].target, draft.indicators[j].target
        op = a.op == b.op
        num = num_equal(a.num, b.num) and num_equal(a.num_max, b.num_max)
        unit = norm_text(a.unit) == norm_text(b.unit)
        s.op_agree += op
        s.num_agree += num
        s.unit_agree += unit
        s.value_agree += op and num and unit
    return s


def recall_at_k(retrieved: list[str], relevant: set[str], k: int = K) -> float | None:
    """Share of the relevant ids found in the top k (None when nothing is relevant)."""
    if not relevant:
        return None
    return len(set(retrieved[:k]) & relevant) / len(relevant)


def reciprocal_rank(retrieved: list[str], relevant: set[str]) -> float:
    """1/rank of the first relevant id, 0 when none was retrieved."""
    for rank, rid in enumerate(retrieved, 1):
        if rid in relevant:
            return 1.0 / rank
    return 0.0


# ------------------------------------------------------------------------------------------ running


class HidingStore:
    """A view of a store that never returns the hidden ids, whatever the caller passes (leak-proof backtest)."""

    def __init__(self, store, hidden: set[str]):
        self._store, self._hidden = store, set(hidden)

    def search_projects(self, query: str, k: int = 5, *args, exclude_ids=None, **kw):
        return self._store.search_projects(query, k, *args, exclude_ids=set(exclude_ids or ()) | self._hidden, **kw)

    def search_rows(self, query: str, k: int = 10, *args, exclude_ids=None, **kw):
        # the Store's search_rows accepts project ids in exclude_ids; filter again in case another store does not
        hits = self._store.search_rows(query, k, *args, exclude_ids=set(exclude_ids or ()) | self._hidden, **kw)
        return [h for h in hits if getattr(h, "project_id", None) not in self._hidden]

    def projects(self, *args, **kw):
        return [p for p in self._store.projects(*args, **kw) if p.id not in self._hidden]

    def get_project(self, pid: str):
        return None if pid in self._hidden else self._store.get_project(pid)

    def __getattr__(self, name):  # everything else (stats, count ...) passes through
        return getattr(self._store, name)


def _mean(xs: list[float | None]) -> float | None:
    ys = [x for x in xs if x is not None]
    return statistics.fmean(ys) if ys else None


def open_store(gold: dict[str, PerformanceDocument], settings, directory: str):
    """A real Store in a scratch directory holding every gold document (the backtest never touches data/)."""
    from pathlib import Path

    from perfdraft.ingest.store import Store, project_id
    store = Store(settings, path=Path(directory))
    for stem, doc in gold.items():
        store.add_document(doc, source=doc.source or stem)
    return store, project_id


def _retrieval_case(store, m: Member, peers: set[str], case: CaseResult) -> None:
    query = " ".join(x for x in (m.project.name, m.project.purpose) if x)
    hits: list[RetrievedProject] = store.search_projects(query, K, exclude_ids={m.id}, name=m.project.name)
    ids = [h.id for h in hits]
    if m.id in ids:
        raise RuntimeError("the hidden project came back despite exclude_ids (leak)")
    case.recall_at_k, case.reciprocal_rank = recall_at_k(ids, peers), reciprocal_rank(ids, peers)
    case.retrieved = [h.project.name for h in hits]
    if m.project.purpose:  # harder: peers share the name, so also search without it
        ids = [h.id for h in store.search_projects(m.project.purpose, K, exclude_ids={m.id})]
        case.recall_at_k_purpose = recall_at_k(ids, peers)
        case.reciprocal_rank_purpose = reciprocal_rank(ids, peers)


def _draft_case(drafter, brief: ProjectBrief, store, hidden: set[str], backend: str, case: CaseResult,
                truth: Project | None = None) -> None:
    result = drafter(brief, HidingStore(store, hidden), backend=backend, exclude_ids=set(hidden))
    if any(e.id in hidden for e in result.examples):
        raise RuntimeError("the drafter used a hidden project (leak)")
    case.status = getattr(result, "status", None)
    case.rows = len(result.project.indicators)
    case.copied_rows = sum(bool(r.sources) for r in result.project.indicators)
    case.retrieved = [e.project.name for e in result.examples]
    if truth is not None:
        errors = result.errors
        case.draft = score_draft(truth, result.project, lint_errors=len(errors))
        case.draft.placeholder_errors = sum(f.rule == "L17-placeholder" for f in errors)


def _run_one(out: BacktestEval, case: CaseResult, work, progress, label: str) -> None:
    start = time.perf_counter()
    try:
        work(case)
    except Exception as exc:  # one failing case is a result, not the end of the backtest
        case.error = f"{type(exc).__name__}: {exc}"
    case.seconds = time.perf_counter() - start
    out.cases.append(case)
    if progress:
        progress(f"{out.task} {label}: {'error' if case.error else 'ok'}")


def run_cases(task: str, gold: dict[str, PerformanceDocument], store, id_of: Callable[[str, int], str], *,
              backend: str = "rules", drafter=None, progress=None,
              briefs: list[ProjectBrief] | None = None) -> BacktestEval:
    """Retrieval: hide each member of each recurring kind in turn. Drafting: hide each whole document in turn,
    then draft the no-counterpart briefs (default: eval/no_counterpart_briefs.json) from the full store."""
    if task == "retrieval":
        groups = recurring_members(gold, id_of)
        out = BacktestEval(task=task, backend=backend, kinds={k: len(v) for k, v in groups.items()})
        for kind, members in groups.items():
            for m in members:
                peers = {x.id for x in members if x.id != m.id}
                case = CaseResult(id=m.id, document=m.document, name=m.project.name, kind=kind, peers=len(peers))
                _run_one(out, case, lambda c, m=m, peers=peers: _retrieval_case(store, m, peers, c), progress,
                         f"{m.document}#{m.index} {m.project.name}")
        out.summary = summarise_cases(out)
        return out
    docs = document_members(gold, id_of)
    out = BacktestEval(task=task, backend=backend, kinds={d: len(v) for d, v in docs.items()})
    for document, members in docs.items():
        hidden = {id_of(document, i) for i in range(len(gold_doc(gold, document).projects))}
        for m in members:
            brief = ProjectBrief(name=m.project.name, budget_wan=m.project.budget_wan, year=m.year or 2025,
                                 department=m.department, purpose=m.project.purpose)
            case = CaseResult(id=m.id, document=document, name=m.project.name, kind=m.kind, peers=0, group="document")
            _run_one(out, case, lambda c, b=brief, m=m, h=hidden: _draft_case(drafter, b, store, h, backend, c,
                                                                             m.project),
                     progress, f"{document}#{m.index} {m.project.name}")
    for n, brief in enumerate(no_counterpart_briefs() if briefs is None else briefs):
        case = CaseResult(id=f"no-counterpart#{n}", document="", name=brief.name, kind="", peers=0,
                          group="no_counterpart")
        _run_one(out, case, lambda c, b=brief: _draft_case(drafter, b, store, set(), backend, c), progress,
                 f"no counterpart {brief.name}")
    out.summary = summarise_cases(out)
    return out


def gold_doc(gold: dict[str, PerformanceDocument], source: str) -> PerformanceDocument:
    """The gold document stored under `source` (its source field, else its stem)."""
    return next(d for stem, d in gold.items() if (d.source or stem) == source)


def summarise_cases(ev: BacktestEval) -> dict[str, float | None]:
    """Overall figures: micro-averaged row counts, macro-averaged per-project shares."""
    ok = [c for c in ev.cases if c.error is None]
    s: dict[str, float | None] = {"cases": float(len(ev.cases)), "failures": float(len(ev.cases) - len(ok)),
                                  "seconds_mean": _mean([c.seconds for c in ev.cases])}
    if ev.task == "retrieval":
        s["recall_at_k"] = _mean([c.recall_at_k for c in ok])
        s["mrr"] = _mean([c.reciprocal_rank for c in ok])
        s["recall_at_k_purpose_only"] = _mean([c.recall_at_k_purpose for c in ok])
        s["mrr_purpose_only"] = _mean([c.reciprocal_rank_purpose for c in ok])
        return s
    ds = [c.draft for c in ok if c.draft is not None and c.group != "no_counterpart"]
    alone = [c for c in ok if c.group == "no_counterpart"]
    docs = [c for c in ok if c.group == "document"]
    tot = DraftScore()
    for d in ds:
        for f in DraftScore.model_fields:
            setattr(tot, f, getattr(tot, f) + getattr(d, f))
    s.update({"level2_coverage": _mean([d.coverage for d in ds]), "level3_recall": tot.recall,
              "level3_precision": tot.precision, "value_agreement": tot.agreement,
              "op_agreement": tot.op_agree / tot.matched_rows if tot.matched_rows else None,
              "num_agreement": tot.num_agree / tot.matched_rows if tot.matched_rows else None,
              "unit_agreement": tot.unit_agree / tot.matched_rows if tot.matched_rows else None,
              "lint_errors_per_draft": tot.lint_errors / len(ds) if ds else None,
              "drafts_with_lint_errors": float(sum(d.lint_errors > 0 for d in ds)),
              "non_placeholder_lint_errors_per_draft":
                  (tot.lint_errors - tot.placeholder_errors) / len(ds) if ds else None,
              "no_precedent_share": (sum(c.status == "no_precedent" for c in docs) / len(docs)) if docs else None,
              **_precedent_figures(docs),
              "no_counterpart_briefs": float(len(alone)),
              "unrelated_copy_rate": (sum(c.copied_rows or 0 for c in alone) / sum(c.rows or 0 for c in alone)
                                      if sum(c.rows or 0 for c in alone) else None)})
    return s


def _precedent_figures(docs: list[CaseResult]) -> dict[str, float | None]:
    """Level3 recall/precision and value agreement over the drafts that did copy from a past table."""
    tot = DraftScore()
    drafted = [c.draft for c in docs if c.status == "drafted" and c.draft is not None]
    for d in drafted:
        for f in ("gold_rows", "draft_rows", "matched_rows", "value_agree"):
            setattr(tot, f, getattr(tot, f) + getattr(d, f))
    return {"precedent_drafts": float(len(drafted)), "precedent_level3_recall": tot.recall,
            "precedent_level3_precision": tot.precision, "precedent_value_agreement": tot.agreement}


def run_backtest(task: str, gold: dict[str, PerformanceDocument], *, backend: str = "rules", settings=None,
                 progress=None) -> BacktestEval:
    """The backtest against the real Store (scratch directory) and the real drafter."""
    from perfdraft.core.settings import get_settings
    settings = settings or get_settings()
    with tempfile.TemporaryDirectory(prefix="perfdraft-backtest-") as tmp:
        store, id_of = open_store(gold, settings, tmp)
        drafter = None
        if task == "drafting":
            from perfdraft.drafting.drafter import draft as drafter
        return run_cases(task, gold, store, id_of, backend=backend, drafter=drafter, progress=progress)


def _pct(v: float | None) -> str:
    return "n/a" if v is None else f"{100 * v:.1f}%"


_RETRIEVAL_METHOD = ("Leave-one-out over recurring project kinds (normalised name shared by at least two tables): "
                     "each table is hidden (excluded by id) and searched for by its name and purpose, the name's head "
                     "noun weighted (and, harder, by its purpose alone); relevant = the other tables of its kind. "
                     "Peers of a kind often come from one document, so name-based figures are optimistic.")


def _drafting_method(ev: BacktestEval) -> str:
    return ("Each table is drafted from its name, budget, purpose, year and unit with every table of its document "
            "hidden from the store, then compared with the real table. Level3 rows match fuzzily (rapidfuzz ratio "
            f"≥ {ev.level3_match}, optimal assignment); value agreement = op, number (tolerance) and unit all equal "
            "on matched rows; recall/precision are micro-averaged, 二级 coverage is the mean per table. Unfilled "
            "template placeholders count as lint errors (L17). The no-counterpart briefs are drafted from the full "
            "store: every row they copy is unrelated.")


def render_backtest_markdown(ev: BacktestEval) -> str:
    """Report: method, overall figures, per project."""
    lines = [f"# {ev.task.capitalize()} backtest — {ev.backend}", "", ev.one_line(), "",
             _RETRIEVAL_METHOD if ev.task == "retrieval" else _drafting_method(ev),
             "", "## Overall", "", "| figure | value |", "|---|---|"]
    for k, v in ev.summary.items():
        shown = f"{v:.3f}" if k.startswith(("mrr", "seconds", "lint", "non_placeholder")) and v is not None else (
            str(int(v)) if k in ("cases", "failures", "drafts_with_lint_errors", "no_counterpart_briefs",
                                 "precedent_drafts")
            and v is not None else _pct(v))
        lines.append(f"| {k} | {shown} |")
    groups = "Kinds" if ev.task == "retrieval" else "Documents (tables)"
    lines += ["", f"## {groups}", "", ", ".join(f"{k} ×{n}" for k, n in ev.kinds.items()), "", "## Per project", ""]
    if ev.task == "retrieval":
        lines += ["| document | project | peers | recall@5 | RR | recall@5 purpose only | RR purpose only "
                  "| top results |", "|---|---|---|---|---|---|---|---|"]
        rr = lambda v: "" if v is None else f"{v:.2f}"  # noqa: E731
        for c in ev.cases:
            lines.append(f"| {c.document[:12]} | {c.name[:30]} | {c.peers} | {_pct(c.recall_at_k)} | "
                         f"{rr(c.reciprocal_rank)} | {_pct(c.recall_at_k_purpose)} | {rr(c.reciprocal_rank_purpose)} | "
                         f"{c.error or '; '.join(n[:14] for n in c.retrieved)} |")
        return "\n".join(lines) + "\n"
    lines += ["| document | project | status | 二级 cov. | L3 recall | L3 precision | value agr. | lint errors "
              "| copied rows | s |", "|---|---|---|---|---|---|---|---|---|---|"]
    for c in ev.cases:
        d = c.draft
        if c.error:
            lines.append(f"| {c.document[:12]} | {c.name[:30]} | error: {c.error} | | | | | | | {c.seconds:.2f} |")
        elif d is None:
            lines.append(f"| (no counterpart) | {c.name[:30]} | {c.status} | | | | | | {c.copied_rows}/{c.rows} "
                         f"| {c.seconds:.2f} |")
        else:
            lines.append(f"| {c.document[:12]} | {c.name[:30]} | {c.status} | {_pct(d.coverage)} | {_pct(d.recall)} | "
                         f"{_pct(d.precision)} | {_pct(d.agreement)} | {d.lint_errors} | {c.copied_rows}/{c.rows} "
                         f"| {c.seconds:.2f} |")
    return "\n".join(lines) + "\n"


def write_backtest_chart(ev: BacktestEval, path) -> None:
    """Bar chart of the overall backtest figures that are shares (0..1)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = (["recall_at_k", "mrr", "recall_at_k_purpose_only", "mrr_purpose_only"] if ev.task == "retrieval" else
            ["level2_coverage", "level3_recall", "level3_precision", "value_agreement", "op_agreement",
             "num_agreement", "unit_agreement", "no_precedent_share", "unrelated_copy_rate"])
    vals = [ev.summary.get(k) or 0.0 for k in keys]
    fig, ax = plt.subplots(figsize=(7, 0.4 * len(keys) + 1.2))
    ax.barh(keys[::-1], vals[::-1], color="#4c72b0")
    for y, v in enumerate(vals[::-1]):
        ax.text(v + 0.01, y, f"{v:.2f}", va="center", fontsize=8)
    ax.set_xlim(0, 1.12)
    ax.set_title(f"{ev.task} backtest — {ev.backend} ({len(ev.cases)} hidden projects)")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
