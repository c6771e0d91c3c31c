"""The lexical index on disk beside a local store: append-only column files and a manifest of their lengths,
checksums and the store state (generation, project count) they describe.

A write appends what the files lack and then replaces the manifest atomically, so a process killed half-way
leaves bytes past the manifest's lengths that are cut off on the next write; a file that does not match its
checksum, a manifest of another store state or anything unreadable makes `load` return None (the caller
rebuilds from the store, never trusting the files).
"""

from __future__ import annotations

import json
import os
import uuid
import zlib
from pathlib import Path
from typing import NamedTuple

import numpy as np

from perfdraft.ingest.store_lexical import LexicalIndex

FORMAT = 1
MANIFEST = "manifest.json"
COLUMNS = ("vocab", "slots", "ints", "tgrams", "ttf", "names", "dead")
# rewrite the files without removed projects once these outnumber the live ones (re-ingests leave them behind)
COMPACT_MIN_DEAD = 1024


class Key(NamedTuple):
    """The store state an index describes: the lexicon generation in Chroma and the number of projects."""

    generation: str | None
    projects: int


def _counts(idx: LexicalIndex) -> dict[str, int]:
    """Elements per column (what the files hold a prefix of)."""
    return {"vocab": len(idx.grams), "slots": len(idx.ids), "ints": len(idx.slot_ints),
            "tgrams": len(idx.text_grams), "ttf": len(idx.text_tf), "names": len(idx.name_grams), "dead": len(idx.dead)}


def _extends(m: dict, origin: tuple[str, dict[str, int]]) -> bool:
    """Whether the files named by the manifest are the prefix an index was loaded from or saved as."""
    try:
        return m["base"] == origin[0] and {c: m["files"][c][2] for c in COLUMNS} == origin[1]
    except (KeyError, IndexError, TypeError):
        return False


def _encode(idx: LexicalIndex, col: str, start: int) -> bytes:
    """The bytes of elements start.. of one column."""
    if col == "vocab":  # a gram never holds a newline: char_ngrams splits text on whitespace
        return "".join(g + "\n" for g in idx.grams[start:]).encode("utf-8")
    if col == "slots":
        rows = zip(idx.ids[start:], idx.docs[start:], idx.names[start:], idx.cores[start:])
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")
    if col == "dead":
        return np.asarray(idx.dead[start:], dtype="<i4").tobytes()
    arr = {"ints": idx.slot_ints, "tgrams": idx.text_grams, "ttf": idx.text_tf, "names": idx.name_grams}[col].array
    return np.ascontiguousarray(arr[start:], dtype="<i4").tobytes()


def _decode(col: str, data: bytes):
    if col == "vocab":
        return data.decode("utf-8").split("\n")[:-1]
    if col == "slots":  # one JSON array per line; json.dumps escapes newlines inside strings
        body = data.decode("utf-8").rstrip("\n").replace("\n", ",")
        return json.loads(f"[{body}]")
    arr = np.frombuffer(data, dtype="<i4")
    return arr.reshape(-1, 3) if col == "ints" else arr


class IndexFiles:
    """One folder of index files for one store collection set."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.problem = ""  # why the last load returned None, for logs and tests

    def _path(self, base: str, col: str) -> Path:
        return self.folder / f"{base}.{col}"

    def manifest(self) -> dict | None:
        try:
            m = json.loads((self.folder / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return m if isinstance(m, dict) and m.get("format") == FORMAT else None

    def load(self, key: Key) -> LexicalIndex | None:
        """The stored index if it describes exactly this store state and every file checks out, else None."""
        m = self.manifest()
        if m is None:
            self.problem = "no readable manifest"
            return None
        if Key(m.get("generation"), m.get("projects")) != key:
            self.problem = "stale: the store changed since the index was written"
            return None
        try:
            cols = {}
            for col in COLUMNS:
                size, crc, _ = m["files"][col]
                with open(self._path(m["base"], col), "rb") as f:
                    data = f.read(size)
                if len(data) != size or zlib.crc32(data) != crc:
                    self.problem = f"{col} file is short or fails its checksum"
                    return None
                cols[col] = _decode(col, data)
            idx = LexicalIndex.from_columns(cols["vocab"], cols["slots"], cols["ints"], cols["tgrams"], cols["ttf"],
                                            cols["names"], cols["dead"])
        except (OSError, KeyError, TypeError, ValueError) as exc:
            self.problem = f"unreadable index files: {type(exc).__name__}: {exc}"
            return None
        if idx.live != key.projects:
            self.problem = "index holds another number of projects than the store"
            return None
        idx.origin = (m["base"], _counts(idx))
        return idx

    def save(self, idx: LexicalIndex, key: Key) -> LexicalIndex:
        """Write the index for this store state (appending when the files hold its prefix); returns the index
        to keep using (a compacted copy when removed projects outnumbered live ones). Raises OSError."""
        if len(idx.dead) > max(COMPACT_MIN_DEAD, idx.live):
            idx = idx.compacted()
        m = self.manifest()
        origin = idx.origin
        if m and origin and _extends(m, origin):
            files = self._append(idx, m)
            base = m["base"]
        else:
            base = uuid.uuid4().hex
            files = self._write_new(idx, base)
        self._write_manifest({"format": FORMAT, "base": base, "generation": key.generation,
                              "projects": key.projects, "files": files})
        if not origin or origin[0] != base:
            self._drop_other_bases(base)
        idx.origin = (base, _counts(idx))
        return idx

    def _append(self, idx: LexicalIndex, m: dict) -> dict:
        files, counts = {}, _counts(idx)
        for col in COLUMNS:
            size, crc, n = m["files"][col]
            new = _encode(idx, col, n)
            with open(self._path(m["base"], col), "r+b") as f:
                f.truncate(size)  # bytes past the manifest are a killed writer's leftovers
                f.seek(size)
                f.write(new)
                f.flush()
                os.fsync(f.fileno())
            files[col] = [size + len(new), zlib.crc32(new, crc), counts[col]]
        return files

    def _write_new(self, idx: LexicalIndex, base: str) -> dict:
        self.folder.mkdir(parents=True, exist_ok=True)
        files, counts = {}, _counts(idx)
        for col in COLUMNS:
            data = _encode(idx, col, 0)
            with open(self._path(base, col), "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            files[col] = [len(data), zlib.crc32(data), counts[col]]
        return files

    def _write_manifest(self, m: dict) -> None:
        tmp = self.folder / f"{MANIFEST}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(m, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.folder / MANIFEST)
        fd = os.open(self.folder, os.O_RDONLY)
        try:
            os.fsync(fd)  # the rename itself survives a power cut
        finally:
            os.close(fd)

    def _drop_other_bases(self, base: str) -> None:
        for p in self.folder.iterdir():
            stale = p.suffix.lstrip(".") in COLUMNS and not p.name.startswith(base + ".")
            if stale or (p.suffix == ".tmp" and p.name.startswith(MANIFEST)):  # killed writers' manifests too
                p.unlink(missing_ok=True)
