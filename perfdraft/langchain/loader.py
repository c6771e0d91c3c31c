"""A LangChain document loader: published 绩效目标表 files -> one Document per table and per indicator row."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from langchain_core.document_loaders import BaseLoader
from langchain_core.documents import Document as LCDocument

from perfdraft.core.models import ErrorInfo
from perfdraft.core.settings import Settings
from perfdraft.langchain.documents import documents_of


class PerformanceTableLoader(BaseLoader):
    """Extracts each file (or reads gold-shape .json) and yields its tables and rows; failures are kept, not raised."""

    def __init__(self, paths: str | Path | Iterable[str | Path], *, backend: str = "rules",
                 settings: Settings | None = None):
        self.paths = [Path(paths)] if isinstance(paths, (str, Path)) else [Path(p) for p in paths]
        self.backend = backend
        self.settings = settings
        self.failures: list[ErrorInfo] = []  # files that gave no document (batch work reports partial success)

    def _files(self) -> list[Path]:
        from perfdraft.extraction.batch import collect_inputs
        json_files = [p for p in self.paths if p.is_file() and p.suffix.lower() == ".json"]
        others = [p for p in self.paths if p not in json_files]
        return json_files + (collect_inputs(others) if others else [])

    def lazy_load(self) -> Iterator[LCDocument]:
        from perfdraft.extraction.api import extract_file
        from perfdraft.ingest.store import load_performance_json

        self.failures = []
        for path in self._files():
            if path.suffix.lower() == ".json":
                try:
                    perf = load_performance_json(path)
                except ValueError as exc:
                    self.failures.append(ErrorInfo(kind="input", message=f"not a perfdraft JSON file: {exc}"[:300],
                                                   file=str(path)))
                    continue
                yield from documents_of(perf, perf.source or path.name)
                continue
            result = extract_file(path, backend=self.backend, settings=self.settings)
            if result.document is None:
                self.failures += result.errors or [ErrorInfo(kind="extraction", message="no document",
                                                             file=str(path))]
                continue
            yield from documents_of(result.document, path.name)
