"""Deliberate, deterministic damage to a gold document: stand-in predictions and test material."""

from __future__ import annotations

from perfdraft.core.models import PerformanceDocument


def drop_rows(doc: PerformanceDocument, project: int, rows: list[int]) -> PerformanceDocument:
    """A copy with the given indicator rows of one project removed."""
    d = doc.model_copy(deep=True)
    keep = [r for i, r in enumerate(d.projects[project].indicators) if i not in set(rows)]
    d.projects[project].indicators = keep
    return d


def change_values(doc: PerformanceDocument, project: int, rows: list[int], suffix: str = "（改）") -> PerformanceDocument:
    """A copy whose `value` text (only the text, not the parsed target) is altered on the given rows."""
    d = doc.model_copy(deep=True)
    for i in rows:
        ind = d.projects[project].indicators[i]
        ind.value = (ind.value or "") + suffix
    return d


def change_target_num(doc: PerformanceDocument, project: int, rows: list[int], factor: float = 2.0) -> PerformanceDocument:
    """A copy whose parsed target number is multiplied on the given rows (rows without a number are untouched)."""
    d = doc.model_copy(deep=True)
    for i in rows:
        t = d.projects[project].indicators[i].target
        if t.num is not None:
            t.num = t.num * factor + 1
    return d


def remove_project(doc: PerformanceDocument, project: int) -> PerformanceDocument:
    """A copy without one project table."""
    d = doc.model_copy(deep=True)
    del d.projects[project]
    return d


def change_header(doc: PerformanceDocument, project: int, field: str, value) -> PerformanceDocument:
    """A copy with one header field of one project replaced."""
    d = doc.model_copy(deep=True)
    setattr(d.projects[project], field, value)
    return d
