"""Plain-text / Markdown loader: decoding, lines and pages, and table grids made explicit by the layout."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from perfdraft.core.errors import CorruptDocument, EmptyDocument
from perfdraft.core.models import Document, Page, TableCell, TableGrid, TextLine

_ENCODINGS = ("utf-8-sig", "gb18030")


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode with a cheap strict attempt order (UTF-8 with BOM, GB18030), then charset-normalizer."""
    for enc in _ENCODINGS:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        return text, ("utf-8" if enc == "utf-8-sig" else enc)
    from charset_normalizer import from_bytes
    best = from_bytes(data).best()
    if best is None:
        raise ValueError("cannot detect the text encoding")
    return str(best), best.encoding


def _is_cell_line(s: str) -> bool:
    """A one-cell-per-line dump: a leading tab, then the cell text (no further tabs)."""
    return s.startswith("\t") and "\t" not in s[1:]


_PIPE_SEP = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")


def _is_pipe_row(s: str) -> bool:
    """A Markdown table row: | a | b |."""
    t = s.strip()
    return t.startswith("|") and t.count("|") >= 3


def _pipe_cells(s: str) -> list[str]:
    t = s.strip()
    if t.startswith("|"):
        t = t[1:]
    if t.endswith("|"):
        t = t[:-1]
    return [c.strip() for c in t.split("|")]


def _is_tab_row(s: str) -> bool:
    return "\t" in s and not _is_cell_line(s) and "...." not in s


def detect_grids(lines: list[TextLine]) -> list[TableGrid]:
    """Find tab-separated rows and one-cell-per-line dumps; set TextLine.table on covered lines."""
    grids: list[TableGrid] = []
    i, n = 0, len(lines)
    while i < n:
        s = lines[i].text
        if _is_tab_row(s):
            j = i
            rows: list[tuple[TextLine, list[str]]] = []
            while j < n and _is_tab_row(lines[j].text):
                rows.append((lines[j], lines[j].text.split("\t")))
                j += 1
            if len(rows) >= 1 and max(len(r[1]) for r in rows) >= 3:
                grids.append(_grid(len(grids), [[(ln, c) for c in cells] for ln, cells in rows], "text-tabs"))
            i = j
            continue
        if _is_pipe_row(s):
            j = i
            prows: list[tuple[TextLine, list[str]]] = []
            while j < n and _is_pipe_row(lines[j].text):
                if not _PIPE_SEP.match(lines[j].text):
                    prows.append((lines[j], _pipe_cells(lines[j].text)))
                j += 1
            if prows:
                grids.append(_grid(len(grids), [[(ln, c) for c in cells] for ln, cells in prows], "text-pipes"))
            i = j
            continue
        if _is_cell_line(s):
            # rows are runs of cell lines; a single blank line separates rows of the same table
            rows_c: list[list[tuple[TextLine, str]]] = []
            j = i
            while j < n:
                run: list[tuple[TextLine, str]] = []
                while j < n and _is_cell_line(lines[j].text):
                    run.append((lines[j], lines[j].text[1:]))
                    j += 1
                if run:
                    rows_c.append(run)
                if j < n and not lines[j].text.strip() and j + 1 < n and _is_cell_line(lines[j + 1].text):
                    j += 1
                    continue
                break
            grids.append(_grid(len(grids), rows_c, "text-cells"))
            i = j
            continue
        i += 1
    by_no = {ln.lineno: ln for ln in lines}
    for g in grids:
        for no in range(g.line_start, g.line_end + 1):
            if no in by_no:
                by_no[no].table = g.index
    return grids


def _unquote(s: str) -> str:
    """A CSV-style quoted cell ("...", with "" inside) -> its text."""
    if len(s) >= 2 and s[0] == s[-1] == '"':
        return s[1:-1].replace('""', '"')
    return s


def _grid(index: int, rows: list[list[tuple[TextLine, str]]], origin: str) -> TableGrid:
    cells = [TableCell(text=_unquote(text.strip()), row=r, col=c, page=ln.page, lineno=ln.lineno)
             for r, row in enumerate(rows) for c, (ln, text) in enumerate(row)]
    pages = sorted({ln.page for row in rows for ln, _ in row})
    first, last = rows[0][0][0], rows[-1][-1][0]
    return TableGrid(index=index, page=first.page, pages=pages, n_rows=len(rows),
                     n_cols=max(len(r) for r in rows), cells=cells, origin=origin,
                     line_start=first.lineno, line_end=last.lineno)


def load_text(path: str | Path, kind: str = "text") -> Document:
    """Load a .txt/.md file into a Document (form feeds split pages; grids detected from the layout)."""
    p = Path(path)
    data = p.read_bytes()
    if not data.strip():
        raise EmptyDocument("file is empty", file=str(p))
    try:
        text, encoding = decode_bytes(data)
    except ValueError as exc:
        raise CorruptDocument(str(exc), file=str(p)) from exc
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    pages: list[Page] = []
    lineno = 0
    for pno, chunk in enumerate(text.split("\f"), start=1):
        page = Page(number=pno)
        parts = chunk.split("\n")
        if pno > 1 and parts and parts[0] == "":
            parts = parts[1:]  # the form feed usually sits at the start of a line
        for part in parts:
            lineno += 1
            page.lines.append(TextLine(text=part, page=pno, lineno=lineno))
        pages.append(page)
    all_lines = [ln for pg in pages for ln in pg.lines]
    doc = Document(source=str(p), name=p.name, sha256=hashlib.sha256(data).hexdigest(),
                   format="markdown" if kind == "markdown" else "text", encoding=encoding, pages=pages)
    doc.tables = detect_grids(all_lines)
    return doc
