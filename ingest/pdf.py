"""PDF loader (PyMuPDF): positioned text lines and ruled table grids, tables stitched across page breaks."""

from __future__ import annotations

import bisect
import re
from pathlib import Path

from perfdraft.core.errors import CorruptDocument, EncryptedDocument
from perfdraft.core.models import Document, Page
from perfdraft.ingest import pdf_finder
from perfdraft.ingest.digest import sha256_of
from perfdraft.ingest.rawgrid import Item, RawCell, RawLine, RawTable, build_pages, stitch

SNAP = 1.5  # points: ruling positions closer than this are the same boundary
_FOOTER = re.compile(r"^[\s\-—–第页/共0-9IVXivx]*$")  # page numbers such as "- 3 -", "第 3 页"


def _open(path: Path):
    import pymupdf

    try:
        doc = pymupdf.open(str(path), filetype="pdf")
    except Exception as exc:  # MuPDF raises its own FileDataError/RuntimeError family
        detail = str(exc).replace(str(path), "").replace("''", "").strip(" .")
        raise CorruptDocument(f"not a readable PDF ({type(exc).__name__}: {detail})", file=str(path)) from None
    if doc.needs_pass:
        doc.close()
        raise EncryptedDocument("PDF is password-protected; remove the password and try again", file=str(path))
    if doc.page_count == 0:
        doc.close()
        raise CorruptDocument("PDF has no pages", file=str(path))
    if doc.is_repaired:
        with path.open("rb") as fh:
            fh.seek(max(0, path.stat().st_size - 2048))
            tail = fh.read()
        if b"%%EOF" not in tail:
            doc.close()
            raise CorruptDocument("PDF is truncated (no end-of-file marker; cross-reference table broken)",
                                  file=str(path))
    return doc


def _boundaries(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > SNAP:
            out.append(v)
    return out


def _index(bounds: list[float], v: float) -> int:
    i = bisect.bisect_left(bounds, v - SNAP)
    return min(i, len(bounds) - 1)


def _page_lines(page, number: int) -> tuple[list[tuple[RawLine, list[tuple[str, tuple]]]], list[dict]]:
    """Text lines of a page with their characters (for assigning text to table cells), and the page's text blocks."""
    out = []
    blocks = page.get_text("rawdict", sort=True)["blocks"]
    for block in blocks:
        for line in block.get("lines", []):
            chars = [(c["c"], c["bbox"]) for sp in line["spans"] for c in sp["chars"]]
            text = "".join([c for c, _ in chars])
            if text.strip():
                out.append((RawLine(text=text.strip(), page=number, bbox=tuple(line["bbox"])), chars))
    return out, blocks


def _tables(page, number: int, lines, blocks: list[dict]) -> list[RawTable]:
    """Ruled tables of a page as RawTables; text is taken from the normal text layer, not find_tables."""
    out = []
    for t in pdf_finder.find_tables(page, blocks):
        cell_boxes = [(r, b) for r, row in enumerate(t.rows) for b in row.cells if b is not None]
        if not cell_boxes:
            continue
        xs = _boundaries([b[0] for _, b in cell_boxes] + [b[2] for _, b in cell_boxes])
        ys = _boundaries([b[1] for _, b in cell_boxes] + [b[3] for _, b in cell_boxes])
        cells: list[RawCell] = []
        for _, b in cell_boxes:
            c0, c1 = _index(xs, b[0]), _index(xs, b[2])
            r0, r1 = _index(ys, b[1]), _index(ys, b[3])
            cells.append(RawCell(row=r0, col=c0, rowspan=max(1, r1 - r0), colspan=max(1, c1 - c0), page=number,
                                 bbox=tuple(b)))
        out.append(RawTable(n_rows=len(ys) - 1, n_cols=len(xs) - 1, cells=cells, origin="pdf-ruling", page=number,
                            pages=[number], bbox=tuple(t.bbox), col_x=xs))
    # characters go to the cell containing their centre; one cell line per text line
    for raw, chars in lines:
        for tab in out:
            x0, y0, x1, y1 = tab.bbox
            cy = (raw.bbox[1] + raw.bbox[3]) / 2
            if not (y0 - 1 <= cy <= y1 + 1 and raw.bbox[0] >= x0 - 1 and raw.bbox[2] <= x1 + 1):
                continue
            centres = [((bb[0] + bb[2]) / 2, (bb[1] + bb[3]) / 2) for _, bb in chars]
            lo_x, hi_x = min(m[0] for m in centres), max(m[0] for m in centres)
            lo_y, hi_y = min(m[1] for m in centres), max(m[1] for m in centres)
            # only cells that can hold one of the line's centres, in table order (the first match wins)
            near = [(i, c.bbox) for i, c in enumerate(tab.cells)
                    if c.bbox[0] <= hi_x and c.bbox[2] >= lo_x and c.bbox[1] <= hi_y and c.bbox[3] >= lo_y]
            parts: dict[int, list] = {}
            for (ch, bb), (mx, my) in zip(chars, centres):
                for i, b in near:
                    if b[0] <= mx <= b[2] and b[1] <= my <= b[3]:
                        parts.setdefault(i, []).append((ch, bb))
                        break
            for i, cs in parts.items():
                text = "".join([ch for ch, _ in cs]).strip()
                if text:
                    bbox = (min(b[0] for _, b in cs), min(b[1] for _, b in cs),
                            max(b[2] for _, b in cs), max(b[3] for _, b in cs))
                    tab.cells[i].lines.append(RawLine(text=text, page=number, bbox=bbox))
            raw.page = -1  # consumed by the table
            break
    return out


def _continues(prev: RawTable, cont: RawTable) -> bool:
    """Same column rulings on the next page: the same table carried over a page break."""
    return prev.n_cols == cont.n_cols and all(abs(a - b) <= 2 * SNAP for a, b in zip(prev.col_x, cont.col_x))


def load_pdf(path: str | Path) -> Document:
    """Load a PDF into a Document; scanned PDFs get status 'scanned', bad files a typed InputError."""
    p = Path(path)
    doc = _open(p)
    per_page: list[tuple[int, float, float, list[Item]]] = []
    warnings: list[str] = []
    n_text = 0
    try:
        for page in doc:
            number = page.number + 1
            try:
                lines, blocks = _page_lines(page, number)
                tables = _tables(page, number, lines, blocks) if lines else []
            except Exception as exc:
                raise CorruptDocument(f"cannot read page content ({exc})", file=str(p), page=number) from None
            n_text += bool(lines)
            items = [Item(y=ln.bbox[1], line=ln) for ln, _ in lines if ln.page == number]
            items += [Item(y=t.bbox[1], table=t) for t in tables]
            items.sort(key=lambda it: it.y)
            per_page.append((number, page.rect.width, page.rect.height, items))
    finally:
        doc.close()
    if n_text == 0:
        return Document(source=str(p), name=p.name, sha256=sha256_of(p), format="pdf", status="scanned",
                        pages=[Page(number=n, width=w, height=h) for n, w, h, _ in per_page],
                        warnings=["scanned: no text layer"])
    if n_text < len(per_page):
        blank = [n for n, _, _, items in per_page if not items]
        warnings.append(f"pages without a text layer (scanned?): {', '.join(map(str, blank))}")
    _stitch_pages(per_page)
    pages, tables = build_pages(per_page)
    return Document(source=str(p), name=p.name, sha256=sha256_of(p), format="pdf", pages=pages, tables=tables,
                    warnings=warnings)


def _stitch_pages(per_page: list[tuple[int, float, float, list[Item]]]) -> None:
    """Join a table ending a page with a table starting the next one when their columns line up."""
    for i in range(1, len(per_page)):
        prev_items, items = per_page[i - 1][3], per_page[i][3]
        tail = [it for it in prev_items if not (it.line and _FOOTER.match(it.line.text))]
        head = [it for it in items if not (it.line and _FOOTER.match(it.line.text))]
        if not tail or not head or tail[-1].table is None or head[0].table is None:
            continue
        prev, cont = tail[-1].table, head[0].table
        if not _continues(prev, cont):
            continue
        stitch(prev, cont)
        head[0].table = prev  # the continuation's cells now live in prev; build_pages emits them per page
