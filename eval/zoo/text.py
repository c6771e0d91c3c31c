"""Text renderings: one function per linearised-table family seen in published documents (name -> function)."""

from __future__ import annotations

import unicodedata
from typing import Callable

from perfdraft.eval.zoo.sheet import Sheet, grid_rows, merge_runs

TextStyle = Callable[[Sheet], list[str]]
INDENT = "    "  # one indentation step of the indentation-only hierarchy


def _cells(sheet: Sheet, omit_merged: bool) -> list[list[str]]:
    """Grid rows; with omit_merged, cells covered by a merged cell above are left out (printed once per run)."""
    rows = grid_rows(sheet)
    if not omit_merged:
        return rows
    spans = merge_runs(rows, sheet, max(sheet.merged, 2))
    return [[c for c, s in zip(row, span) if s] for row, span in zip(rows, spans)]


def _wrapped(cells: list[str], sep: str, keep_positions: bool) -> list[str]:
    """One row as text lines: a multi-line cell continues on the following lines."""
    parts = [c.split("\n") for c in cells]
    out = []
    for k in range(max(len(p) for p in parts)):
        frags = [p[k] if k < len(p) else "" for p in parts]
        out.append(sep.join(frags) if k == 0 or keep_positions else sep.join(f for f in frags if f))
    return out


def _joined(sep: str, keep_positions: bool, omit_merged: bool, lead: str = "", tail: str = "") -> TextStyle:
    def style(sheet: Sheet) -> list[str]:
        return [f"{lead}{line}{tail}" for row in _cells(sheet, omit_merged)
                for line in _wrapped(row, sep, keep_positions)]
    return style


def pipe_bare(sheet: Sheet) -> list[str]:
    """`a | b | c |` rows without a leading bar, merged cells omitted and made up by trailing `|` padding."""
    width = len(sheet.columns)
    out = []
    for row in _cells(sheet, omit_merged=True):
        lines = _wrapped(row, " | ", keep_positions=False)  # a wrapped cell continues alone on the next line
        lines[0] += " |" + "|" * max(0, width - len(row))
        out += lines
    return out


def cell_lines(sheet: Sheet) -> list[str]:
    """One cell per line, a blank line between cells, no row markers, merged cells printed once."""
    out = []
    for row in _cells(sheet, omit_merged=True):
        for cell in row:
            out += [*cell.split("\n"), ""]
    return out


def web_dump(sheet: Sheet) -> list[str]:
    """Web-page dump: one cell per line ending ` |`, each row closed by a `||||` line."""
    width = len(sheet.columns)
    out = []
    for row in _cells(sheet, omit_merged=True):
        for cell in row:
            lines = cell.split("\n")
            out += [*lines[:-1], lines[-1] + " |"]
        out.append("|" * (2 + max(0, width - len(row))))
    return out


def indented(sheet: Sheet) -> list[str]:
    """level1 / level2 / level3 told apart only by indentation; the other cells follow level3."""
    rows = grid_rows(sheet)
    out, last = [], (None, None)
    for row in rows:
        if len(row) != len(sheet.columns) or row in sheet.header_rows():
            out += _wrapped(row, "  ", keep_positions=False)
            last = (None, None)
            continue
        at = sheet.lead  # a row number left of the levels goes with the level3 line
        l1, l2 = row[at].replace("\n", ""), row[at + 1].replace("\n", "")
        if l1 != last[0]:
            out.append(l1)
        if (l1, l2) != last:
            out.append(INDENT + l2)
        last = (l1, l2)
        out += [INDENT * 2 + line for line in _wrapped(row[:at] + row[at + 2:], "  ", keep_positions=False)]
    return out


COLUMN_GAP = 3  # spaces after a fixed-width column's widest text


def _screen_width(s: str) -> int:
    """Columns a text takes on screen: a CJK character two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in s)


def fixed_columns(sheet: Sheet) -> list[str]:
    """Fixed-width columns as `pdftotext -layout` or a page saved as text prints them: each cell padded to its
    column's width on screen, merged cells printed once (blank below), a wrapped cell going on at its column."""
    rows = grid_rows(sheet)
    n = len(sheet.columns)
    spans = merge_runs(rows, sheet, max(sheet.merged, 2))
    table = [[c if s else "" for c, s in zip(row, span)] for row, span in zip(rows, spans)]
    full = [r for r in table if len(r) == n]
    widths = [max(_screen_width(line) for r in full for line in r[k].split("\n")) for k in range(n)]
    out = []
    for row in table:
        if len(row) != n:  # the header block above the grid (项目名称 …): label and value two spaces apart
            out += _wrapped(row, "  ", keep_positions=False)
            continue
        parts = [c.split("\n") for c in row]
        for k in range(max(len(p) for p in parts)):
            frags = [p[k] if k < len(p) else "" for p in parts]
            out.append("".join(f + " " * (widths[c] - _screen_width(f) + COLUMN_GAP)
                               for c, f in enumerate(frags)).rstrip())
    return out


def _one_line(text: str) -> str:
    """A cell printed inside a line: its own line breaks dropped (a wrapped cell is one text)."""
    return "".join(text.split("\n"))


def _header_block(sheet: Sheet) -> list[str]:
    """The header block as `label：value` lines, a multi-line value going on below its label's line."""
    out = []
    for label, value in ([] if sheet.header_lines else sheet.fields):
        first, *more = value.split("\n")
        out += [f"{label}：{first}", *more]
    return out


_LEVELS = ("一级指标", "二级指标", "三级指标")


def _inline_path(sep: str, colon: str, per_line: bool) -> TextStyle:
    """Indicators as level paths, `产出指标{sep}数量指标{sep}培训人次{colon}≥100人次`, below a 绩效指标 label line.

    Only the levels, the name and the value are printed (pair it with the values-only transform). per_line: one
    indicator a line; else one line per level2 run, the run's later indicators without their levels after `；`.
    """
    def style(sheet: Sheet) -> list[str]:
        at = [sheet.col(c) for c in _LEVELS] + [sheet.col("指标值")]
        out = _header_block(sheet) + ["绩效指标："]
        run, line = None, ""
        for row in sheet.rows:
            l1, l2, name, value = (_one_line(row[k]) for k in at)
            if per_line or (l1, l2) != run:
                if line:
                    out.append(line)
                line = f"{l1}{sep}{l2}{sep}{name}{colon}{value}"
            else:
                line += f"；{name}{colon}{value}"
            run = (l1, l2)
        return out + ([line] if line else [])
    return style


_NUMERALS = "一二三四五六七八九十"


def outline_list(sheet: Sheet) -> list[str]:
    """Indicators as an outline: each level1 a heading (一、产出指标), each level2 under it (（一）数量指标), then one
    numbered `name：value` line an indicator (pair it with the values-only transform)."""
    at = [sheet.col(c) for c in _LEVELS] + [sheet.col("指标值")]
    out = _header_block(sheet) + ["绩效指标"]
    l1_run = l2_run = None
    n1 = n2 = 0
    for k, row in enumerate(sheet.rows, 1):
        l1, l2, name, value = (_one_line(row[c]) for c in at)
        if l1 != l1_run:
            n1, n2, l1_run, l2_run = n1 + 1, 0, l1, None
            out.append(f"{_NUMERALS[(n1 - 1) % 10]}、{l1}")
        if l2 != l2_run:
            n2, l2_run = n2 + 1, l2
            out.append(f"（{_NUMERALS[(n2 - 1) % 10]}）{l2}")
        out.append(f"{k}.{name}：{value}")
    return out


def inline_labelled(sheet: Sheet) -> list[str]:
    """One indicator a line, each cell after its column name: `一级指标：产出指标  二级指标：数量指标  …`."""
    out = _header_block(sheet)
    for row in sheet.rows:
        out.append("  ".join(f"{name}：{_one_line(cell)}" for name, cell in zip(sheet.columns, row) if cell.strip()))
    return out


TEXT_STYLES: dict[str, TextStyle] = {
    "tabs": _joined("\t", keep_positions=True, omit_merged=False),
    "pipe": _joined(" | ", keep_positions=True, omit_merged=False, lead="| ", tail=" |"),
    "pipe-bare": pipe_bare,
    "cell-lines": cell_lines,
    "web-dump": web_dump,
    "spaces": _joined(" ", keep_positions=False, omit_merged=True),
    "indented": indented,
    "run-together": _joined("", keep_positions=False, omit_merged=False),
    "columns": fixed_columns,
    # no grid: indicators as lines of their own (two separator conventions, and labelled cells)
    "inline-path": _inline_path("—", "：", per_line=True),
    "inline-hyphen": _inline_path("-", ": ", per_line=False),
    "inline-labelled": inline_labelled,
    "outline-list": outline_list,
}


def sheet_text(sheet: Sheet, style: str) -> list[str]:
    """The lines of one table with its title, unit line, money note and (for header-lines) its header block."""
    out = []
    if sheet.title and not sheet.title_in_table:
        out.append(sheet.title)
    if sheet.unit_line:
        out.append(sheet.unit_line)
    if sheet.money_note:
        out.append(sheet.money_note)
    if sheet.header_lines:
        for label, value in sheet.fields:
            out += [label, *value.split("\n")]
    grid = TEXT_STYLES[style](sheet)
    if sheet.header_every:
        grid = _page_breaks(grid, sheet, style)
    return out + grid + [""]


def _page_breaks(lines: list[str], sheet: Sheet, style: str) -> list[str]:
    """A form feed and a page number before every repeated column-name row (the first one stays as it is)."""
    header = TEXT_STYLES[style](Sheet(title=None, fields=[], columns=sheet.columns, rows=[], group=sheet.group))
    out, seen, page = [], 0, 1
    k = 0
    while k < len(lines):
        if lines[k:k + len(header)] == header:
            seen += 1
            if seen > 1:
                out += [f"- {page} -", "\f"]  # the footer of the page that ends, then the break
                page += 1
        out.append(lines[k])
        k += 1
    return out
