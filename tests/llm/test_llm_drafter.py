"""LLM drafter with the model faked at the HTTP boundary: citations, validation, lint-driven re-ask."""

from __future__ import annotations

import json

import pytest

from perfdraft.drafting.drafter import draft as rules_draft
from perfdraft.drafting.llm_drafter import draft_llm
from perfdraft.drafting.memory_store import MemoryStore
from perfdraft.llm.client import LLMClient
from perfdraft.core.models import ProjectBrief
from tests.llm.fake_server import FakeLLM, Reply
from tests.llm.oracle import GOLD

BRIEF = ProjectBrief(name="印刷费", budget_wan=12, year=2026, department="唐山市医疗保障局",
                     purpose="用于印制医保政策宣传材料")


@pytest.fixture(scope="module")
def store():
    return MemoryStore.from_dir(GOLD)


def examples_of(req: dict) -> list[dict]:
    text = FakeLLM.user_text(req).split("<examples>\n", 1)[1].split("\n</examples>", 1)[0]
    return [json.loads(line) for line in text.splitlines()]


def good_answer(req: dict, store) -> dict:
    """What a good model would write: the rules drafter's table, citing the example rows it used."""
    ids = {(ex["project"], row["level3"]): row["id"] for ex in examples_of(req) for row in ex["rows"]}
    result = rules_draft(BRIEF, store, k=5)
    rows = []
    for ind in result.project.indicators:
        cited = [ids[(c.project, c.level3)] for c in ind.sources if (c.project, c.level3) in ids]
        rows.append({"level1": ind.level1, "level2": ind.level2, "level3": ind.level3,
                     "description": ind.description, "value": ind.value, "basis": ind.basis, "sources": cited})
    rows = [r for r in rows if r["sources"]]
    return {"goals": result.project.goals, "indicators": rows}


def client(settings):
    return LLMClient(settings, backoff_base=0.001, sleep=lambda s: None)


def test_llm_draft_cites_example_rows_and_passes_lint(store, settings_for):
    with FakeLLM(responder=lambda req: Reply(content=json.dumps(good_answer(req, store), ensure_ascii=False))) as fake:
        s = settings_for(fake.url)
        result = draft_llm(BRIEF, store, k=5, settings=s, client=client(s))
        req = fake.requests[0]
    assert result.backend == "llm" and result.project.backend == "llm" and result.usage.calls == 1
    assert result.project.indicators and not result.errors
    def cited_row_exists(c) -> bool:
        return any(ex.document == c.document and ex.project.name == c.project and c.row < len(ex.project.indicators)
                   and ex.project.indicators[c.row].level3 == c.level3 for ex in result.examples)

    for row in result.project.indicators:
        assert row.sources
        assert all(cited_row_exists(c) for c in row.sources)  # citations point at real rows of the examples
    assert "印刷费" in FakeLLM.user_text(req) and "12" in FakeLLM.user_text(req)
    assert req["temperature"] == 0


def test_bad_citations_and_lint_errors_are_sent_back(store, settings_for):
    def responder(req):
        answer = good_answer(req, store)
        if len(req["messages"]) == 2:  # first attempt: an invented citation and a 120% satisfaction
            answer["indicators"][0]["sources"] = ["E9.R99"]
            sat = next(r for r in answer["indicators"] if r["level1"] == "满意度指标")
            sat["value"] = "≥120%"
        return Reply(content=json.dumps(answer, ensure_ascii=False))

    with FakeLLM(responder=responder) as fake:
        s = settings_for(fake.url)
        result = draft_llm(BRIEF, store, k=5, settings=s, client=client(s))
        feedback = fake.requests[1]["messages"][-1]["content"]
    assert "unknown example row id(s) E9.R99" in feedback and "cites no example row" in feedback
    assert "120" in feedback  # the lint error on the satisfaction row
    assert result.usage.reasks == 1 and not result.errors
    assert all(r.sources for r in result.project.indicators)


def test_a_row_citing_an_unknown_id_is_reasked_then_dropped(store, settings_for):
    def responder(req):
        answer = good_answer(req, store)
        answer["indicators"][0]["sources"] = ["E9.R99"]  # every attempt: the model insists
        return Reply(content=json.dumps(answer, ensure_ascii=False))

    with FakeLLM(responder=responder) as fake:
        s = settings_for(fake.url)
        result = draft_llm(BRIEF, store, k=5, settings=s, client=client(s))
        first = good_answer(fake.requests[0], store)["indicators"]
        n_requests = len(fake.requests)
    assert n_requests == 1 + s.llm_max_reasks  # re-asked, bounded
    assert len(result.project.indicators) == len(first) - 1  # then dropped
    assert [r.level3 for r in result.project.indicators] == [r["level3"] for r in first[1:]]
    assert any("1 row(s) dropped" in w for w in result.project.warnings)


def test_a_drafted_number_from_nowhere_is_marked_for_the_user(store, settings_for):
    def responder(req):
        answer = good_answer(req, store)
        answer["indicators"][0]["value"] = "≥4321份"
        return Reply(content=json.dumps(answer, ensure_ascii=False))

    with FakeLLM(responder=responder) as fake:
        s = settings_for(fake.url)
        result = draft_llm(BRIEF, store, k=5, settings=s, client=client(s))
    row = result.project.indicators[0]
    assert row.value == "≥4321份" and any("4321" in w and "核对" in w for w in row.warnings)
    copied = [r for r in result.project.indicators[1:] if any(c.value == r.value for c in r.sources)]
    assert copied and not any("核对" in w for r in copied for w in r.warnings)  # a cited row's number passes
