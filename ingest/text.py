"""Plain-text / Markdown loader: decoding, lines and pages; tables are rebuilt by perfdraft.ingest.layout."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from perfdraft.core.errors import CorruptDocument, EmptyDocument
from perfdraft.core.models import Document
from perfdraft.ingest.layout import reconstruct
from perfdraft.ingest.light import LightDocument, LightLine, LightPage

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


def load_text(path: str | Path, kind: str = "text") -> Document:
    """Load a .txt/.md file into a Document (form feeds split pages; grids detected from the layout)."""
    return load_text_light(path, kind).to_document()


def load_text_light(path: str | Path, kind: str = "text") -> LightDocument:
    """The same content as load_text, as light lines and grids (the rules hot path; no pydantic objects)."""
    p = Path(path)
    data = p.read_bytes()
    if not data.strip():
        raise EmptyDocument("file is empty", file=str(p))
    try:
        text, encoding = decode_bytes(data)
    except ValueError as exc:
        raise CorruptDocument(str(exc), file=str(p)) from exc
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    pages: list[LightPage] = []
    lineno = 0
    for pno, chunk in enumerate(text.split("\f"), start=1):
        parts = chunk.split("\n")
        if pno > 1 and parts and parts[0] == "":
            parts = parts[1:]  # the form feed usually sits at the start of a line
        pages.append(LightPage(pno, [LightLine(part, pno, lineno + k) for k, part in enumerate(parts, start=1)]))
        lineno += len(parts)
    all_lines = [ln for pg in pages for ln in pg.lines]
    doc = LightDocument(str(p), p.name, hashlib.sha256(data).hexdigest(),
                        "markdown" if kind == "markdown" else "text", encoding, pages)
    doc.tables = reconstruct(all_lines)
    return doc
