"""The layout-zoo benchmark: render every gold table into each layout variant and format, extract, score."""

from __future__ import annotations

import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from perfdraft.core.errors import InputError
from perfdraft.core.lexicon import Lexicon
from perfdraft.extraction.api import extract_rules
from perfdraft.ingest.load import load_document
from perfdraft.eval.data import load_dir
from perfdraft.eval.extraction import EVAL_SCHEMA, BaselineCheck, MetricStat, predict_with_extractor, shown_path
from perfdraft.eval.scores import HEADER_FIELDS, ROW_FIELDS, ErrorPair, Ratio, Scores, score_document
from perfdraft.eval.zoo.generate import cases, render
from perfdraft.eval.zoo.variants import ALL_FORMATS, VARIANTS

# variants whose cells the rules may cut with the store's lexicon (issue 18): scored with and without it
LEXICON_VARIANTS = ("run-together", "wrapped-cells")
ERRORS_PER_CELL = 5  # worst disagreements kept per variant x format
TARGET_ROW_F1 = 0.95  # the bar for every variant and format


class LayoutCell(BaseModel):
    """Scores of one variant in one format, pooled over the gold documents."""

    variant: str
    format: str
    scores: Scores = Field(default_factory=Scores)
    files: int = 0
    failed: int = Field(0, description="files the extractor returned no document for")
    seconds: float = 0.0
    problems: list[str] = Field(default_factory=list, description="extraction or rendering errors, one line each")
    errors: list[ErrorPair] = Field(default_factory=list, description="worst disagreements first")
    lexicon_scores: Scores | None = Field(None, description="the same files extracted with a lexicon built from "
                                                            "the other gold documents (the scored one left out)")

    @property
    def row_f1(self) -> float | None:
        return self.scores.rows.f1

    @property
    def field_accuracy(self) -> float | None:
        return field_accuracy(self.scores)


class LayoutsEval(BaseModel):
    """Every figure of a layout-zoo run (what --json writes and --baseline reads)."""

    schema_: str = Field(EVAL_SCHEMA, alias="schema")
    task: Literal["layouts"] = "layouts"
    backend: str
    gold_dir: str
    documents: list[str]
    variants: list[str]
    formats: list[str]
    quick: bool = False
    created: str = Field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))
    cells: list[LayoutCell] = Field(default_factory=list)
    summary: dict[str, MetricStat] = Field(default_factory=dict, description="gated metrics: pooled and per cell")
    baseline_check: BaselineCheck | None = None

    model_config = {"populate_by_name": True}

    def to_json(self) -> str:
        return self.model_dump_json(by_alias=True, indent=2)

    def pooled(self, fmt: str | None = None, variant: str | None = None) -> Scores:
        """Scores added over all cells, or over the cells of one format or of one variant."""
        total = Scores()
        for c in self.cells:
            if fmt in (None, c.format) and variant in (None, c.variant):
                total.add(c.scores)
        return total


def field_accuracy(s: Scores) -> float | None:
    """Every compared row and header field of the aligned pairs, pooled (micro-average)."""
    total = Ratio()
    for f in ROW_FIELDS + HEADER_FIELDS:
        total.add(s.fields[f])
    return total.value


def _stat(v: float | None) -> MetricStat:
    return MetricStat(mean=v, std=0.0 if v is not None else None, min=v, max=v, n=int(v is not None))


def summarise(ev: LayoutsEval) -> dict[str, MetricStat]:
    """Pooled headline metrics, per-format pooled row F1 / field accuracy, and both for every cell."""
    pooled = ev.pooled()
    out = {k: _stat(v) for k, v in pooled.headline().items()}
    out["field_accuracy"] = _stat(field_accuracy(pooled))
    for fmt in ev.formats:
        s = ev.pooled(fmt)
        out[f"{fmt}.row_f1"], out[f"{fmt}.field_accuracy"] = _stat(s.rows.f1), _stat(field_accuracy(s))
    for c in ev.cells:
        out[f"{c.variant}.{c.format}.row_f1"] = _stat(c.row_f1)
        out[f"{c.variant}.{c.format}.field_accuracy"] = _stat(c.field_accuracy)
    return out


def _check_names(given: list[str] | None, known, what: str) -> None:
    unknown = sorted(set(given or []) - set(known))
    if unknown:
        raise InputError(f"unknown {what}: {', '.join(unknown)}; known: {', '.join(known)}")


QUICK_DOCUMENTS = 3


def quick_documents(gold: dict) -> list[str]:
    """The CI subset's documents: the three gold documents with the fewest tables (each from another site)."""
    return sorted(gold, key=lambda stem: (len(gold[stem].projects), stem))[:QUICK_DOCUMENTS]


def evaluate_layouts(gold_dir: Path, *, backend: str = "rules", variants: list[str] | None = None,
                     formats: list[str] | None = None, quick: bool = False, settings=None,
                     progress=None, work_dir: Path | None = None) -> LayoutsEval:
    """Render, extract with extraction.api.extract_file and score every (document, variant, format)."""
    _check_names(variants, VARIANTS, "variant(s)")
    _check_names(formats, ALL_FORMATS, "format(s)")
    from perfdraft.core.settings import get_settings
    settings = settings or get_settings()
    if backend in ("llm", "hybrid"):
        settings.require_llm()  # a missing endpoint is a set-up error, not a 0% score
    # the zoo scores the extractor, not whatever store this machine holds: no store lexicon, no store examples
    settings = settings.model_copy(update={"store_lexicon": False, "llm_examples": False})
    gold = load_dir(gold_dir)
    stems = quick_documents(gold) if quick else list(gold)
    variants = variants or list(VARIANTS)  # the CI subset keeps every variant, on fewer documents
    pairs = cases(variants, formats)
    ev = LayoutsEval(backend=backend, gold_dir=shown_path(gold_dir), documents=stems, variants=variants,
                     formats=[f for f in ALL_FORMATS if any(p[1] == f for p in pairs)], quick=quick)
    with tempfile.TemporaryDirectory(prefix="perfdraft-zoo-", dir=work_dir) as tmp:
        for variant, fmt in pairs:
            cell = LayoutCell(variant=variant, format=fmt)
            errors: list[ErrorPair] = []
            for stem in stems:
                lex = Lexicon.from_documents(gold.values(), exclude=[stem]) \
                    if variant in LEXICON_VARIANTS and backend == "rules" else None
                _score_one(cell, stem, gold[stem], Path(tmp), backend, settings, errors, lex)
                if progress:
                    progress(f"{variant}/{fmt} {stem}: row F1 {cell.scores.rows.f1}")
            errors.sort(key=lambda e: (e.similarity, e.document, e.project))
            cell.errors = errors[:ERRORS_PER_CELL]
            ev.cells.append(cell)
    ev.summary = summarise(ev)
    return ev


def _score_one(cell: LayoutCell, stem: str, gold, tmp: Path, backend: str, settings,
               errors: list[ErrorPair], lex: Lexicon | None = None) -> None:
    """Render one document, extract it, add its scores to the cell; a failure is scored, never raised."""
    cell.files += 1
    label = f"{stem}:{cell.variant}.{cell.format}"
    try:
        r = render(stem, gold, cell.variant, cell.format, tmp)
    except Exception as exc:  # a zoo bug must show in the report, not hide the other cells
        cell.failed += 1
        cell.problems.append(f"{stem}: cannot render ({type(exc).__name__}: {exc})")
        cell.scores.add(score_document(label, gold, None, errors))
        return
    start = time.perf_counter()
    pred, cost = predict_with_extractor(r.path, backend, settings)
    cell.seconds += time.perf_counter() - start
    if pred is None:
        cell.failed += 1
    cell.problems += [f"{stem}: {e}" for e in cost.errors]
    cell.scores.add(score_document(label, r.expected, pred, errors))
    if lex is not None:
        with_lex = _extract_with_lexicon(r.path, lex)
        cell.lexicon_scores = cell.lexicon_scores or Scores()
        cell.lexicon_scores.add(score_document(label, r.expected, with_lex, []))
    r.path.unlink(missing_ok=True)


def _extract_with_lexicon(path: Path, lex: Lexicon):
    """The rules reading of a file with this lexicon; None when it cannot be read (scored as empty)."""
    try:
        return extract_rules(load_document(path), lex)
    except Exception:  # scored as an empty prediction, as the main reading is
        return None
