"""A thread-safe cost ledger (perfdraft.core.models.Usage) with an optional token budget."""

from __future__ import annotations

import threading

from perfdraft.core.errors import BudgetExceeded
from perfdraft.core.models import Usage


class Ledger:
    """Counts calls, tokens (failed attempts included), cache hits, re-asks and retries for one run."""

    def __init__(self, token_budget: int | None = None):
        self.usage = Usage()
        self.token_budget = token_budget
        self._lock = threading.Lock()

    def bump(self, **counts: float) -> None:
        with self._lock:
            for name, n in counts.items():
                setattr(self.usage, name, getattr(self.usage, name) + n)

    @property
    def tokens(self) -> int:
        return self.usage.prompt_tokens + self.usage.completion_tokens

    def check_budget(self) -> None:
        """Stop before a call once the budget is spent."""
        if self.token_budget is not None and self.tokens >= self.token_budget:
            raise BudgetExceeded(f"token budget of {self.token_budget} exhausted ({self.tokens} tokens used);"
                                 " raise PERFDRAFT_LLM_TOKEN_BUDGET or unset it",
                                 usage=self.snapshot())

    def snapshot(self) -> Usage:
        with self._lock:
            return self.usage.model_copy()
