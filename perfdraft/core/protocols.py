"""Typed seams between layers: what drafting and the pipeline need from a store (Chroma Store, MemoryStore, fakes)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol, runtime_checkable

from perfdraft.core.models import PerformanceDocument, RetrievedProject


@runtime_checkable
class Store(Protocol):
    """A searchable collection of past tables; perfdraft.ingest.store.Store and drafting.memory_store.MemoryStore."""

    def search_projects(self, query: str, k: int = 5, *, exclude_ids: Iterable[str] | None = None,
                        name: str | None = None) -> list[RetrievedProject]: ...


@runtime_checkable
class WritableStore(Store, Protocol):
    """A store the pipeline can add documents to and ask whether a content hash is already stored."""

    def has_content(self, sha256: str) -> Any | None: ...

    def add_document(self, perf: PerformanceDocument, *, source: str, sha256: str | None = None,
                     backend: str | None = None) -> int: ...
