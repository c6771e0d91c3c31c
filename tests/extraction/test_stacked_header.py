"""Column names printed over two rows (绩效指标 over 一级/二级/三级, 指标值 merged down both), hand-typed tables."""

import re

from perfdraft.core.columns import stacked_header
from perfdraft.extraction.rules import extract_rules
from perfdraft.ingest.load import load_document

HEAD = "2025年项目支出绩效目标表\n项目名称\t农村饮水安全维修养护\n年度预算（万元）\t60\n"
WANT = [("产出指标", "数量指标", "维修工程处数", "≥25处"),
        ("产出指标", "质量指标", "工程验收合格率", "100%"),
        ("效益指标", "社会效益指标", "受益人口", "≥1.2万人"),
        ("满意度指标", "服务对象满意度指标", "受益群众满意度", "≥90%")]


def _project(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    [p] = extract_rules(load_document(path)).projects
    return p


def _rows(p) -> list[tuple]:
    return [tuple(re.sub(r"\s+", "", getattr(i, f) or "") for f in ("level1", "level2", "level3", "value"))
            for i in p.indicators]


def test_tab_rows_with_the_value_name_on_the_upper_header_row(tmp_path):
    p = _project(tmp_path, "tabs.txt", HEAD + "绩效指标\t\t\t指标值\n一级指标\t二级指标\t三级指标\t\n"
                 "产出指标\t数量指标\t维修工程处数\t≥25处\n\t质量指标\t工程验收合格率\t100%\n"
                 "效益指标\t社会效益指标\t受益人口\t≥1.2万人\n满意度指标\t服务对象满意度指标\t受益群众满意度\t≥90%\n")
    assert _rows(p) == WANT
    assert p.budget_wan == 60 and not any(i.warnings for i in p.indicators)


def test_space_separated_text_whose_upper_header_line_is_left_out_of_the_grid(tmp_path):
    p = _project(tmp_path, "spaces.txt", "项目名称  农村饮水安全维修养护\n年度预算（万元）  60\n"
                 "          绩效指标                  指标值\n一级指标  二级指标  三级指标\n"
                 "产出指标  数量指标  维修工程处数  ≥25处\n          质量指标  工程验收合格率  100%\n"
                 "效益指标  社会效益指标  受益人口  ≥1.2万人\n满意度指标  服务对象满意度指标  受益群众满意度  ≥90%\n")
    assert _rows(p) == WANT


def test_html_with_a_group_name_spanning_the_level_columns(tmp_path):
    body = "".join(f"<tr>{''.join(f'<td>{c}</td>' for c in r)}</tr>" for r in [
        ["产出指标", "数量指标", "维修工程处数", "≥25处", ""], ["产出指标", "质量指标", "工程验收合格率", "100%", ""],
        ["效益指标", "社会效益指标", "受益人口", "≥1.2万人", ""],
        ["满意度指标", "服务对象满意度指标", "受益群众满意度", "≥90%", "抽样调查"]])
    html = ("<html><body><table border=1><tr><td>项目名称</td><td colspan=4>农村饮水安全维修养护</td></tr>"
            "<tr><td>资金总额（万元）</td><td colspan=4>60</td></tr>"
            "<tr><td colspan=3>绩效指标</td><td rowspan=2>指标值</td><td rowspan=2>备注</td></tr>"
            "<tr><td>一级指标</td><td>二级指标</td><td>三级指标</td></tr>" + body + "</table></body></html>")
    p = _project(tmp_path, "page.html", html)
    assert _rows(p) == WANT
    assert p.indicators[-1].extra == {"备注": "抽样调查"}


def test_the_names_are_merged_by_position_in_grids_and_by_order_in_ragged_text():
    lower = ["序号", "一级指标", "二级指标", "三级指标", "", ""]
    assert stacked_header(lower, ["", "绩效指标", "", "", "指标值", "备注"], positional=True) == \
        ["序号", "一级指标", "二级指标", "三级指标", "指标值", "备注"]
    assert stacked_header(["一级指标", "二级指标", "三级指标"], ["序号", "绩效指标", "指标值", "备注"],
                          positional=False) == ["序号", "一级指标", "二级指标", "三级指标", "指标值", "备注"]


def test_rows_above_that_are_no_upper_header_row_change_nothing():
    levels = ["一级指标", "二级指标", "三级指标"]
    assert stacked_header(levels + ["指标值"], ["绩效指标", "", "", "指标值"], positional=True) is None  # has one
    assert stacked_header(levels, ["年度绩效目标", "保障饮水安全"], positional=True) is None  # a header-block field
    assert stacked_header(levels, ["一级指标", "二级指标", "三级指标", "指标值"], positional=True) is None  # a header
    assert stacked_header(levels, ["指标值", "备注"], positional=False) is None  # no group name over the levels
