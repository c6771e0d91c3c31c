"""Section finding: each 绩效目标表 takes its own grids, however many sections and grids a document holds."""

from pathlib import Path

import pytest

from perfdraft.extraction.segment import find_sections
from perfdraft.ingest.load import load_document
from tests.extraction.gridkit import make_doc

CORPUS = Path(__file__).resolve().parents[2] / "eval" / "fixtures" / "corpus"
HEADER = ["一级指标", "二级指标", "三级指标", "指标值"]
ROWS = [["产出指标", "数量指标", "培训人次", "≥100人次"],
        ["满意度指标", "服务对象满意度指标", "满意度", "≥90%"]]


def _block(name: str) -> list[list[str]]:
    """The header block PDF loaders split off as a grid of its own (the columns change below it)."""
    return [["项目名称", name, "主管部门", "某某局"], ["预算金额", "10", "绩效目标", "完成培训"]]


@pytest.mark.parametrize("stem", ["001", "002", "003"])
def test_a_document_repeated_has_its_sections_repeated(tmp_path, stem):
    src = next(CORPUS.glob(f"{stem}_*.txt"))
    text = src.read_text(encoding="utf-8").rstrip("\n") + "\n"
    once = find_sections(load_document(src))
    many = tmp_path / "thrice.txt"
    many.write_text(text * 3, encoding="utf-8")
    doc = load_document(many)
    lines, grids = text.count("\n"), len(doc.tables) // 3
    want = [(s.title, s.line_start + k * lines, [t + k * grids for t in s.tables]) for k in range(3) for s in once]
    assert [(s.title, s.line_start, s.tables) for s in find_sections(doc)] == want
    assert [s.index for s in find_sections(doc)] == list(range(3 * len(once)))


def test_untitled_grids_each_take_their_own_header_block_grid():
    parts = ["某某局2025年部门预算"]
    for k in range(4):
        parts += [f"说明{k}", _block(f"培训项目{k}"), [HEADER, *ROWS], "（以下空白）"]
    doc = make_doc(parts)
    sections = find_sections(doc)
    assert [s.tables for s in sections] == [[0, 1], [2, 3], [4, 5], [6, 7]]
    # each reaches back over its own header block, never into the grid before it
    assert all(s.line_start > doc.tables[s.tables[0] - 1].line_end for s in sections[1:])
    assert all(f"培训项目{k}" in s.text and f"培训项目{k + 1}" not in s.text for k, s in enumerate(sections))


def test_titled_sections_take_the_grids_starting_inside_them_even_unmarked_in_the_lines():
    parts = ["某某局2025年部门预算"]
    for k in range(3):
        parts += [f"{k + 1}.培训项目{k}绩效目标表", _block(f"培训项目{k}"), [HEADER, *ROWS]]
    doc = make_doc(parts)
    for page in doc.pages:  # loaders whose grids are not marked on the text lines (only line_start/line_end)
        for ln in page.lines:
            ln.table = None
    assert [(s.title, s.tables) for s in find_sections(doc)] == [
        ("培训项目0", [0, 1]), ("培训项目1", [2, 3]), ("培训项目2", [4, 5])]
