"""DOCX loader: paragraphs and tables in body order, merged cells read from the real w:tc structure."""

from __future__ import annotations

import zipfile
from pathlib import Path

from perfdraft.core.errors import CorruptDocument, TooLarge
from perfdraft.core.models import Document
from perfdraft.ingest.digest import sha256_of
from perfdraft.ingest.rawgrid import Item, RawCell, RawLine, RawTable, build_pages

MAX_UNCOMPRESSED = 200 * 1024 * 1024  # all members together, after decompression
MAX_RATIO = 200  # a member that inflates more than this (and past 1 MB) is a zip bomb, not a document

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


class SuspiciousArchive(TooLarge):
    """An OOXML zip whose members decompress to an absurd size (a zip bomb)."""

    kind = "zip-bomb"


def check_zip(path: Path, required: str) -> None:
    """Open the OOXML container and refuse zip bombs before any XML parser inflates a member."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise CorruptDocument(f"not a valid Office file (broken zip container: {exc})", file=str(path)) from None
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED:
        raise SuspiciousArchive(f"refusing to open: members decompress to {total / 1e6:.0f} MB "
                                f"(limit {MAX_UNCOMPRESSED / 1e6:.0f} MB); possible zip bomb", file=str(path))
    for i in infos:
        if i.file_size > 1_000_000 and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            raise SuspiciousArchive(f"refusing to open: {i.filename} inflates {i.file_size // max(i.compress_size, 1)}"
                                    f"x to {i.file_size / 1e6:.0f} MB; possible zip bomb", file=str(path))
    if required not in {i.filename for i in infos}:
        raise CorruptDocument(f"not a valid Office file ({required} missing)", file=str(path))


def _para_text(p) -> str:
    """Visible text of a w:p: runs' w:t, tabs and breaks (w:br becomes a newline)."""
    out = []
    for el in p.iter():
        if el.tag == W + "t":
            out.append(el.text or "")
        elif el.tag == W + "tab":
            out.append("\t")
        elif el.tag in (W + "br", W + "cr"):
            out.append("\n")
    return "".join(out)


def _cell_lines(tc) -> list[RawLine]:
    lines = []
    for p in tc.iter(W + "p"):  # nested tables are flattened into the cell's text
        for part in _para_text(p).split("\n"):
            if part.strip():
                lines.append(RawLine(text=part.strip(), page=1))
    return lines


def _int_attr(el, tag: str, default: int) -> int:
    child = el.find(tag) if el is not None else None
    try:
        return int(child.get(W + "val")) if child is not None else default
    except (TypeError, ValueError):
        return default


def _rows(tbl):
    for child in tbl:
        if child.tag == W + "tr":
            yield child
        elif child.tag == W + "sdt":  # rows wrapped in content controls
            content = child.find(W + "sdtContent")
            if content is not None:
                yield from _rows(content)


def _cells(tr):
    for child in tr:
        if child.tag == W + "tc":
            yield child
        elif child.tag in (W + "sdt", W + "customXml"):
            content = child.find(W + "sdtContent") if child.tag == W + "sdt" else child
            if content is not None:
                yield from _cells(content)


def parse_table(tbl) -> RawTable:
    """Grid of a w:tbl with gridSpan (colspan) and vMerge (rowspan) resolved to origin cells."""
    cells: list[RawCell] = []
    open_merge: dict[int, RawCell] = {}  # grid column -> origin cell of a running vertical merge
    n_cols = 0
    rows = list(_rows(tbl))
    for r, tr in enumerate(rows):
        col = _int_attr(tr.find(W + "trPr"), W + "gridBefore", 0)
        for tc in _cells(tr):
            tcPr = tc.find(W + "tcPr")
            span = max(1, _int_attr(tcPr, W + "gridSpan", 1))
            vm = tcPr.find(W + "vMerge") if tcPr is not None else None
            vval = vm.get(W + "val") if vm is not None else None
            origin = open_merge.get(col)
            if vm is not None and vval != "restart" and origin is not None and origin.colspan == span:
                origin.rowspan = r - origin.row + 1
                origin.lines.extend(_cell_lines(tc))  # Word keeps text typed into continued cells
            else:
                cell = RawCell(row=r, col=col, colspan=span, page=1, lines=_cell_lines(tc))
                cells.append(cell)
                for k in range(col, col + span):
                    open_merge.pop(k, None)
                if vm is not None:  # restart (or a continue with nothing above: treat as a start)
                    open_merge[col] = cell
            col += span
        n_cols = max(n_cols, col)
        # a column not continued in this row ends its merge
        for k, origin in list(open_merge.items()):
            if origin.row + origin.rowspan - 1 < r and origin.row != r:
                del open_merge[k]
    grid = tbl.find(W + "tblGrid")
    if grid is not None:
        n_cols = max(n_cols, len(grid.findall(W + "gridCol")))
    return RawTable(n_rows=len(rows), n_cols=n_cols, cells=cells, origin="docx", page=1, pages=[1])


def _body_items(container, items: list[Item]) -> None:
    for child in container:
        if child.tag == W + "p":
            for part in _para_text(child).split("\n"):
                if part.strip():
                    items.append(Item(y=len(items), line=RawLine(text=part.strip(), page=1)))
        elif child.tag == W + "tbl":
            items.append(Item(y=len(items), table=parse_table(child)))
        elif child.tag == W + "sdt":
            content = child.find(W + "sdtContent")
            if content is not None:
                _body_items(content, items)


def load_docx(path: str | Path) -> Document:
    """Load a .docx into a Document (one page: Word files carry no fixed pagination)."""
    import docx

    p = Path(path)
    check_zip(p, "word/document.xml")
    try:
        d = docx.Document(str(p))
    except Exception as exc:  # python-docx raises KeyError, ValueError, lxml errors ... on broken packages
        raise CorruptDocument(f"not a readable Word document ({type(exc).__name__}: {exc})", file=str(p)) from None
    items: list[Item] = []
    _body_items(d.element.body, items)
    pages, tables = build_pages([(1, None, None, items)])
    status = "ok" if pages and pages[0].lines else "empty"
    warnings = [] if status == "ok" else ["document has no text"]
    return Document(source=str(p), name=p.name, sha256=sha256_of(p), format="docx", pages=pages, tables=tables,
                    status=status, warnings=warnings)
