"""Extraction from PDF/DOCX/XLSX renderings of the gold scores like extraction from the text versions."""

from __future__ import annotations

from pathlib import Path

import pytest

from perfdraft.drafting.export import ExportOptions
from perfdraft.eval import scores
from perfdraft.extraction.api import extract_file
from tests import docgen

CORPUS = docgen.ROOT / "eval" / "fixtures" / "corpus"
STEMS = ["000_bcf204015f35a258", "001_6fdd445ec51644fc", "002_9d927ef525b240df"]
KINDS = {"pdf": ExportOptions(), "split.pdf": ExportOptions(page_break_after=3, split_cell=True),
         "docx": ExportOptions(), "xlsx": ExportOptions()}
THRESHOLDS = {"row_f1": 0.99, "field_level1": 0.98, "field_level2": 0.98, "field_level3": 0.98,
              "field_value": 0.98, "target_kind": 0.98, "target_num": 0.98, "field_name": 0.95,
              "field_budget_wan": 0.95, "field_code": 0.95, "field_purpose": 0.95}


def _headline(stem: str, path: Path) -> dict[str, float | None]:
    result = extract_file(path)
    assert result.status == "success", result.errors
    return scores.score_document(stem, docgen.load_gold(stem), result.document).headline()


@pytest.fixture(scope="module")
def text_scores() -> dict[str, dict]:
    return {stem: _headline(stem, CORPUS / f"{stem}.txt") for stem in STEMS}


# every layout on the two smaller documents; the third (which has a page break inside a table when rendered
# to PDF) in PDF only, to keep the suite quick
CASES = [(s, k) for s in STEMS[:2] for k in KINDS] + [(STEMS[2], "pdf"), (STEMS[2], "split.pdf")]


@pytest.mark.parametrize(("stem", "kind"), CASES)
def test_rendering_scores_like_the_text(tmp_path, text_scores, stem, kind):
    path = tmp_path / f"{stem}.{kind}"
    docgen.render(docgen.load_gold(stem), path, KINDS[kind])
    got = _headline(stem, path)
    for metric, floor in THRESHOLDS.items():
        if got.get(metric) is not None:
            assert got[metric] >= floor, (metric, got[metric])
    # field by field no worse than the text version of the same document
    worse = {k: (v, got.get(k)) for k, v in text_scores[stem].items()
             if k != "grounding" and v is not None and (got.get(k) is None or got[k] < v - 1e-9)}
    assert not worse
