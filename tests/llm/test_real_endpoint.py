"""The same extraction against a real endpoint (opt in: --real-llm and PERFDRAFT_LLM_BASE_URL/_MODEL set)."""

from __future__ import annotations

import pytest

from perfdraft.extraction.llm import extract_with_llm
from perfdraft.ingest.load import load_document
from perfdraft.llm.client import LLMClient
from perfdraft.core.settings import Settings
from tests.llm.oracle import gold_projects

STEM = "000_bcf204015f35a258"


@pytest.mark.real_llm
def test_real_endpoint_extracts_grounded_tables_and_caches(tmp_path):
    from tests.conftest import CORPUS

    settings = Settings(cache_path=tmp_path / "cache.sqlite")
    if not settings.llm_configured:
        pytest.skip("set PERFDRAFT_LLM_BASE_URL and PERFDRAFT_LLM_MODEL to run against a real endpoint")
    doc = load_document(CORPUS / f"{STEM}.txt")
    result = extract_with_llm(doc, "llm", settings, client=LLMClient(settings))
    gold = gold_projects(STEM)
    assert result.status == "success", result.errors
    assert [p.name for p in result.document.projects] == [g["name"] for g in gold]
    rows = [i for p in result.document.projects for i in p.indicators]
    assert len(rows) == sum(len(g["indicators"]) for g in gold)
    assert sum(1 for i in rows if i.warnings) <= len(rows) * 0.1  # nearly every value grounded
    again = extract_with_llm(doc, "llm", settings, client=LLMClient(settings))
    assert again.usage.calls == 0 and again.usage.cache_hits > 0
