"""Retrieval for drafting: the k past tables most similar to a brief, shared by every drafting backend."""

from __future__ import annotations

from collections.abc import Iterable

from perfdraft.core.models import ProjectBrief, RetrievedProject
from perfdraft.core.protocols import Store
from perfdraft.drafting.relevance import RELEVANCE_THRESHOLD, relevant_examples


def retrieve(brief: ProjectBrief, store: Store | None, k: int, exclude_ids: Iterable[str] | None = None, *,
             guard: bool = True, threshold: float = RELEVANCE_THRESHOLD) -> list[RetrievedProject]:
    """The k past tables most similar to the brief (name and purpose as the query, the name's head noun
    weighted); with `guard`, only those passing the relevance threshold (drafting/relevance.py)."""
    if store is None or k <= 0:
        return []
    query = " ".join(x for x in (brief.name, brief.purpose) if x)
    kwargs = {"exclude_ids": set(exclude_ids)} if exclude_ids else {}
    found = list(store.search_projects(query, k, name=brief.name, **kwargs))
    return relevant_examples(brief, found, threshold) if guard else found
