"""Render a Project or PerformanceDocument in the standard 绩效目标表 layout as XLSX, DOCX or PDF."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, Field

from perfdraft.core.models import PerformanceDocument, Project

GRID_HEADER = ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据"]
GRID_HEADER_PERIOD = ["一级指标", "二级指标", "三级指标", "绩效指标描述", "实施周期指标值", "年度指标值", "指标值确定依据"]


class ExportOptions(BaseModel):
    """Layout variations, so tests and benchmarks can produce the shapes found in real documents."""

    amounts_in_yuan: bool = Field(False, description="state 预算数 in 元 (单位：元) instead of 万元")
    period_column: bool = Field(False, description="add a 实施周期指标值 column before 年度指标值")
    page_break_after: int | None = Field(
        None, description="PDF: force a page break after this many indicator rows (header row repeated)")
    split_cell: bool = Field(False, description="PDF: with page_break_after, split the next row's text over the break")
    numbered_titles: bool = Field(False, description="prefix table titles with 1., 2. ... as published documents do")
    font_size: float = 9.0


class LayoutCell(BaseModel):
    """One origin cell of the rendered grid."""

    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1
    header: bool = False
    number: float | None = Field(None, description="the cell's value as a number (预算数), for spreadsheets")


class TableLayout(BaseModel):
    """One 绩效目标表 laid out: title, unit line, header block plus indicator grid as a spanned grid."""

    title: str
    unit_line: str
    n_cols: int
    n_rows: int
    header_row: int = Field(description="row index of the 一级指标 | 二级指标 ... header")
    cells: list[LayoutCell]
    split_row: int | None = Field(None, description="first grid row that goes on a new page (PDF)")
    split_fragment: bool = False


# ------------------------------------------------------------------------------------------ layout

# XML 1.0 cannot hold C0 controls other than tab/newline/CR, nor U+FFFE/U+FFFF (openpyxl, python-docx refuse them)
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# OWASP CSV/formula injection: a text cell starting with one of these may be read as a formula
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def xml_safe(text: str | None) -> str:
    """Text without the characters XML cannot hold (control characters from damaged sources)."""
    return _XML_ILLEGAL.sub("", text or "")



def _fmt_amount(budget_wan: float | None, yuan: bool) -> str:
    if budget_wan is None:
        return ""
    return f"{budget_wan * 10000:.2f}" if yuan else f"{budget_wan:.2f}"


def table_title(project: Project) -> str:
    """`<name>绩效目标表`; a department table named 部门整体绩效目标 becomes 部门整体绩效目标表."""
    return project.name + ("表" if project.name.endswith("绩效目标") else "绩效目标表")


def layout_project(project: Project, options: ExportOptions | None = None, number: int | None = None) -> TableLayout:
    """Lay one project out on a spanned grid (header block, header row, indicator rows with merged levels)."""
    o = options or ExportOptions()
    header = GRID_HEADER_PERIOD if o.period_column else GRID_HEADER
    n = len(header)
    rest = n - 4  # columns right of the third label cell
    cells: list[LayoutCell] = []

    def add(text, row, col, rowspan=1, colspan=1, hdr=False, number=None):
        cells.append(LayoutCell(text=xml_safe(text), row=row, col=col, rowspan=rowspan, colspan=colspan, header=hdr,
                                number=number))

    add("项目编码", 0, 0, hdr=True)
    add(project.code or "", 0, 1, colspan=2)
    add("项目名称", 0, 3, hdr=True)
    add(project.name, 0, 4, colspan=rest)
    add("预算数", 1, 0, hdr=True)
    amount = None if project.budget_wan is None else project.budget_wan * (10000 if o.amounts_in_yuan else 1)
    add(_fmt_amount(project.budget_wan, o.amounts_in_yuan), 1, 1, colspan=2, number=amount)
    add("资金用途", 1, 3, hdr=True)
    add(project.purpose or "", 1, 4, colspan=rest)
    add("绩效目标", 2, 0, hdr=True)
    add("\n".join(f"{i}.{g}" for i, g in enumerate(project.goals, 1)), 2, 1, colspan=n - 1)
    hrow = 3
    for k, h in enumerate(header):
        add(h, hrow, k, hdr=True)
    first = hrow + 1
    rows: list[list[str]] = []
    for ind in project.indicators:
        vals = [ind.level3, ind.description or ""]
        vals += [ind.period_value or "", ind.value] if o.period_column else [ind.value]
        vals.append(ind.basis or "")
        rows.append([ind.level1, ind.level2, *vals])

    split_row = None
    fragment = False
    if o.page_break_after is not None and 0 < o.page_break_after < len(rows):
        split_row = first + o.page_break_after
        if o.split_cell:
            # the row after the break starts on page 1; like a row cut between two text lines, only its
            # longer cells (description, basis) run on to page 2, the short ones end on page 1
            row = rows[o.page_break_after]
            cut = [k for k in (3, n - 1) if len(row[k]) >= 4] or [2]
            top = [t[: (len(t) + 1) // 2] if k in cut else t for k, t in enumerate(row)]
            bottom = [t[(len(t) + 1) // 2:] if k in cut else ("" if k > 1 else t) for k, t in enumerate(row)]
            rows[o.page_break_after: o.page_break_after + 1] = [top, bottom]
            split_row += 1
            fragment = True

    # levels 1 and 2 merge vertically over runs of equal text (level 2 within its level-1 run)
    def runs(col: int, bounds: list[tuple[int, int]]) -> list[tuple[int, int]]:
        out = []
        for a, b in bounds:
            s = a
            for i in range(a + 1, b + 1):
                if i == b or rows[i][col] != rows[s][col]:
                    out.append((s, i))
                    s = i
        return out

    l1 = runs(0, [(0, len(rows))]) if rows else []
    l2 = runs(1, l1)
    for col, spans in ((0, l1), (1, l2)):
        for a, b in spans:
            add(rows[a][col], first + a, col, rowspan=b - a)
    for i, r in enumerate(rows):
        for k in range(2, n):
            add(r[k], first + i, k)
    unit = f"{project.unit}    " if project.unit else ""
    title = (f"{number}." if number is not None else "") + table_title(project)
    return TableLayout(title=xml_safe(title), unit_line=xml_safe(f"{unit}单位：{'元' if o.amounts_in_yuan else '万元'}"),
                       n_cols=n, n_rows=first + len(rows), header_row=hrow, cells=cells,
                       split_row=split_row, split_fragment=fragment)


def _projects(obj: Project | PerformanceDocument) -> tuple[list[Project], str | None]:
    if isinstance(obj, Project):
        return [obj], None
    heading = None
    if obj.department or obj.year:
        heading = xml_safe(f"{obj.department or ''}{f'{obj.year}年' if obj.year else ''}部门预算绩效目标")
    return list(obj.projects), heading


def _layouts(obj, options: ExportOptions) -> tuple[list[TableLayout], str | None]:
    projects, heading = _projects(obj)
    numbered = options.numbered_titles or len(projects) > 1
    return [layout_project(p, options, i if numbered else None) for i, p in enumerate(projects, 1)], heading


# ------------------------------------------------------------------------------------------ xlsx


def _sheet_name(title: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "", title)[:28] or "Sheet"
    name, i = base, 2
    while name in used:
        name, i = f"{base[:26]}_{i}", i + 1
    used.add(name)
    return name


_XLSX_WIDTHS = {6: [9, 12, 22, 34, 16, 30], 7: [9, 12, 20, 28, 14, 14, 26]}
_XLSX_FONT_PT = 10.0
_XLSX_LINE_PT = 14.0  # one wrapped line of 10 pt text, with LibreOffice's and Excel's leading
_CJK_UNITS = 2.0  # a CJK character is about two column-width units wide


def _text_units(text: str) -> float:
    """Display width of a line in column-width units (CJK and full-width count double)."""
    return sum(_CJK_UNITS if ord(ch) > 0x2E7F else 1.1 for ch in text)


def _lines_needed(text: str, width_units: float) -> int:
    """Wrapped line count of a cell's text in a column of the given width (padding left aside)."""
    usable = max(width_units - 1.5, 1.0)
    return sum(max(1, -(-int(_text_units(para) * 100) // int(usable * 100))) for para in text.split("\n"))


def _row_heights(lay: TableLayout, widths: list[float]) -> list[float]:
    """Row heights (points) that show every wrapped cell in full; spanned cells take height from their rows."""
    heights = [_XLSX_LINE_PT + 4] * lay.n_rows
    need = {}
    for c in lay.cells:
        w = sum(widths[c.col: c.col + c.colspan])
        need[id(c)] = _lines_needed(c.text, w) * _XLSX_LINE_PT + 4
        if c.rowspan == 1:
            heights[c.row] = max(heights[c.row], need[id(c)])
    for c in lay.cells:
        if c.rowspan > 1:
            have = sum(heights[c.row: c.row + c.rowspan])
            if need[id(c)] > have:
                heights[c.row + c.rowspan - 1] += need[id(c)] - have
    return heights


def _put(ws, row: int, col: int, value):
    """Write one cell: numbers stay numbers; text is XML-safe and never a formula (OWASP leading triggers)."""
    if value is None or isinstance(value, (int, float)):
        return ws.cell(row, col, value)
    text = xml_safe(str(value))
    cell = ws.cell(row, col, text)
    cell.data_type = "s"  # "=100%", "=HYPERLINK(...)" are text, not formulas
    if text.startswith(FORMULA_TRIGGERS):
        cell.quotePrefix = True  # Excel's own "this is text" mark: re-editing the cell keeps it text
    return cell


def _print_setup(ws, title_row: int | None) -> None:
    """A4 landscape, fitted to one page width, header row repeated on every printed page."""
    from openpyxl.worksheet.page import PageMargins

    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages tall as needed
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.5, header=0.2, footer=0.2)
    ws.print_options.horizontalCentered = True
    if title_row is not None:
        ws.print_title_rows = f"{title_row}:{title_row}"


def export_xlsx(obj: Project | PerformanceDocument, path: str | Path, options: ExportOptions | None = None) -> Path:
    """One sheet per table in the standard layout, ready to print; citations go to a 来源 sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    o = options or ExportOptions()
    layouts, heading = _layouts(obj, o)
    projects, _ = _projects(obj)
    wb = Workbook()
    wb.remove(wb.active)
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="center")
    body_font, bold = Font(size=_XLSX_FONT_PT), Font(size=_XLSX_FONT_PT, bold=True)
    used: set[str] = set()
    for lay in layouts:
        widths = _XLSX_WIDTHS[lay.n_cols]
        ws = wb.create_sheet(_sheet_name(lay.title, used))
        r0 = 1
        if heading:
            _put(ws, 1, 1, heading).font = Font(bold=True, size=12)
            ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=lay.n_cols)
            r0 = 2
        title = _put(ws, r0, 1, lay.title)
        title.font = Font(bold=True, size=14)
        title.alignment = Alignment(horizontal="center", vertical="center")
        ws.merge_cells(start_row=r0, start_column=1, end_row=r0, end_column=lay.n_cols)
        ws.row_dimensions[r0].height = 24
        _put(ws, r0 + 1, 1, lay.unit_line).font = body_font
        ws.merge_cells(start_row=r0 + 1, start_column=1, end_row=r0 + 1, end_column=lay.n_cols)
        top = r0 + 2
        for c in lay.cells:
            cell = _put(ws, top + c.row, 1 + c.col, c.number if c.number is not None else c.text)
            if c.number is not None:
                cell.number_format = "0.00"
            cell.alignment = wrap
            cell.font = bold if c.header else body_font
            if c.rowspan > 1 or c.colspan > 1:
                ws.merge_cells(start_row=top + c.row, start_column=1 + c.col,
                               end_row=top + c.row + c.rowspan - 1, end_column=1 + c.col + c.colspan - 1)
        for r in range(top, top + lay.n_rows):
            for k in range(1, lay.n_cols + 1):
                ws.cell(r, k).border = border
        for k, w in enumerate(widths):
            ws.column_dimensions[get_column_letter(k + 1)].width = w
        for r, h in enumerate(_row_heights(lay, widths)):
            ws.row_dimensions[top + r].height = h
        _print_setup(ws, top + lay.header_row)
    cites = [(p, i, ind, c) for p in projects for i, ind in enumerate(p.indicators) for c in ind.sources]
    if cites:
        ws = wb.create_sheet("来源")
        rows = [["项目名称", "指标行", "三级指标", "来源文件", "来源项目", "来源行", "来源三级指标", "来源指标值",
                 "年度", "部门", "相似度"]]
        rows += [[p.name, i + 1, ind.level3, c.document, c.project, c.row + 1, c.level3, c.value, c.year,
                  c.department, c.score] for p, i, ind, c in cites]
        for r, values in enumerate(rows, 1):
            for k, v in enumerate(values, 1):
                _put(ws, r, k, v).alignment = wrap
        for k, w in enumerate([16, 7, 18, 22, 16, 7, 18, 14, 7, 18, 8], 1):
            ws.column_dimensions[get_column_letter(k)].width = w
        _print_setup(ws, 1)
    out = Path(path)
    wb.save(out)
    return out


# ------------------------------------------------------------------------------------------ docx


def export_docx(obj: Project | PerformanceDocument, path: str | Path, options: ExportOptions | None = None) -> Path:
    """Word document: heading paragraphs and a ruled table with merged cells per project."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    o = options or ExportOptions()
    layouts, heading = _layouts(obj, o)
    d = docx.Document()
    style = d.styles["Normal"]
    style.font.size = Pt(10)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    if heading:
        d.add_paragraph(heading).alignment = WD_ALIGN_PARAGRAPH.CENTER
    for i, lay in enumerate(layouts):
        if i:
            d.add_page_break()
        p = d.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.add_run(lay.title).bold = True
        d.add_paragraph(lay.unit_line)
        t = d.add_table(rows=lay.n_rows, cols=lay.n_cols)
        t.style = "Table Grid"
        # Table.cell() rebuilds the whole grid on every call; take it once (merging only touches each region)
        grid = [[cell for cell in row.cells] for row in t.rows]
        for c in lay.cells:
            cell = grid[c.row][c.col]
            if c.rowspan > 1 or c.colspan > 1:
                cell = cell.merge(grid[c.row + c.rowspan - 1][c.col + c.colspan - 1])
            parts = c.text.split("\n")
            cell.paragraphs[0].text = ""
            run = cell.paragraphs[0].add_run(parts[0])
            run.bold = c.header
            for extra in parts[1:]:
                cell.add_paragraph(extra)
        # Word repeats only an unbroken run of header rows from the table's top, so the header block
        # (编码, 名称, 预算, 用途, 目标) and the 一级指标 … row are all marked, and none of them may split
        for r in range(lay.header_row + 1):
            trPr = t.rows[r]._tr.get_or_add_trPr()
            for tag in ("w:cantSplit", "w:tblHeader"):
                el = OxmlElement(tag)
                el.set(qn("w:val"), "true")
                trPr.append(el)
    out = Path(path)
    d.save(str(out))
    return out


# ------------------------------------------------------------------------------------------ pdf

_PAGE_W, _PAGE_H, _MARGIN = 595.0, 842.0, 40.0
_COL_WEIGHTS = {6: [1.0, 1.2, 1.6, 1.8, 1.1, 1.3], 7: [0.9, 1.1, 1.5, 1.6, 1.0, 1.0, 1.2]}


def _wrap(font, text: str, width: float, size: float) -> list[str]:
    """Break text into lines that fit width, character by character (CJK has no spaces to break on)."""
    out: list[str] = []
    for para in text.split("\n"):
        line, used = "", 0.0
        for ch, w in zip(para, font.char_lengths(para, fontsize=size)):
            if line and used + w > width:
                out.append(line)
                line, used = "", 0.0
            line += ch
            used += w
        out.append(line)
    return out if any(out) else []


class _PdfWriter:
    """Draws titles and ruled grids, flowing onto new pages with the header row repeated."""

    def __init__(self, options: ExportOptions):
        import pymupdf

        self.o = options
        self.doc = pymupdf.open()
        self.font = pymupdf.Font("cjk")
        self.size = options.font_size
        self.lh = self.size * 1.35
        self.page = None
        self.y = 0.0

    def new_page(self):
        self.page = self.doc.new_page(width=_PAGE_W, height=_PAGE_H)
        self.page.insert_font(fontname="cjk", fontbuffer=self.font.buffer)
        self.y = _MARGIN

    def text(self, s: str, x: float, y: float, size: float | None = None):
        self.page.insert_text((x, y + (size or self.size)), s, fontname="cjk", fontsize=size or self.size)

    def line(self, s: str, size: float | None = None, center: bool = False):
        size = size or self.size
        if self.page is None or self.y + size * 1.6 > _PAGE_H - _MARGIN:
            self.new_page()
        x = _MARGIN
        if center:
            x = (_PAGE_W - self.font.text_length(s, fontsize=size)) / 2
        self.text(s, x, self.y, size)
        self.y += size * 1.8

    def grid(self, lay: TableLayout):
        width = _PAGE_W - 2 * _MARGIN
        w = _COL_WEIGHTS[lay.n_cols]
        xs = [_MARGIN]
        for k in range(lay.n_cols):
            xs.append(xs[-1] + width * w[k] / sum(w))
        pad = 3.0
        wrapped = {id(c): _wrap(self.font, c.text, xs[c.col + c.colspan] - xs[c.col] - 2 * pad, self.size)
                   for c in lay.cells}
        heights = [self.lh + 2 * pad] * lay.n_rows
        for c in lay.cells:  # single-row cells set row heights; spanned cells get what their rows give
            if c.rowspan == 1:
                heights[c.row] = max(heights[c.row], len(wrapped[id(c)]) * self.lh + 2 * pad)
        for c in lay.cells:
            if c.rowspan > 1:
                need = len(wrapped[id(c)]) * self.lh + 2 * pad
                have = sum(heights[c.row: c.row + c.rowspan])
                if need > have:
                    heights[c.row + c.rowspan - 1] += need - have
        # paginate rows: a row never splits; after a break the header row is drawn again
        segments: list[list[int]] = []
        cur: list[int] = []
        y = self.y
        for r in range(lay.n_rows):
            forced = lay.split_row is not None and r == lay.split_row
            if cur and (forced or y + heights[r] > _PAGE_H - _MARGIN):
                segments.append(cur)
                cur = [lay.header_row] if r > lay.header_row + 1 else []
                y = _MARGIN + sum(heights[i] for i in cur)
            elif not cur and y + heights[r] > _PAGE_H - _MARGIN:
                self.new_page()
                y = self.y
            cur.append(r)
            y += heights[r]
        segments.append(cur)
        for si, seg in enumerate(segments):
            if si:
                self.new_page()
            pos = {}
            y = self.y
            for r in seg:
                pos[r] = y
                y += heights[r]
            seg_set = set(seg)
            for c in lay.cells:
                covered = [r for r in range(c.row, c.row + c.rowspan) if r in seg_set]
                if not covered or (c.row == lay.header_row and c.row not in seg_set):
                    continue
                if c.row < lay.header_row and si > 0:
                    continue
                y0 = pos[covered[0]]
                y1 = pos[covered[-1]] + heights[covered[-1]]
                x0, x1 = xs[c.col], xs[c.col + c.colspan]
                self.page.draw_rect((x0, y0, x1, y1), color=(0, 0, 0), width=0.6)
                if c.row not in seg_set:
                    continue  # continuation of a merged cell from the previous page: ruled, empty
                lines = wrapped[id(c)]
                ty = y0 + max(pad, ((y1 - y0) - len(lines) * self.lh) / 2) if c.rowspan > 1 else y0 + pad
                for ln in lines:
                    self.text(ln, x0 + pad, ty)
                    ty += self.lh
            self.y = y + self.lh

    def save(self, path: Path):
        self.doc.subset_fonts()
        self.doc.save(str(path), garbage=3, deflate=True)
        self.doc.close()


def export_pdf(obj: Project | PerformanceDocument, path: str | Path, options: ExportOptions | None = None) -> Path:
    """PDF with CJK text (MuPDF's built-in Droid Sans Fallback) and ruled tables that find_tables recognises."""
    o = options or ExportOptions()
    layouts, heading = _layouts(obj, o)
    w = _PdfWriter(o)
    if heading:
        w.line(heading, size=14, center=True)
    for lay in layouts:
        if w.page is not None and w.y > _PAGE_H * 0.6:
            w.new_page()
        w.line(lay.title, size=12, center=True)
        w.line(lay.unit_line)
        w.grid(lay)
    if w.page is None:
        w.new_page()
    out = Path(path)
    w.save(out)
    return out


def export(obj: Project | PerformanceDocument, path: str | Path, options: ExportOptions | None = None) -> Path:
    """Dispatch on the suffix: .xlsx, .docx or .pdf."""
    suffix = Path(path).suffix.lower()
    fn = {".xlsx": export_xlsx, ".docx": export_docx, ".pdf": export_pdf}.get(suffix)
    if fn is None:
        raise ValueError(f"cannot export to {suffix or '(no suffix)'}; use .xlsx, .docx or .pdf")
    return fn(obj, path, options)
