"""The extraction benchmark: predict (or read predictions), score against gold, repeat, summarise cost."""

from __future__ import annotations

import statistics
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from perfdraft.core.errors import InputError
from perfdraft.core.models import Document, PerformanceDocument, Usage
from perfdraft.core.settings import get_settings
from perfdraft.eval.align import PROJECT_THRESHOLD, ROW_THRESHOLD
from perfdraft.eval.data import find_docs, load_dir, load_perf_json
from perfdraft.eval.grounding import score_grounding
from perfdraft.core.text import ABS_TOL, NORMALISATION_RULES, REL_TOL
from perfdraft.eval.scores import ErrorPair, Scores, score_document
from perfdraft.extraction.api import extract_file
from perfdraft.ingest.load import load_document

EVAL_SCHEMA = "perfdraft-eval/1"
MAX_ERRORS_KEPT = 300  # per run, worst first: enough to diagnose, small enough to commit


class DocCost(BaseModel):
    """Speed and cost of producing one document's prediction."""

    status: str = "success"
    seconds: float = 0.0
    usage: Usage = Field(default_factory=Usage)
    errors: list[str] = Field(default_factory=list)


class DocResult(BaseModel):
    document: str
    scores: Scores
    cost: DocCost


class RunResult(BaseModel):
    """One pass over all documents."""

    run: int
    overall: Scores
    documents: list[DocResult]
    errors: list[ErrorPair] = Field(default_factory=list, description="worst disagreements first")
    seconds: float = 0.0
    usage: Usage = Field(default_factory=Usage)


class MetricStat(BaseModel):
    """Mean and spread of one metric over the repeated runs."""

    mean: float | None
    std: float | None = None
    min: float | None = None
    max: float | None = None
    n: int = 0


class BaselineDrop(BaseModel):
    metric: str
    baseline: float | None
    current: float | None
    delta: float | None


class BaselineCheck(BaseModel):
    """Comparison with a saved run: fails when any metric drops more than the tolerance."""

    baseline: str
    tolerance: float
    compared: int
    drops: list[BaselineDrop] = Field(default_factory=list)
    improvements: list[BaselineDrop] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list, description="metrics the baseline has and this run lacks")

    @property
    def passed(self) -> bool:
        return not self.drops and not self.missing


class ExtractionEval(BaseModel):
    """Every figure of an extraction benchmark run (what --json writes and --baseline reads)."""

    schema_: str = Field(EVAL_SCHEMA, alias="schema")
    task: Literal["extraction"] = "extraction"
    backend: str
    mode: Literal["extractor", "predictions"]
    gold_dir: str
    docs_dir: str | None = None
    predictions_dir: str | None = None
    repeat: int = 1
    created: str = Field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))
    normalisation: list[str] = Field(default_factory=lambda: list(NORMALISATION_RULES))
    num_tolerance: dict[str, float] = Field(default_factory=lambda: {"abs": ABS_TOL, "rel": REL_TOL})
    thresholds: dict[str, float] = Field(default_factory=lambda: {"project": PROJECT_THRESHOLD, "row": ROW_THRESHOLD})
    grounding_note: str = ""
    summary: dict[str, MetricStat] = Field(default_factory=dict, description="headline metrics over the runs")
    runs: list[RunResult] = Field(default_factory=list)
    baseline_check: BaselineCheck | None = None

    model_config = {"populate_by_name": True}

    def to_json(self) -> str:
        return self.model_dump_json(by_alias=True, indent=2)




def shown_path(path: Path | None) -> str | None:
    """A path relative to the working directory when inside it, so saved runs do not carry machine paths."""
    if path is None:
        return None
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def predict_with_extractor(path: Path, backend: str, settings=None) -> tuple[PerformanceDocument | None, DocCost]:
    """Run extraction.api.extract_file; any failure is recorded, scored as an empty prediction, never raised."""
    start = time.perf_counter()
    try:
        res = extract_file(path, backend=backend, settings=settings)
    except Exception as exc:  # a crashing extractor is a benchmark result, not a harness crash
        return None, DocCost(status="failure", seconds=time.perf_counter() - start,
                             errors=[f"{type(exc).__name__}: {exc}"])
    errs = [f"{e.kind}: {e.message}" for e in res.errors]
    return res.document, DocCost(status=res.status, seconds=res.seconds or time.perf_counter() - start,
                                 usage=res.usage, errors=errs)


def load_source_documents(docs_dir: Path | None, stems: list[str]) -> tuple[dict[str, Document], list[str]]:
    """Loaded source documents for grounding; the notes say which could not be loaded and why."""
    if docs_dir is None:
        return {}, ["no --docs: grounding not measured"]
    docs, notes = {}, []
    paths = find_docs(docs_dir, stems)
    for stem in stems:
        if stem not in paths:
            notes.append(f"{stem}: no source document in {docs_dir}")
            continue
        try:
            docs[stem] = load_document(paths[stem])
        except Exception as exc:
            notes.append(f"{paths[stem]}: cannot load for grounding ({type(exc).__name__}: {exc})")
    return docs, notes


def score_run(run: int, gold: dict[str, PerformanceDocument], preds: dict[str, PerformanceDocument | None],
              costs: dict[str, DocCost], sources: dict[str, Document]) -> RunResult:
    """Score one pass of predictions against all gold documents."""
    overall, docs, errors, usage = Scores(), [], [], Usage()
    for stem, g in gold.items():
        doc_errors: list[ErrorPair] = []
        s = score_document(stem, g, preds.get(stem), doc_errors)
        if stem in sources and preds.get(stem) is not None:
            s.grounding, s.ungrounded_no_source = score_grounding(sources[stem], preds[stem], doc_errors)
        cost = costs.get(stem, DocCost())
        docs.append(DocResult(document=stem, scores=s, cost=cost))
        overall.add(s)
        errors.extend(doc_errors)
        usage.add(cost.usage)
    errors.sort(key=lambda e: (e.similarity, e.document, e.project, e.row if e.row is not None else -1))
    return RunResult(run=run, overall=overall, documents=docs, errors=errors[:MAX_ERRORS_KEPT],
                     seconds=sum(c.seconds for c in costs.values()), usage=usage)


def summarise(runs: list[RunResult]) -> dict[str, MetricStat]:
    """Mean, standard deviation, min and max of every headline metric (and cost) across runs."""
    table: dict[str, list[float | None]] = {}
    for r in runs:
        figures = dict(r.overall.headline())
        # per-document row F1: the pooled figure hides a small document going to zero behind the large ones
        per_doc = [d.scores.headline().get("row_f1") for d in r.documents]
        per_doc = [v for v in per_doc if v is not None]
        if per_doc:
            figures["doc_row_f1_mean"] = statistics.fmean(per_doc)
            figures["doc_row_f1_min"] = min(per_doc)
        figures["seconds_total"] = r.seconds
        figures["llm_calls"] = float(r.usage.calls)
        figures["prompt_tokens"] = float(r.usage.prompt_tokens)
        figures["completion_tokens"] = float(r.usage.completion_tokens)
        figures["cache_hits"] = float(r.usage.cache_hits)
        for k, v in figures.items():
            table.setdefault(k, []).append(v)
    out = {}
    for k, vals in table.items():
        xs = [v for v in vals if v is not None]
        if not xs:
            out[k] = MetricStat(mean=None, n=0)
            continue
        out[k] = MetricStat(mean=statistics.fmean(xs), std=statistics.pstdev(xs) if len(xs) > 1 else 0.0,
                            min=min(xs), max=max(xs), n=len(xs))
    return out


def evaluate_extraction(gold_dir: Path, docs_dir: Path | None, *, backend: str = "rules",
                        predictions_dir: Path | None = None, repeat: int = 1, settings=None,
                        progress=None) -> ExtractionEval:
    """Run the whole extraction benchmark; `progress(msg)` is called per document when given."""
    gold = load_dir(gold_dir)
    mode = "predictions" if predictions_dir is not None else "extractor"
    if predictions_dir is not None and not Path(predictions_dir).is_dir():
        raise InputError("predictions directory not found", file=str(predictions_dir))
    if docs_dir is not None and not Path(docs_dir).is_dir():
        raise InputError("documents directory not found", file=str(docs_dir))
    if mode == "extractor" and backend in ("llm", "hybrid"):
        (settings or get_settings()).require_llm()  # a missing endpoint is a set-up error, not a 0% score
    sources, notes = load_source_documents(docs_dir, list(gold))
    paths = find_docs(docs_dir, list(gold)) if docs_dir is not None and mode == "extractor" else {}
    runs = []
    for k in range(max(1, repeat)):
        preds: dict[str, PerformanceDocument | None] = {}
        costs: dict[str, DocCost] = {}
        for stem in gold:
            if mode == "predictions":
                p = predictions_dir / f"{stem}.json"
                start = time.perf_counter()
                if p.is_file():
                    preds[stem] = load_perf_json(p)
                    costs[stem] = DocCost(seconds=time.perf_counter() - start)
                else:
                    preds[stem] = None
                    costs[stem] = DocCost(status="failure", errors=[f"{p}: prediction file missing"])
            elif stem not in paths:
                preds[stem] = None
                costs[stem] = DocCost(status="failure", errors=[f"no source document for {stem} in {docs_dir}"])
            else:
                preds[stem], costs[stem] = predict_with_extractor(paths[stem], backend, settings)
            if progress:
                progress(f"run {k + 1}/{repeat} {stem}: {costs[stem].status} in {costs[stem].seconds:.2f}s")
        runs.append(score_run(k + 1, gold, preds, costs, sources))
    note = ("share of predicted non-empty values found verbatim (normalised) in a location their SourceRef "
            "claims: the lines line..line_end or the table cell (table, row, col; the whole grid row when col is "
            "null); values without provenance count as not grounded")
    if notes:
        note += ". Not measured for: " + "; ".join(notes)
    return ExtractionEval(backend=backend if mode == "extractor" else "predictions", mode=mode,
                          gold_dir=shown_path(gold_dir), docs_dir=shown_path(docs_dir),
                          predictions_dir=shown_path(predictions_dir), repeat=max(1, repeat),
                          grounding_note=note, summary=summarise(runs), runs=runs)
