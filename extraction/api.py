"""Front door of extraction: a file or Document -> ExtractionResult with a status, never a traceback."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from perfdraft.core import lexicon
from perfdraft.core.errors import PerfdraftError
from perfdraft.core.lexicon import Lexicon
from perfdraft.core.models import Document, ErrorInfo, ExtractionResult, PerformanceDocument
from perfdraft.core.settings import Settings, get_settings
from perfdraft.extraction.rules import extract_rules as _rules
from perfdraft.ingest.load import load_document
from perfdraft.llm.protocol import StructuredClient

# An extraction backend: (document, settings, client) -> result. The registry is the one list of backends.
Backend = Callable[[Document, Settings, StructuredClient | None], ExtractionResult]


def extract_rules(doc: Document, lexicon: Lexicon | None = None) -> PerformanceDocument:
    """Deterministic layout-aware extraction (the embedded default), optionally helped by a lexicon."""
    return _rules(doc, lexicon)


def _rules_backend(doc: Document, settings: Settings, client: StructuredClient | None) -> ExtractionResult:
    """The rules backend as a registry entry (the client is not used)."""
    return ExtractionResult(source=doc.source, status="success", document=extract_rules(doc, lexicon.for_extraction(settings, doc.source)),
                            backend="rules")


def _llm_backend(name: str, doc: Document, settings: Settings, client: StructuredClient | None) -> ExtractionResult:
    # the LLM stack (client, cache, prompts, grounding) is imported by the first LLM extraction, not by every
    # rules run: it costs more to import than a small file takes to extract
    from perfdraft.extraction.llm import extract_with_llm
    return extract_with_llm(doc, backend=name, settings=settings, client=client)


BACKENDS: dict[str, Backend] = {
    "rules": _rules_backend,
    "llm": partial(_llm_backend, "llm"),
    "hybrid": partial(_llm_backend, "hybrid"),
}


def backend_names() -> list[str]:
    """The registered extraction backends, for CLI choices and the page's selector."""
    return list(BACKENDS)


def extract_file(path: str | Path, *, backend: str = "rules", settings: Settings | None = None,
                 client: StructuredClient | None = None, progress=None) -> ExtractionResult:
    """Load and extract one file with the chosen backend (rules, llm, hybrid); progress(k, n) per OCR'd page."""
    settings = settings or get_settings()
    start = time.perf_counter()
    src = str(path)
    try:
        # the rules backend reads light lines and cells (ingest.light): no pydantic object per line and cell
        doc = load_document(path, progress=progress, light=backend == "rules")
        return extract_loaded(doc, backend=backend, settings=settings, client=client, start=start)
    except PerfdraftError as exc:
        return ExtractionResult(source=src, status="failure", backend=backend,
                                errors=[ErrorInfo(kind=exc.kind, message=exc.message, file=exc.file or src,
                                                  page=exc.page)],
                                seconds=time.perf_counter() - start)


def extract_loaded(doc: Document, *, backend: str = "rules", settings: Settings | None = None,
                   client: StructuredClient | None = None, start: float | None = None) -> ExtractionResult:
    """Extract an already loaded Document."""
    settings = settings or get_settings()
    start = time.perf_counter() if start is None else start
    if doc.status == "scanned":
        return ExtractionResult(source=doc.source, status="failure", backend=backend, warnings=list(doc.warnings),
                                errors=[ErrorInfo(kind="scanned", message="scanned: no text layer (run OCR first)",
                                                  file=doc.source)],
                                seconds=time.perf_counter() - start)
    run = BACKENDS.get(backend)
    if run is None:
        raise ValueError(f"unknown backend {backend!r}; expected one of {', '.join(BACKENDS)}")
    result = run(doc, settings, client)
    # what the loader noticed (e.g. control characters removed) belongs to the result too
    result.warnings[:0] = [w for w in doc.warnings if w not in result.warnings]
    if result.document is not None and not result.document.projects and result.status == "success":
        result.status = "partial_success"
        result.warnings.append("no 绩效目标表 found in the document")
    result.seconds = time.perf_counter() - start
    return result
