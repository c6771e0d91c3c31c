"""A lexicon learned from past tables: indicator names, text values and bases seen in validated documents.

The rules backend uses it only to choose where to cut text that is in the document (cells run together with no
separator); it never contributes text. Entries are kept per source document so that a document can be left out
of its own lexicon (leave-one-out in the benchmark, and a re-extracted stored file at run time).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Literal

from perfdraft.core.models import PerformanceDocument
from perfdraft.core.settings import Settings
from perfdraft.core.values import parse_target

Kind = Literal["names", "values", "bases"]
KINDS: tuple[Kind, ...] = ("names", "values", "bases")
SCHEMA = "perfdraft-lexicon/1"
_MIN, _MAX = 2, 60  # shorter entries cut too eagerly, longer ones are sentences, not names


def source_stem(source: str) -> str:
    """One key per document: `dir/x.txt`, `x`, `x.json` and a zoo rendering `x__variant.pdf` are the same."""
    stem = Path(str(source).replace("\\", "/")).name
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", stem)
    return stem.split("__", 1)[0]


def entries_of(doc: PerformanceDocument) -> dict[Kind, set[str]]:
    """What one document teaches: its level3 names, its text values and its bases."""
    out: dict[Kind, set[str]] = {k: set() for k in KINDS}
    for p in doc.projects:
        for r in p.indicators:
            for kind, text in (("names", r.level3), ("bases", r.basis), ("values", r.value),
                               ("values", r.period_value)):
                t = (text or "").strip()
                if not (_MIN <= len(t) <= _MAX) or kind == "values" and parse_target(t).kind != "text":
                    continue  # numbers, dates and ranges are read by their shapes
                out[kind].add(t)
    return out


@dataclass(frozen=True)
class Lexicon:
    """Per source document: the names, values and bases it holds; lookups see the union."""

    by_source: dict[str, dict[Kind, frozenset[str]]] = field(default_factory=dict)

    @classmethod
    def from_documents(cls, docs: Iterable[PerformanceDocument], exclude: Iterable[str] = ()) -> "Lexicon":
        """The lexicon of these documents, leaving out the documents named in `exclude` (any form of their name)."""
        skip = {source_stem(x) for x in exclude}
        by: dict[str, dict[Kind, frozenset[str]]] = {}
        for d in docs:
            key = source_stem(d.source)
            if key in skip:
                continue
            got = entries_of(d)
            old = by.get(key, {k: frozenset() for k in KINDS})
            by[key] = {k: old[k] | got[k] for k in KINDS}
        return cls(by)

    def without(self, *sources: str) -> "Lexicon":
        """The same lexicon with these documents left out."""
        skip = {source_stem(s) for s in sources}
        if not skip & set(self.by_source):
            return self
        return Lexicon({k: v for k, v in self.by_source.items() if k not in skip})

    def with_document(self, doc: PerformanceDocument) -> "Lexicon":
        """The lexicon with one document's entries added or replaced."""
        got = entries_of(doc)
        return Lexicon({**self.by_source, source_stem(doc.source): {k: frozenset(got[k]) for k in KINDS}})

    @property
    def sources(self) -> list[str]:
        return sorted(self.by_source)

    def entries(self, kind: Kind) -> frozenset[str]:
        return self._index[kind][0]

    @cached_property
    def _index(self) -> dict[Kind, tuple[frozenset[str], dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]]:
        """Per kind: all entries, and the entries by their first and by their last two characters."""
        out = {}
        for kind in KINDS:
            every = frozenset().union(*(v[kind] for v in self.by_source.values()))
            heads: dict[str, list[str]] = {}
            tails: dict[str, list[str]] = {}
            for e in every:
                heads.setdefault(e[:_MIN], []).append(e)
                tails.setdefault(e[-_MIN:], []).append(e)
            out[kind] = (every, {k: tuple(v) for k, v in heads.items()}, {k: tuple(v) for k, v in tails.items()})
        return out

    def __len__(self) -> int:
        return sum(len(self.entries(k)) for k in KINDS)

    def longest_prefix(self, text: str, kind: Kind) -> str:
        """The longest entry of this kind that `text` starts with ('' if none)."""
        return max((e for e in self._index[kind][1].get(text[:_MIN], ()) if text.startswith(e)), key=len,
                   default="")

    def longest_suffix(self, text: str, kind: Kind) -> str:
        """The longest entry of this kind that `text` ends with ('' if none)."""
        return max((e for e in self._index[kind][2].get(text[-_MIN:], ()) if text.endswith(e)), key=len,
                   default="")

    # ---- persistence -------------------------------------------------------------------------------------------

    def to_json(self) -> str:
        """json.dumps of {"schema", "sources"} with indent=1, each source's part kept from the last call: an ingest
        writes the file once per batch, and encoding every source again made that grow with the store."""
        global _FRAGMENTS
        have, now = _FRAGMENTS, {}
        for src, v in sorted(self.by_source.items()):
            key = (src, *(v[k] for k in KINDS))
            now[key] = have.get(key) or _fragment(src, v)
        _FRAGMENTS = now  # only the sources of this lexicon: a long-lived process does not keep replaced ones
        sources = "{\n" + ",\n".join(now.values()) + "\n }" if now else "{}"
        return f'{{\n "schema": {json.dumps(SCHEMA)},\n "sources": {sources}\n}}'

    @classmethod
    def from_json(cls, text: str) -> "Lexicon":
        data = json.loads(text)
        if data.get("schema") != SCHEMA:
            raise ValueError(f"not a lexicon file (schema {data.get('schema')!r})")
        return cls({src: {k: frozenset(v.get(k, [])) for k in KINDS} for src, v in data["sources"].items()})

    def save(self, path: Path) -> None:
        """Write atomically: a reader sees the old file or the new one, never half of one."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(self.to_json(), encoding="utf-8")
        os.replace(tmp, path)
        _LOADED[str(path)] = (_stamp(path), self)  # the writer's next load is this lexicon, not a parse of the file


def _fragment(src: str, v: dict[Kind, frozenset[str]]) -> str:
    """One source's lines of the lexicon file, as json.dumps(indent=1) writes them two levels down."""
    inner = json.dumps({k: sorted(v[k]) for k in KINDS}, ensure_ascii=False, indent=1)
    return f"  {json.dumps(src, ensure_ascii=False)}: " + inner.replace("\n", "\n  ")  # JSON strings hold no newline


_FRAGMENTS: dict[tuple, str] = {}

EMPTY = Lexicon()


def load(path: Path | None) -> Lexicon:
    """The lexicon saved at `path`; EMPTY when there is none (a missing lexicon only makes splitting weaker)."""
    if path is None or not path.is_file():
        return EMPTY
    return _load_cached(str(path), _stamp(path))


_LOADED: dict[str, tuple[tuple[int, int, int], Lexicon]] = {}


def _stamp(path: Path) -> tuple[int, int, int]:
    """What tells one version of the file from another: every save replaces it by a new file (a new inode)."""
    st = path.stat()
    return st.st_ino, st.st_mtime_ns, st.st_size


def _load_cached(path: str, stamp: tuple[int, int, int]) -> Lexicon:
    hit = _LOADED.get(path)
    if hit and hit[0] == stamp:
        return hit[1]
    try:
        lex = Lexicon.from_json(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, AttributeError):
        lex = EMPTY  # a damaged lexicon file is rebuilt on the next ingest; extraction goes on without it
    _LOADED[path] = (stamp, lex)
    return lex


def for_extraction(settings: Settings, source: str) -> Lexicon | None:
    """The store's lexicon without the entries of the document being read; None when the setting is off."""
    if not settings.store_lexicon:
        return None
    return load(settings.lexicon_path).without(source)


def remember(settings: Settings, doc: PerformanceDocument, source: str, path: Path | None = None) -> None:
    """Add (or replace) a stored document's entries in the store's lexicon file; never fails the ingest."""
    remember_all(settings, [(doc, source)], path)


def remember_all(settings: Settings, docs: list[tuple[PerformanceDocument, str]], path: Path | None = None) -> None:
    """remember() for a batch of (document, source): the file is read and written once, not once per document
    (per document, a 100k-row store's ingest spent most of its time re-reading and re-writing it)."""
    if not settings.store_lexicon or not docs:
        return
    path = path or settings.lexicon_path
    try:
        by_source = dict(load(path).by_source)
        for doc, source in docs:  # one new lexicon for the batch: with_document copies every source per document
            got = entries_of(doc)
            by_source[source_stem(source)] = {k: frozenset(got[k]) for k in KINDS}
        Lexicon(by_source).save(path)
    except OSError as exc:
        import logging  # only here: logging's imports are ~3% of a one-file `perfdraft extract`, which never writes
        logging.getLogger("perfdraft.lexicon").warning("lexicon not updated (%s): %s", path, exc)
