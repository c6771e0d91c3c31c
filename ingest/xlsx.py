"""XLSX loader (openpyxl): each sheet a page; runs of multi-cell rows become table grids with merged spans."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from perfdraft.core.errors import CorruptDocument
from perfdraft.core.models import Document
from perfdraft.ingest.digest import sha256_of
from perfdraft.ingest.docx import check_zip
from perfdraft.ingest.rawgrid import Item, RawCell, RawLine, RawTable, build_pages


def _text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat(sep=" ")
    return str(v).strip()


def _lines(text: str, page: int) -> list[RawLine]:
    return [RawLine(text=t.strip(), page=page) for t in text.split("\n") if t.strip()]


def sheet_items(ws, number: int) -> list[Item]:
    """Reading order of one sheet: single-cell rows are text lines, runs of multi-cell rows are tables."""
    merged = {}  # origin (row, col) -> (rowspan, colspan)
    covered = set()
    for rng in ws.merged_cells.ranges:
        merged[(rng.min_row, rng.min_col)] = (rng.max_row - rng.min_row + 1, rng.max_col - rng.min_col + 1)
        for r in range(rng.min_row, rng.max_row + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                if (r, c) != (rng.min_row, rng.min_col):
                    covered.add((r, c))
    origins: dict[int, list[tuple[int, str]]] = {}
    for row in ws.iter_rows():
        for cell in row:
            if (cell.row, cell.column) in covered:
                continue
            t = _text(cell.value)
            if t or (cell.row, cell.column) in merged:
                origins.setdefault(cell.row, []).append((cell.column, t))
    # a row belongs to a table when it has text and two or more cells (an empty merged cell counts: a label
    # next to an empty merged value is still a table row), or sits under a vertical merge of a table row
    table_rows: set[int] = set()
    for r in sorted(origins):
        if len(origins[r]) >= 2 and any(t for _, t in origins[r]):
            table_rows.add(r)
            for c, _ in origins[r]:
                rs, _cs = merged.get((r, c), (1, 1))
                table_rows.update(range(r, r + rs))
    items: list[Item] = []
    r = 1
    max_row = max(list(origins) + list(table_rows) + [0])
    while r <= max_row:
        if r not in table_rows:
            for _, t in sorted(origins.get(r, [])):
                for ln in _lines(t, number):
                    items.append(Item(y=len(items), line=ln))
            r += 1
            continue
        start = r
        while r in table_rows:
            r += 1
        rows = range(start, r)
        cols = [c for rr in rows for c, _ in origins.get(rr, [])]
        c_min = min(cols)
        c_max = max(c + merged.get((rr, c), (1, 1))[1] - 1 for rr in rows for c, _ in origins.get(rr, []))
        cells = []
        for rr in rows:
            for c, t in origins.get(rr, []):
                rs, cs = merged.get((rr, c), (1, 1))
                cells.append(RawCell(row=rr - start, col=c - c_min, rowspan=min(rs, r - rr), colspan=cs, page=number,
                                     lines=_lines(t, number)))
        table = RawTable(n_rows=r - start, n_cols=c_max - c_min + 1, cells=cells, origin="xlsx", page=number,
                         pages=[number])
        items.append(Item(y=len(items), table=table))
    return items


def load_xlsx(path: str | Path) -> Document:
    """Load an .xlsx workbook into a Document: one page per sheet, in workbook order."""
    import openpyxl

    p = Path(path)
    check_zip(p, "xl/workbook.xml")
    try:
        wb = openpyxl.load_workbook(str(p), data_only=True)
    except Exception as exc:  # openpyxl raises KeyError, InvalidFileException, lxml errors ...
        raise CorruptDocument(f"not a readable Excel workbook ({type(exc).__name__}: {exc})", file=str(p)) from None
    per_page = []
    for i, ws in enumerate(wb.worksheets, 1):
        per_page.append((i, None, None, sheet_items(ws, i)))
    wb.close()
    pages, tables = build_pages(per_page)
    status = "ok" if any(pg.lines for pg in pages) else "empty"
    return Document(source=str(p), name=p.name, sha256=sha256_of(p), format="xlsx", pages=pages, tables=tables,
                    status=status, warnings=[] if status == "ok" else ["workbook has no text"],)
