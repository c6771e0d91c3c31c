"""The harness scores gold against itself as perfect and a damaged copy lower in exactly the damaged fields."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from perfdraft.eval import perturb
from perfdraft.eval.data import load_dir, load_perf_json
from perfdraft.eval.extraction import DocCost, score_run
from perfdraft.core.text import norm_text, num_equal
from perfdraft.eval.scores import HEADER_FIELDS, ROW_FIELDS, TARGET_PARTS, score_document
from perfdraft.core.errors import InputError


@pytest.fixture(scope="module")
def gold(request) -> dict:
    from tests.conftest import GOLD
    return load_dir(GOLD)


def _figures(gold, preds) -> dict[str, float | None]:
    run = score_run(1, gold, preds, {k: DocCost() for k in gold}, sources={})
    return run.overall.headline()


def test_gold_against_itself_is_perfect(gold):
    figures = _figures(gold, dict(gold))
    measured = {k: v for k, v in figures.items() if v is not None}
    assert set(measured) == set(figures) - {"grounding"}  # grounding needs source documents
    assert all(v == 1.0 for v in measured.values()), {k: v for k, v in measured.items() if v != 1.0}


POOLED = {"row_fields_all", "header_fields_all", "target_all"}  # derived from the per-field figures


def _drops(gold, preds, pooled: bool = False) -> set[str]:
    base, damaged = _figures(gold, dict(gold)), _figures(gold, preds)
    drops = {k for k in base if base[k] is not None and (damaged[k] is None or damaged[k] < base[k])}
    return drops if pooled else drops - POOLED


def test_dropped_rows_lower_only_row_recall_and_exact_tables(gold):
    stem = "001_6fdd445ec51644fc"
    preds = dict(gold)
    preds[stem] = perturb.drop_rows(gold[stem], 0, [1, 3])
    assert _drops(gold, preds) == {"row_recall", "row_f1", "exact_tables"}


def test_changed_values_lower_only_value_accuracy(gold):
    stem = "002_9d927ef525b240df"
    preds = dict(gold)
    preds[stem] = perturb.change_values(gold[stem], 1, [0, 2, 4])
    assert _drops(gold, preds) == {"field_value", "exact_tables"}


def test_changed_target_numbers_lower_only_target_num(gold):
    stem = "000_bcf204015f35a258"
    preds = dict(gold)
    preds[stem] = perturb.change_target_num(gold[stem], 0, [0, 1])
    assert _drops(gold, preds) == {"target_num", "exact_tables"}


def test_removed_project_lowers_project_and_row_recall_only(gold):
    stem = "003_c5a160bc6509b21b"
    preds = dict(gold)
    preds[stem] = perturb.remove_project(gold[stem], 10)  # the first of six 印刷费 tables
    assert _drops(gold, preds) == {"project_recall", "project_f1", "row_recall", "row_f1", "exact_tables"}


@pytest.mark.parametrize("field,value", [("code", "X000"), ("unit", "999999 别的单位"), ("budget_wan", 12345.6),
                                         ("purpose", "完全不同的用途说明"), ("goals", ["别的目标"])])
def test_changed_header_field_lowers_only_that_field(gold, field, value):
    stem = "001_6fdd445ec51644fc"
    preds = dict(gold)
    preds[stem] = perturb.change_header(gold[stem], 2, field, value)
    assert _drops(gold, preds) == {f"field_{field}", "exact_tables"}


def test_combined_damage_reports_each_damaged_field_and_keeps_others(gold):
    stem = "002_9d927ef525b240df"
    d = perturb.drop_rows(gold[stem], 0, [0])
    d = perturb.change_values(d, 2, [0])
    d = perturb.remove_project(d, 5)
    d = perturb.change_header(d, 1, "code", "BROKEN")
    preds = dict(gold)
    preds[stem] = d
    drops = _drops(gold, preds)
    assert {"row_recall", "field_value", "project_recall", "field_code"} <= drops
    untouched = {f"field_{f}" for f in ROW_FIELDS + HEADER_FIELDS if f not in ("value", "code")}
    untouched |= {f"target_{p}" for p in TARGET_PARTS} | {"row_precision", "project_precision"}
    assert not drops & untouched
    pooled = _drops(gold, preds, pooled=True) & POOLED
    assert pooled == {"row_fields_all", "header_fields_all"}  # value and code; no target part was damaged


def test_error_pairs_name_gold_and_predicted(gold):
    stem = "000_bcf204015f35a258"
    damaged = perturb.change_values(gold[stem], 0, [0], suffix="X")
    errors = []
    score_document(stem, gold[stem], damaged, errors)
    assert len(errors) == 1
    e = errors[0]
    assert (e.field, e.row, e.project) == ("value", 0, gold[stem].projects[0].name)
    assert e.gold == gold[stem].projects[0].indicators[0].value and e.predicted == e.gold + "X"


def test_spurious_project_lowers_precision(gold):
    stem = "000_bcf204015f35a258"
    extra = gold[stem].model_copy(deep=True)
    clone = extra.projects[0].model_copy(deep=True)
    clone.name, clone.code, clone.unit, clone.budget_wan = "完全无关的新项目名称甲乙丙", None, None, None
    extra.projects.append(clone)
    preds = dict(gold)
    preds[stem] = extra
    assert _drops(gold, preds) == {"project_precision", "project_f1", "row_precision", "row_f1"}


def test_missing_prediction_scores_zero_recall(gold):
    stem = "000_bcf204015f35a258"
    s = score_document(stem, gold[stem], None)
    assert s.projects.tp == 0 and s.projects.fn == len(gold[stem].projects)
    assert s.rows.recall == 0.0


def test_normalisation_rules():
    assert norm_text("≥90 百分比") == norm_text(">=90%") == norm_text("≥９０％")
    assert norm_text("<= 5 天") == norm_text("≤5天")
    assert norm_text(None) == norm_text("") == ""
    assert norm_text("资金 到位\n率") == "资金到位率"
    assert norm_text("≥90%") != norm_text("≤90%")
    assert num_equal(90, 90.00001) and not num_equal(90, 91) and not num_equal(None, 0)


def test_bad_gold_file_names_the_file(tmp_path: Path):
    p = tmp_path / "x.json"
    p.write_text(json.dumps({"schema": "perf-targets-gold/1", "projects": [{"name": "a", "indicators": [{}]}]}))
    with pytest.raises(InputError) as ei:
        load_perf_json(p)
    assert "x.json" in ei.value.one_line() and "level1" in ei.value.one_line()
    p.write_text("{not json")
    with pytest.raises(InputError, match="not valid JSON"):
        load_perf_json(p)


def test_order_of_projects_and_rows_does_not_matter(gold):
    import random
    rng = random.Random(7)
    preds = {}
    for stem, doc in gold.items():
        d = doc.model_copy(deep=True)
        rng.shuffle(d.projects)
        for p in d.projects:
            rng.shuffle(p.indicators)
        preds[stem] = d
    figures = _figures(gold, preds)
    assert all(v == 1.0 for k, v in figures.items() if k != "grounding"), figures


def test_same_named_tables_align_by_unit_budget_and_rows(gold):
    """The 唐山 document has six 印刷费 tables of different units: each must meet its own gold."""
    stem = "003_c5a160bc6509b21b"
    d = gold[stem].model_copy(deep=True)
    idx = [i for i, p in enumerate(d.projects) if p.name == "印刷费"]
    assert len(idx) == 6
    d.projects[idx[0]].unit = None  # one of them loses its unit: budget and rows still place it
    preds = dict(gold)
    preds[stem] = d
    errors = []
    s = score_document(stem, gold[stem], d, errors)
    assert s.projects.tp == len(gold[stem].projects) and s.rows.fn == 0
    assert [(e.field, e.project) for e in errors] == [("unit", "印刷费")]
