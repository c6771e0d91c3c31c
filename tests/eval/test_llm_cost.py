"""`--backend llm` end to end with the model faked at the HTTP boundary: scores and the cost ledger."""

from __future__ import annotations

import shutil

import pytest

from perfdraft.eval.extraction import evaluate_extraction
from tests.conftest import CORPUS, GOLD
from tests.llm.conftest import make_settings
from tests.llm.fake_server import FakeLLM
from tests.llm.oracle import Oracle

STEM = "001_6fdd445ec51644fc"


def _one_doc(tmp_path):
    gold, docs = tmp_path / "gold", tmp_path / "docs"
    gold.mkdir()
    docs.mkdir()
    shutil.copy(GOLD / f"{STEM}.json", gold)
    shutil.copy(CORPUS / f"{STEM}.txt", docs)
    return gold, docs


@pytest.mark.slow
def test_llm_run_reports_calls_tokens_and_cache_hits(tmp_path):
    gold, docs = _one_doc(tmp_path)
    with FakeLLM(responder=Oracle(STEM)) as fake:
        settings = make_settings(tmp_path, fake.url)
        ev = evaluate_extraction(gold, docs, backend="llm", repeat=2, settings=settings)
        requests = len(fake.requests)
    first, second = ev.runs
    cost1 = first.documents[0].cost
    assert cost1.status == "success" and cost1.usage.calls > 0
    assert cost1.usage.calls + cost1.usage.cache_hits >= requests > 0
    assert cost1.usage.prompt_tokens > 0 and cost1.usage.completion_tokens > 0
    # the second run is answered from the LLM cache: hits counted, no new requests
    assert second.documents[0].cost.usage.cache_hits > 0
    assert ev.summary["llm_calls"].n == 2 and ev.summary["llm_calls"].max == cost1.usage.calls
    # the oracle answers with the gold tables: the harness must see (near) perfect rows
    assert ev.summary["row_f1"].mean > 0.95 and ev.summary["grounding"].mean is not None
