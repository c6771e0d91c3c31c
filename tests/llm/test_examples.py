"""Retrieval-augmented extraction: similar validated tables from the store in the prompt, never the same document."""

from __future__ import annotations

import re

import pytest

from perfdraft.extraction.llm import extract_with_llm
from perfdraft.extraction.llm_examples import estimate_tokens, open_store
from perfdraft.ingest.load import load_document
from perfdraft.llm.client import LLMClient
from tests.llm.fake_server import FakeLLM
from tests.llm.oracle import GOLD, Oracle

STEM = "001_6fdd445ec51644fc"


def client(settings):
    return LLMClient(settings, backoff_base=0.001, sleep=lambda s: None)


@pytest.fixture(scope="module")
def doc():
    from tests.conftest import CORPUS
    return load_document(CORPUS / f"{STEM}.txt")


def _stored(settings, stems):
    from perfdraft.ingest.store import Store, load_performance_json
    store = Store(settings)
    for stem in stems:
        perf = load_performance_json(GOLD / f"{stem}.json")
        store.add_document(perf, source=perf.source or f"{stem}.txt")
    return store


def _examples(req) -> str:
    user = FakeLLM.user_text(req)
    m = re.search(r"<examples>\n(.*?)\n</examples>", user, re.DOTALL)
    return m.group(1) if m else ""


def test_examples_come_from_other_documents_and_are_counted(doc, settings_for):
    with FakeLLM(responder=Oracle(STEM)) as fake:
        s = settings_for(fake.url, llm_max_concurrency=1)
        others = sorted(p.stem for p in GOLD.glob("*.json"))
        assert STEM in others
        _stored(s, others)  # the document being read is in the store too: it must never be an example
        result = extract_with_llm(doc, "llm", s, client=client(s))
        tables = [r for r in fake.requests if "department goals" not in FakeLLM.user_text(r)]
        blocks = [_examples(r) for r in tables]
    assert any(blocks)
    for block in blocks:
        sources = re.findall(r'<example source="([^"]+)">', block)
        assert 1 <= len(sources) <= 3 and doc.name not in sources, sources
        assert len(re.findall(r"^项目名称\t", block, re.MULTILINE)) == len(sources)
    assert result.usage.example_tokens == sum(estimate_tokens(f"<examples>\n{b}\n</examples>\n") for b in blocks if b)
    assert result.status == "success"  # examples never turn into values: the answer is still grounded


def test_no_store_and_empty_store_mean_no_examples(doc, settings_for, tmp_path):
    with FakeLLM(responder=Oracle(STEM)) as fake:
        s = settings_for(fake.url)
        assert open_store(s) is None  # no store directory: nothing is created, nothing retrieved
        empty = settings_for(fake.url, store=tmp_path / "empty-store")
        _stored(empty, [])
        result = extract_with_llm(doc, "llm", empty, client=client(empty))
        off = settings_for(fake.url, store=tmp_path / "full", llm_examples=False,
                           cache_path=tmp_path / "c2.sqlite")
        _stored(off, ["000_bcf204015f35a258"])
        result_off = extract_with_llm(doc, "llm", off, client=client(off))
        assert not any(_examples(r) for r in fake.requests)
    assert result.status == result_off.status == "success" and result.usage.example_tokens == 0
