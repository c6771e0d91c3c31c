"""The domain models read the shared gold fixtures and write them back in the same shape."""

import json

import pytest

from perfdraft.core.models import PerformanceDocument, TableCell, TableGrid
from tests.conftest import GOLD


@pytest.mark.parametrize("path", sorted(GOLD.glob("*.json")), ids=lambda p: p.stem)
def test_gold_round_trips_through_models(path):
    raw = json.loads(path.read_text(encoding="utf-8"))
    doc = PerformanceDocument.model_validate(raw)
    again = json.loads(doc.to_json())
    assert again["schema"] == "perf-targets-gold/1"
    for p_raw, p_new in zip(raw["projects"], again["projects"], strict=True):
        for key in ("scope", "name", "code", "unit", "budget_wan", "purpose", "goals"):
            assert p_new[key] == p_raw[key]
        for r_raw, r_new in zip(p_raw["indicators"], p_new["indicators"], strict=True):
            for key, val in r_raw.items():
                assert r_new[key] == val, (key, r_raw)


def test_grid_matrix_fills_merged_cells_only_when_asked():
    grid = TableGrid(index=0, n_rows=2, n_cols=2, cells=[
        TableCell(text="产出指标", row=0, col=0, rowspan=2), TableCell(text="a", row=0, col=1),
        TableCell(text="b", row=1, col=1)])
    assert grid.matrix() == [["产出指标", "a"], ["", "b"]]
    assert grid.matrix(fill_merged=True) == [["产出指标", "a"], ["产出指标", "b"]]
    assert grid.cell_at(1, 0).text == "产出指标"
