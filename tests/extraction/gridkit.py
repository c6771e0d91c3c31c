"""Build small Documents with table grids, the way the PDF/DOCX/XLSX loaders produce them."""

from __future__ import annotations

from perfdraft.core.models import Document, Page, TableCell, TableGrid, TextLine


def grid_cells(rows: list[list[str | tuple[str, int, int] | None]]) -> list[TableCell]:
    """Rows of cell specs: text, (text, rowspan, colspan), or None for a position covered by a merge."""
    cells = []
    for r, row in enumerate(rows):
        for c, spec in enumerate(row):
            if spec is None:
                continue
            text, rs, cs = (spec, 1, 1) if isinstance(spec, str) else spec
            cells.append(TableCell(text=text, row=r, col=c, rowspan=rs, colspan=cs))
    return cells


def make_doc(parts: list[str | list[list]], *, name: str = "synthetic.pdf", page_breaks: tuple[int, ...] = ()) -> Document:
    """Text lines and grids in reading order; a grid is a list of rows (see grid_cells)."""
    lines: list[TextLine] = []
    tables: list[TableGrid] = []
    page = 1
    for k, part in enumerate(parts):
        if k in page_breaks:
            page += 1
        if isinstance(part, str):
            lines.append(TextLine(text=part, page=page, lineno=len(lines) + 1))
            continue
        start = len(lines) + 1
        for row in part:
            lines.append(TextLine(text=" ".join(x if isinstance(x, str) else (x[0] if x else "") for x in row),
                                  page=page, lineno=len(lines) + 1, table=len(tables)))
        tables.append(TableGrid(index=len(tables), page=page, pages=[page], n_rows=len(part),
                                n_cols=max(len(r) for r in part), cells=grid_cells(part), origin="test",
                                line_start=start, line_end=len(lines)))
        for c in tables[-1].cells:
            c.page = page
    pages = [Page(number=n, lines=[ln for ln in lines if ln.page == n]) for n in range(1, page + 1)]
    return Document(source=name, name=name, sha256="0" * 64, format="pdf", pages=pages, tables=tables)
