"""Ruled PDF rendering (PyMuPDF): cell borders drawn as lines, text in the built-in CJK font, pages broken as needed."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from perfdraft.eval.zoo.sheet import Sheet, grid_rows, merge_runs

FONT = "china-s"
SIZE = 9.0
LEAD = 12.0  # line height
PAD = 3.0
PAGE_W, PAGE_H, MARGIN = 595.0, 842.0, 40.0


@lru_cache(maxsize=8192)
def _char_width(ch: str) -> float:
    import pymupdf
    return pymupdf.get_text_length(ch, fontname=FONT, fontsize=SIZE)


def _wrap(text: str, width: float) -> list[str]:
    """Lines of a cell that fit its width (explicit line breaks kept)."""
    out = []
    for para in text.split("\n"):
        line, used = "", 0.0
        for ch in para:
            w = _char_width(ch)
            if line and used + w > width - 2 * PAD:
                out.append(line)
                line, used = "", 0.0
            line += ch
            used += w
        out.append(line)
    return out


def _widths(sheet: Sheet, rows: list[list[str]]) -> list[float]:
    """Column widths proportional to the longest (capped) text in each column."""
    n = len(sheet.columns)
    need = [max([min(len(x), 14) for r in rows if len(r) == n for x in r[c].split("\n")] + [4]) for c in range(n)]
    total = PAGE_W - 2 * MARGIN
    return [total * w / sum(need) for w in need]


class _Writer:
    """A page cursor: text lines and cell rectangles, with a new page when the next block does not fit."""

    def __init__(self, doc):
        self.doc, self.page, self.y = doc, None, PAGE_H

    def new_page(self) -> None:
        self.page = self.doc.new_page(width=PAGE_W, height=PAGE_H)
        self.y = MARGIN

    def room(self, height: float) -> None:
        if self.page is None or self.y + height > PAGE_H - MARGIN:
            self.new_page()

    def line(self, text: str) -> None:
        self.room(LEAD + 2)
        self.page.insert_text((MARGIN, self.y + SIZE), text, fontname=FONT, fontsize=SIZE)
        self.y += LEAD + 2

    def cell(self, x: float, y: float, w: float, h: float, lines: list[str]) -> None:
        import pymupdf

        self.page.draw_rect(pymupdf.Rect(x, y, x + w, y + h), color=(0, 0, 0), width=0.6)
        for k, text in enumerate(lines):
            self.page.insert_text((x + PAD, y + PAD + SIZE + k * LEAD), text, fontname=FONT, fontsize=SIZE)


def _pages(rows: list[list[str]], heights: list[float], header: list[str], top: float, forced: bool) -> list[list[int]]:
    """Row indices per page: a page ends when full, or (forced) before every repeated (first) column-name row."""
    pages, cur, y, seen_header = [], [], top, False
    for k, (row, h) in enumerate(zip(rows, heights)):
        repeat = row == header and seen_header
        seen_header |= row == header
        if cur and (y + h > PAGE_H - MARGIN or (forced and repeat)):
            pages.append(cur)
            cur, y = [], MARGIN
        cur.append(k)
        y += h
    return pages + [cur] if cur else pages


def _draw_sheet(w: _Writer, sheet: Sheet) -> None:
    above = [x for x in (None if sheet.title_in_table else sheet.title, sheet.unit_line, sheet.money_note) if x]
    if sheet.header_lines:
        above += [x for label, value in sheet.fields for x in (label, *value.split("\n"))]
    w.room(len(above) * (LEAD + 2) + 4 * LEAD)  # keep the heading with the first rows
    for line in above:
        w.line(line)
    rows = grid_rows(sheet)
    widths = _widths(sheet, rows)
    n = len(widths)
    xs = [MARGIN + sum(widths[:c]) for c in range(n)]

    def cell_w(row: list[str], c: int) -> float:
        return sum(widths[c:]) if len(row) < n and c == len(row) - 1 else widths[c]

    wrapped = [[_wrap(t, cell_w(row, c)) for c, t in enumerate(row)] for row in rows]
    heights = [max(len(x) for x in cells) * LEAD + 2 * PAD for cells in wrapped]
    for page_rows in _pages(rows, heights, sheet.header_rows()[0], w.y, forced=bool(sheet.header_every)):
        if w.page is None or w.y + heights[page_rows[0]] > PAGE_H - MARGIN or page_rows[0] != 0:
            w.new_page()
        chunk = [rows[k] for k in page_rows]
        spans = merge_runs(chunk, sheet)  # merged cells never cross a page
        tops = [w.y + sum(heights[k] for k in page_rows[:i]) for i in range(len(page_rows))]
        for i, k in enumerate(page_rows):
            for c in range(len(rows[k])):
                s = spans[i][c] if len(rows[k]) == n else 1
                if s:
                    h = sum(heights[page_rows[j]] for j in range(i, i + s))
                    w.cell(xs[c], tops[i], cell_w(rows[k], c), h, wrapped[k][c])
        w.y = tops[-1] + heights[page_rows[-1]] + LEAD


def write_pdf(sheets: list[Sheet], heading: list[str], path: Path) -> None:
    import pymupdf

    doc = pymupdf.open()
    w = _Writer(doc)
    for line in heading:
        w.line(line)
    for sheet in sheets:
        _draw_sheet(w, sheet)
    doc.save(str(path), garbage=3, deflate=True)
    doc.close()
