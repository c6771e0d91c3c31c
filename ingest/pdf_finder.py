"""PyMuPDF's ruled-table finder fed with the characters of the loader's own text pass (no second extraction)."""

from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from contextvars import ContextVar

log = logging.getLogger("perfdraft.ingest.pdf")

# pymupdf.VersionBind values (or prefixes "2.0" of "2.0.x") whose pymupdf/table.py this hook was read against.
# There find_tables() resets its per-call CHARS list, fills it through the module-level make_chars(page, clip)
# (a second "rawdict" extraction plus one Python dict of 23 fields per character), and on the lines strategy reads
# only six fields of each: text, x0, x1, top, bottom (cells_to_tables' has_text: a candidate table with no
# overlapping character is dropped) and y0, y1 (make_edges' chars_in_rect: a joined graphics box is a table
# bbox candidate when a character lies inside it). Another version may read more: it takes the public path.
TESTED_VERSIONS = ("2.0",)

# The characters supplied for the find_tables() call running in this context; None: PyMuPDF builds its own.
_SUPPLIED: ContextVar[list[dict] | None] = ContextVar("perfdraft_finder_chars", default=None)
_PUBLIC: ContextVar[bool] = ContextVar("perfdraft_finder_public", default=False)
_lock = threading.Lock()
_hooked: bool | None = None  # None: not decided yet


def tested(version: str) -> bool:
    """Whether a pymupdf.VersionBind is one the hook was written against."""
    return any(version == v or version.startswith(v + ".") for v in TESTED_VERSIONS)


def install() -> bool:
    """Put the hook in pymupdf.table once (a tested version only); False: the public path is used."""
    global _hooked
    with _lock:
        if _hooked is None:
            import pymupdf
            from pymupdf import table

            if tested(pymupdf.VersionBind) and callable(getattr(table, "make_chars", None)) and hasattr(table,
                                                                                                     "CHARS"):
                if not getattr(table.make_chars, "perfdraft_hook", False):  # once per process, also when re-decided
                    table.make_chars = _hook(table.make_chars, table.CHARS)
                _hooked = True
            else:
                log.warning("PyMuPDF %s is not one the table-finder hook was tested with (%s): tables are found "
                            "by the public find_tables path (same tables, slower)", pymupdf.VersionBind,
                            ", ".join(TESTED_VERSIONS))
                _hooked = False
        return _hooked


@contextmanager
def public_path():
    """Within it, tables are found by PyMuPDF's public path alone, as on an untested version (for comparisons)."""
    token = _PUBLIC.set(True)
    try:
        yield
    finally:
        _PUBLIC.reset(token)


def _hook(original, chars_list):
    def make_chars(page, clip=None):
        supplied = _SUPPLIED.get()
        if supplied is None or clip is not None:
            return original(page, clip=clip)
        chars_list.extend(supplied)
        # no TextPage: only Table.extract(markdown)/to_markdown and the layout path read it, the loader reads cells
        return None

    make_chars.__wrapped__ = original
    make_chars.perfdraft_hook = True
    return make_chars


def finder_chars(blocks: list[dict], ctm) -> list[dict]:
    """The fields find_tables reads of each character, from the page's "rawdict" blocks (page coordinates).

    PyMuPDF's own pass has ink boxes (TEXT_ACCURATE_BBOXES), the loader's pass font-metric boxes; x extents are the
    same. Horizontal text gets one font size of height from the span's ascender and descender (PyMuPDF's "small
    glyph heights"), which lies closer to the ink than the loader's full-height box: the presence tests can only
    differ for a character within a few points of a ruling of a table or box that holds no other text.
    """
    d, f = ctm[3], ctm[5]  # y in PDF space (y0/y1) = d * y + f; callers pass unrotated pages only
    out = []
    for block in blocks:
        for line in block.get("lines", ()):
            dx, dy = line["dir"]
            horizontal = abs(dy) < 5e-5 and dx > 0  # as make_chars: direction rounded to 4 places
            for span in line["spans"]:
                asc, dsc, size = span["ascender"], span["descender"], span["size"]
                if asc < 1e-3:  # glyphless font (OCR layers): PyMuPDF's stand-in metrics
                    asc, dsc = 0.9, -0.1
                up, down = asc / (asc - dsc) * size, dsc / (asc - dsc) * size
                for ch in span["chars"]:
                    x0, top, x1, bottom = ch["bbox"]
                    if horizontal:
                        oy = ch["origin"][1]
                        top, bottom = oy - up, oy - down
                    a, b = d * top + f, d * bottom + f
                    out.append({"text": ch["c"], "x0": x0, "x1": x1, "top": top, "bottom": bottom,
                                "y0": min(a, b), "y1": max(a, b)})
    return out


def find_tables(page, blocks: list[dict]) -> list:
    """Ruled tables of a page (PyMuPDF find_tables, lines strategy, no layout model) as pymupdf Tables."""
    # use_layout=False: the optional ONNX layout model (pymupdf-layout) costs ~0.7 s a page and, when it sees no
    # table, suppresses the ruling-based finder altogether; rulings are what we trust here
    if _PUBLIC.get() or not install():
        return page.find_tables(use_layout=False).tables
    paths = page.get_drawings()
    if not paths:  # the lines strategy makes cells only from vector rulings: no drawing, no table
        return []
    ctm = page.transformation_matrix
    if page.rotation != 0 or ctm[1] or ctm[2]:
        # find_tables derotates a rotated page and reads its drawings and characters there: leave it to PyMuPDF
        return page.find_tables(use_layout=False).tables
    token = _SUPPLIED.set(finder_chars(blocks, ctm))
    try:
        return page.find_tables(use_layout=False, paths=paths).tables
    finally:
        _SUPPLIED.reset(token)
