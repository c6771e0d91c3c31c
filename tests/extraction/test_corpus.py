"""The rule extractor against the hand-labelled gold of the four fixture documents."""

from pathlib import Path

import pytest

from perfdraft.eval.scores import score_document
from perfdraft.extraction.rules import extract_rules
from perfdraft.ingest.text import load_text
from perfdraft.core.models import PerformanceDocument

FIXTURES = Path(__file__).resolve().parents[2] / "eval" / "fixtures"
STEMS = sorted(p.stem for p in (FIXTURES / "corpus").glob("*.txt"))


@pytest.mark.parametrize("stem", STEMS)
def test_rules_reach_the_gold(stem):
    gold = PerformanceDocument.model_validate_json((FIXTURES / "gold" / f"{stem}.json").read_text(encoding="utf-8"))
    doc = load_text(FIXTURES / "corpus" / f"{stem}.txt")
    pred = extract_rules(doc)
    h = score_document(stem, gold, pred).headline()
    assert (pred.department, pred.year) == (gold.department, gold.year)
    assert h["project_f1"] == 1.0
    assert h["row_f1"] >= 0.99
    row_fields = ["level1", "level2", "level3", "description", "value", "basis"]
    assert min(h[f"field_{f}"] for f in row_fields) >= 0.98
    assert min(h[f"field_{f}"] for f in ["name", "code", "unit", "budget_wan", "purpose", "goals"]) >= 0.95
    assert min(h[f"target_{p}"] for p in ["kind", "op", "num", "unit"]) >= 0.98


@pytest.mark.parametrize("stem", STEMS)
def test_every_value_is_document_text_and_has_provenance(stem):
    doc = load_text(FIXTURES / "corpus" / f"{stem}.txt")
    text = "".join(doc.text.split())
    for p in extract_rules(doc).projects:
        assert p.source is not None and p.source.line is not None and 0.0 <= p.confidence <= 1.0
        for ind in p.indicators:
            assert ind.source is not None and ind.source.line is not None and ind.source.text
            for v in (ind.level3, ind.value, ind.description, ind.basis):
                assert v is None or "".join(v.split()) in text
