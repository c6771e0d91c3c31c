"""Leave-one-out backtest of the rules drafter on the gold tables: level3 recall, value agreement, latency.

Run: .venv/bin/python -m drafting.backtest [GOLD_DIR]
"""

from __future__ import annotations

import re
import statistics
import sys
import time
from pathlib import Path

from pydantic import BaseModel

from perfdraft.drafting.drafter import draft
from perfdraft.drafting.lint import has_errors
from perfdraft.drafting.memory_store import MemoryStore
from perfdraft.core.models import Project, ProjectBrief

_KIND_NOISE = re.compile(r"\d{4}年|[（(【\[].*?[)）】\]]|第[一二三四五六七八九十]+批|\s+")


class BacktestResult(BaseModel):
    """Figures of one backtest run."""

    tables: int
    recurring: int
    recall_all: float
    value_agreement_all: float
    recall_recurring: float
    value_agreement_recurring: float
    drafts_with_errors: int
    latency_ms_p50: float
    latency_ms_p95: float
    latency_ms_max: float


def kind_of(name: str) -> str:
    """A project's kind: its name without years and bracketed document numbers."""
    return _KIND_NOISE.sub("", name)


def _n(s: str) -> str:
    return re.sub(r"[\s，。、；：,.;:（）()]|20\d{2}年?", "", s)


def score_draft(drafted: Project, truth: Project) -> tuple[int, int, int]:
    """(truth rows, recalled level3 names, recalled rows whose op, number and unit agree)."""
    got = {}
    for ind in drafted.indicators:
        got.setdefault(_n(ind.level3), ind)
    hit = agree = 0
    for ind in truth.indicators:
        d = got.get(_n(ind.level3))
        if d is None:
            continue
        hit += 1
        a, b = d.target, ind.target
        if a.kind == b.kind and a.op == b.op and a.num == b.num and a.unit == b.unit:
            agree += 1
    return len(truth.indicators), hit, agree


def chroma_store(gold_dir: str | Path, directory: str | Path):
    """The real Store in a scratch directory holding the gold documents, and its project-id function."""
    from perfdraft.ingest.store import Store, project_id as store_id
    from perfdraft.core.models import PerformanceDocument
    store = Store(path=Path(directory))
    for f in sorted(Path(gold_dir).glob("*.json")):
        doc = PerformanceDocument.model_validate_json(f.read_text(encoding="utf-8"))
        store.add_document(doc, source=doc.source or f.stem)
    return store, store_id


def run(gold_dir: str | Path, k: int = 5, store=None, id_of=None) -> BacktestResult:
    """Draft every gold project from the others (its own table excluded) and compare."""
    memory = MemoryStore.from_dir(gold_dir)
    store = store or memory
    kinds: dict[str, int] = {}
    for _, _, p in memory.items:
        kinds[kind_of(p.name)] = kinds.get(kind_of(p.name), 0) + 1
    tot = {"all": [0, 0, 0], "rec": [0, 0, 0]}
    lat, errors = [], 0
    for pid, doc, p in memory.items:
        if not p.budget_wan or not doc.year:
            continue
        if id_of is not None:
            pid = id_of(doc.source, doc.projects.index(p))
        brief = ProjectBrief(name=p.name, budget_wan=p.budget_wan, year=doc.year, department=doc.department,
                             purpose=p.purpose)
        t0 = time.perf_counter()
        result = draft(brief, store, k=k, exclude_ids=[pid])
        lat.append((time.perf_counter() - t0) * 1000)
        errors += has_errors(result.findings)
        n, hit, agree = score_draft(result.project, p)
        groups = ["all"] + (["rec"] if kinds[kind_of(p.name)] > 1 else [])
        for g in groups:
            tot[g][0] += n
            tot[g][1] += hit
            tot[g][2] += agree
    r = lambda a, b: round(a / b, 3) if b else 0.0  # noqa: E731
    return BacktestResult(
        tables=len(lat), recurring=sum(1 for _, _, p in memory.items if kinds[kind_of(p.name)] > 1),
        recall_all=r(tot["all"][1], tot["all"][0]), value_agreement_all=r(tot["all"][2], tot["all"][1]),
        recall_recurring=r(tot["rec"][1], tot["rec"][0]), value_agreement_recurring=r(tot["rec"][2], tot["rec"][1]),
        drafts_with_errors=errors, latency_ms_p50=round(statistics.median(lat), 2) if lat else 0.0,
        latency_ms_p95=round(sorted(lat)[int(0.95 * (len(lat) - 1))], 2) if lat else 0.0,
        latency_ms_max=round(max(lat), 2) if lat else 0.0)


def main(argv: list[str] | None = None) -> int:
    """Usage: python -m drafting.backtest [GOLD_DIR] [--chroma]  (memory retriever by default)."""
    argv = sys.argv[1:] if argv is None else argv
    paths = [a for a in argv if not a.startswith("--")]
    gold = paths[0] if paths else str(Path(__file__).resolve().parents[1] / "eval" / "fixtures" / "gold")
    if "--chroma" in argv:
        import tempfile
        with tempfile.TemporaryDirectory(prefix="perfdraft-draft-backtest-") as tmp:
            store, id_of = chroma_store(gold, tmp)
            print(run(gold, store=store, id_of=id_of).model_dump_json(indent=2))
    else:
        print(run(gold).model_dump_json(indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
