"""Loading gold fixtures and prediction files (`<stem>.json`, schema perf-targets-gold/1) with errors naming the file."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from perfdraft.core.errors import InputError
from perfdraft.core.models import GOLD_SCHEMA, PerformanceDocument
from perfdraft.ingest.load import supported_suffixes


def load_perf_json(path: Path) -> PerformanceDocument:
    """Read and validate one gold/prediction JSON file."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read: {exc}", file=str(path)) from exc
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg} at line {exc.lineno}", file=str(path)) from exc
    if not isinstance(raw, dict):
        raise InputError("expected a JSON object", file=str(path))
    schema = raw.get("schema")
    if schema is not None and schema != GOLD_SCHEMA:
        raise InputError(f"schema is {schema!r}, expected {GOLD_SCHEMA!r}", file=str(path))
    try:
        return PerformanceDocument.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(x) for x in first["loc"])
        raise InputError(f"does not match {GOLD_SCHEMA} at {loc}: {first['msg']} "
                         f"({exc.error_count()} problem(s))", file=str(path)) from exc


def load_dir(directory: Path) -> dict[str, PerformanceDocument]:
    """All `*.json` files of a directory, keyed by file stem (the document's name without suffix)."""
    if not directory.is_dir():
        raise InputError("directory not found", file=str(directory))
    out = {p.stem: load_perf_json(p) for p in sorted(directory.glob("*.json"))}
    if not out:
        raise InputError("no *.json files", file=str(directory))
    return out


def find_docs(docs_dir: Path, stems: list[str]) -> dict[str, Path]:
    """The source document for each gold stem (any supported suffix); missing ones are left out."""
    found: dict[str, Path] = {}
    for stem in stems:
        for suffix in supported_suffixes():
            p = docs_dir / f"{stem}{suffix}"
            if p.is_file():
                found[stem] = p
                break
    return found
