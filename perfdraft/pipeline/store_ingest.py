"""Ingesting one file into the store: extract (or read gold-shape JSON), skip unchanged content, never raise."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Literal, NamedTuple

from pydantic import BaseModel, ValidationError

from perfdraft.ingest.sanitize import describe, sanitize_data
from perfdraft.core import lexicon
from perfdraft.core.errors import PerfdraftError, StoreBusy, StoreUnavailable
from perfdraft.core.models import PerformanceDocument
from perfdraft.core.settings import Settings
from perfdraft.extraction.api import extract_file
from perfdraft.ingest.digest import sha256_of
from perfdraft.ingest.load import supported_suffixes
from perfdraft.ingest.store import NewDocument, Store

# Rows (and projects) per batch of Chroma writes: Chroma's cost is mostly per call, and one ~600-record upsert
# measured about twice the rate of one document (~50 rows) per call; larger batches gained nothing more.
BATCH_ROWS = 1000
BATCH_DOCS = 64


class IngestOutcome(BaseModel):
    """What happened to one file."""

    source: str
    status: Literal["stored", "skipped", "failed"]
    rows: int = 0
    projects: int = 0
    message: str = ""


def ingest_suffixes() -> set[str]:
    """What ingest reads: every loader's suffix plus .json in the gold/extraction shape."""
    return set(supported_suffixes()) | {".json"}


def collect_files(paths: list[str | Path]) -> tuple[list[Path], list[str]]:
    """Files named directly plus supported files under folders (sorted, hidden ones left out); and missing paths."""
    files: list[Path] = []
    missing: list[str] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            files.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in ingest_suffixes()
                                and not any(part.startswith(".") for part in f.relative_to(p).parts)))
        elif p.is_file():
            files.append(p)  # named explicitly: an unsupported type is reported, not silently dropped
        else:
            missing.append(str(p))
    return list(dict.fromkeys(files)), missing


def read_performance_json(path: Path) -> PerformanceDocument:
    """A .json file in the gold/extraction shape, or a PerfdraftError saying why not."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PerfdraftError(f"not valid JSON: {exc}", file=str(path)) from exc
    if not isinstance(data, dict) or "projects" not in data:
        raise PerfdraftError("JSON is not in the gold/extraction shape (no 'projects' list)", file=str(path))
    removed: Counter = Counter()
    data = sanitize_data(data, removed)  # the same control-character rule as every loaded file
    try:
        perf = PerformanceDocument.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        raise PerfdraftError(f"JSON does not match the gold shape at {where}: {first['msg']}",
                             file=str(path)) from exc
    if removed:
        perf.warnings.append(describe(removed))
    return perf


def identity_of(path: Path) -> str:
    """The stable identity of a file in the store: its resolved path (same name, other folder = other document)."""
    return str(path.resolve())


class _Ready(NamedTuple):
    """A file read and extracted, waiting for its batch to be written."""

    path: Path
    doc: NewDocument
    note: str


def _prepare(store: Store, path: Path, backend: str, settings: Settings | None, force: bool,
             pending: dict[str, str]) -> IngestOutcome | _Ready:
    """Read or extract one file; an outcome when it is skipped or failed. `pending`: sha256 -> source of the
    files read but not yet written (a copy of one of them is skipped like a stored one)."""
    src = str(path)
    try:
        sha = sha256_of(path)
        if not force:
            if sha in pending:
                return IngestOutcome(source=src, status="skipped", message=f"already stored as {pending[sha]}")
            done = store.has_content(sha)
            if done is not None:
                return IngestOutcome(source=src, status="skipped", rows=0, projects=done.projects,
                                     message=f"already stored as {done.source}")
        if path.suffix.lower() == ".json":
            perf = read_performance_json(path)
            source, used = perf.source or path.name, "json"
        else:
            result = extract_file(path, backend=backend, settings=settings)
            if result.document is None or result.status == "failure":
                msg = "; ".join(e.message for e in result.errors) or "extraction failed"
                return IngestOutcome(source=src, status="failed", message=msg)
            perf, source, used = result.document, path.name, result.backend
        note = "" if perf.projects else "no 绩效目标表 found (stored as an empty document)"
        return _Ready(path, NewDocument(perf, source, sha, used, identity_of(path)), note)
    except (StoreBusy, StoreUnavailable):
        raise
    except PerfdraftError as exc:
        return IngestOutcome(source=src, status="failed", message=exc.message)
    except Exception as exc:  # one bad file must not stop the batch; name it and go on
        return IngestOutcome(source=src, status="failed", message=f"{type(exc).__name__}: {exc}")


def _store(store: Store, ready: list[_Ready]) -> list[IngestOutcome]:
    """Write a batch; a store that is gone or stays locked raises, any other failure fails the batch's files."""
    try:
        with store.write_lock():  # the lexicon follows the store: one writer for both
            rows = store.add_documents([r.doc for r in ready])
            lexicon.remember_all(store.settings, [(r.doc.perf, r.doc.source) for r in ready if r.doc.perf.projects],
                                 _lexicon_path(store))
    except (StoreBusy, StoreUnavailable):
        raise
    except Exception as exc:
        msg = exc.message if isinstance(exc, PerfdraftError) else f"{type(exc).__name__}: {exc}"
        return [IngestOutcome(source=str(r.path), status="failed", message=msg) for r in ready]
    return [IngestOutcome(source=str(r.path), status="stored", rows=n, projects=len(r.doc.perf.projects),
                          message=r.note) for r, n in zip(ready, rows)]


def _lexicon_path(store: Store) -> Path:
    """The lexicon file of this store: beside a local store's directory, else where the settings say."""
    local = not getattr(store, "_remote", False) and store.location != "client"
    return Path(store.location) / "lexicon.json" if local else store.settings.lexicon_path


def ingest_file(store: Store, path: Path, *, backend: str = "rules", settings: Settings | None = None,
                force: bool = False) -> IngestOutcome:
    """Extract and store one file under its path identity; citations show the file name (or the JSON's source).

    A store that is gone or stays locked raises (StoreUnavailable, StoreBusy): every later file would fail too.
    """
    ready = _prepare(store, path, backend, settings, force, {})
    return ready if isinstance(ready, IngestOutcome) else _store(store, [ready])[0]


def ingest_files(store: Store, paths: Iterable[Path], *, backend: str = "rules", settings: Settings | None = None,
                 force: bool = False, batch_rows: int = BATCH_ROWS) -> Iterator[IngestOutcome]:
    """ingest_file for many files with their Chroma writes batched (about `batch_rows` rows per batch); one
    outcome per file, a stored file's when its batch is written. A run killed half-way redoes at most the
    batch it was writing (documents are marked stored last)."""
    ready: list[_Ready] = []
    pending: dict[str, str] = {}
    records = 0
    for path in paths:
        got = _prepare(store, path, backend, settings, force, pending)
        if isinstance(got, IngestOutcome):
            yield got
            continue
        ready.append(got)
        pending[got.doc.sha256] = got.doc.source
        records += sum(len(p.indicators) + 1 for p in got.doc.perf.projects)
        if records >= batch_rows or len(ready) >= BATCH_DOCS:
            yield from _store(store, ready)
            ready, pending, records = [], {}, 0
    if ready:
        yield from _store(store, ready)
