"""HTML rendering: <table> with rowspan/colspan for merged cells, in the declared charset."""

from __future__ import annotations

from html import escape
from pathlib import Path

from perfdraft.eval.zoo.sheet import Sheet, grid_rows, merge_runs


def _cell(text: str, tag: str = "td", rowspan: int = 1, colspan: int = 1) -> str:
    attrs = (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (f' colspan="{colspan}"' if colspan > 1 else "")
    return f"<{tag}{attrs}>" + "<br/>".join(escape(x) for x in text.split("\n")) + f"</{tag}>"


def sheet_html(sheet: Sheet) -> list[str]:
    """One table with the paragraphs printed above it."""
    out = []
    if sheet.title and not sheet.title_in_table:
        out.append(f"<h3>{escape(sheet.title)}</h3>")
    for line in (sheet.unit_line, sheet.money_note):
        if line:
            out.append(f"<p>{escape(line)}</p>")
    if sheet.header_lines:
        out += [f"<p>{escape(x)}</p>" for label, value in sheet.fields for x in (label, *value.split("\n"))]
    rows = grid_rows(sheet)
    spans = merge_runs(rows, sheet)
    width = len(sheet.columns)
    out.append('<table border="1" cellspacing="0">')
    for row, span in zip(rows, spans):
        if len(row) < width:  # title row or header-block row: the last cell spans the rest
            cells = [_cell(c) for c in row[:-1]] + [_cell(row[-1], colspan=width - len(row) + 1)]
        else:
            cells = [_cell(c, rowspan=s) for c, s in zip(row, span) if s]
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return out


def write_html(sheets: list[Sheet], heading: list[str], path: Path, charset: str = "utf-8") -> None:
    """A whole document; GB2312 pages are written in GB18030 (what such pages really hold) with entities as a fallback."""
    body = [f"<p>{escape(x)}</p>" for x in heading] + [x for s in sheets for x in sheet_html(s)]
    page = ("<!DOCTYPE html>\n<html><head>"
            f'<meta http-equiv="Content-Type" content="text/html; charset={charset}"/>'
            "<title>绩效目标表</title></head><body>\n" + "\n".join(body) + "\n</body></html>\n")
    codec = "gb18030" if charset.lower() in ("gb2312", "gbk", "gb18030") else charset
    path.write_bytes(page.encode(codec, errors="xmlcharrefreplace"))
