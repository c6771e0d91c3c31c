"""LangChain integration (extra `perfdraft[langchain]`): a document loader and a retriever over the store."""

from perfdraft.langchain.documents import project_document, row_document
from perfdraft.langchain.loader import PerformanceTableLoader
from perfdraft.langchain.retriever import PerformanceStoreRetriever

__all__ = ["PerformanceTableLoader", "PerformanceStoreRetriever", "project_document", "row_document"]
