"""The LLM client seam: what the extraction and drafting backends need from a client (LLMClient or a fake)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, TypeVar, runtime_checkable

from pydantic import BaseModel

if TYPE_CHECKING:  # names for the annotations only: the rules backend names this seam without the LLM stack
    from perfdraft.llm.client import StructuredAnswer
    from perfdraft.llm.ledger import Ledger
    from perfdraft.llm.prompts import RenderedPrompt

T = TypeVar("T", bound=BaseModel)


@runtime_checkable
class StructuredClient(Protocol):
    """Asks for a schema-valid object, re-asking on problems; perfdraft.llm.client.LLMClient is the real one."""

    def structured(self, prompt: RenderedPrompt, schema: type[T], *, ledger: Ledger,
                   check: Callable[[T], list[str]] | None = None) -> StructuredAnswer[T]: ...
