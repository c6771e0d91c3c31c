"""Keeps a store's lexical index in step with Chroma: a generation every writer changes, one compact record per
document (project ids, names, texts) to rebuild from, and for a local store the index files beside it.

The index in memory is trusted only while (generation, project count) in Chroma are what it was built or loaded
for. A writer changes the generation before it touches Chroma and again when it is done, so a writer killed
half-way leaves a generation no index file names; a store written by an older perfdraft (no generation change)
is caught by its project count. A server store keeps no files: each process builds its index from the compact
records once and follows its own writes; another client's write makes it rebuild.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Callable

from perfdraft.ingest.store_lexfile import IndexFiles, Key
from perfdraft.ingest.store_lexical import Entry, LexicalIndex

log = logging.getLogger(__name__)
_GET_CHUNK = 5000  # ids per Chroma get: SQLite limits the variables of one statement


def new_generation() -> str:
    return uuid.uuid4().hex


def keyword_record(entries: list[Entry]) -> dict[str, str]:
    """The metadata of one document's record in the keyword collection."""
    return {"projects": json.dumps([[e.id, e.name, e.text] for e in entries], ensure_ascii=True)}  # store._ASCII_JSON


def _chunks(xs: list[str]) -> Iterator[list[str]]:
    for s in range(0, len(xs), _GET_CHUNK):
        yield xs[s:s + _GET_CHUNK]


class KeywordRecords:
    """The lexical index of one store's projects and the bookkeeping that keeps it true to Chroma."""

    def __init__(self, client, name: str, projects, folder: Path | None):
        self._client, self.name, self._projects = client, name, projects
        self.collection = client.get_or_create_collection(name, embedding_function=None,
                                                          metadata={"generation": new_generation()})
        self.files = IndexFiles(folder) if folder is not None else None
        self.index: LexicalIndex | None = None
        self.key: Key | None = None
        self.unsaved = False  # rebuilt by a reader, which may not write: saved by `save_unsaved`
        self._legacy: dict[str, list[Entry]] = {}  # documents without a compact record, found by the last rebuild
        self._began: str | None = None

    def generation(self) -> str | None:
        return (self._client.get_collection(self.name).metadata or {}).get("generation")

    def _set_generation(self, gen: str) -> None:
        self.collection.modify(metadata={"generation": gen})

    def state(self, projects: int | None = None) -> Key:
        """What Chroma holds now (the generation read first: a write after it changes it again); `projects`: the
        count the caller read just before."""
        gen = self.generation()
        return Key(gen, self._projects.count() if projects is None else projects)

    # ------------------------------------------------------------------------------------------ reading

    def current(self, projects: int | None = None) -> LexicalIndex:
        """The index for what the store holds now: kept, loaded from the files, or rebuilt from Chroma."""
        key = self.state(projects)
        if self.index is not None and self.key == key:
            return self.index
        idx = self.files.load(key) if self.files else None
        if idx is None:
            if self.files:
                log.info("lexical index rebuilt from the store (%s)", self.files.problem)
            idx = self.rebuild()
        self.unsaved = idx.origin is None and self.files is not None
        self.index, self.key = idx, key
        return idx

    def rebuild(self) -> LexicalIndex:
        """An index from the compact records of the projects Chroma holds; documents stored by an older
        perfdraft (no compact record) are read from their project records."""
        live = self._projects.get(include=[])["ids"]
        live_set = set(live)
        got = self.collection.get(include=["metadatas"])
        entries = [Entry(pid, did, name, text) for did, m in zip(got["ids"], got["metadatas"])
                   for pid, name, text in json.loads((m or {}).get("projects") or "[]") if pid in live_set]
        missing = sorted(live_set - {e.id for e in entries})
        self._legacy = {}
        for ids in _chunks(missing):
            old = self._projects.get(ids=ids, include=["documents", "metadatas"])
            for pid, text, m in zip(old["ids"], old["documents"], old["metadatas"]):
                e = Entry(pid, (m or {}).get("doc_id", ""), (m or {}).get("name", ""), text or "")
                self._legacy.setdefault(e.doc_id, []).append(e)
                entries.append(e)
        idx = LexicalIndex()
        idx.add(sorted(entries))
        return idx

    def save_unsaved(self, exclusive: Callable[[], AbstractContextManager[bool]]) -> None:
        """Write an index a reader rebuilt, if the store's write lock is free now and nothing changed since."""
        if not self.unsaved or self.files is None or self.index is None:
            return
        try:
            with exclusive() as held:
                if held and self.state() == self.key:
                    self._backfill()
                    self._save()
        except Exception as exc:  # saving is only a saving of time: the search already has its answer
            log.warning("lexical index not saved: %s: %s", type(exc).__name__, exc)

    # ------------------------------------------------------------------------------------------ writing

    def begin(self) -> LexicalIndex:
        """Before a write (under the store's write lock): the current index; every index is stale from now on."""
        idx = self.current()
        self._backfill()
        self._began = new_generation()
        self._set_generation(self._began)
        return idx

    def commit(self, removed_docs: list[str], added: list[Entry]) -> None:
        """After a write: the index follows it and is saved for the new generation."""
        idx, began = self.index, self._began
        self._began = None
        if idx is None or began is None:
            return
        idx.remove_documents(removed_docs)
        idx.add(added)
        idx.prepare()
        other_writer = self.generation() != began  # a server has no lock: another client wrote meanwhile
        gen = new_generation()
        self._set_generation(gen)
        self.key = Key(gen, self._projects.count())
        if other_writer or idx.live != self.key.projects:
            self.index, self.key = None, None  # rebuilt on the next search
            return
        self._save()

    def abort(self) -> None:
        """A write failed half-way: what Chroma holds is unknown, the next search rebuilds."""
        self.index, self.key, self._began = None, None, None

    def _save(self) -> None:
        if self.files is None or self.index is None or self.key is None:
            self.unsaved = False
            return
        try:
            self.index = self.files.save(self.index, self.key)
            self.unsaved = False
        except OSError as exc:  # a read-only folder or a full disk costs a rebuild per process, not the write
            log.warning("lexical index not saved in %s: %s", self.files.folder, exc)

    def _backfill(self) -> None:
        """Give documents stored by an older perfdraft their compact record (local store, under its write lock;
        a server has no lock, and a backfill racing another client's re-ingest could restore an old record)."""
        if not self._legacy or self.files is None:
            return
        ids = sorted(self._legacy)
        self.collection.upsert(ids=ids, embeddings=[[1.0]] * len(ids),
                               metadatas=[keyword_record(self._legacy[d]) for d in ids])
        self._legacy = {}
