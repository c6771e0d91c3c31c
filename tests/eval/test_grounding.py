"""Grounding: a value counts only when found (normalised) at the location its SourceRef claims."""

from __future__ import annotations

import pytest

from perfdraft.eval.grounding import is_grounded, score_grounding
from perfdraft.ingest.load import load_document
from perfdraft.core.models import Indicator, PerformanceDocument, Project, SourceRef
from tests.conftest import CORPUS

DOC = "002_9d927ef525b240df.txt"


@pytest.fixture(scope="module")
def doc():
    return load_document(CORPUS / DOC)


def _line_with(doc, needle: str) -> int:
    return next(ln.lineno for ln in doc.lines if needle in ln.text)


def _ind(value: str, ref: SourceRef | None) -> Indicator:
    return Indicator(level1="产出指标", level2="数量指标", level3="x", value=value, source=ref)


def test_value_at_claimed_line_is_grounded_elsewhere_not(doc):
    n = _line_with(doc, "≥5万人")
    assert is_grounded(doc, _ind("≥5万人", SourceRef(file=DOC, line=n))) is True
    assert is_grounded(doc, _ind("≥ 5 万人", SourceRef(file=DOC, line=n))) is True  # whitespace normalised
    assert is_grounded(doc, _ind("≥5万人", SourceRef(file=DOC, line=n + 40))) is False
    assert is_grounded(doc, _ind("≥6万人", SourceRef(file=DOC, line=n))) is False
    assert is_grounded(doc, _ind("≥5万人", None)) is None


def test_table_cell_claims_are_checked(doc):
    grid = next(t for t in doc.tables if any("≥5万人" in c.text for c in t.cells))
    cell = next(c for c in grid.cells if "≥5万人" in c.text)
    ok = SourceRef(file=DOC, table=grid.index, row=cell.row, col=cell.col)
    assert is_grounded(doc, _ind("≥5万人", ok)) is True
    assert is_grounded(doc, _ind("≥5万人", ok.model_copy(update={"col": None}))) is True  # whole grid row
    other = next(c for c in grid.cells if c.row != cell.row and "≥5万人" not in c.text and c.text)
    bad = SourceRef(file=DOC, table=grid.index, row=other.row, col=other.col)
    assert is_grounded(doc, _ind("≥5万人", bad)) is False


def test_score_grounding_counts_missing_provenance_as_ungrounded(doc):
    n = _line_with(doc, "≥5万人")
    rows = [_ind("≥5万人", SourceRef(file=DOC, line=n)), _ind("≥5万人", None),
            _ind("≥5万人", SourceRef(file=DOC, line=n + 40)), _ind("", None)]
    perf = PerformanceDocument(projects=[Project(name="p", indicators=rows)])
    ratio, missing = score_grounding(doc, perf)
    assert (ratio.correct, ratio.total, missing) == (1, 3, 1)
