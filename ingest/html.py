"""HTML loader: saved web pages -> Document; every data <table> a spanned grid, the text around it as lines.

Parser: lxml.html (libxml2's HTML parser), chosen by bench/formats_bench.py (BENCHMARKS.md): on the 54-table
gold page it parses in ~6 ms against html5lib's ~860 ms, and all three candidates (with selectolax/lexbor at
~4 ms) rebuild the right grids from broken markup (unclosed <td>/<tr>, stray </table>). selectolax's couple of
milliseconds are nothing beside the walk and extraction (~1 s for that page), while lxml is already pinned
(python-docx needs it) and its element text/tail model is what the walk below reads, so it adds no dependency.

Reading order: body text and tables in document order; a table nested inside a cell is its own grid, placed
right after the table that contains it (its text is not smeared into the outer cell). A single-column table
is a layout wrapper, so its content flows as ordinary text and tables.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from pathlib import Path

from perfdraft.core.lazy_re import lazy
from perfdraft.core.errors import CorruptDocument, TooLarge
from perfdraft.core.models import Document
from perfdraft.ingest.digest import sha256_of
from perfdraft.ingest.load import MAX_HTML_BYTES
from perfdraft.ingest.rawgrid import Item, RawCell, RawLine, RawTable, build_pages

MAX_DEPTH = 200  # element nesting; real pages stay under 40, deeper is a parser bomb
MAX_COLSPAN = 1000  # the HTML standard's own clamp for colspan
MAX_ROWSPAN = 65534  # ... and for rowspan
MAX_GRID_CELLS = 200_000  # rows x columns of one table; a 绩效目标表 has a few hundred
SKIP = {"script", "style", "noscript", "template", "head", "title", "object", "iframe", "svg", "math", "select"}
BLOCK = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "pre", "blockquote",
         "hr", "section", "article", "header", "footer", "nav", "aside", "main", "figure", "figcaption", "form",
         "address", "center", "caption", "fieldset", "legend", "details", "summary", "tr", "body", "html"}
# GB2312/GBK pages routinely contain characters outside their declared set (typed with a GBK IME)
WIDER = {"gb2312": "gb18030", "gbk": "gb18030", "gb_2312-80": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030",
         "ascii": "utf-8", "us-ascii": "utf-8", "iso-8859-1": "cp1252", "latin-1": "cp1252"}
META_CHARSET = lazy(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.I)


class MarkupTooComplex(TooLarge):
    """A page whose nesting or table spans exceed what any real document uses (a parser bomb)."""

    kind = "markup-too-complex"


def _declared(raw: bytes) -> str | None:
    m = META_CHARSET.search(raw[:8192])
    return m.group(1).decode("ascii").lower() if m else None


def decode_html(raw: bytes) -> tuple[str, str]:
    """Page bytes -> (text, encoding): BOM first, then <meta charset>, then UTF-8, then GB18030."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                     (codecs.BOM_UTF16_BE, "utf-16-be")):
        if raw.startswith(bom):
            return raw[len(bom):].decode(enc, errors="replace"), enc
    declared = _declared(raw)
    tried = []
    if declared:
        try:
            enc = codecs.lookup(WIDER.get(declared, declared)).name
            tried.append(enc)
        except LookupError:
            pass
    for enc in tried + ["utf-8", "gb18030"]:
        try:
            return raw.decode(enc), enc
        except UnicodeDecodeError:
            continue
    return raw.decode("gb18030", errors="replace"), "gb18030"


def _tag(el) -> str:
    return el.tag.lower() if isinstance(el.tag, str) else ""


def _ws(s: str) -> str:
    """Browser whitespace: runs of spaces, tabs, newlines and no-break spaces render as one space."""
    return re.sub(r"[ \t\r\n\f\u00a0\u3000]+", " ", s) if s else ""


@dataclass
class _Flow:
    """Text collected in reading order, cut into lines at block boundaries and <br>."""

    parts: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    def add(self, s: str) -> None:
        if s:
            self.parts.append(s)

    def brk(self) -> None:
        text = "".join(self.parts)
        self.parts = []
        self.lines.extend(t.strip() for t in text.split("\n") if t.strip())


class _Walker:
    """One pass over the tree: body text lines and tables (nested ones after their container) as Items."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.items: list[Item] = []
        self.flow = _Flow()
        self.n_tables = 0

    def _emit_lines(self) -> None:
        self.flow.brk()
        for t in self.flow.lines:
            self.items.append(Item(y=len(self.items), line=RawLine(text=t, page=1)))
        self.flow.lines = []

    def walk(self, el, depth: int = 0) -> None:
        """Flow content: text goes into lines; a data table becomes an Item (and its nested tables after it)."""
        if depth > MAX_DEPTH:
            raise MarkupTooComplex(f"elements nested more than {MAX_DEPTH} deep; refusing the page",
                                   file=str(self.path))
        tag = _tag(el)
        if tag == "table":
            self._table(el, depth)
            self.flow.add(_ws(el.tail or ""))
            return
        if tag in SKIP or not tag:  # comments and processing instructions have no string tag
            self.flow.add(_ws(el.tail or ""))
            return
        if tag == "br":
            self.flow.brk()
        elif tag in BLOCK:
            self.flow.brk()
        self.flow.add(el.text if tag == "pre" else _ws(el.text or ""))
        for child in el:
            self.walk(child, depth + 1)
        if tag in BLOCK:
            self.flow.brk()
        self.flow.add(_ws(el.tail or ""))

    def _table(self, table, depth: int) -> None:
        rows = list(_table_rows(table))
        if all(len(_row_cells(tr)) <= 1 for tr in rows):  # a layout wrapper: its content is page flow
            self.flow.brk()
            for tr in rows:
                for td in _row_cells(tr):
                    self._cell_as_flow(td, depth + 2)
            self.flow.brk()
            return
        self._emit_lines()
        for caption in (child for child in table if _tag(child) == "caption"):  # the title, above the grid
            self.walk(caption, depth + 1)
        self._emit_lines()
        nested: list = []
        raw = self._grid(table, rows, nested, depth)
        self.items.append(Item(y=len(self.items), table=raw))
        for inner, d in nested:
            self._table(inner, d)
            self._emit_lines()

    def _cell_as_flow(self, td, depth: int) -> None:
        self.flow.brk()
        self.flow.add(_ws(td.text or ""))
        for child in td:
            self.walk(child, depth + 1)
        self.flow.brk()

    def _grid(self, table, rows: list, nested: list, depth: int) -> RawTable:
        """The table's cells on an occupancy grid (rowspan/colspan as in a browser)."""
        self.n_tables += 1
        taken: set[tuple[int, int]] = set()
        cells: list[RawCell] = []
        n_cols = 0
        n_rows = len(rows)
        for r, tr in enumerate(rows):
            c = 0
            for td in _row_cells(tr):
                while (r, c) in taken:
                    c += 1
                colspan = self._span(td, "colspan", 1, MAX_COLSPAN)
                rowspan = self._span(td, "rowspan", 1, MAX_ROWSPAN)
                rowspan = n_rows - r if rowspan == 0 else min(rowspan, n_rows - r)  # 0: to the end
                colspan = max(colspan, 1)
                if (c + colspan) * n_rows > MAX_GRID_CELLS:
                    raise MarkupTooComplex(f"table {self.n_tables} would have {n_rows} x {c + colspan} cells "
                                           f"(limit {MAX_GRID_CELLS}); refusing the page", file=str(self.path))
                for rr in range(r, r + rowspan):
                    for cc in range(c, c + colspan):
                        taken.add((rr, cc))
                lines = [RawLine(text=t, page=1) for t in _cell_lines(td, nested, depth + 3, self)]
                cells.append(RawCell(row=r, col=c, rowspan=rowspan, colspan=colspan, page=1, lines=lines))
                c += colspan
                n_cols = max(n_cols, c)
        n_cols = max([n_cols] + [cc + 1 for _, cc in taken])
        return RawTable(n_rows=n_rows, n_cols=n_cols, cells=cells, origin="html", page=1, pages=[1])

    def _span(self, td, name: str, default: int, limit: int) -> int:
        value = td.get(name)
        if value is None:
            return default
        m = re.match(r"\s*(\d+)", value)
        if not m:
            return default
        n = int(m.group(1))
        if n > limit:
            raise MarkupTooComplex(f"table {self.n_tables} has {name}={n}, over the HTML limit of {limit}; "
                                   "refusing the page", file=str(self.path))
        return n


def _table_rows(table):
    """The table's own rows (thead/tbody/tfoot in source order), not those of nested tables."""
    for child in table:
        tag = _tag(child)
        if tag == "tr":
            yield child
        elif tag in ("thead", "tbody", "tfoot"):
            for tr in child:
                if _tag(tr) == "tr":
                    yield tr


def _row_cells(tr) -> list:
    return [td for td in tr if _tag(td) in ("td", "th")]


def _cell_lines(td, nested: list, depth: int, walker: _Walker) -> list[str]:
    """A cell's visible lines; <br> and blocks break lines, nested tables are set aside as their own grids."""
    flow = _Flow()

    def visit(el, d: int) -> None:
        if d > MAX_DEPTH:
            raise MarkupTooComplex(f"elements nested more than {MAX_DEPTH} deep; refusing the page",
                                   file=str(walker.path))
        tag = _tag(el)
        if tag == "table":
            nested.append((el, d))
            flow.brk()
        elif tag and tag not in SKIP:
            if tag == "br" or tag in BLOCK:
                flow.brk()
            flow.add(el.text if tag == "pre" else _ws(el.text or ""))
            for child in el:
                visit(child, d + 1)
            if tag in BLOCK:
                flow.brk()
        flow.add(_ws(el.tail or ""))

    flow.add(_ws(td.text or ""))
    for child in td:
        visit(child, depth + 1)
    flow.brk()
    return flow.lines


def parse_html(text: str, path: Path) -> list[Item]:
    """Reading-order items of a decoded page."""
    import lxml.etree  # heavy: imported with the first web page, not by every command that can read one
    import lxml.html
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True)
    try:
        root = lxml.html.document_fromstring(text.encode("utf-8"), parser=parser)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise CorruptDocument(f"not a readable web page ({exc})", file=str(path)) from None
    body = root.find("body")
    return tree_items(body if body is not None else root, path)


def tree_items(root, path: Path) -> list[Item]:
    """Reading-order items of a parsed tree (lxml elements with plain tag names)."""
    walker = _Walker(path)
    walker.walk(root)
    walker._emit_lines()
    return walker.items


def load_html(path: str | Path) -> Document:
    """Load a saved web page (.html/.htm, any of GB2312/GBK/GB18030/UTF-8) into a one-page Document."""
    p = Path(path)
    size = p.stat().st_size
    if size > MAX_HTML_BYTES:
        raise TooLarge(f"page is {size / 1e6:.0f} MB, over the {MAX_HTML_BYTES / 1e6:.0f} MB limit for web pages",
                       file=str(p))
    text, encoding = decode_html(p.read_bytes())
    items = parse_html(text, p)
    pages, tables = build_pages([(1, None, None, items)])
    status = "ok" if pages and pages[0].lines else "empty"
    return Document(source=str(p), name=p.name, sha256=sha256_of(p), format="html", encoding=encoding, pages=pages,
                    tables=tables, status=status, warnings=[] if status == "ok" else ["page has no text"])
