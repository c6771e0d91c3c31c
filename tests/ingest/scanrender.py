"""Independent test renderer: gold tables drawn with Pillow as ruled raster tables, wrapped in image-only PDFs."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from perfdraft.core.models import PerformanceDocument, Project

FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
A4_PT = (595, 842)
HEADER = ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据"]
WIDTHS = [0.12, 0.12, 0.18, 0.22, 0.14, 0.22]  # fractions of the table width


@dataclass
class GoldCell:
    """A cell as drawn: grid position, spans and its text (wrap breaks not included)."""

    row: int
    col: int
    rowspan: int
    colspan: int
    text: str
    box: tuple[int, int, int, int] | None = None  # pixels on the drawn page
    lines: list[str] = field(default_factory=list)  # the text as wrapped onto lines in the cell


@dataclass
class DrawnTable:
    """What was drawn for one project: its cells and grid shape (the expected OCR result)."""

    page: int
    n_rows: int
    n_cols: int
    cells: list[GoldCell] = field(default_factory=list)


def _amount(b: float | None) -> str:
    return "" if b is None else f"{b:.2f}"


def project_cells(p: Project) -> tuple[int, list[GoldCell]]:
    """The standard 绩效目标表 layout of one project: header block, column header, indicator rows."""
    cells = [GoldCell(0, 0, 1, 1, "项目编码"), GoldCell(0, 1, 1, 2, p.code or ""), GoldCell(0, 3, 1, 1, "项目名称"),
             GoldCell(0, 4, 1, 2, p.name), GoldCell(1, 0, 1, 1, "预算数"),
             GoldCell(1, 1, 1, 2, _amount(p.budget_wan)), GoldCell(1, 3, 1, 1, "资金用途"),
             GoldCell(1, 4, 1, 2, p.purpose or ""), GoldCell(2, 0, 1, 1, "绩效目标"),
             GoldCell(2, 1, 1, 5, "".join(f"{i}.{g}" for i, g in enumerate(p.goals, 1)))]
    cells += [GoldCell(3, k, 1, 1, h) for k, h in enumerate(HEADER)]
    first = 4
    inds = p.indicators
    for col, key in ((0, lambda i: inds[i].level1), (1, lambda i: (inds[i].level1, inds[i].level2))):
        start = 0
        for i in range(1, len(inds) + 1):
            if i == len(inds) or key(i) != key(start):
                text = inds[start].level1 if col == 0 else inds[start].level2
                cells.append(GoldCell(first + start, col, i - start, 1, text))
                start = i
    for i, ind in enumerate(inds):
        for k, t in enumerate([ind.level3, ind.description or "", ind.value, ind.basis or ""], start=2):
            cells.append(GoldCell(first + i, k, 1, 1, t))
    return first + len(inds), cells


def _wrap(draw: ImageDraw.ImageDraw, font, text: str, width: float) -> list[str]:
    lines, cur = [], ""
    for ch in text:
        if cur and draw.textlength(cur + ch, font=font) > width:
            lines.append(cur)
            cur = ch
        else:
            cur += ch
    return lines + [cur] if cur else lines


def render_page(p: Project, dpi: int, number: int, line_px: float | None = None) -> tuple[Image.Image, DrawnTable]:
    """One A4 page at dpi: a title line, a unit line and the project's ruled table."""
    s = dpi / 72
    w, h = int(A4_PT[0] * s), int(A4_PT[1] * s)
    img = Image.new("L", (w, h), 255)
    d = ImageDraw.Draw(img)
    size = 9
    while True:  # shrink the font until the table fits the page
        font = ImageFont.truetype(FONT, int(size * s))
        title_font = ImageFont.truetype(FONT, int((size + 3) * s))
        n_rows, cells = project_cells(p)
        left, right = 40 * s, w - 40 * s
        xs = [left]
        for f in WIDTHS:
            xs.append(xs[-1] + (right - left) * f)
        pad, lh = 3 * s, size * s * 1.45
        wrapped = {id(c): _wrap(d, font, c.text, xs[c.col + c.colspan] - xs[c.col] - 2 * pad) for c in cells}
        heights = [lh + 2 * pad] * n_rows
        for c in sorted(cells, key=lambda c: c.rowspan):
            need = len(wrapped[id(c)]) * lh + 2 * pad
            have = sum(heights[c.row:c.row + c.rowspan])
            if need > have:
                for r in range(c.row, c.row + c.rowspan):
                    heights[r] += (need - have) / c.rowspan
        top = 95 * s
        if top + sum(heights) < h - 40 * s or size <= 6:
            break
        size -= 0.5
    d.text((w / 2, 50 * s), f"{number}.{p.name}绩效目标表", font=title_font, fill=0, anchor="mm")
    d.text((left, 78 * s), f"{p.unit or ''}    单位：万元", font=font, fill=0, anchor="lm")
    ys = [top]
    for hh in heights:
        ys.append(ys[-1] + hh)
    lw = max(1, round(line_px if line_px is not None else 0.8 * s))
    for c in cells:
        x0, x1, y0, y1 = xs[c.col], xs[c.col + c.colspan], ys[c.row], ys[c.row + c.rowspan]
        d.rectangle([x0, y0, x1, y1], outline=0, width=lw)
        c.box = (int(x0), int(y0), int(x1), int(y1))
        lines = c.lines = wrapped[id(c)]
        ty = (y0 + y1) / 2 - len(lines) * lh / 2
        for i, ln in enumerate(lines):
            d.text((x0 + pad, ty + i * lh + lh / 2), ln, font=font, fill=0, anchor="lm")
    return img, DrawnTable(page=number, n_rows=n_rows, n_cols=6, cells=cells)


def value_grid(values: list[str], sizes: list[float], dpi: int) -> tuple[Image.Image, list[GoldCell]]:
    """A ruled grid of short value cells: one row per font size (points), one column per value."""
    s = dpi / 72
    cw, rh, margin = 70 * s, 24 * s, 20 * s
    img = Image.new("L", (int(2 * margin + cw * len(values)), int(2 * margin + rh * len(sizes))), 255)
    d = ImageDraw.Draw(img)
    cells = []
    for r, size in enumerate(sizes):
        font = ImageFont.truetype(FONT, int(size * s))
        for c, text in enumerate(values):
            x0, y0 = margin + c * cw, margin + r * rh
            d.rectangle([x0, y0, x0 + cw, y0 + rh], outline=0, width=max(1, round(0.8 * s)))
            d.text((x0 + 3 * s, y0 + rh / 2), text, font=font, fill=0, anchor="lm")
            cells.append(GoldCell(r, c, 1, 1, text, box=(int(x0), int(y0), int(x0 + cw), int(y0 + rh)), lines=[text]))
    return img, cells


def unruled_page(lines: list[str], dpi: int) -> Image.Image:
    """A page of plain text lines, no table rulings (a scanned letter)."""
    s = dpi / 72
    img = Image.new("L", (int(A4_PT[0] * s), int(A4_PT[1] * s)), 255)
    d = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, int(11 * s))
    for i, t in enumerate(lines):
        d.text((60 * s, (80 + 22 * i) * s), t, font=font, fill=0)
    return img


def images_to_pdf(images: list[Image.Image], out: Path, dpi: int) -> Path:
    """An image-only PDF (no text layer): each image a full page."""
    import pymupdf

    doc = pymupdf.open()
    for img in images:
        buf = io.BytesIO()
        img.save(buf, format="PNG")
        page = doc.new_page(width=img.width * 72 / dpi, height=img.height * 72 / dpi)
        page.insert_image(page.rect, stream=buf.getvalue())
    doc.save(str(out))
    doc.close()
    return out


def scanned_pdf(gold: PerformanceDocument, out: Path, dpi: int, limit: int | None = None
                ) -> tuple[Path, list[DrawnTable]]:
    """Every project of a gold document on its own page of an image-only PDF."""
    pages, drawn = [], []
    for i, p in enumerate(gold.projects[:limit], 1):
        img, t = render_page(p, dpi, i)
        pages.append(img)
        drawn.append(t)
    return images_to_pdf(pages, out, dpi), drawn
