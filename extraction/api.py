"""Front door of extraction: a file or Document -> ExtractionResult with a status, never a traceback."""

from __future__ import annotations

import time
from pathlib import Path

from perfdraft.core.errors import PerfdraftError
from perfdraft.core.models import Document, ErrorInfo, ExtractionResult, PerformanceDocument
from perfdraft.core.settings import Settings, get_settings


def extract_rules(doc: Document) -> PerformanceDocument:
    """Deterministic layout-aware extraction (the embedded default)."""
    from perfdraft.extraction.rules import extract_rules as _rules
    return _rules(doc)


def extract_file(path: str | Path, *, backend: str = "rules", settings: Settings | None = None,
                 client=None) -> ExtractionResult:
    """Load and extract one file with the chosen backend (rules, llm, hybrid)."""
    settings = settings or get_settings()
    start = time.perf_counter()
    src = str(path)
    try:
        from perfdraft.ingest.load import load_document
        doc = load_document(path)
        return extract_loaded(doc, backend=backend, settings=settings, client=client, start=start)
    except PerfdraftError as exc:
        return ExtractionResult(source=src, status="failure", backend=backend,
                                errors=[ErrorInfo(kind=exc.kind, message=exc.message, file=exc.file or src,
                                                  page=exc.page)],
                                seconds=time.perf_counter() - start)


def extract_loaded(doc: Document, *, backend: str = "rules", settings: Settings | None = None, client=None,
                   start: float | None = None) -> ExtractionResult:
    """Extract an already loaded Document."""
    settings = settings or get_settings()
    start = time.perf_counter() if start is None else start
    if doc.status == "scanned":
        return ExtractionResult(source=doc.source, status="failure", backend=backend, warnings=list(doc.warnings),
                                errors=[ErrorInfo(kind="scanned", message="scanned: no text layer (run OCR first)",
                                                  file=doc.source)],
                                seconds=time.perf_counter() - start)
    if backend == "rules":
        perf = extract_rules(doc)
        result = ExtractionResult(source=doc.source, status="success", document=perf, backend="rules")
    elif backend in ("llm", "hybrid"):
        from perfdraft.extraction.llm import extract_with_llm  # owned by the LLM path
        result = extract_with_llm(doc, backend=backend, settings=settings, client=client)
    else:
        raise ValueError(f"unknown backend {backend!r}")
    if result.document is not None and not result.document.projects and result.status == "success":
        result.status = "partial_success"
        result.warnings.append("no 绩效目标表 found in the document")
    result.seconds = time.perf_counter() - start
    return result
