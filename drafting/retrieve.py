"""Retrieval for drafting: the k past tables most similar to a brief, shared by every drafting backend."""

from __future__ import annotations

from collections.abc import Iterable

from perfdraft.core.models import ProjectBrief, RetrievedProject
from perfdraft.core.protocols import Store


def retrieve(brief: ProjectBrief, store: Store | None, k: int,
             exclude_ids: Iterable[str] | None = None) -> list[RetrievedProject]:
    """The k past tables most similar to the brief (name and purpose as the query)."""
    query = " ".join(x for x in (brief.name, brief.purpose) if x)
    kwargs = {"exclude_ids": set(exclude_ids)} if exclude_ids else {}
    return list(store.search_projects(query, k, **kwargs)) if store is not None and k > 0 else []
