"""One writer at a time on a local Chroma directory: fcntl.flock on a lock file inside it, readers shared."""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from perfdraft.core.errors import StoreBusy

LOCK_NAME = "perfdraft.lock"
_POLL_S = 0.05


class StoreLock:
    """A reader/writer lock on a store directory, shared by every process (CLI, page) that opens it.

    Each acquisition opens its own file descriptor, so threads of one process exclude each other exactly as
    processes do; a thread that already holds the lock re-enters without waiting (a write may call a write).
    The kernel drops a flock when its process dies, so a SIGKILLed writer never leaves the store locked.
    """

    def __init__(self, folder: Path, timeout_s: float = 60.0):
        self.path = Path(folder) / LOCK_NAME
        self.timeout_s = timeout_s
        self._held = threading.local()

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the lock alone (a write)."""
        with self._hold(fcntl.LOCK_EX):
            yield

    @contextmanager
    def shared(self) -> Iterator[None]:
        """Hold the lock together with other readers (a read never sees half a write)."""
        with self._hold(fcntl.LOCK_SH):
            yield

    @contextmanager
    def try_exclusive(self) -> Iterator[bool]:
        """Hold the lock alone if nobody holds it now (True), else go on at once without it (False)."""
        fd = None if getattr(self._held, "depth", 0) else self._open()
        if fd is None:
            yield False
            return
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            self._held.depth = 1
            try:
                yield True
            finally:
                self._held.depth = 0
        finally:
            os.close(fd)

    @contextmanager
    def _hold(self, mode: int) -> Iterator[None]:
        depth = getattr(self._held, "depth", 0)
        if depth:  # re-entry; a shared holder asking for exclusive would wait on itself, so callers never do
            self._held.depth = depth + 1
            try:
                yield
            finally:
                self._held.depth -= 1
            return
        fd = self._open()
        if fd is None:  # read-only store folder: nobody can write it, so there is nothing to exclude
            yield
            return
        try:
            self._acquire(fd, mode)
            if mode == fcntl.LOCK_EX:
                os.ftruncate(fd, 0)
                os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)  # names the writer for the next one's message
            self._held.depth = 1
            try:
                yield
            finally:
                self._held.depth = 0
        finally:
            os.close(fd)  # closing the descriptor releases the flock

    def _open(self) -> int | None:
        try:
            return os.open(self.path, os.O_RDWR | os.O_CREAT, 0o664)
        except PermissionError:
            try:
                return os.open(self.path, os.O_RDONLY)
            except OSError:
                return None

    def _acquire(self, fd: int, mode: int) -> None:
        deadline = time.monotonic() + self.timeout_s
        while True:
            try:
                fcntl.flock(fd, mode | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise StoreBusy(
                        f"the store is locked by another process{self._holder()}; waited "
                        f"{self.timeout_s:g} s (PERFDRAFT_STORE_LOCK_TIMEOUT), try again when it has finished",
                        file=str(self.path.parent), holder=self._holder_pid(), waited_s=self.timeout_s) from None
                time.sleep(_POLL_S)

    def _holder_pid(self) -> int | None:
        try:
            text = self.path.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            return None
        return int(text) if text.isdigit() else None

    def _holder(self) -> str:
        pid = self._holder_pid()
        return f" (last writer: pid {pid})" if pid else ""
