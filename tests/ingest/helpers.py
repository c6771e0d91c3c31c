"""Checks of a loaded grid against the gold project it was rendered from."""

from __future__ import annotations

from perfdraft.core.models import Document, Project, TableGrid

HEADER = ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据"]


def flat(s: str) -> str:
    """Cell text with wrap line breaks (and the spaces PDF extraction may keep) removed."""
    return "".join(s.split())


def table_for(doc: Document, project: Project) -> TableGrid:
    """The grid whose 项目名称 cell holds the project's name."""
    hits = [t for t in doc.tables if any(flat(c.text) == flat(project.name) for c in t.cells if c.row == 0)]
    assert len(hits) == 1, f"{project.name}: {len(hits)} grids"
    return hits[0]


def header_row(t: TableGrid) -> int:
    m = t.matrix()
    for i, row in enumerate(m):
        if flat(row[0]) == "一级指标":
            return i
    raise AssertionError("no 一级指标 header row")


def assert_grid_matches(t: TableGrid, p: Project, period: bool = False) -> None:
    """Header block, indicator rows (merged cells filled) and level1/level2 spans as in the gold."""
    m = t.matrix(fill_merged=True)
    assert flat(m[0][1]) == flat(p.code or "")
    assert flat(m[0][4]) == flat(p.name)
    assert flat(m[1][3]) == "资金用途" and flat(m[1][4]) == flat(p.purpose or "")
    h = header_row(t)
    rows = m[h + 1:]
    assert len(rows) == len(p.indicators)
    for row, ind in zip(rows, p.indicators):
        values = [ind.period_value or "", ind.value] if period else [ind.value]
        want = [ind.level1, ind.level2, ind.level3, ind.description or "", *values, ind.basis or ""]
        assert [flat(x) for x in row] == [flat(x) for x in want]
    # level1 cells are merged over each run of equal 一级指标
    runs, start = [], 0
    for i in range(1, len(p.indicators) + 1):
        if i == len(p.indicators) or p.indicators[i].level1 != p.indicators[start].level1:
            runs.append((start, i - start))
            start = i
    got = sorted((c.row - h - 1, c.rowspan) for c in t.cells if c.col == 0 and c.row > h)
    assert got == runs
