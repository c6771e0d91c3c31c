"""LLMClient against a real HTTP server on 127.0.0.1: structured output, re-asks, retries, modes, cache, key."""

from __future__ import annotations

import json
import logging
import socket

import pytest
from pydantic import BaseModel, Field

from perfdraft.core.errors import BudgetExceeded, LLMUnavailable, LLMValidationError
from perfdraft.llm.cache import LLMCache
from perfdraft.llm.client import LLMClient, parse_json_reply
from perfdraft.llm.grounding import Grounder
from perfdraft.llm.ledger import Ledger
from perfdraft.llm.prompts import RenderedPrompt
from tests.llm.conftest import SECRET
from tests.llm.fake_server import FakeLLM, Reply


class Row(BaseModel):
    """A tiny schema for client tests."""

    level3: str = Field(description="三级指标")
    value: str = Field(description="指标值")


CHUNK = "三级指标 指标值\n参保人数 289.89 万人\n群众满意度 ≥95 百分比"
PROMPT = RenderedPrompt(key="test_prompt@1", system="Copy one row as JSON.", user=f"<document>\n{CHUNK}\n</document>")
GOOD = json.dumps({"level3": "参保人数", "value": "289.89 万人"}, ensure_ascii=False)


def client_for(settings, sleeps: list[float] | None = None, **kw) -> LLMClient:
    return LLMClient(settings, backoff_base=0.01, sleep=(sleeps.append if sleeps is not None else lambda s: None),
                     **kw)


def grounded(row: Row) -> list[str]:
    g = Grounder(CHUNK)
    return [f"{k} {v!r} does not occur in the document" for k, v in row.model_dump().items() if not g.has(v)]


def test_valid_answer_is_parsed_and_counted(fake_llm, settings_for):
    fake_llm.add(GOOD)
    ledger = Ledger()
    ans = client_for(settings_for(fake_llm.url)).structured(PROMPT, Row, ledger=ledger, check=grounded)
    assert ans.value == Row(level3="参保人数", value="289.89 万人") and ans.problems == []
    req = fake_llm.requests[0]
    assert req["temperature"] == 0 and req["seed"] == 7 and req["model"] == "fake-model"
    assert req["response_format"]["type"] == "json_schema"
    assert req["response_format"]["json_schema"]["schema"]["properties"]["level3"]["description"] == "三级指标"
    u = ledger.usage
    assert (u.calls, u.prompt_tokens, u.completion_tokens, u.reasks, u.transport_retries) == (1, 100, 20, 0, 0)


def test_invalid_json_then_repair(fake_llm, settings_for):
    fake_llm.add('{"level3": "参保人数", "value": ', "Here you go:\n```json\n" + GOOD + "\n```")
    ledger = Ledger()
    ans = client_for(settings_for(fake_llm.url)).structured(PROMPT, Row, ledger=ledger)
    assert ans.value.level3 == "参保人数" and ans.attempts == 2
    feedback = fake_llm.requests[1]["messages"][-1]["content"]
    assert "not valid JSON" in feedback
    assert fake_llm.requests[1]["messages"][-2] == {"role": "assistant", "content": '{"level3": "参保人数", "value": '}
    assert (ledger.usage.calls, ledger.usage.reasks, ledger.usage.prompt_tokens) == (2, 1, 200)


def test_schema_violation_then_reask(fake_llm, settings_for):
    fake_llm.add(json.dumps({"level3": "参保人数"}, ensure_ascii=False), GOOD)
    ledger = Ledger()
    ans = client_for(settings_for(fake_llm.url)).structured(PROMPT, Row, ledger=ledger)
    assert ans.value.value == "289.89 万人"
    assert "value: Field required" in fake_llm.requests[1]["messages"][-1]["content"]
    assert ledger.usage.reasks == 1


def test_schema_violation_every_time_raises_typed_error(fake_llm, settings_for):
    fake_llm.add(*[json.dumps({"level3": 1})] * 3)
    ledger = Ledger()
    with pytest.raises(LLMValidationError) as exc:
        client_for(settings_for(fake_llm.url, llm_max_reasks=2)).structured(PROMPT, Row, ledger=ledger)
    assert exc.value.attempts == 3 and len(fake_llm.requests) == 3
    assert exc.value.usage.calls == 3 and exc.value.usage.prompt_tokens == 300  # failed attempts are paid for


def test_hallucinated_value_is_reasked_then_flagged(fake_llm, settings_for):
    invented = json.dumps({"level3": "参保人数", "value": "300 万人"}, ensure_ascii=False)
    fake_llm.add(invented, GOOD)
    ans = client_for(settings_for(fake_llm.url)).structured(PROMPT, Row, ledger=Ledger(), check=grounded)
    assert ans.value.value == "289.89 万人" and ans.problems == []
    assert "'300 万人' does not occur" in fake_llm.requests[1]["messages"][-1]["content"]

    with FakeLLM() as stubborn:
        stubborn.add(invented, invented, invented)
        ans = client_for(settings_for(stubborn.url), use_cache=False).structured(PROMPT, Row, ledger=Ledger(), check=grounded)
    assert ans.problems == ["value '300 万人' does not occur in the document"]  # flagged, not silently accepted


def test_429_500_timeout_then_success(fake_llm, settings_for):
    fake_llm.add(Reply(status=429, headers={"Retry-After": "3"}), Reply(status=500), Reply(content=GOOD, delay=1.5),
                 GOOD)
    sleeps: list[float] = []
    ledger = Ledger()
    ans = client_for(settings_for(fake_llm.url, llm_timeout=0.5), sleeps).structured(PROMPT, Row, ledger=ledger)
    assert ans.value.level3 == "参保人数"
    assert sleeps[0] == 3.0  # Retry-After honoured
    assert len(sleeps) == 3
    u = ledger.usage
    assert (u.calls, u.failed_calls, u.transport_retries, u.reasks) == (4, 3, 3, 0)


def test_transport_failures_beyond_the_limit_raise_unavailable(fake_llm, settings_for):
    fake_llm.add(*[Reply(status=503)] * 3)
    with pytest.raises(LLMUnavailable) as exc:
        client_for(settings_for(fake_llm.url, llm_transport_retries=2)).structured(PROMPT, Row, ledger=Ledger())
    assert "HTTP 503" in exc.value.message and fake_llm.url in exc.value.message
    assert len(fake_llm.requests) == 3


def reject_json_schema(req: dict) -> Reply:
    if (req.get("response_format") or {}).get("type") == "json_schema":
        return Reply(status=400, body={"error": {"message": "response_format json_schema is not supported",
                                                 "type": "invalid_request_error"}})
    return Reply(content=GOOD)


def test_endpoint_rejecting_json_schema_falls_back_and_is_remembered(settings_for):
    with FakeLLM(responder=reject_json_schema) as fake:
        settings = settings_for(fake.url)
        ledger = Ledger()
        ans = client_for(settings, use_cache=False).structured(PROMPT, Row, ledger=ledger)
        assert ans.mode == "json_object" and ans.value.level3 == "参保人数"
        assert [r.get("response_format", {}).get("type") for r in fake.requests] == ["json_schema", "json_object"]
        # A new client (new run) uses the remembered mode straight away.
        client_for(settings, use_cache=False).structured(PROMPT, Row, ledger=Ledger())
        assert fake.requests[-1]["response_format"]["type"] == "json_object" and len(fake.requests) == 3


def test_endpoint_rejecting_every_response_format_uses_prompted_json(settings_for):
    def only_plain(req):
        if "response_format" in req:
            return Reply(status=400, body={"error": {"message": "unknown field response_format"}})
        return Reply(content="Sure! " + GOOD)

    with FakeLLM(responder=only_plain) as fake:
        ans = client_for(settings_for(fake.url)).structured(PROMPT, Row, ledger=Ledger())
    assert ans.mode == "prompt" and ans.value.value == "289.89 万人"


def test_configured_mode_is_used_without_probing(fake_llm, settings_for):
    fake_llm.add(GOOD)
    client_for(settings_for(fake_llm.url, llm_structured_mode="json_object")).structured(PROMPT, Row, ledger=Ledger())
    assert fake_llm.requests[0]["response_format"] == {"type": "json_object"}


def test_unreachable_endpoint_names_url_and_setting(settings_for):
    with socket.socket() as s:  # a port with nothing listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v1"
    with pytest.raises(LLMUnavailable) as exc:
        client_for(settings_for(url, llm_transport_retries=1)).structured(PROMPT, Row, ledger=Ledger())
    msg = exc.value.one_line()
    assert url in msg and "PERFDRAFT_LLM_BASE_URL" in msg and "\n" not in msg and SECRET not in msg


def test_cache_hit_makes_no_call(fake_llm, settings_for):
    fake_llm.add(GOOD)
    settings = settings_for(fake_llm.url)
    first = client_for(settings).structured(PROMPT, Row, ledger=Ledger())
    ledger = Ledger()
    again = client_for(settings).structured(PROMPT, Row, ledger=ledger)  # new client, same cache file
    assert again.value == first.value and again.cached
    assert len(fake_llm.requests) == 1 and ledger.usage.calls == 0 and ledger.usage.cache_hits == 1
    # The prompt version is part of the key: a new version asks again.
    fake_llm.add(GOOD)
    client_for(settings).structured(PROMPT.model_copy(update={"key": "test_prompt@2"}), Row, ledger=Ledger())
    assert len(fake_llm.requests) == 2


def test_budget_exceeded_stops_before_the_next_call(fake_llm, settings_for):
    fake_llm.add(GOOD, GOOD)
    client = client_for(settings_for(fake_llm.url), use_cache=False)
    ledger = Ledger(token_budget=100)
    client.structured(PROMPT, Row, ledger=ledger)
    with pytest.raises(BudgetExceeded) as exc:
        client.structured(PROMPT, Row, ledger=ledger)
    assert "PERFDRAFT_LLM_TOKEN_BUDGET" in exc.value.message and len(fake_llm.requests) == 1


def test_api_key_never_leaks(fake_llm, settings_for, caplog, tmp_path):
    caplog.set_level(logging.DEBUG)
    fake_llm.add(Reply(status=500), Reply(status=400, body={"error": {"message": f"bad key {SECRET}"}}))
    settings = settings_for(fake_llm.url, llm_structured_mode="json_object")
    client = client_for(settings)
    with pytest.raises(Exception) as exc:
        client.structured(PROMPT, Row, ledger=Ledger())
    fake_llm.add(GOOD)
    client.structured(PROMPT, Row, ledger=Ledger())
    assert {k.lower(): v for k, v in fake_llm.headers[0].items()}["authorization"] == f"Bearer {SECRET}"  # it is sent to the endpoint ...
    assert SECRET not in str(exc.value) and SECRET not in caplog.text  # ... and nowhere else
    assert SECRET.encode() not in settings.cache_path.read_bytes()
    assert SECRET not in repr(settings)


def test_parse_json_reply_accepts_fences_and_prose():
    assert parse_json_reply('```json\n{"a": 1}\n```') == {"a": 1}
    assert parse_json_reply('Answer: {"a": 1} done') == {"a": 1}
    with pytest.raises(ValueError):
        parse_json_reply("no json here")


def test_cache_file_roundtrip(tmp_path):
    cache = LLMCache(tmp_path / "c.sqlite")
    cache.put("k", "v", prompt="p@1", model="m")
    assert cache.get("k") == "v" and cache.get("missing") is None and len(cache) == 1


def test_a_valid_answer_survives_a_later_broken_reask(fake_llm, settings_for):
    invented = json.dumps({"level3": "参保人数", "value": "300 万人"}, ensure_ascii=False)
    fake_llm.add(invented, "{broken", "{broken")
    ans = client_for(settings_for(fake_llm.url), use_cache=False).structured(PROMPT, Row, ledger=Ledger(),
                                                                             check=grounded)
    assert ans.value.value == "300 万人" and ans.problems == ["value '300 万人' does not occur in the document"]
