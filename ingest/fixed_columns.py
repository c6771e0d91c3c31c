"""Tables printed in fixed-width columns (`pdftotext -layout`, a page saved as text): cells kept apart by runs of
spaces, each at its column's position, a wrapped cell going on below at the same position.

Positions (in screen columns, a CJK character two wide), not the count of spaces, say the column: a column starts
where most body cells start between the header name on its left and its own name, and a cell belongs to the last
column whose start it reaches. A line that only holds text under some columns (the tails of wrapped cells, a
merged level left blank) keeps those positions, so the rules read it column by column.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from typing import Callable

from perfdraft.core.lazy_re import lazy
from perfdraft.core import vocabulary as vocab
from perfdraft.core.columns import is_indicator_header
from perfdraft.ingest.run_together import header_roles

_GAP = lazy(r"\S+(?:\s\S+)*")  # a cell: words kept apart by single spaces only
_MIN_GAPS = 2  # a header line of fixed-width columns has at least this many runs of 2+ spaces
_ALIGNED = 0.7  # share of body cells that start at a column's left edge


def _display_columns(text: str) -> list[int]:
    """The screen column each character starts at: a CJK character is two columns wide, as it is shown."""
    out, col = [], 0
    for ch in text:
        out.append(col)
        col += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    out.append(col)
    return out


def _cells(text: str) -> list[tuple[int, int, str]]:
    """(start, end, text) of each run of words separated by single spaces, in screen columns."""
    at = _display_columns(text)
    return [(at[m.start()], at[m.end()], m.group(0)) for m in _GAP.finditer(text)]


_WIDE_GAP = lazy(r"\S\s{2,}\S")


def is_fixed_header(text: str) -> bool:
    """An indicator header whose names stand apart by runs of two or more spaces."""
    return len(_WIDE_GAP.findall(text)) >= _MIN_GAPS and is_indicator_header([c for _, _, c in _cells(text)])


def _off_its_column(cell: tuple[int, int, str], head: list[tuple[int, int, str]]) -> bool:
    """A level name that does not stand under its own header name (一级 under 一级指标, 二级 under 二级指标)."""
    start, end, text = cell
    level = "level1" if vocab.is_level1(text) else "level2" if vocab.is_level2(text) else None
    if level is None:
        return False
    at = [(s, e) for (s, e, t), r in zip(head, header_roles([t for _, _, t in head])) if r == level]
    return not any(s - 2 <= start <= e and end >= s for s, e in at)


def _left_edges(head: list[tuple[int, int, str]], body: list[list[tuple[int, int, str]]]) -> list[int]:
    """Where each column starts: the position most body cells start at between the end of the header name on
    its left and its own name (a centred name stands right of it), else the middle of that gap."""
    edges = [0]
    for k in range(1, len(head)):
        lo, hi = head[k - 1][1] + 1, head[k][0] + 2
        starts = Counter(s for cells in body for s, _, _ in cells if lo <= s <= hi)
        edges.append(max(starts, key=lambda s: (starts[s], -s)) if starts else (head[k - 1][1] + head[k][0]) // 2)
    return edges


def _column_of(start: int, edges: list[int]) -> int:
    """The column a cell starting at `start` is in: the last whose left edge it reaches (a char's slack)."""
    return max(k for k, e in enumerate(edges) if start >= e - 1 or k == 0)


def fixed_width_rows(lines: list, i: int, starts_next: Callable[[str], bool] = lambda t: False,
                     ends: Callable[[str], bool] = lambda t: False
                     ) -> tuple[list[list[tuple[object, str]]], int] | None:
    """(rows of (line, cell text) with every column present, index of the last line), or None. `starts_next`
    tells a line that opens the next table's block (项目名称 …), where an untitled table ends; `ends` a line
    after the table (notes, sign-off: the layout module's one list of them)."""
    head = _cells(lines[i].text)
    rows = [[(lines[i], t) for _, _, t in head]]
    body: list[tuple[object, list[tuple[int, int, str]]]] = []
    j, last, blanks = i + 1, i, 0
    while j < len(lines):
        text = lines[j].text.rstrip()
        if not text.strip():
            blanks += 1
            if blanks >= 2:
                break
            j += 1
            continue
        if ends(text.strip()) or "|" in text or "\t" in text:
            break
        cells = _cells(text)
        if len(cells) == 1 and cells[0][0] == 0 and blanks or starts_next(cells[0][2]):
            break  # a line of prose after a blank line, or the next table's block: the table has ended
        body.append((lines[j], cells))
        last, blanks = j, 0
        j += 1
    if len(body) < 2:
        return None
    if sum(1 for _, cells in body if len(cells) == 1 and _off_its_column(cells[0], head)) >= 2:
        return None  # level names alone on lines, off their columns: the indentation family, not columns
    edges = _left_edges(head, [cells for _, cells in body])
    starts = [st for _, cells in body for st, _, _ in cells]
    aligned = sum(1 for st in starts if any(abs(st - e) <= 1 for e in edges))
    if aligned < _ALIGNED * len(starts):
        return None  # cells two spaces apart but not in columns (indentation, ragged text): not this family
    for line, cells in body:
        row = [""] * len(head)
        for start, _, t in cells:
            k = _column_of(start, edges)
            row[k] = f"{row[k]} {t}".strip()
        rows.append([(line, t) for t in row])
    return rows, last
