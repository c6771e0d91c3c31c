"""Gold tables written as HTML, .xls, .xlsx and .docx/.doc by test code of its own (not the project's exporter).

The layout is the published 绩效目标表: a title line, a unit line, then a grid whose header block (项目编码 /
项目名称, 预算数 / 资金用途, 绩效目标) sits above the 一级 ... 指标值确定依据 header and the indicator rows, with
一级 and 二级指标 merged vertically over runs of equal text.
"""

from __future__ import annotations

import html
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from perfdraft.core.models import PerformanceDocument, Project

COLUMNS = ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据"]
N = len(COLUMNS)


@dataclass
class Cell:
    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1


@dataclass
class Sheet:
    title: str
    unit_line: str
    n_rows: int
    cells: list[Cell]
    n_cols: int = N


def _runs(values: list[str], start: int, end: int) -> list[tuple[int, int]]:
    out, s = [], start
    for i in range(start + 1, end + 1):
        if i == end or values[i] != values[s]:
            out.append((s, i))
            s = i
    return out


def sheet_of(p: Project, number: int) -> Sheet:
    """One project on a spanned grid (a 实施期 column before the annual values where the project has one)."""
    two = any(i.period_value for i in p.indicators)
    columns = COLUMNS[:4] + ["实施期指标值", "年度指标值"] + COLUMNS[5:] if two else COLUMNS
    n = len(columns)
    cells = [Cell("项目编码", 0, 0), Cell(p.code or "", 0, 1, colspan=2), Cell("项目名称", 0, 3),
             Cell(p.name, 0, 4, colspan=n - 4),
             Cell("预算数", 1, 0), Cell("" if p.budget_wan is None else f"{p.budget_wan:.2f}", 1, 1, colspan=2),
             Cell("资金用途", 1, 3), Cell(p.purpose or "", 1, 4, colspan=n - 4),
             Cell("绩效目标", 2, 0), Cell("\n".join(f"{i}.{g}" for i, g in enumerate(p.goals, 1)), 2, 1, colspan=n - 1)]
    cells += [Cell(h, 3, k) for k, h in enumerate(columns)]
    first = 4
    rows = [[i.level1, i.level2, i.level3, i.description or ""] + ([i.period_value or ""] if two else [])
            + [i.value, i.basis or ""] for i in p.indicators]
    level1 = _runs([r[0] for r in rows], 0, len(rows)) if rows else []
    for a, b in level1:
        cells.append(Cell(rows[a][0], first + a, 0, rowspan=b - a))
        for a2, b2 in _runs([r[1] for r in rows], a, b):
            cells.append(Cell(rows[a2][1], first + a2, 1, rowspan=b2 - a2))
    for i, r in enumerate(rows):
        cells += [Cell(r[k], first + i, k) for k in range(2, n)]
    title = p.name + ("表" if p.name.endswith("绩效目标") else "绩效目标表")
    unit = f"{p.unit}    " if p.unit else ""
    return Sheet(title=f"{number}.{title}", unit_line=f"{unit}单位：万元", n_rows=first + len(rows), cells=cells,
                 n_cols=n)


def sheets(gold: PerformanceDocument) -> list[Sheet]:
    return [sheet_of(p, i) for i, p in enumerate(gold.projects, 1)]


def heading(gold: PerformanceDocument) -> str:
    return f"{gold.department or ''}{gold.year or ''}年部门预算绩效目标"


# ------------------------------------------------------------------------------------------------ HTML


def to_html(gold: PerformanceDocument, out: Path, encoding: str = "gbk", layout_wrapper: bool = False) -> Path:
    """A saved government page: <meta charset>, styles and scripts, <br> in cells, optional layout table."""
    parts = [f"<p class=h>{html.escape(heading(gold))}</p>"]
    for s in sheets(gold):
        parts.append(f"<h3 align=center>{html.escape(s.title)}</h3>\n<p>{html.escape(s.unit_line)}</p>")
        rows = [[] for _ in range(s.n_rows)]
        for c in sorted(s.cells, key=lambda c: (c.row, c.col)):
            span = (f" rowspan={c.rowspan}" if c.rowspan > 1 else "") + (f' colspan="{c.colspan}"'
                                                                           if c.colspan > 1 else "")
            body = "<br>".join(html.escape(t) for t in c.text.split("\n"))
            rows[c.row].append(f"<td{span}><span style='font-size:9pt'>{body}</span></td>")
        parts.append("<table border=1 cellspacing=0>\n" + "\n".join(f"<tr>{''.join(r)}</tr>" for r in rows)
                     + "\n</table>")
    content = "\n".join(parts)
    if layout_wrapper:
        content = f"<table width=900><tr><td>{content}</td></tr></table>"
    page = (f'<!DOCTYPE html>\n<html><head><meta http-equiv="Content-Type" content="text/html; charset={encoding}">'
            "<title>绩效目标</title><style>td {border:1px solid #000}</style>"
            "<script>var x = '<td>not a cell</td>';</script></head>\n"
            f"<body><!-- 导航 -->\n{content}\n</body></html>\n")
    out.write_bytes(page.encode("gb18030" if encoding.lower() in ("gbk", "gb2312") else encoding))
    return out


# ------------------------------------------------------------------------------------------------ spreadsheets


def _value(text: str):
    """Numbers stored as numbers, the way a spreadsheet user types them."""
    try:
        return float(text) if text and text.replace(".", "", 1).isdigit() else text
    except ValueError:
        return text


def to_xlsx(gold: PerformanceDocument, out: Path) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for i, s in enumerate(sheets(gold), 1):
        ws = wb.create_sheet(f"表{i}")
        ws.cell(1, 1, s.title)
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=s.n_cols)
        ws.cell(2, 1, s.unit_line)
        ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=s.n_cols)
        for c in s.cells:
            cell = ws.cell(3 + c.row, 1 + c.col, _value(c.text))
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
            if c.rowspan > 1 or c.colspan > 1:
                ws.merge_cells(start_row=3 + c.row, start_column=1 + c.col, end_row=3 + c.row + c.rowspan - 1,
                               end_column=1 + c.col + c.colspan - 1)
    wb.save(str(out))
    return out


def to_xls(gold: PerformanceDocument, out: Path) -> Path:
    """Excel 97-2003 written by xlwt (merged cells with write_merge)."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    for i, s in enumerate(sheets(gold), 1):
        ws = wb.add_sheet(f"表{i}")
        ws.write_merge(0, 0, 0, s.n_cols - 1, s.title)
        ws.write_merge(1, 1, 0, s.n_cols - 1, s.unit_line)
        for c in s.cells:
            r, k = 2 + c.row, c.col
            if c.rowspan > 1 or c.colspan > 1:
                ws.write_merge(r, r + c.rowspan - 1, k, k + c.colspan - 1, _value(c.text))
            else:
                ws.write(r, k, _value(c.text))
    wb.save(str(out))
    return out


def to_csv(gold: PerformanceDocument, out: Path, encoding: str = "gb18030") -> Path:
    """A CSV as Excel/WPS export it: a merged cell's text at its top-left only, a blank row between tables."""
    import csv

    with out.open("w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        for s in sheets(gold):
            w.writerow([s.title])
            w.writerow([s.unit_line])
            grid = [[""] * s.n_cols for _ in range(max(c.row + c.rowspan for c in s.cells))]
            for c in s.cells:
                grid[c.row][c.col] = c.text
            w.writerows(grid)
            w.writerow([])
    return out


# ------------------------------------------------------------------------------------------------ Word


def to_docx(gold: PerformanceDocument, out: Path) -> Path:
    import docx

    d = docx.Document()
    d.add_paragraph(heading(gold))
    for s in sheets(gold):
        d.add_paragraph(s.title)
        d.add_paragraph(s.unit_line)
        t = d.add_table(rows=s.n_rows, cols=s.n_cols)
        t.style = "Table Grid"
        grid = [list(row.cells) for row in t.rows]
        for c in s.cells:
            cell = grid[c.row][c.col]
            if c.rowspan > 1 or c.colspan > 1:
                cell = cell.merge(grid[c.row + c.rowspan - 1][c.col + c.colspan - 1])
            lines = c.text.split("\n")
            cell.paragraphs[0].text = lines[0]
            for extra in lines[1:]:
                cell.add_paragraph(extra)
        d.add_paragraph("")  # Word always ends a table with a paragraph; LibreOffice's .doc export needs it
    d.save(str(out))
    return out


def many_to_doc(golds: dict[str, PerformanceDocument], out_dir: Path) -> list[Path]:
    """Word 97-2003 files: python-docx DOCX converted by the test's own LibreOffice run (not the project's)."""
    work = out_dir / ".docx-src"
    work.mkdir(exist_ok=True)
    srcs = [to_docx(g, work / f"{name}.docx") for name, g in golds.items()]
    exe = shutil.which("soffice")
    assert exe, "LibreOffice is needed"
    subprocess.run([exe, "--headless", "--norestore", f"-env:UserInstallation=file://{work / '.lo'}", "--convert-to",
                    "doc:MS Word 97", "--outdir", str(out_dir), *map(str, srcs)], check=True, capture_output=True,
                   timeout=300)
    return [out_dir / f"{name}.doc" for name in golds]
