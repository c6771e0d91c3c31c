"""Stitching a table continued on the next page, on hand-made grids."""

from __future__ import annotations

from perfdraft.ingest.rawgrid import RawCell, RawLine, RawTable, stitch

HEADER = ["一级指标", "二级指标", "三级指标", "指标值"]


def _table(rows: list[list[str]], page: int, spans: dict[tuple[int, int], int] | None = None) -> RawTable:
    """Rows of texts; spans maps (row, col) -> rowspan; None marks a covered position."""
    cells = []
    for r, row in enumerate(rows):
        for k, t in enumerate(row):
            if t is None:
                continue
            cells.append(RawCell(row=r, col=k, rowspan=(spans or {}).get((r, k), 1), page=page,
                                 lines=[RawLine(text=t, page=page)] if t else []))
    return RawTable(n_rows=len(rows), n_cols=len(rows[0]), cells=cells, origin="pdf-ruling", page=page,
                    pages=[page])


def test_repeated_header_dropped_and_merge_continued():
    prev = _table([HEADER, ["产出指标", "数量指标", "a", "1"], [None, "质量指标", "b", "2"]], 1, {(1, 0): 2})
    cont = _table([HEADER, ["", "时效指标", "c", "3"], ["效益指标", "社会效益指标", "d", "4"]], 2)
    stitch(prev, cont)
    assert prev.pages == [1, 2] and prev.n_rows == 5
    assert prev.matrix() == [HEADER, ["产出指标", "数量指标", "a", "1"], ["产出指标", "质量指标", "b", "2"],
                             ["产出指标", "时效指标", "c", "3"], ["效益指标", "社会效益指标", "d", "4"]]
    assert prev.covering(3, 0).rowspan == 3


def test_row_cut_by_the_break_is_joined():
    prev = _table([HEADER, ["产出指标", "数量指标", "a", "1"], [None, "质量指标", "长的三级", "2"]], 1, {(1, 0): 2})
    cont = _table([HEADER, ["", "", "指标名称", ""], ["效益指标", "社会效益指标", "d", "4"]], 2)
    stitch(prev, cont)
    assert prev.n_rows == 4
    assert prev.matrix()[2] == ["产出指标", "质量指标", "长的三级\n指标名称", "2"]
    assert {ln.page for ln in prev.covering(2, 2).lines} == {1, 2}


def test_unrelated_first_row_is_kept():
    prev = _table([HEADER, ["产出指标", "数量指标", "a", "1"]], 1)
    cont = _table([["效益指标", "社会效益指标", "d", "4"]], 2)
    stitch(prev, cont)
    assert prev.matrix()[-1] == ["效益指标", "社会效益指标", "d", "4"]
