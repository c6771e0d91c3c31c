"""A tiny in-memory retriever over PerformanceDocuments, with the Store's search_projects interface."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from perfdraft.core.ids import project_id
from perfdraft.core.models import PerformanceDocument, Project, RetrievedProject
from perfdraft.ingest.store_headnoun import core_name, head_noun

_NOISE = re.compile(r"(\d{4}年|[（(【\[].*?[)）】\]]|第[一二三四五六七八九十]+批|\s+|[，。、；：,.;:])")


def bigrams(text: str | None) -> set[str]:
    """Character bigrams of a text with years, bracketed document numbers and punctuation removed."""
    s = _NOISE.sub("", text or "")
    return {s[i:i + 2] for i in range(len(s) - 1)} or ({s} if s else set())


def dice(a: set[str], b: set[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


class MemoryStore:
    """Ranks stored tables by name/purpose bigram overlap; enough for tests and the leave-one-out backtest."""

    def __init__(self, docs: Iterable[PerformanceDocument]):
        self.items: list[tuple[str, PerformanceDocument, Project]] = []
        for doc in docs:
            for i, p in enumerate(doc.projects):
                if p.scope == "project":
                    self.items.append((project_id(doc.source or "unknown", i), doc, p))

    @classmethod
    def from_dir(cls, path: str | Path) -> "MemoryStore":
        """Load every *.json PerformanceDocument in a directory (e.g. the gold fixtures)."""
        files = sorted(Path(path).glob("*.json"))
        return cls(PerformanceDocument.model_validate_json(f.read_text(encoding="utf-8")) for f in files)

    def search_projects(self, query: str, k: int = 5, exclude_ids: Iterable[str] | None = None,
                        name: str | None = None, **_: object) -> list[RetrievedProject]:
        """The k stored tables most similar to the query text; `name` adds the head-noun bonus like the Store."""
        skip = set(exclude_ids or ())
        q = bigrams(query)
        head = head_noun(name)
        scored = []
        for pid, doc, p in self.items:
            if pid in skip:
                continue
            name_sim = dice(q, bigrams(p.name))
            text_sim = dice(q, bigrams(" ".join([p.name, p.purpose or ""] + p.goals)))
            head_sim = 1.0 if head and head in core_name(p.name) else 0.0
            scored.append(((0.7 * name_sim + 0.3 * text_sim + 0.5 * head_sim) / (1.5 if head else 1.0), pid, doc, p))
        scored.sort(key=lambda x: -x[0])
        return [RetrievedProject(id=pid, score=round(s, 4), document=doc.source or "", department=doc.department,
                                 year=doc.year, project=p) for s, pid, doc, p in scored[:k]]
