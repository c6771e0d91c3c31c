"""The retrieval store: past 绩效目标表 in Chroma (local directory or server), one record per table and per row."""

from __future__ import annotations

import functools
import json
import re
import threading
from collections import Counter
from contextlib import nullcontext
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Literal, NamedTuple, Sequence

import numpy as np
from pydantic import BaseModel, Field

from perfdraft.ingest.embed import Embedder, make_embedder
from perfdraft.ingest.store_headnoun import W_HEAD
from perfdraft.ingest.store_lexical import Entry, fuse_many
from perfdraft.ingest.store_keywords import KeywordRecords, keyword_record
from perfdraft.ingest.store_lock import StoreLock
from perfdraft.core.errors import StoreError, StoreUnavailable
from perfdraft.core.models import Citation, Indicator, PerformanceDocument, Project, RetrievedProject
from perfdraft.core.ids import doc_key, project_id, row_id
from perfdraft.core.settings import Settings, get_settings

Ranking = Literal["dense", "lexical", "hybrid"]
Where = dict[str, Any]
INDEX_DIR = "perfdraft-index"  # the lexical index files of a local store, one folder per collection set

# Fusion weights of the hybrid project ranking, chosen on the gold leave-one-out (bench/store_retrieval.py).
W_DENSE, W_BM25, W_NAME = 1.0, 1.0, 1.0

_REGION = re.compile(r"^(.*?(?:省|自治区))?(.*?(?:市|自治州|地区|盟))?(.*?(?:县|区|旗))?")


class RetrievedRow(BaseModel):
    """A past indicator row found similar to a query, with the project and document it belongs to."""

    id: str
    score: float
    document: str
    project_id: str
    project_name: str
    row: int = Field(description="0-based index of the row in its project")
    department: str | None = None
    year: int | None = None
    indicator: Indicator

    def citation(self) -> Citation:
        """The row as a drafting citation."""
        return Citation(document=self.document, project=self.project_name, row=self.row,
                        level3=self.indicator.level3, value=self.indicator.value, year=self.year,
                        department=self.department, score=self.score)


class StoredDocument(BaseModel):
    """One ingested document as the store knows it."""

    id: str
    source: str
    key: str | None = Field(None, description="stable identity (resolved path) when it differs from source")
    sha256: str | None = None
    department: str | None = None
    region: str | None = None
    year: int | None = None
    projects: int = 0
    rows: int = 0
    backend: str | None = None
    ingested_at: str | None = None


class NewDocument(NamedTuple):
    """One document to store: `source` is the name citations show, `key` (default: source) its identity."""

    perf: PerformanceDocument
    source: str
    sha256: str | None = None
    backend: str | None = None
    key: str | None = None


class _Plan(NamedTuple):
    """The records one document becomes."""

    did: str
    p_ids: list[str]
    p_texts: list[str]
    p_meta: list[dict[str, Any]]
    r_ids: list[str]
    r_texts: list[str]
    r_meta: list[dict[str, Any]]
    doc_meta: dict[str, Any]
    entries: list[Entry]


class StoreStats(BaseModel):
    """Totals for the corpus page."""

    documents: int = 0
    projects: int = 0
    rows: int = 0
    rows_by_department: dict[str, int] = Field(default_factory=dict)
    rows_by_year: dict[str, int] = Field(default_factory=dict)
    projects_by_department: dict[str, int] = Field(default_factory=dict)
    projects_by_year: dict[str, int] = Field(default_factory=dict)
    embedder: str = ""
    location: str = ""


def region_of(department: str | None) -> str | None:
    """The administrative region in a department name: 唐山市医疗保障局 -> 唐山市, 河北省乐亭县… -> 河北省/乐亭县."""
    if not department:
        return None
    m = _REGION.match(department)
    parts = [p for p in (m.groups() if m else ()) if p]
    # a "区/县" match that swallowed the whole name is not a region (e.g. 医疗保障局 has none)
    parts = [p for p in parts if len(p) <= 12]
    return "/".join(parts) or None


def project_text(p: Project) -> str:
    """What a project is embedded as: the name weighs most, then purpose, goals and indicator names."""
    parts = [p.name, p.name, p.purpose or "", " ".join(p.goals)[:400],
             " ".join(dict.fromkeys(i.level3 for i in p.indicators))]
    return "\n".join(x for x in parts if x)


def row_text(p: Project, ind: Indicator) -> str:
    """What an indicator row is embedded as: its own names first, the project name as context."""
    return "\n".join(x for x in (ind.level3, ind.level3, ind.description or "", ind.level2, p.name) if x)


# Chroma keeps a collection's vector index in files and the writes since its last save in a log, which the first
# read of every process replays into the index: at the default 1000 entries that replay took 2.6 s for 15k
# vectors of 1024 dimensions, at 100 it is 0.13 s. Only the projects (what every search and draft reads) save
# that often: with the rows' index saved every 100 writes, a second process writing the same local store
# crashed Chroma (SIGSEGV) in 8 of 15 trials, none at the default or with only the projects at 100.
_SYNC_THRESHOLD = 100
_SPACE = {"hnsw:space": "cosine"}
# _ASCII_JSON: JSON kept in metadata (project_json, indicator_json, the keyword records) is written ASCII-escaped.
# Chroma tries each string value as a bool, an int and a float before a string, and formatting each failure's
# message costs ~1.7 us per non-ASCII character (a fifth of a row write); \uXXXX escapes are cheap there, and every
# JSON reader reads the same values, so stores written before this read as they did.
_PROJECTS_HNSW = {"hnsw:sync_threshold": _SYNC_THRESHOLD}
# Row vectors are most of every write: a graph built with 40 candidates per insert instead of 100 took half the
# time per row (40k rows of 1024 dimensions). Searching it with 400 candidates instead of 100 found 99.8% of the
# exact top-10 similarities on 30k synthetic rows (100/100 as before: 92-96%, 40/100: 86-87%) at no measurable
# cost per row search at 100k rows.
_ROWS_EF_SEARCH = 400
_ROWS_HNSW = {"hnsw:construction_ef": 40, "hnsw:search_ef": _ROWS_EF_SEARCH}


def _tune(col, **hnsw: int) -> None:
    """Give a collection made by an older perfdraft these (changeable) vector-index settings."""
    try:
        have = (col.configuration or {}).get("hnsw", {})
        change = {k: v for k, v in hnsw.items() if have.get(k) != v}
        if change:
            col.modify(configuration={"hnsw": change})
    except Exception:  # noqa: BLE001 - an older server may not know the setting; the store works without it
        pass


def _clean(meta: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in meta.items() if v is not None}


# Failures that mean the Chroma server or the connection to it is gone, not that one request was wrong.
_GONE = ("ConnectError", "ConnectTimeout", "ReadError", "ReadTimeout", "RemoteProtocolError", "WriteError",
         "PoolTimeout", "ConnectionError", "ConnectionRefusedError", "ConnectionResetError", "BrokenPipeError",
         "ServerDisconnectedError")


def _store_failure(what: str, exc: Exception, where: str, remote: bool) -> StoreError:
    """A StoreError for a failed Chroma call; a vanished server becomes StoreUnavailable with a hint."""
    names = {c.__name__ for c in type(exc).__mro__}
    if remote and names & set(_GONE):
        return StoreUnavailable(f"{what}: the Chroma server stopped answering ({type(exc).__name__}); check that "
                                f"it is running (PERFDRAFT_CHROMA_HOST/_PORT), then run the command again",
                                file=where)
    return StoreError(f"{what}: {type(exc).__name__}: {exc}", file=where)


def _reads(what: str):
    """Run a read under the shared lock; a failing Chroma call becomes a StoreError (StoreUnavailable if gone)."""
    def wrap(fn):
        @functools.wraps(fn)
        def read(self: "Store", *args, **kwargs):
            try:
                with self._reading():
                    return fn(self, *args, **kwargs)
            except StoreError:
                raise
            except Exception as exc:
                raise _store_failure(what, exc, self.location, self._remote) from exc
        return read
    return wrap


class Store:
    """Past performance tables in Chroma, searchable by project and by indicator row."""

    def __init__(self, settings: Settings | None = None, path: Path | None = None, *,
                 embedder: Embedder | None = None, ranking: Ranking = "hybrid", client=None):
        self.settings = settings or get_settings()
        self.embedder = embedder or make_embedder(self.settings)
        self.ranking: Ranking = ranking
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        self._remote = False
        self._file_lock: StoreLock | None = None
        try:
            if client is not None:
                self.client = client
                self.location = "client"
            elif self.settings.chroma_host and path is None:
                self.location = f"http://{self.settings.chroma_host}:{self.settings.chroma_port}"
                self._remote = True
                self.client = chromadb.HttpClient(host=self.settings.chroma_host, port=self.settings.chroma_port,
                                                  settings=chroma_settings)
            else:
                root = Path(path or self.settings.store)
                root.mkdir(parents=True, exist_ok=True)
                self.location = str(root)
                self._file_lock = StoreLock(root, self.settings.store_lock_timeout)
            with self._writing():  # a new store's first open creates tables and collections: one process at a time
                if not hasattr(self, "client"):
                    self.client = chromadb.PersistentClient(path=self.location, settings=chroma_settings)
                self._open_collections()
        except StoreError:
            raise
        except Exception as exc:
            raise _store_failure("cannot open the Chroma store", exc,
                                 getattr(self, "location", None) or str(path or self.settings.store),
                                 self._remote) from exc
        self._batch = max(1, min(int(self.client.get_max_batch_size()), 2000))
        self._lock = threading.RLock()  # the in-memory lexical index: one thread changes or reads it at a time

    def _open_collections(self) -> None:
        prefix = f"perfdraft-{self.embedder.key}"
        # embedding_function=None: Chroma must never load its default model (it would download one)
        self._projects = self.client.get_or_create_collection(f"{prefix}-projects", embedding_function=None,
                                                              metadata=dict(_SPACE, **_PROJECTS_HNSW))
        self._rows = self.client.get_or_create_collection(f"{prefix}-rows", embedding_function=None,
                                                          metadata=dict(_SPACE, **_ROWS_HNSW))
        self._docs = self.client.get_or_create_collection(f"{prefix}-documents", embedding_function=None,
                                                          metadata=_SPACE)
        folder = Path(self.location) / INDEX_DIR / prefix if self._file_lock else None
        # The collection keeps its first name, "-lexicon", so stores written before the rename still open.
        self._keywords = KeywordRecords(self.client, f"{prefix}-lexicon", self._projects, folder)
        _tune(self._projects, sync_threshold=_SYNC_THRESHOLD)
        _tune(self._rows, ef_search=_ROWS_EF_SEARCH)

    def _writing(self):
        """The local store's exclusive lock (a server serialises writes itself)."""
        return self._file_lock.exclusive() if self._file_lock else nullcontext()

    def write_lock(self):
        """Hold the store's write lock across several writes, e.g. a batch and what must follow it (re-entrant)."""
        return self._writing()

    def _reading(self):
        """The local store's shared lock: a read never meets half a write of another process."""
        return self._file_lock.shared() if self._file_lock else nullcontext()

    # ---------------------------------------------------------------------------------- writing

    def add_document(self, perf: PerformanceDocument, *, source: str, sha256: str | None = None,
                     backend: str | None = None, key: str | None = None) -> int:
        """Store every project and indicator row of a document, replacing what its identity had; returns rows.

        `source` is the name citations show; `key` (default: source) is the identity, e.g. the resolved path,
        so two files named alike in different folders are two documents.
        """
        return self.add_documents([NewDocument(perf, source, sha256, backend, key)])[0]

    def add_documents(self, docs: Sequence[NewDocument]) -> list[int]:
        """Store many documents with one batch of Chroma writes (Chroma's cost is per call); rows per document.

        A write killed half-way loses nothing: new records go first, the old versions' leftovers next and the
        document records (what `has_content` and a resumed ingest look at) last. The same identity twice in
        one batch stores the later one, as two add_document calls would.
        """
        plans = [self._plan(d) for d in docs]
        if not plans:
            return []
        with self._writing(), self._lock:
            self._write_plans(list({p.did: p for p in plans}.values()),
                              docs[0].source if len(docs) == 1 else f"{len(docs)} documents from {docs[0].source}")
        return [len(p.r_ids) for p in plans]

    def _plan(self, doc: NewDocument) -> _Plan:
        perf, source, key = doc.perf, doc.source, doc.key or doc.source
        did = doc_key(key)
        department, year = perf.department, perf.year
        region = region_of(department)
        p_ids, p_texts, p_meta = [], [], []
        r_ids, r_texts, r_meta = [], [], []
        for i, p in enumerate(perf.projects):
            pid = project_id(key, i)
            p_ids.append(pid)
            p_texts.append(project_text(p))
            p_meta.append(_clean({
                "doc_id": did, "source": source, "index": i, "name": p.name, "scope": p.scope,
                "department": department, "region": region, "year": year, "unit": p.unit,
                "budget_wan": p.budget_wan, "code": p.code, "rows": len(p.indicators), "backend": p.backend,
                "page": p.source.page if p.source else None, "line": p.source.line if p.source else None,
                "project_json": p.model_dump_json(exclude_none=False, ensure_ascii=True),
            }))
            for j, ind in enumerate(p.indicators):
                r_ids.append(row_id(key, i, j))
                r_texts.append(row_text(p, ind))
                # what row search returns and filters on; the rest of the row is in indicator_json (each metadata
                # key is a SQLite row and index entry in Chroma: 11 keys instead of 19 made row writes 20% faster).
                # The JSON texts are ASCII-escaped: see _ASCII_JSON.
                r_meta.append(_clean({
                    "doc_id": did, "source": source, "project_id": pid, "project": p.name, "row": j,
                    "department": department, "region": region, "year": year, "scope": p.scope,
                    "level1": ind.level1, "indicator_json": ind.model_dump_json(ensure_ascii=True),
                }))
        doc_meta = _clean({
            "source": source, "key": key if key != source else None, "sha256": doc.sha256,
            "department": department, "region": region, "year": year, "projects": len(p_ids), "rows": len(r_ids),
            "backend": doc.backend, "ingested_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        })
        entries = [Entry(pid, did, p.name, text) for pid, p, text in zip(p_ids, perf.projects, p_texts)]
        return _Plan(did, p_ids, p_texts, p_meta, r_ids, r_texts, r_meta, doc_meta, entries)

    def _write_plans(self, plans: list[_Plan], where: str) -> None:
        dids = [p.did for p in plans]
        p_ids = [x for p in plans for x in p.p_ids]
        r_ids = [x for p in plans for x in p.r_ids]
        try:
            self._keywords.begin()
            stale_rows = self._ids_of(self._rows, dids) - set(r_ids)
            stale_projects = self._ids_of(self._projects, dids) - set(p_ids)
            self._write(self._projects, p_ids, [x for p in plans for x in p.p_texts],
                        [x for p in plans for x in p.p_meta])
            self._write(self._rows, r_ids, [x for p in plans for x in p.r_texts], [x for p in plans for x in p.r_meta])
            self._keywords.collection.upsert(ids=dids, embeddings=[[1.0]] * len(dids),
                                            metadatas=[keyword_record(p.entries) for p in plans])
            if stale_rows:
                self._rows.delete(ids=sorted(stale_rows))
            if stale_projects:
                self._projects.delete(ids=sorted(stale_projects))
            self._docs.upsert(ids=dids, embeddings=[[1.0]] * len(dids), documents=[p.doc_meta["source"] for p in plans],
                              metadatas=[p.doc_meta for p in plans])
        except Exception as exc:
            self._keywords.abort()
            raise _store_failure("writing to the store failed", exc, where, self._remote) from exc
        self._keywords.commit(dids, [e for p in plans for e in p.entries])

    @staticmethod
    def _ids_of(col, dids: list[str]) -> set[str]:
        """Ids of the records these documents have now."""
        return set(col.get(where={"doc_id": {"$in": dids}}, include=[])["ids"])

    def _write(self, col, ids: list[str], texts: list[str], metas: list[dict]) -> None:
        for s in range(0, len(ids), self._batch):
            # float32 rows as they are: Chroma turns lists back into arrays (a tenth of the write was that round trip)
            emb = np.ascontiguousarray(self.embedder.passages(texts[s:s + self._batch]), dtype=np.float32)
            # texts are not kept: Chroma full-text-indexes documents, which halves the write rate, and the lexical
            # index reads the keyword collection's compact records instead
            col.upsert(ids=ids[s:s + self._batch], embeddings=emb, metadatas=metas[s:s + self._batch])

    def delete_document(self, source: str) -> int:
        """Remove every record of the document with this identity (key, or source when stored without one)."""
        did = doc_key(source)
        with self._writing(), self._lock:
            try:
                self._keywords.begin()
                n = len(self._rows.get(where={"doc_id": did}, include=[])["ids"])
                self._rows.delete(where={"doc_id": did})
                self._projects.delete(where={"doc_id": did})
                self._keywords.collection.delete(ids=[did])
                self._docs.delete(ids=[did])
            except Exception as exc:
                self._keywords.abort()
                raise _store_failure("deleting from the store failed", exc, source, self._remote) from exc
            self._keywords.commit([did], [])
        return n

    # ---------------------------------------------------------------------------------- reading

    @_reads("reading the store failed")
    def has_content(self, sha256: str) -> StoredDocument | None:
        """The stored document with this content hash, if any (the CLI skips such files unless --force)."""
        got = self._docs.get(where={"sha256": sha256}, include=["metadatas"])
        if not got["ids"]:
            return None
        return StoredDocument(id=got["ids"][0], **got["metadatas"][0])

    @_reads("reading the store failed")
    def documents(self) -> list[StoredDocument]:
        """Every ingested document, by source name."""
        got = self._docs.get(include=["metadatas"])
        docs = [StoredDocument(id=i, **(m or {})) for i, m in zip(got["ids"], got["metadatas"])]
        return sorted(docs, key=lambda d: d.source)

    @_reads("reading the store failed")
    def stats(self) -> StoreStats:
        """Documents, projects and rows, with rows/projects by department and year."""
        docs = self.documents()
        st = StoreStats(documents=len(docs), embedder=self.embedder.key, location=self.location)
        rd, ry, pd, py = Counter(), Counter(), Counter(), Counter()
        for d in docs:
            st.projects += d.projects
            st.rows += d.rows
            dep, yr = d.department or "(unknown)", str(d.year) if d.year else "(unknown)"
            rd[dep] += d.rows
            ry[yr] += d.rows
            pd[dep] += d.projects
            py[yr] += d.projects
        st.rows_by_department, st.rows_by_year = dict(rd), dict(sorted(ry.items()))
        st.projects_by_department, st.projects_by_year = dict(pd), dict(sorted(py.items()))
        return st

    @_reads("reading the store failed")
    def get_project(self, pid: str) -> RetrievedProject | None:
        """One stored project by id (score 1.0)."""
        got = self._projects.get(ids=[pid], include=["metadatas"])
        if not got["ids"]:
            return None
        return self._retrieved(pid, got["metadatas"][0], 1.0)

    @_reads("reading the store failed")
    def projects(self, where: Where | None = None) -> list[RetrievedProject]:
        """Every stored project (optionally filtered), in document order."""
        got = self._projects.get(where=where, include=["metadatas"])
        out = [self._retrieved(i, m, 1.0) for i, m in zip(got["ids"], got["metadatas"])]
        return sorted(out, key=lambda r: (r.document, int(r.id.rsplit(":p", 1)[1])))

    @_reads("reading the store failed")
    def count(self) -> tuple[int, int]:
        """(projects, rows) stored."""
        return self._projects.count(), self._rows.count()

    @_reads("reading the store failed")
    def project_count(self) -> int:
        """Projects stored (without touching the rows, whose vector index a process would load first)."""
        return self._projects.count()

    # ---------------------------------------------------------------------------------- search

    def search_projects(self, query: str, k: int = 5, *, exclude_ids: Iterable[str] | None = None,
                        where: Where | None = None, ranking: Ranking | None = None,
                        name: str | None = None) -> list[RetrievedProject]:
        """The k past projects most similar to `query` (name + purpose works best), best first.

        `name` (the project name alone) adds the head-noun list (store_headnoun.py) to the fusion."""
        hits = self._search_projects(query, k, exclude_ids=exclude_ids, where=where, ranking=ranking, name=name)
        if self._file_lock:  # an index this read had to rebuild is written while no one else writes
            self._keywords.save_unsaved(self._file_lock.try_exclusive)
        return hits

    @_reads("search failed")
    def _search_projects(self, query: str, k: int, *, exclude_ids: Iterable[str] | None, where: Where | None,
                         ranking: Ranking | None, name: str | None) -> list[RetrievedProject]:
        ranking = ranking or self.ranking
        exclude = set(exclude_ids or ())
        total = self._projects.count()
        if total == 0 or k <= 0:
            return []
        scored: list[tuple[str, float]]
        if ranking == "dense":
            scored = self._dense(self._projects, query, min(k + len(exclude), total), where)
        else:
            n = max(50, 4 * k) + len(exclude)
            bm25, names, heads = self._lexical(query, n, where, name, total)
            lists = [(W_BM25, True, bm25), (W_NAME, False, names)] + ([(W_HEAD, False, heads)] if name else [])
            if ranking != "lexical":
                lists.append((W_DENSE, True, self._dense(self._projects, query, min(n, total), where)))
            scored = fuse_many(lists)
        scored = [(i, s) for i, s in scored if i not in exclude][:k]
        if not scored:
            return []
        got = self._projects.get(ids=[i for i, _ in scored], include=["metadatas"])
        meta = dict(zip(got["ids"], got["metadatas"]))
        return [self._retrieved(i, meta[i], s) for i, s in scored if i in meta]

    @_reads("search failed")
    def search_rows(self, query: str, k: int = 10, *, exclude_ids: Iterable[str] | None = None,
                    where: Where | None = None) -> list[RetrievedRow]:
        """The k past indicator rows most similar to `query`; exclude_ids may hold row or project ids."""
        exclude = set(exclude_ids or ())
        total = self._rows.count()
        if total == 0 or k <= 0:
            return []
        n = min(k + (len(exclude) * 20 if exclude else 0), total)
        out: list[RetrievedRow] = []
        for rid, s, m in self._dense(self._rows, query, n, where, with_meta=True):
            if rid in exclude or m.get("project_id") in exclude:
                continue
            out.append(RetrievedRow(id=rid, score=s, document=m["source"], project_id=m["project_id"],
                                    project_name=m.get("project", ""), row=int(m["row"]),
                                    department=m.get("department"), year=m.get("year"),
                                    indicator=Indicator.model_validate_json(m["indicator_json"])))
            if len(out) >= k:
                break
        return out

    def _dense(self, col, query: str, n: int, where: Where | None, with_meta: bool = False) -> list:
        """The n nearest records (n at most the collection's size: Chroma refuses more)."""
        n = max(1, n)
        q = self.embedder.query(query)
        try:
            res = col.query(query_embeddings=[np.asarray(q, dtype=np.float32).tolist()], n_results=n, where=where,
                            include=["distances", "metadatas"] if with_meta else ["distances"])
        except Exception as exc:
            raise _store_failure("search failed", exc, self.location, self._remote) from exc
        ids, dists = res["ids"][0], res["distances"][0]
        if with_meta:
            return [(i, 1.0 - float(d), m) for i, d, m in zip(ids, dists, res["metadatas"][0])]
        return [(i, 1.0 - float(d)) for i, d in zip(ids, dists)]

    def _lexical(self, query: str, n: int, where: Where | None, name: str | None,
                 total: int) -> tuple[list, list, list]:
        """BM25 over project texts, name containment and head nouns, from the kept lexical index."""
        allowed = set(self._projects.get(where=where, include=[])["ids"]) if where else None
        with self._lock:
            idx = self._keywords.current(total)
            return (idx.search_bm25(query, n, allowed), idx.search_names(query, n, allowed),
                    idx.search_heads(name, allowed) if name else [])

    @staticmethod
    def _retrieved(pid: str, m: dict[str, Any], score: float) -> RetrievedProject:
        return RetrievedProject(id=pid, score=round(float(score), 6), document=m["source"],
                                department=m.get("department"), year=m.get("year"),
                                project=Project.model_validate_json(m["project_json"]))


def load_performance_json(path: Path) -> PerformanceDocument:
    """A gold/extraction-shaped JSON file as a PerformanceDocument."""
    return PerformanceDocument.model_validate(json.loads(path.read_text(encoding="utf-8")))
