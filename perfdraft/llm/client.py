"""The one LLM client: OpenAI-compatible chat completions with structured output, retries, re-asks and cache."""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from typing import Callable, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from perfdraft.core.errors import LLMError, LLMTruncated, LLMUnavailable, LLMValidationError
from perfdraft.llm.breaker import Breaker
from perfdraft.llm.cache import LLMCache, cache_key
from perfdraft.llm.ledger import Ledger
from perfdraft.llm.prompts import RenderedPrompt
from perfdraft.core.settings import Settings

log = logging.getLogger("perfdraft.llm")

T = TypeVar("T", bound=BaseModel)
MODES = ("json_schema", "json_object", "prompt")
# Modes detected per endpoint in this process (also persisted in the cache database).
_REMEMBERED_MODES: dict[str, str] = {}
_MODES_LOCK = threading.Lock()
MAX_RETRY_AFTER_S = 60.0


class StructuredAnswer(BaseModel, Generic[T]):
    """A validated answer plus what is still wrong with it (grounding problems left after re-asks)."""

    value: T
    problems: list[str] = []
    attempts: int = 0
    cached: bool = False
    mode: str = ""
    prompt: str = ""


class _Transport(Exception):
    """Internal: one failed HTTP attempt worth retrying."""

    def __init__(self, reason: str, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class _Rejected(Exception):
    """Internal: a 400 from the endpoint (maybe a response_format it does not support)."""


_THINK = re.compile(r"<think>.*?(?:</think>|$)", re.DOTALL | re.IGNORECASE)
_FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.DOTALL)


def parse_json_reply(text: str | None) -> object:
    """The JSON object of a reply: bare, after a <think> block, in a ``` fence, or amid prose with braces."""
    if text is None:
        raise ValueError("the reply was empty")
    s = _THINK.sub("", text).strip()
    candidates = [m.group(1).strip() for m in _FENCE.finditer(s)] + [s]
    first_error: json.JSONDecodeError | None = None
    decoder = json.JSONDecoder()
    for c in candidates:
        try:
            return json.loads(c)
        except json.JSONDecodeError as exc:
            first_error = first_error or exc
        # prose before or after the object, braces included: decode from each '{' and keep the first object
        for i in (k for k, ch in enumerate(c) if ch == "{"):
            try:
                obj, _ = decoder.raw_decode(c, i)
            except json.JSONDecodeError:
                continue
            if isinstance(obj, dict):
                return obj
    assert first_error is not None
    raise ValueError(f"the reply is not valid JSON ({first_error.msg} at line {first_error.lineno} "
                     f"column {first_error.colno})")


def _retry_after(headers) -> float | None:
    if headers is None:
        return None
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        raw = headers.get(name)
        if raw:
            try:
                return min(max(float(raw) * scale, 0.0), MAX_RETRY_AFTER_S)
            except ValueError:
                return None  # an HTTP date: fall back to our own backoff
    return None


class LLMClient:
    """Structured chat completions against any OpenAI-compatible endpoint; the API key never leaves it."""

    def __init__(self, settings: Settings, *, cache: LLMCache | None = None, use_cache: bool = True,
                 backoff_base: float = 0.5, sleep: Callable[[float], None] = time.sleep):
        settings.require_llm()
        import openai  # heavy import kept out of CLI start-up

        self._openai = openai
        self.settings = settings
        self.base_url = str(settings.llm_base_url).rstrip("/")
        self.model = str(settings.llm_model)
        self._key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else ""
        # The SDK's own retries are off: we retry ourselves so that every attempt is counted and bounded.
        self._sdk = openai.OpenAI(base_url=self.base_url, api_key=self._key or "not-needed",
                                  timeout=settings.llm_timeout, max_retries=0)
        self.cache = cache if cache is not None else (LLMCache(settings.cache_path) if use_cache else None)
        self.backoff_base = backoff_base
        self.sleep = sleep
        self._slots = threading.BoundedSemaphore(max(1, settings.llm_max_concurrency))
        self.breaker = Breaker(self.endpoint, settings.llm_breaker_cooldown_s, self.cache)

    # ---------------------------------------------------------------------------------- helpers

    @property
    def endpoint(self) -> str:
        return f"{self.base_url}|{self.model}"

    def redact(self, text: str) -> str:
        """Remove the API key from any text that might leave this object."""
        return text.replace(self._key, "***") if self._key and len(self._key) >= 4 else text

    def mode(self) -> str:
        """The structured-output mode to use now: configured, or detected and remembered for the endpoint."""
        if self.settings.llm_structured_mode != "auto":
            return self.settings.llm_structured_mode
        with _MODES_LOCK:
            known = _REMEMBERED_MODES.get(self.endpoint)
        if known is None and self.cache is not None:
            known = self.cache.get_mode(self.endpoint)
            if known:
                with _MODES_LOCK:
                    _REMEMBERED_MODES[self.endpoint] = known
        return known or "json_schema"

    def _remember(self, mode: str) -> None:
        with _MODES_LOCK:
            _REMEMBERED_MODES[self.endpoint] = mode
        if self.cache is not None:
            self.cache.put_mode(self.endpoint, mode)
        log.info("endpoint %s: structured mode %s", self.base_url, mode)

    def _unavailable(self, reason: str, attempts: int, ledger: Ledger) -> LLMUnavailable:
        self.breaker.trip(self.redact(reason))
        return LLMUnavailable(
            self.redact(f"LLM endpoint {self.base_url} failed after {attempts} attempt(s): {reason}; "
                        "check PERFDRAFT_LLM_BASE_URL (and PERFDRAFT_LLM_MODEL), or use --backend rules"),
            attempts=attempts, usage=ledger.snapshot())

    # ---------------------------------------------------------------------------------- one HTTP call

    def _request(self, messages: list[dict[str, str]], schema: type[BaseModel], mode: str):
        kwargs: dict = {"model": self.model, "messages": messages, "temperature": 0}
        if self.settings.llm_seed is not None:
            kwargs["seed"] = self.settings.llm_seed
        if mode == "json_schema":
            kwargs["response_format"] = {"type": "json_schema", "json_schema": {
                "name": schema.__name__, "schema": schema.model_json_schema(), "strict": False}}
        elif mode == "json_object":
            kwargs["response_format"] = {"type": "json_object"}
        oa = self._openai
        try:
            with self._slots:
                return self._sdk.chat.completions.create(**kwargs)
        except oa.APITimeoutError:
            raise _Transport(f"timed out after {self.settings.llm_timeout:g} s")
        except oa.APIConnectionError as exc:
            raise _Transport(f"cannot connect ({type(exc.__cause__ or exc).__name__})")
        except oa.RateLimitError as exc:
            raise _Transport("429 rate limited", _retry_after(exc.response.headers))
        except oa.APIStatusError as exc:
            status = exc.status_code
            if status == 400:
                raise _Rejected(self.redact(str(exc.message)[:300]))
            if status in (401, 403):
                raise LLMUnavailable(f"LLM endpoint {self.base_url} refused the credentials ({status}); "
                                     "set PERFDRAFT_LLM_API_KEY (or OPENAI_API_KEY)")
            if status == 404:
                raise LLMUnavailable(f"LLM endpoint {self.base_url} answered 404 for model {self.model!r}; "
                                     "check PERFDRAFT_LLM_BASE_URL (usually ends in /v1) and PERFDRAFT_LLM_MODEL")
            if status >= 500 or status in (408, 409):
                raise _Transport(f"HTTP {status}", _retry_after(exc.response.headers))
            raise LLMError(self.redact(f"LLM endpoint {self.base_url} answered HTTP {status}: {exc.message}"))

    def chat(self, messages: list[dict[str, str]], schema: type[BaseModel], ledger: Ledger) -> tuple[str | None, str]:
        """One completion with transport retries and the structured-mode fallback; returns (content, mode)."""
        retries = max(0, self.settings.llm_transport_retries)
        failures = 0
        while True:
            down = self.breaker.open_reason()
            if down is not None:
                raise LLMUnavailable(self.redact(
                    f"LLM endpoint {self.base_url} is not tried again for {self.settings.llm_breaker_cooldown_s:g} s "
                    f"after it failed ({down}); check PERFDRAFT_LLM_BASE_URL, or use --backend rules"),
                    usage=ledger.snapshot())
            mode = self.mode()
            ledger.check_budget()
            ledger.bump(calls=1)
            try:
                resp = self._request(messages, schema, mode)
            except _Rejected as exc:
                ledger.bump(failed_calls=1)
                if self.settings.llm_structured_mode == "auto" and mode != "prompt":
                    # e.g. DeepSeek/Qwen reject json_schema with a 400: step down once and remember.
                    self._remember(MODES[MODES.index(mode) + 1])
                    continue
                raise LLMError(f"LLM endpoint {self.base_url} rejected the request (400) in mode {mode}: {exc}"
                               + ("; set PERFDRAFT_LLM_STRUCTURED_MODE=auto" if mode != "prompt" else ""))
            except _Transport as exc:
                ledger.bump(failed_calls=1)
                failures += 1
                if failures > retries:
                    raise self._unavailable(exc.reason, failures, ledger) from None
                ledger.bump(transport_retries=1)
                delay = exc.retry_after if exc.retry_after is not None else self.backoff_base * 2 ** (failures - 1)
                log.info("LLM transport problem (%s); retry %d/%d in %.2f s", exc.reason, failures, retries, delay)
                self.sleep(delay)
                continue
            except LLMError as exc:
                ledger.bump(failed_calls=1)
                exc.usage = ledger.snapshot()
                raise
            usage = getattr(resp, "usage", None)
            if usage is not None:
                ledger.bump(prompt_tokens=usage.prompt_tokens or 0, completion_tokens=usage.completion_tokens or 0)
            choices = getattr(resp, "choices", None)
            if not choices:
                # HTTP 200 with {"error": ...} (vLLM, one-api gateways): a failed attempt, not an empty answer
                ledger.bump(failed_calls=1)
                failures += 1
                reason = "HTTP 200 with an error body: " + self.redact(_error_of(resp))[:200]
                if failures > retries:
                    raise self._unavailable(reason, failures, ledger) from None
                ledger.bump(transport_retries=1)
                self.sleep(self.backoff_base * 2 ** (failures - 1))
                continue
            self.breaker.reset()
            if getattr(choices[0], "finish_reason", None) == "length":
                raise LLMTruncated(f"the model's answer was cut off at its output limit (finish_reason length) "
                                   f"at {self.base_url}", last_completion=self.redact(
                                       choices[0].message.content or "")[:2000], usage=ledger.snapshot())
            return choices[0].message.content, mode

    # ---------------------------------------------------------------------------------- structured

    def structured(self, prompt: RenderedPrompt, schema: type[T], *, ledger: Ledger,
                   check: Callable[[T], list[str]] | None = None) -> StructuredAnswer[T]:
        """Ask for a `schema` object; re-ask on bad JSON, schema errors or `check` problems (bounded).

        Schema failures after the last re-ask raise LLMValidationError; `check` problems that remain are
        returned in `problems` for the caller to flag, never silently dropped.
        """
        messages = prompt.messages()
        key = cache_key(prompt_key=prompt.key, model=self.model, messages=messages, schema_name=schema.__name__,
                        endpoint=self.base_url)
        if self.cache is not None:
            hit = self.cache.get(key)
            if hit is not None:
                try:
                    value = schema.model_validate(parse_json_reply(hit))
                except (ValueError, ValidationError):
                    value = None  # a stale entry from an older schema: ask again
                problems = check(value) if check and value is not None else []
                if value is not None and not problems:  # an entry that fails today's checks is no answer
                    ledger.bump(cache_hits=1)
                    return StructuredAnswer[schema](value=value, problems=[], cached=True, mode="cache",
                                                    prompt=prompt.key)
        started = time.perf_counter()
        try:
            return self._ask(prompt, schema, messages, key, ledger, check)
        finally:
            ledger.bump(wall_s=time.perf_counter() - started)

    def _ask(self, prompt, schema, messages, key, ledger, check):
        max_reasks = max(0, self.settings.llm_max_reasks)
        content: str | None = None
        best = None  # the last schema-valid answer, kept if a later re-ask breaks the schema
        for attempt in range(max_reasks + 1):
            content, mode = self.chat(messages, schema, ledger)
            hard: list[str] = []
            soft: list[str] = []
            value = None
            try:
                value = schema.model_validate(parse_json_reply(content))
            except ValueError as exc:  # pydantic's ValidationError is a ValueError too
                hard = _describe(exc)
            if value is not None and check is not None:
                soft = check(value)
            if value is None and best is not None and attempt == max_reasks:
                value, soft, content, mode = best
            if value is not None:
                best = (value, soft, content, mode)
            if value is not None and (not soft or attempt == max_reasks):
                if self.cache is not None and not soft:  # only a clean answer is cached as good
                    self.cache.put(key, content or "", prompt=prompt.key, model=self.model)
                return StructuredAnswer[schema](value=value, problems=soft, attempts=attempt + 1, mode=mode,
                                                prompt=prompt.key)
            if attempt < max_reasks:
                ledger.bump(reasks=1)
                messages = messages + [{"role": "assistant", "content": content or ""},
                                       {"role": "user", "content": _feedback(hard or soft)}]
        raise LLMValidationError(
            f"the model's answer failed validation after {max_reasks + 1} attempt(s) (prompt {prompt.key}): "
            + "; ".join(hard)[:500], attempts=max_reasks + 1,
            last_completion=self.redact(content or "")[:2000], usage=ledger.snapshot())


def _error_of(resp) -> str:
    """The message of an error body the SDK parsed as a completion."""
    err = getattr(resp, "error", None)
    if err is None:
        err = (getattr(resp, "model_extra", None) or {}).get("error")
    if isinstance(err, dict):
        return str(err.get("message") or err)
    return str(err) if err is not None else "no choices in the answer"


def _describe(exc: Exception) -> list[str]:
    if isinstance(exc, ValidationError):
        return [f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}" for e in exc.errors()[:20]]
    return [str(exc)]


def _feedback(problems: list[str]) -> str:
    lines = "\n".join(f"- {p}" for p in problems[:30])
    return ("Your previous answer cannot be accepted:\n" + lines + "\nReply again with one corrected JSON object "
            "that follows the schema. Copy every text value verbatim from the document; never invent values.")
