"""Circuit breaker: an endpoint that failed at the transport level is not tried again for a while."""

from __future__ import annotations

import threading
import time

from perfdraft.llm.cache import LLMCache

_DOWN: dict[str, tuple[float, str]] = {}  # this process's view; the cache database shares it between workers
_LOCK = threading.Lock()


class Breaker:
    """Open after an endpoint is declared unavailable; closed again after `cooldown_s` or a success."""

    def __init__(self, endpoint: str, cooldown_s: float, cache: LLMCache | None = None):
        self.endpoint = endpoint
        self.cooldown_s = cooldown_s
        self.cache = cache

    def open_reason(self) -> str | None:
        """Why the endpoint is not to be tried now, or None when it may be."""
        with _LOCK:
            down = _DOWN.get(self.endpoint)
        if down is None and self.cache is not None:
            down = self.cache.get_down(self.endpoint)
        if down is None or time.time() - down[0] >= self.cooldown_s:
            return None
        return down[1]

    def trip(self, reason: str) -> None:
        with _LOCK:
            _DOWN[self.endpoint] = (time.time(), reason)
        if self.cache is not None:
            self.cache.put_down(self.endpoint, reason)

    def reset(self) -> None:
        with _LOCK:
            known = _DOWN.pop(self.endpoint, None)
        if self.cache is not None and (known is not None or self.cache.get_down(self.endpoint)):
            self.cache.put_down(self.endpoint, None)
