"""Ingesting one file into the store: extract (or read gold-shape JSON), skip unchanged content, never raise."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ValidationError

from perfdraft.ingest.sanitize import describe, sanitize_data
from perfdraft.core import lexicon
from perfdraft.core.errors import PerfdraftError, StoreBusy, StoreUnavailable
from perfdraft.core.models import PerformanceDocument
from perfdraft.core.settings import Settings
from perfdraft.extraction.api import extract_file
from perfdraft.ingest.digest import sha256_of
from perfdraft.ingest.load import supported_suffixes
from perfdraft.ingest.store import Store


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


def _lexicon_path(store: Store) -> Path:
    """The lexicon file of this store: beside a local store's directory, else where the settings say."""
    local = not getattr(store, "_remote", False) and store.location != "client"
    return Path(store.location) / "lexicon.json" if local else store.settings.lexicon_path


def ingest_file(store: Store, path: Path, *, backend: str = "rules", settings: Settings | None = None,
                force: bool = False) -> IngestOutcome:
    """Extract and store one file under its path identity; citations show the file name (or the JSON's source).

    A store that is gone or stays locked raises (StoreUnavailable, StoreBusy): every later file would fail too.
    """
    src = str(path)
    try:
        sha = sha256_of(path)
        if not force:
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
        rows = store.add_document(perf, source=source, sha256=sha, backend=used, key=identity_of(path))
        if perf.projects:  # under the store's writer lock: the lexicon follows the store
            lexicon.remember(store.settings, perf, source, _lexicon_path(store))
        note = "" if perf.projects else "no 绩效目标表 found (stored as an empty document)"
        return IngestOutcome(source=src, status="stored", rows=rows, projects=len(perf.projects), message=note)
    except (StoreBusy, StoreUnavailable):
        raise
    except PerfdraftError as exc:
        return IngestOutcome(source=src, status="failed", message=exc.message)
    except Exception as exc:  # one bad file must not stop the batch; name it and go on
        return IngestOutcome(source=src, status="failed", message=f"{type(exc).__name__}: {exc}")
