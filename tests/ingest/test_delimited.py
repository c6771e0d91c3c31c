"""CSV/TSV files: delimiter and encoding found, multi-cell runs as one grid, lines around it, empty files named."""

from perfdraft.extraction.api import extract_file
from perfdraft.ingest.load import load_document


def _write(tmp_path, name: str, text: str, encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_a_semicolon_csv_in_gb18030_with_a_quoted_multi_line_cell_is_one_grid(tmp_path):
    text = ("项目支出绩效目标表\n项目名称;道路养护;;\n一级指标;二级指标;三级指标;指标值\n"
            '产出指标;数量指标;"养护里程\n（农村公路）";≥350公里\n;质量指标;路况达标率;≥80%\n')
    doc = load_document(_write(tmp_path, "a.csv", text, "gb18030"))
    assert doc.format == "csv" and doc.lines[0].text == "项目支出绩效目标表"
    [grid] = doc.tables
    assert grid.matrix()[2] == ["产出指标", "数量指标", "养护里程\n（农村公路）", "≥350公里"]
    [p] = extract_file(doc.source).document.projects
    assert [(i.level1, i.level2, i.value) for i in p.indicators] == [("产出指标", "数量指标", "≥350公里"),
                                                                      ("产出指标", "质量指标", "≥80%")]


def test_a_tsv_reads_like_a_csv_and_an_empty_file_says_so(tmp_path):
    doc = load_document(_write(tmp_path, "b.tsv", "一级指标\t二级指标\t三级指标\t指标值\n产出指标\t数量指标\t里程\t≥1公里\n"))
    assert doc.tables[0].matrix()[1] == ["产出指标", "数量指标", "里程", "≥1公里"]
    empty = load_document(_write(tmp_path, "c.csv", ",,\n\n"))
    assert empty.status == "empty" and empty.warnings
