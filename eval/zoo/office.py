"""DOCX (python-docx, real merged cells) and XLSX (openpyxl, merged ranges) renderings."""

from __future__ import annotations

from pathlib import Path

from perfdraft.eval.zoo.sheet import Sheet, grid_rows, merge_runs


def _above(sheet: Sheet) -> list[str]:
    """Lines printed above the grid: title, unit line, money note, header block as label / value lines."""
    out = [x for x in (None if sheet.title_in_table else sheet.title, sheet.unit_line, sheet.money_note) if x]
    if sheet.header_lines:
        out += [x for label, value in sheet.fields for x in (label, *value.split("\n"))]
    return out


def _set_text(cell, text: str) -> None:
    """A cell's lines as paragraphs (how Word keeps a hand-broken cell)."""
    lines = text.split("\n")
    cell.text = lines[0]
    for line in lines[1:]:
        cell.add_paragraph(line)


def write_docx(sheets: list[Sheet], heading: list[str], path: Path) -> None:
    import docx

    d = docx.Document()
    for line in heading:
        d.add_paragraph(line)
    for sheet in sheets:
        for line in _above(sheet):
            d.add_paragraph(line)
        rows = grid_rows(sheet)
        spans = merge_runs(rows, sheet)
        width = len(sheet.columns)
        table = d.add_table(rows=len(rows), cols=width)
        table.style = "Table Grid"
        cells = table._cells  # once: table.cell() recomputes the whole grid on every call
        at = lambda r, c: cells[r * width + c]  # noqa: E731
        wide = []
        for r, (row, span) in enumerate(zip(rows, spans)):
            if len(row) < width:  # title / header-block row: the last cell spans the rest
                wide.append((r, len(row) - 1))
                span = [1] * len(row)
            for c, (text, s) in enumerate(zip(row, span)):
                if s:
                    _set_text(at(r, c), text)
        # vertical merges first: they keep every cell element, so the cached cells stay valid
        for r, span in enumerate(spans):
            for c, s in enumerate(span if len(rows[r]) == width else []):
                if s > 1:
                    at(r, c).merge(at(r + s - 1, c))
        for r, c in wide:
            at(r, c).merge(at(r, width - 1))
        d.add_paragraph("")
    d.save(str(path))


def write_xlsx(sheets: list[Sheet], heading: list[str], path: Path) -> None:
    """One worksheet per table; the document heading on the first one."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment

    wb = Workbook()
    wb.remove(wb.active)
    wrap = Alignment(wrap_text=True, vertical="center")
    for k, sheet in enumerate(sheets, 1):
        ws = wb.create_sheet(f"表{k}")
        width = len(sheet.columns)
        r = 1
        for line in (heading if k == 1 else []) + _above(sheet):
            ws.cell(r, 1, line)
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=width)
            r += 1
        rows = grid_rows(sheet)
        spans = merge_runs(rows, sheet)
        for row, span in zip(rows, spans):
            if len(row) < width:
                for c, text in enumerate(row, 1):
                    ws.cell(r, c, text).alignment = wrap
                ws.merge_cells(start_row=r, start_column=len(row), end_row=r, end_column=width)
            else:
                for c, (text, s) in enumerate(zip(row, span), 1):
                    if s:
                        ws.cell(r, c, text).alignment = wrap
                    if s > 1:
                        ws.merge_cells(start_row=r, start_column=c, end_row=r + s - 1, end_column=c)
            r += 1
    wb.save(str(path))
