"""DOCX and XLSX loaders: real table structure (gridSpan, vMerge, merged ranges) in body order."""

from __future__ import annotations

import docx
import pytest

from perfdraft.ingest.docx import parse_table
from perfdraft.ingest.load import load_document
from tests.ingest.helpers import assert_grid_matches, flat, table_for


@pytest.mark.parametrize("name", ["small.docx", "small.xlsx"])
def test_grids_match_the_gold(rendered, small_gold, name):
    doc = load_document(rendered[name])
    assert doc.status == "ok" and len(doc.tables) == len(small_gold.projects)
    for p in small_gold.projects:
        t = table_for(doc, p)
        assert t.origin == name.split(".")[1]
        assert_grid_matches(t, p)


def test_sparse_docx(rendered, sparse_gold):
    doc = load_document(rendered["sparse.docx"])
    for p in sparse_gold.projects:
        assert_grid_matches(table_for(doc, p), p)


def test_period_value_column(rendered, small_gold):
    doc = load_document(rendered["period.docx"])
    for p in small_gold.projects:
        t = table_for(doc, p)
        assert t.n_cols == 7
        assert_grid_matches(t, p, period=True)


def test_body_order_interleaves_paragraphs_and_tables(rendered, small_gold):
    doc = load_document(rendered["small.docx"])
    lines = doc.lines
    prev_end = 0
    for p in small_gold.projects:
        t = table_for(doc, p)
        title = next(ln for ln in lines if ln.table is None and flat(p.name) + "绩效目标表" in flat(ln.text))
        assert prev_end < title.lineno < t.line_start
        prev_end = t.line_end


def test_merged_cells_are_read_from_the_xml_not_repeated(tmp_path):
    # python-docx's table.cell() repeats a merged cell at every grid position; the loader must not
    d = docx.Document()
    t = d.add_table(rows=3, cols=3)
    t.cell(0, 0).merge(t.cell(2, 0)).text = "产出指标"
    t.cell(0, 1).merge(t.cell(0, 2)).text = "数量指标"
    t.cell(1, 1).text, t.cell(1, 2).text = "a", "b"
    t.cell(2, 1).text, t.cell(2, 2).text = "c", "d"
    grid = parse_table(t._tbl)
    spans = sorted((c.row, c.col, c.rowspan, c.colspan, c.text) for c in grid.cells)
    assert spans == [(0, 0, 3, 1, "产出指标"), (0, 1, 1, 2, "数量指标"), (1, 1, 1, 1, "a"), (1, 2, 1, 1, "b"),
                     (2, 1, 1, 1, "c"), (2, 2, 1, 1, "d")]
    assert (grid.n_rows, grid.n_cols) == (3, 3)


@pytest.mark.parametrize("suffix", [".xlsx", ".docx", ".pdf"])
def test_table_with_empty_header_fields_stays_one_grid(tmp_path, suffix):
    from perfdraft.drafting.export import export
    from perfdraft.core.models import Project

    doc = load_document(export(Project(name="空表项目"), tmp_path / f"e{suffix}"))
    assert len(doc.tables) == 1
    m = doc.tables[0].matrix()
    assert flat(m[0][4]) == "空表项目" and any(flat(r[0]) == "一级指标" for r in m)
