"""Real endpoints' habits, served over HTTP: fences, think blocks, prose, truncation, errors, cache, breaker."""

from __future__ import annotations

import json
import socket

import pytest

from perfdraft.core.errors import LLMTruncated, LLMUnavailable
from perfdraft.extraction.llm import extract_with_llm
from perfdraft.ingest.load import load_document
from perfdraft.llm.client import LLMClient
from perfdraft.llm.ledger import Ledger
from tests.llm.fake_server import FakeLLM, Reply
from tests.llm.oracle import Oracle, gold_projects
from tests.llm.test_client import GOOD, PROMPT, Row, grounded

STEM = "001_6fdd445ec51644fc"


def client_for(settings, **kw) -> LLMClient:
    return LLMClient(settings, backoff_base=0.001, sleep=lambda s: None, **kw)


@pytest.mark.parametrize("reply", [
    "```json\n" + GOOD + "\n```",
    "<think>The user wants {level3, value}. I think {\"level3\": \"x\"} is wrong.</think>\n" + GOOD,
    "<think>\nreasoning without braces\n</think>\n```json\n" + GOOD + "\n```",
    "Sure! Here is the row {as asked}:\n" + GOOD + "\nNote: the value {289.89 万人} is copied verbatim.",
])
def test_wrapped_answers_are_read(fake_llm, settings_for, reply):
    fake_llm.add(reply)
    ans = client_for(settings_for(fake_llm.url), use_cache=False).structured(PROMPT, Row, ledger=Ledger(),
                                                                             check=grounded)
    assert ans.value == Row(level3="参保人数", value="289.89 万人") and ans.attempts == 1


def test_a_truncated_answer_is_never_accepted(fake_llm, settings_for):
    fake_llm.add(Reply(content=GOOD[:-1], finish_reason="length"))
    with pytest.raises(LLMTruncated):
        client_for(settings_for(fake_llm.url)).structured(PROMPT, Row, ledger=Ledger())
    assert len(fake_llm.requests) == 1 and len(client_for(settings_for(fake_llm.url)).cache) == 0


def test_a_truncated_table_is_split_and_asked_again(settings_for, tmp_path):
    from tests.conftest import CORPUS
    doc = load_document(CORPUS / f"{STEM}.txt")
    oracle = Oracle(STEM)
    first_chunk: list[str] = []

    def responder(req):
        chunk = FakeLLM.document(req)
        if "department goals" not in FakeLLM.user_text(req) and not first_chunk:
            first_chunk.append(chunk)
        if first_chunk and chunk == first_chunk[0]:  # the whole first table is too long for the model
            return Reply(content=oracle(req).content[:200], finish_reason="length")
        return oracle(req)

    with FakeLLM(responder=responder) as fake:
        s = settings_for(fake.url)
        result = extract_with_llm(doc, "llm", s, client=client_for(s))
        halves = [FakeLLM.document(r) for r in fake.requests[1:3]]
    assert "".join(h + "\n" for h in halves).strip() == first_chunk[0].strip()  # asked in two halves
    assert any("cut off" in w for w in result.warnings)
    # the halves are answered from the same gold, so the merged table has no invented values
    p = result.document.projects[0]
    assert p.name == gold_projects(STEM)[0]["name"] and p.indicators


def test_http_200_with_an_error_body_is_a_failed_attempt(fake_llm, settings_for):
    fake_llm.add(Reply(body={"error": {"message": "model overloaded", "type": "server_error"}}), GOOD)
    ledger = Ledger()
    ans = client_for(settings_for(fake_llm.url)).structured(PROMPT, Row, ledger=ledger)
    assert ans.value.level3 == "参保人数" and ledger.usage.failed_calls == 1 and ledger.usage.calls == 2


def test_200_errors_every_time_make_the_endpoint_unavailable(fake_llm, settings_for):
    fake_llm.add(*[Reply(body={"error": {"message": "quota exceeded"}}) for _ in range(3)])
    with pytest.raises(LLMUnavailable) as exc:
        client_for(settings_for(fake_llm.url, llm_transport_retries=2)).structured(PROMPT, Row, ledger=Ledger())
    assert "quota exceeded" in exc.value.message


def test_an_ungrounded_answer_is_not_cached_and_the_endpoint_is_in_the_key(settings_for, tmp_path):
    invented = json.dumps({"level3": "参保人数", "value": "300 万人"}, ensure_ascii=False)
    cache = tmp_path / "shared.sqlite"
    with FakeLLM() as bad, FakeLLM() as good:
        bad.add(invented, invented, invented)
        s_bad = settings_for(bad.url, cache_path=cache)
        ans = client_for(s_bad).structured(PROMPT, Row, ledger=Ledger(), check=grounded)
        assert ans.problems  # returned to the caller with its problems ...
        good.add(GOOD)
        s_good = settings_for(good.url, cache_path=cache)  # same model name, another endpoint
        ans2 = client_for(s_good).structured(PROMPT, Row, ledger=Ledger(), check=grounded)
        assert ans2.value.value == "289.89 万人" and not ans2.cached and len(good.requests) == 1  # ... never cached
        bad.add(GOOD)
        ans3 = client_for(s_bad).structured(PROMPT, Row, ledger=Ledger(), check=grounded)
        assert not ans3.cached and len(bad.requests) == 4  # the good answer of the other endpoint is not reused


def test_a_poisoned_cache_entry_is_asked_again(fake_llm, settings_for):
    s = settings_for(fake_llm.url)
    c = client_for(s)
    from perfdraft.llm.cache import cache_key
    key = cache_key(prompt_key=PROMPT.key, model=c.model, messages=PROMPT.messages(), schema_name="Row",
                    endpoint=c.base_url)
    c.cache.put(key, json.dumps({"level3": "参保人数", "value": "300 万人"}, ensure_ascii=False),
                prompt=PROMPT.key, model=c.model)
    fake_llm.add(GOOD)
    ans = c.structured(PROMPT, Row, ledger=Ledger(), check=grounded)
    assert not ans.cached and ans.value.value == "289.89 万人" and len(fake_llm.requests) == 1


def _closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/v1"


def test_a_dead_endpoint_opens_the_breaker_for_the_rest_of_the_batch(tmp_path, monkeypatch):
    from tests.conftest import CORPUS
    from perfdraft.core import settings as settings_mod
    from perfdraft.extraction.batch import BatchOptions, run_batch

    url = _closed_port_url()
    for k, v in dict(PERFDRAFT_LLM_BASE_URL=url, PERFDRAFT_LLM_MODEL="m", PERFDRAFT_LLM_TRANSPORT_RETRIES="1",
                     PERFDRAFT_LLM_MAX_CONCURRENCY="1",
                     PERFDRAFT_DATA_DIR=str(tmp_path / "data")).items():
        monkeypatch.setenv(k, v)
    settings_mod.get_settings.cache_clear()
    attempts: list[int] = []
    import openai
    real = openai.resources.chat.completions.Completions.create

    def counting(self, *a, **kw):
        attempts.append(1)
        return real(self, *a, **kw)

    monkeypatch.setattr(openai.resources.chat.completions.Completions, "create", counting)
    try:
        summary = run_batch([CORPUS], BatchOptions(out_dir=tmp_path / "out", backend="llm", isolate=False))
    finally:
        settings_mod.get_settings.cache_clear()
    assert len(attempts) == 2  # the first file tries (1 + 1 retry); the breaker spares all the others
    assert len(summary.outcomes) > 1 and {o.status for o in summary.outcomes} == {"partial"}
    assert {o.kind for o in summary.outcomes} == {"llm-fallback"}
    for o in summary.outcomes:  # every file still has its rules result
        assert o.indicators > 0 and url in (o.message or "")
    assert "not tried again" in summary.outcomes[-1].message
