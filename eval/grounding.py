"""Grounding: is each extracted value found verbatim (after normalisation) where its SourceRef says?"""

from __future__ import annotations

from eval.normalize import norm_text
from perfdraft.models import Document, Indicator, PerformanceDocument, SourceRef
from eval.scores import Ratio


def location_text(doc: Document, ref: SourceRef) -> str | None:
    """The text at the claimed location: a table cell (or whole table row), else lines line..line_end."""
    if ref.table is not None and ref.row is not None and 0 <= ref.table < len(doc.tables):
        grid = doc.tables[ref.table]
        if ref.col is not None:
            cell = grid.cell_at(ref.row, ref.col)
            return cell.text if cell else None
        if 0 <= ref.row < grid.n_rows:
            return "".join(grid.matrix(fill_merged=True)[ref.row])
        return None
    if ref.line is not None:
        end = ref.line_end if ref.line_end is not None else ref.line
        texts = [ln.text for ln in doc.lines if ref.line <= ln.lineno <= end]
        return "".join(texts) if texts else None
    return None


def is_grounded(doc: Document, ind: Indicator) -> bool | None:
    """True/False for a value with provenance; None when the row claims no source at all."""
    if ind.source is None:
        return None
    text = location_text(doc, ind.source)
    return text is not None and norm_text(ind.value) in norm_text(text)


def score_grounding(doc: Document, pred: PerformanceDocument) -> tuple[Ratio, int]:
    """(values found at their source / values with a non-empty text, count without any provenance).

    Values with no provenance count as not grounded: an extractor that claims nothing proves nothing.
    """
    r, missing = Ratio(), 0
    for project in pred.projects:
        for ind in project.indicators:
            if not norm_text(ind.value):
                continue
            g = is_grounded(doc, ind)
            if g is None:
                missing += 1
            r.count(bool(g))
    return r, missing
