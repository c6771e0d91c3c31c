"""A LangChain retriever over the perfdraft store: similar past tables (or rows) for a query."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from perfdraft.langchain.documents import project_document, row_document


class PerformanceStoreRetriever(BaseRetriever):
    """Searches a perfdraft Store (ingest.store.Store or drafting.memory_store.MemoryStore) by project or row."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: Any
    k: int = 4
    search: str = "projects"  # or "rows": one Document per indicator row

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun,
                                **kwargs: Any) -> list[LCDocument]:
        k = int(kwargs.get("k", self.k))
        if self.search == "rows":
            return [_row_doc(r) for r in self.store.search_rows(query, k)]
        return [project_document(r.project, source=r.document, index=_index(r.id), id=r.id, score=r.score)
                for r in self.store.search_projects(query, k)]


def _index(pid: str) -> int:
    """The project's position in its document, from the store's id (<doc>:p<index>)."""
    tail = pid.rsplit(":", 1)[-1].lstrip("p")
    return int(tail) if tail.isdigit() else 0


def _row_doc(r) -> LCDocument:
    from perfdraft.core.models import Project
    p = Project(name=r.project_name, indicators=[r.indicator])
    doc = row_document(p, 0, source=r.document, index=0, id=r.id, score=r.score)
    doc.metadata["row"] = r.row
    doc.metadata["project_id"] = r.project_id
    return doc
