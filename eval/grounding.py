"""Grounding: is each extracted value found verbatim (after normalisation) where its SourceRef says?"""

from __future__ import annotations

from perfdraft.core.text import norm_text
from perfdraft.core.models import Document, Indicator, PerformanceDocument, SourceRef
from perfdraft.eval.scores import ErrorPair, Ratio


def cell_text(doc: Document, ref: SourceRef) -> str | None:
    """Text of the claimed table cell (the whole grid row when no column is claimed)."""
    if ref.table is None or ref.row is None or not 0 <= ref.table < len(doc.tables):
        return None
    grid = doc.tables[ref.table]
    if ref.col is not None:
        cell = grid.cell_at(ref.row, ref.col)
        return cell.text if cell else None
    if 0 <= ref.row < grid.n_rows:
        return "".join(grid.matrix(fill_merged=True)[ref.row])
    return None


def lines_text(doc: Document, ref: SourceRef, by_line: dict[int, str] | None = None) -> str | None:
    """Text of the claimed lines line..line_end (joined; whitespace is normalised away anyway)."""
    if ref.line is None:
        return None
    by_line = by_line if by_line is not None else line_map(doc)
    end = ref.line_end if ref.line_end is not None else ref.line
    texts = [by_line[n] for n in range(ref.line, end + 1) if n in by_line]
    return "".join(texts) if texts else None


def line_map(doc: Document) -> dict[int, str]:
    """lineno -> text, built once per document."""
    return {ln.lineno: ln.text for ln in doc.lines}


def location_texts(doc: Document, ref: SourceRef, by_line: dict[int, str] | None = None) -> list[str]:
    """Every location the ref claims: its table cell and its line range (a row ref usually gives both)."""
    return [t for t in (cell_text(doc, ref), lines_text(doc, ref, by_line)) if t is not None]


def is_grounded(doc: Document, ind: Indicator, by_line: dict[int, str] | None = None) -> bool | None:
    """True when the value is in one of the claimed locations; None when the row claims no source at all."""
    if ind.source is None:
        return None
    value = norm_text(ind.value)
    return any(value in norm_text(t) for t in location_texts(doc, ind.source, by_line))


def score_grounding(doc: Document, pred: PerformanceDocument,
                    errors: list[ErrorPair] | None = None) -> tuple[Ratio, int]:
    """(values found at their source / values with a non-empty text, count without any provenance).

    Values with no provenance count as not grounded: an extractor that claims nothing proves nothing.
    """
    r, missing = Ratio(), 0
    by_line = line_map(doc)
    for project in pred.projects:
        for j, ind in enumerate(project.indicators):
            if not norm_text(ind.value):
                continue
            g = is_grounded(doc, ind, by_line)
            if g is None:
                missing += 1
            r.count(bool(g))
            if not g and errors is not None:
                where = " / ".join(location_texts(doc, ind.source, by_line)) if ind.source else "no provenance"
                errors.append(ErrorPair(document=doc.name.rsplit(".", 1)[0], project=project.name, row=None,
                                        field=f"grounding (predicted row {j})", gold=f"at source: {where}",
                                        predicted=ind.value, similarity=0.0))
    return r, missing
