"""What a file really is, read from its first bytes: government sites serve HTML as .xls and DOCX as .doc."""

from __future__ import annotations

import re
from pathlib import Path

from perfdraft.core.lazy_re import lazy

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_OLE_BYTES = 64 * 1024 * 1024  # a legacy Office file larger than this is refused by its loader anyway
HTML_START = lazy(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|meta|body|table|"
                        rb"title|style|div|p[\s>])", re.I | re.S)
# Word (.doc) and WPS Writer (.wps) keep text in a WordDocument stream; Excel and WPS Spreadsheets in Workbook
OLE_STREAMS = {"WordDocument": "doc", "Workbook": "xls", "Book": "xls"}


def _ole_kind(path: Path) -> str | None:
    """doc or xls from the OLE2 directory (a corrupt directory: None, the loader then says what is wrong)."""
    if path.stat().st_size > MAX_OLE_BYTES:
        return None
    from xlrd.compdoc import CompDoc, CompDocError  # heavy: only for files that start like OLE2
    try:
        names = [d.name for d in CompDoc(path.read_bytes(), logfile=QuietLog()).dirlist]
    except (CompDocError, IndexError, ValueError, OSError):
        return None
    for stream, kind in OLE_STREAMS.items():
        if stream in names:
            return kind
    return None


class QuietLog:
    """xlrd writes warnings ('WARNING *** OLE2 inconsistency') to a log file; this one discards them."""

    def write(self, _s: str) -> None:
        pass


def _zip_kind(path: Path) -> str | None:
    import zipfile  # only for files that start like a zip: a text file is sniffed without it
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return None


def _text_head(head: bytes) -> bytes:
    """The head as ASCII-compatible bytes (UTF-16 pages saved by Windows tools decoded first)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        enc = "utf-16-le" if head.startswith(b"\xff\xfe") else "utf-16-be"
        return head[2:].decode(enc, errors="ignore").encode("utf-8")
    return head[3:] if head.startswith(b"\xef\xbb\xbf") else head


def sniff(path: str | Path) -> str | None:
    """The content's kind (pdf, docx, xlsx, doc, xls, html, rtf), or None when the bytes say nothing."""
    p = Path(path)
    with p.open("rb") as fh:
        head = fh.read(4096)
    if head.startswith(b"%PDF-") or b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(p)
    if head.startswith(OLE2):
        return _ole_kind(p)
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if HTML_START.match(_text_head(head)):
        return "html"
    return None
