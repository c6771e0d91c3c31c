"""Baseline gate and the `perfdraft eval` command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from perfdraft.eval import perturb
from perfdraft.eval.baseline import compare, load_baseline
from perfdraft.eval.data import load_dir
from perfdraft.eval.extraction import evaluate_extraction
from perfdraft.cli import main
from perfdraft.core.errors import InputError
from tests.conftest import GOLD


def _write_preds(directory: Path, docs: dict) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for stem, d in docs.items():
        (directory / f"{stem}.json").write_text(d.to_json(), encoding="utf-8")
    return directory


@pytest.fixture(scope="module")
def damaged_dir(tmp_path_factory) -> Path:
    gold = load_dir(GOLD)
    # 19 of 485 values changed (3.9%): well beyond the default tolerance of 0.01
    d = perturb.change_values(gold["002_9d927ef525b240df"], 0, list(range(10)))
    gold["002_9d927ef525b240df"] = perturb.change_values(d, 1, list(range(9)))
    return _write_preds(tmp_path_factory.mktemp("damaged"), gold)


def test_baseline_fails_on_drop_and_passes_otherwise(damaged_dir):
    perfect = evaluate_extraction(GOLD, None, predictions_dir=GOLD)
    damaged = evaluate_extraction(GOLD, None, predictions_dir=damaged_dir)
    drop = compare(damaged, perfect, tolerance=0.01)
    assert not drop.passed and {d.metric for d in drop.drops} == {"field_value", "exact_tables"}
    assert compare(perfect, perfect, tolerance=0.01).passed
    assert compare(perfect, damaged, tolerance=0.01).passed  # an improvement is not a failure
    # a drop inside the tolerance passes
    gap = perfect.summary["field_value"].mean - damaged.summary["field_value"].mean
    assert compare(damaged, perfect, tolerance=1.0).passed and gap > 0


def test_baseline_fails_when_a_metric_is_no_longer_measured(tmp_path):
    perfect = evaluate_extraction(GOLD, None, predictions_dir=GOLD)
    empty = _write_preds(tmp_path / "empty", {})
    nothing = evaluate_extraction(GOLD, None, predictions_dir=empty)
    check = compare(nothing, perfect, tolerance=0.01)
    assert not check.passed and "field_value" in check.missing


def test_cli_writes_three_outputs_and_gates(tmp_path, damaged_dir, capsys):
    out = tmp_path / "out"
    rc = main(["eval", "--task", "extraction", "--gold", str(GOLD), "--predictions", str(GOLD),
               "--report", str(out / "r.md"), "--json", str(out / "r.json"), "--chart", str(out / "r.png"),
               "--quiet"])
    assert rc == 0
    md = (out / "r.md").read_text(encoding="utf-8")
    assert "## Accuracy per field" in md and "NFKC" in md and "百分比" in md
    assert (out / "r.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    saved = load_baseline(out / "r.json")
    assert saved.summary["row_f1"].mean == 1.0
    rc = main(["eval", "--gold", str(GOLD), "--predictions", str(damaged_dir), "--report", str(out / "d.md"),
               "--baseline", str(out / "r.json"), "--quiet"])
    assert rc == 1
    assert "REGRESSION field_value" in capsys.readouterr().err
    assert "FAIL" in (out / "d.md").read_text(encoding="utf-8")
    rc = main(["eval", "--gold", str(GOLD), "--predictions", str(GOLD), "--report", str(out / "p.md"),
               "--baseline", str(out / "r.json"), "--quiet"])
    assert rc == 0


def test_cli_repeat_reports_spread(tmp_path):
    rc = main(["eval", "--gold", str(GOLD), "--predictions", str(GOLD), "--repeat", "3",
               "--report", str(tmp_path / "r.md"), "--quiet"])
    assert rc == 0
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert len(data["runs"]) == 3 and data["summary"]["row_f1"]["n"] == 3 and data["summary"]["row_f1"]["std"] == 0


def test_cli_bad_inputs_give_one_line_errors(tmp_path, capsys):
    assert main(["eval", "--gold", str(tmp_path / "nope"), "--report", str(tmp_path / "r.md")]) == 2
    err = capsys.readouterr().err
    assert "nope" in err and "Traceback" not in err
    (tmp_path / "b.json").write_text("[]")
    assert main(["eval", "--predictions", str(GOLD), "--baseline", str(tmp_path / "b.json"),
                 "--report", str(tmp_path / "r.md")]) == 2
    assert "b.json" in capsys.readouterr().err


def test_load_baseline_missing_file(tmp_path):
    with pytest.raises(InputError, match="not found"):
        load_baseline(tmp_path / "missing.json")
