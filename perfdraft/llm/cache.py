"""Content-addressed SQLite cache of validated LLM answers, plus remembered endpoint modes."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from pathlib import Path


def cache_key(*, prompt_key: str, model: str, messages: list[dict[str, str]], schema_name: str,
              endpoint: str = "") -> str:
    """sha256 over endpoint URL, prompt version, model, schema and the exact messages (the chunk is inside them)."""
    payload = json.dumps({"endpoint": endpoint, "prompt": prompt_key, "model": model, "schema": schema_name,
                          "messages": messages}, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class LLMCache:
    """SQLite key -> answer text store; safe to share between threads of one process."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(self.path), check_same_thread=False, timeout=30)
        with self._lock, self._db:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, prompt TEXT, model TEXT,"
                             " content TEXT NOT NULL, created REAL)")
            self._db.execute("CREATE TABLE IF NOT EXISTS endpoint_modes (endpoint TEXT PRIMARY KEY, mode TEXT)")
            self._db.execute("CREATE TABLE IF NOT EXISTS endpoint_down (endpoint TEXT PRIMARY KEY, since REAL,"
                             " reason TEXT)")

    def get(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT content FROM answers WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def put(self, key: str, content: str, *, prompt: str, model: str) -> None:
        with self._lock, self._db:
            self._db.execute("INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?, ?)",
                             (key, prompt, model, content, time.time()))

    def get_mode(self, endpoint: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT mode FROM endpoint_modes WHERE endpoint = ?", (endpoint,)).fetchone()
        return row[0] if row else None

    def put_mode(self, endpoint: str, mode: str) -> None:
        with self._lock, self._db:
            self._db.execute("INSERT OR REPLACE INTO endpoint_modes VALUES (?, ?)", (endpoint, mode))

    def get_down(self, endpoint: str) -> tuple[float, str] | None:
        """(since, reason) when the endpoint was recorded dead (shared by a batch's worker processes)."""
        with self._lock:
            row = self._db.execute("SELECT since, reason FROM endpoint_down WHERE endpoint = ?",
                                   (endpoint,)).fetchone()
        return (row[0], row[1]) if row else None

    def put_down(self, endpoint: str, reason: str | None) -> None:
        """Record the endpoint dead now (reason given) or alive again (None)."""
        with self._lock, self._db:
            if reason is None:
                self._db.execute("DELETE FROM endpoint_down WHERE endpoint = ?", (endpoint,))
            else:
                self._db.execute("INSERT OR REPLACE INTO endpoint_down VALUES (?, ?, ?)",
                                 (endpoint, time.time(), reason))

    def __len__(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM answers").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self._db.close()
