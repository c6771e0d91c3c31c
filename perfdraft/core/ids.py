"""The one id scheme for stored documents, projects and rows (Chroma store, memory store, backtests)."""

from __future__ import annotations

import hashlib


def doc_key(source: str) -> str:
    """Stable id of a document: a hash of its identity (re-ingesting the same identity replaces it)."""
    # surrogateescape: a path with non-UTF-8 bytes (a GBK name from a Windows zip) still has a stable id
    return "d" + hashlib.sha1(source.encode("utf-8", "surrogateescape")).hexdigest()[:16]


def project_id(source: str, index: int) -> str:
    """Stable id of the index-th project (0-based) of a document."""
    return f"{doc_key(source)}:p{index}"


def row_id(source: str, index: int, row: int) -> str:
    """Stable id of one indicator row."""
    return f"{project_id(source, index)}:r{row}"
