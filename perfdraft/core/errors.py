"""A small exception tree that carries data; friendly one-line messages are made only at the edges."""

from __future__ import annotations

from typing import Any


class PerfdraftError(Exception):
    """Base of every error perfdraft raises on purpose."""

    kind = "error"

    def __init__(self, message: str, *, file: str | None = None, page: int | None = None, **data: Any):
        super().__init__(message)
        self.message = message
        self.file = file
        self.page = page
        self.data = data

    def one_line(self) -> str:
        """A single line for users: where, then what."""
        where = self.file or ""
        if self.page is not None:
            where += f" (page {self.page})"
        return f"{where}: {self.message}" if where else self.message


class InputError(PerfdraftError):
    """The input file cannot be used (unsupported, corrupt, encrypted, empty, too large...)."""

    kind = "input"


class UnsupportedFormat(InputError):
    kind = "unsupported-format"


class CorruptDocument(InputError):
    kind = "corrupt"


class EncryptedDocument(InputError):
    kind = "encrypted"


class ScannedDocument(InputError):
    """A PDF with no text layer: it needs OCR first."""

    kind = "scanned"


class EmptyDocument(InputError):
    kind = "empty"


class TooLarge(InputError):
    kind = "too-large"


class ExtractionError(PerfdraftError):
    """The document loaded but extraction failed."""

    kind = "extraction"


class NoPerformanceTables(ExtractionError):
    kind = "no-tables"


class ConfigError(PerfdraftError):
    """A setting is missing or wrong; the message says which variable to set."""

    kind = "config"


class LLMError(PerfdraftError):
    """Base for LLM failures; carries attempts, last completion and usage."""

    kind = "llm"

    def __init__(self, message: str, *, attempts: int = 0, last_completion: str | None = None,
                 usage: Any = None, **kw: Any):
        super().__init__(message, **kw)
        self.attempts = attempts
        self.last_completion = last_completion
        self.usage = usage


class LLMUnavailable(LLMError):
    """The endpoint cannot be reached or keeps failing at the transport level."""

    kind = "llm-unavailable"


class LLMValidationError(LLMError):
    """The model's answers kept failing validation or grounding after the allowed re-asks."""

    kind = "llm-validation"


class BudgetExceeded(LLMError):
    """A per-document token budget was used up."""

    kind = "budget-exceeded"


class StoreError(PerfdraftError):
    kind = "store"


class StoreBusy(StoreError):
    """Another process holds the store's write lock longer than the wait allowed; carries holder and waited_s."""

    kind = "store-busy"


class StoreUnavailable(StoreError):
    """The Chroma server (or its connection) went away; the message says how to check it."""

    kind = "store-unavailable"


class LLMTruncated(LLMError):
    """The model stopped at its output limit (finish_reason 'length'): the answer is never accepted."""

    kind = "llm-truncated"
