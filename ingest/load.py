"""Front door of ingest: any supported file -> Document, or a typed InputError naming the file."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from perfdraft.core.errors import EmptyDocument, InputError, TooLarge, UnsupportedFormat
from perfdraft.core.models import Document
from perfdraft.ingest.digest import sha256_of  # noqa: F401  (re-exported: the hasher's old home)
from perfdraft.ingest.sanitize import sanitize_document
from perfdraft.ingest.sniff import sniff
from perfdraft.ingest.light import LightDocument
from perfdraft.ingest.text import load_text, load_text_light

MAX_BYTES = 200 * 1024 * 1024  # stops absurd inputs of any kind
# A published 绩效文本 is well under 5 MB of text; a larger "text" file is a dump or a mistake, and loading it
# line by line into typed lines would take about 12x its size in memory.
MAX_TEXT_BYTES = 20 * 1024 * 1024
MAX_HTML_BYTES = 20 * 1024 * 1024  # a saved 绩效文本 page is well under 2 MB; lxml's tree takes ~10x the bytes


@dataclass(frozen=True)
class Loader:
    """How one file type is read: its format name (Document.format), the loader, and its size limit."""

    kind: str
    load: Callable[[Path], Document]
    max_bytes: int = MAX_BYTES
    paged: bool = False  # reads pages by OCR: load also takes progress= (per page) and options= (OcrOptions)
    light: Callable[[Path], LightDocument] | None = None  # the same content as light objects (ingest.light)


def _deferred(target: str) -> Callable[..., Document]:
    """The loader `module:function`, imported with the first file of its type: a run over text files imports no
    Office reader (zipfile, subprocess, sockets for LibreOffice) and no OCR (numpy, OpenCV: the costliest imports)."""
    module, name = target.split(":")

    def load(path: Path, **kwargs) -> Document:
        return getattr(importlib.import_module(module), name)(path, **kwargs)

    return load


# The loader registry, keyed by lower-case suffix. A new file type (HTML, .doc, .xls, OCR'd scans) is one line
# here; every supported-types list (batch, CLI help, the page's upload widget) is derived from it.
LOADERS: dict[str, Loader] = {
    ".txt": Loader("text", partial(load_text, kind="text"), MAX_TEXT_BYTES,
                   light=partial(load_text_light, kind="text")),
    ".md": Loader("markdown", partial(load_text, kind="markdown"), MAX_TEXT_BYTES,
                  light=partial(load_text_light, kind="markdown")),
    ".pdf": Loader("pdf", _deferred("perfdraft.ingest.ocr:load_pdf_or_scan"), paged=True),
    ".docx": Loader("docx", _deferred("perfdraft.ingest.docx:load_docx")),
    ".xlsx": Loader("xlsx", _deferred("perfdraft.ingest.xlsx:load_xlsx")),
    ".csv": Loader("csv", _deferred("perfdraft.ingest.delimited:load_delimited"), MAX_TEXT_BYTES),
    ".tsv": Loader("csv", _deferred("perfdraft.ingest.delimited:load_delimited"), MAX_TEXT_BYTES),
    ".html": Loader("html", _deferred("perfdraft.ingest.html:load_html"), MAX_HTML_BYTES),
    ".htm": Loader("html", _deferred("perfdraft.ingest.html:load_html"), MAX_HTML_BYTES),
    ".xls": Loader("xls", _deferred("perfdraft.ingest.legacy:load_xls")),
    ".doc": Loader("doc", _deferred("perfdraft.ingest.legacy:load_doc")),
    ".rtf": Loader("doc", _deferred("perfdraft.ingest.legacy:load_doc")),
    ".wps": Loader("wps", _deferred("perfdraft.ingest.legacy:load_wps")),
    ".et": Loader("et", _deferred("perfdraft.ingest.legacy:load_et")),
    **{s: Loader("image", _deferred("perfdraft.ingest.ocr:load_image"), paged=True)
       for s in (".png", ".jpg", ".jpeg", ".tif", ".tiff")},
}


def supported_suffixes() -> tuple[str, ...]:
    """The file suffixes load_document reads, in registry order (the one supported-types list)."""
    return tuple(LOADERS)


def describe_supported(joiner: str = "/") -> str:
    """The supported suffixes as text for help and error messages, e.g. '.txt/.md/.pdf/.docx/.xlsx'."""
    return joiner.join(supported_suffixes())


def load_document(path: str | Path, *, max_bytes: int = MAX_BYTES, progress=None, ocr=None,
                  light: bool = False) -> Document | LightDocument:
    """Load a file of any registered type into a Document; raise InputError subclasses on bad input.

    Control characters are stripped here, once for every format, with a warning on the Document.
    progress(pages_done, pages_total) is called per OCR'd page (scanned PDFs and images); ocr is an
    ingest.ocr.OcrOptions (engine, dpi, digit confidence floor), defaults when None.
    light=True: a type with a light loader (text) comes back as an ingest.light.LightDocument, the same fields
    without pydantic objects, for the rules backend's hot path (extract_file); every other type as a Document.
    """
    return sanitize_document(_load_by_kind(path, max_bytes=max_bytes, progress=progress, ocr=ocr, light=light))


def _load_by_kind(path: str | Path, *, max_bytes: int, progress=None, ocr=None,
                  light: bool = False) -> Document | LightDocument:
    p = Path(path)
    if not p.is_file():
        raise InputError("file not found", file=str(p))
    loader = LOADERS.get(p.suffix.lower())
    if loader is None:
        raise UnsupportedFormat(f"unsupported file type {p.suffix or '(none)'}; expected one of "
                                + ", ".join(sorted(LOADERS)), file=str(p))
    size = p.stat().st_size
    if size == 0:
        raise EmptyDocument("file is empty", file=str(p))
    loader, note = _by_content(p, loader)
    limit = min(max_bytes, loader.max_bytes)
    if size > limit:
        raise TooLarge(f"file is {size / 1e6:.0f} MB, over the {limit / 1e6:.0f} MB limit for {loader.kind} files",
                       file=str(p))
    if light and loader.light is not None:
        doc = loader.light(p)
    else:
        doc = loader.load(p, progress=progress, options=ocr) if loader.paged else loader.load(p)
    return doc.model_copy(update={"warnings": [*doc.warnings, note]}) if note else doc


# what sniff() reports -> the suffix whose loader reads it; a WPS file keeps its own loader and format, and
# markup inside a text file is still text
CONTENT_SUFFIX = {"pdf": ".pdf", "docx": ".docx", "xlsx": ".xlsx", "doc": ".doc", "xls": ".xls", "html": ".html",
                  "rtf": ".rtf"}
KEEP_NAMED = {("doc", "wps"), ("xls", "et"), ("html", "text"), ("html", "markdown"), ("rtf", "text"),
              ("rtf", "markdown")}


def _by_content(p: Path, named: Loader) -> tuple[Loader, str | None]:
    """The loader for what the bytes are (and a note when that differs from the name), else the named one."""
    found = sniff(p)
    if found is None or (found, named.kind) in KEEP_NAMED:
        return named, None
    loader = LOADERS.get(CONTENT_SUFFIX[found])
    if loader is None or loader.kind == named.kind:
        return named, None
    return loader, f"content is {found.upper()} although the name ends in {p.suffix}; read as {found.upper()}"
