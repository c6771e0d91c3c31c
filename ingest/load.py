"""Front door of ingest: any supported file -> Document, or a typed InputError naming the file."""

from __future__ import annotations

import hashlib
from pathlib import Path

from perfdraft.core.errors import EmptyDocument, InputError, TooLarge, UnsupportedFormat
from perfdraft.core.models import Document

SUFFIXES = {".txt": "text", ".md": "markdown", ".pdf": "pdf", ".docx": "docx", ".xlsx": "xlsx"}
MAX_BYTES = 200 * 1024 * 1024  # stops absurd inputs of any kind
# A published 绩效文本 is well under 5 MB of text; a larger "text" file is a dump or a mistake, and loading it
# line by line into typed lines would take about 12x its size in memory.
MAX_TEXT_BYTES = 20 * 1024 * 1024


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def load_document(path: str | Path, *, max_bytes: int = MAX_BYTES) -> Document:
    """Load a .txt/.md/.pdf/.docx/.xlsx file into a Document; raise InputError subclasses on bad input."""
    p = Path(path)
    if not p.is_file():
        raise InputError("file not found", file=str(p))
    kind = SUFFIXES.get(p.suffix.lower())
    if kind is None:
        raise UnsupportedFormat(f"unsupported file type {p.suffix or '(none)'}; expected one of "
                                + ", ".join(sorted(SUFFIXES)), file=str(p))
    size = p.stat().st_size
    if size == 0:
        raise EmptyDocument("file is empty", file=str(p))
    limit = min(max_bytes, MAX_TEXT_BYTES) if kind in ("text", "markdown") else max_bytes
    if size > limit:
        raise TooLarge(f"file is {size / 1e6:.0f} MB, over the {limit / 1e6:.0f} MB limit for {kind} files",
                       file=str(p))
    if kind in ("text", "markdown"):
        from perfdraft.ingest.text import load_text
        return load_text(p, kind=kind)
    if kind == "pdf":
        from perfdraft.ingest.pdf import load_pdf
        return load_pdf(p)
    if kind == "docx":
        from perfdraft.ingest.docx import load_docx
        return load_docx(p)
    from perfdraft.ingest.xlsx import load_xlsx
    return load_xlsx(p)
