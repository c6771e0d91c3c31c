"""Format-independent table-building helpers shared by the PDF, DOCX and XLSX loaders."""

from __future__ import annotations

from dataclasses import dataclass, field

from perfdraft.core.text import compact
from perfdraft.core.models import BBox, Page, TableCell, TableGrid, TextLine, covering_cell, span_matrix


@dataclass
class RawLine:
    """A text line before global numbering."""

    text: str
    page: int
    bbox: BBox | None = None


@dataclass
class RawCell:
    """A grid cell under construction; its text is a list of lines (a cell can span a page break)."""

    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1
    page: int | None = None
    bbox: BBox | None = None
    lines: list[RawLine] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(ln.text for ln in self.lines)


@dataclass
class RawTable:
    """A table under construction: cells plus where it came from."""

    n_rows: int
    n_cols: int
    cells: list[RawCell]
    origin: str
    page: int = 1
    pages: list[int] = field(default_factory=list)
    bbox: BBox | None = None
    col_x: list[float] = field(default_factory=list)

    def matrix(self, fill: bool = True) -> list[list[str]]:
        return span_matrix(self.cells, self.n_rows, self.n_cols, fill)

    def covering(self, row: int, col: int) -> RawCell | None:
        return covering_cell(self.cells, row, col)

    def drop_row(self, row: int) -> None:
        """Remove a row; cells starting there keep their lower part, cells spanning it shrink."""
        keep = []
        for c in self.cells:
            if c.row == row and c.rowspan == 1:
                continue
            if c.row <= row < c.row + c.rowspan:
                c.rowspan -= 1
            elif c.row > row:
                c.row -= 1
            keep.append(c)
        self.cells = keep
        self.n_rows -= 1


@dataclass
class Item:
    """One entry of a page's reading-order stream: a body line or a table."""

    y: float
    line: RawLine | None = None
    table: RawTable | None = None


_norm = compact


def is_repeated_header(prev: RawTable, row: list[str]) -> bool:
    """A continuation's first row repeating one of the previous part's rows (the column header)."""
    key = [_norm(t) for t in row]
    if sum(1 for t in key if t) < 2:
        return False
    return any([_norm(t) for t in r] == key for r in prev.matrix(fill=False))


def stitch(prev: RawTable, cont: RawTable) -> None:
    """Append a table continued on the next page to prev: repeated header dropped, split cells joined."""
    header_at = -1
    while cont.n_rows and is_repeated_header(prev, cont.matrix(fill=False)[0]):
        key = [_norm(t) for t in cont.matrix(fill=False)[0]]
        header_at = next(i for i, r in enumerate(prev.matrix(fill=False)) if [_norm(t) for t in r] == key)
        cont.drop_row(0)
    if cont.n_rows == 0:
        return
    last = prev.n_rows - 1
    first_row = [c for c in cont.cells if c.row == 0]
    # a row cut in two by the page break: its top part ends page 1 and its first row on page 2 is a fragment,
    # empty in a column that every data row fills and that is never merged vertically (the level columns
    # are merged, so an empty level cell there is a merge running on, not a fragment)
    if header_at < 0:  # no repeated header: data rows start below the last horizontally merged row
        header_at = max((c.row for c in prev.cells if c.colspan > 1), default=-1)
    others = prev.matrix()[header_at + 1:] + cont.matrix()[1:]
    merged_cols = {k for c in prev.cells + cont.cells if c.rowspan > 1 for k in range(c.col, c.col + c.colspan)}
    always = [k for k in range(cont.n_cols)
              if k not in merged_cols and others and all(r[k].strip() for r in others)]
    c0 = cont.matrix()[0]
    if any(t.strip() for t in c0) and any(not c0[k].strip() for k in always):
        for c in first_row:
            if c.text.strip() and c.rowspan == 1:
                target = prev.covering(last, c.col)
                if target is not None:
                    target.lines.extend(c.lines)  # the cell's lines now span two pages
        cont.drop_row(0)
    # merged cells (一级/二级指标) running over the break: the continuation is an empty spanned cell
    for c in list(cont.cells):
        if c.row != 0 or c.text.strip():
            continue
        above = prev.covering(last, c.col)
        if above is not None and above.text.strip() and above.col == c.col and above.colspan == c.colspan \
                and (above.rowspan > 1 or c.rowspan > 1 or c.col in merged_cols):
            above.rowspan += c.rowspan
            cont.cells.remove(c)
    for c in cont.cells:
        c.row += prev.n_rows
    prev.cells.extend(cont.cells)
    prev.n_rows += cont.n_rows
    for p in cont.pages:
        if p not in prev.pages:
            prev.pages.append(p)


def build_pages(items_by_page: list[tuple[int, float | None, float | None, list[Item]]]
                ) -> tuple[list[Page], list[TableGrid]]:
    """Number lines globally in reading order; tables emit their cells' lines row by row."""
    pages: list[Page] = []
    tables: list[TableGrid] = []
    index: dict[int, int] = {}
    cell_line: dict[int, int] = {}
    span: dict[int, list[int]] = {}
    lineno = 0
    for number, width, height, items in items_by_page:
        page = Page(number=number, width=width, height=height)
        for it in items:
            if it.line is not None:
                lineno += 1
                page.lines.append(TextLine(text=it.line.text, page=number, lineno=lineno, bbox=it.line.bbox))
                continue
            t = it.table
            if id(t) not in index:
                index[id(t)] = len(tables)
                tables.append(None)  # placeholder, filled once all pages are numbered
            ti = index[id(t)]
            for c in sorted(t.cells, key=lambda c: (c.row, c.col)):
                for ln in c.lines:
                    if ln.page != number:
                        continue
                    lineno += 1
                    cell_line.setdefault(id(c), lineno)
                    span.setdefault(ti, []).append(lineno)
                    page.lines.append(TextLine(text=ln.text, page=number, lineno=lineno, bbox=ln.bbox, table=ti))
        pages.append(page)
    for t_id, ti in index.items():
        t = next(it.table for _, _, _, items in items_by_page for it in items if it.table is not None
                 and id(it.table) == t_id)
        nums = span.get(ti, [])
        tables[ti] = TableGrid(
            index=ti, page=t.page, pages=t.pages or [t.page], n_rows=t.n_rows, n_cols=t.n_cols, origin=t.origin,
            line_start=min(nums) if nums else None, line_end=max(nums) if nums else None,
            cells=[TableCell(text=c.text, row=c.row, col=c.col, rowspan=c.rowspan, colspan=c.colspan, page=c.page,
                             bbox=c.bbox, lineno=cell_line.get(id(c)))
                   for c in sorted(t.cells, key=lambda c: (c.row, c.col))])
    return pages, tables
