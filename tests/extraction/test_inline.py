"""Indicators printed as lines (level paths, labelled cells), not as a grid: read as rows with their line."""

import pytest

from perfdraft.extraction.inline import read_line
from perfdraft.extraction.rules import extract_rules
from perfdraft.ingest.text import load_text


@pytest.mark.parametrize("line", [
    "产出指标—数量指标—培训人次：≥100人次",
    "产出指标-数量指标-培训人次: ≥100人次",
    "产出指标 – 数量指标 – 培训人次 ： ≥100人次",
    "产出指标/数量指标/培训人次/≥100人次",
    "产出指标>数量指标>培训人次：≥100人次",
    "产出指标、数量指标、培训人次：≥100人次",
    "产出指标：数量指标：培训人次：≥100人次",
    "产出指标—数量指标—培训人次，指标值：≥100人次",
    "产出指标—数量指标—培训人次 目标值≥100人次",
    "一级指标：产出指标 二级指标：数量指标 三级指标：培训人次 指标值：≥100人次",
    "一级指标：产出指标，二级指标：数量指标，三级指标：培训人次，目标值：≥100人次",
])
def test_one_indicator_whatever_the_separators(line):
    [row] = read_line(line)
    assert row == {"level1": "产出指标", "level2": "数量指标", "level3": "培训人次", "value": "≥100人次"}


def test_several_indicators_on_one_line_and_levels_left_out_after_the_first():
    rows = read_line("产出指标-数量指标-见习人数: 50人; 产出指标-质量指标-见习留用率: ≥30%")
    assert [r for r in rows] == [
        {"level1": "产出指标", "level2": "数量指标", "level3": "见习人数", "value": "50人"},
        {"level1": "产出指标", "level2": "质量指标", "level3": "见习留用率", "value": "≥30%"}]
    rows = read_line("数量指标—发放手册：2000册；举办讲座：6场")
    assert [r for r in rows] == [{"level2": "数量指标", "level3": "发放手册", "value": "2000册"},
                                        {"level3": "举办讲座", "value": "6场"}]
    rows = read_line("产出指标 — 时效指标 — 完成时间：2025年6月底  效益指标 — 社会效益指标 — 群众知晓率：≥85%")
    assert [(r["level2"], r["level3"]) for r in rows] == [("时效指标", "完成时间"),
                                                                        ("社会效益指标", "群众知晓率")]


def test_values_with_separators_inside_and_names_that_are_level_words():
    [row] = read_line("产出指标-时效指标-项目周期-2025-03至2025-11")
    assert (row["level3"], row["value"]) == ("项目周期", "2025-03至2025-11")
    [row] = read_line("产出指标—质量指标—设备完好率：90%-95%")
    assert row["value"] == "90%-95%"
    # a 三级 name that is itself a level word: after two levels it can only be the name
    [row] = read_line("满意度指标—服务对象满意度指标—服务对象满意度：≥90%")
    assert (row["level2"], row["level3"]) == ("服务对象满意度指标", "服务对象满意度")
    # 成本指标 is a level1 and a level2: alone before the name it is the level2
    [row] = read_line("成本指标—人均培训成本：≤800元")
    assert row == {"level2": "成本指标", "level3": "人均培训成本", "value": "≤800元"}


def test_labelled_cells_keep_description_basis_and_extra_columns():
    [row] = read_line("一级指标：效益指标  二级指标：社会效益指标  三级指标：就业带动  指标解释：培训后就业人数  "
                      "指标值：≥60人  指标值确定依据：往年就业率  权重：10")
    assert row == {"level1": "效益指标", "level2": "社会效益指标", "level3": "就业带动",
                          "description": "培训后就业人数", "value": "≥60人", "basis": "往年就业率",
                          "extra:权重": "10"}


@pytest.mark.parametrize("line", [
    "预算数（万元）：35.00",
    "产出指标：完成培训100人次",  # a sentence after a level name: no name and value
    "本项目产出指标—数量指标完成情况良好：是",  # text before the level path
    "二、绩效指标",
    "项目名称：职业技能培训 项目编码：13022525P000016100031",
    "产出指标—数量指标—",
])
def test_lines_that_are_no_inline_indicators(line):
    assert read_line(line) is None


DOC = """某县人力资源和社会保障局
2025年度项目支出绩效目标

1.职业技能培训绩效目标表
项目名称：职业技能培训
预算数（万元）：35.00
资金用途：用于组织城乡劳动者职业技能培训。
绩效目标：
1.完成职业技能培训 100 人次。
2.培训合格率达到90%以上。
绩效指标：
产出指标—数量指标—培训人次：≥100人次
产出指标—数量指标—培训期数：4期
产出指标—质量指标—培训合格率：≥90%
时效指标—完成时间：2025年12月底前
效益指标—社会效益指标—就业能力：明显提升
效益指标—可持续影响指标 长效机制
满意度指标—服务对象满意度指标—学员满意度：≥95%

2.就业见习补贴绩效目标表
项目名称：就业见习补贴
预算数（万元）：12.00
产出指标-数量指标-见习人数: 50人; 产出指标-质量指标-见习留用率: ≥30%
一级指标：效益指标 二级指标：社会效益指标 三级指标：促进就业 指标值：有效促进
"""


def test_a_document_of_inline_indicators_reads_as_tables(tmp_path):
    p = tmp_path / "inline.txt"
    p.write_text(DOC, encoding="utf-8")
    perf = extract_rules(load_text(p))
    first, second = perf.projects
    assert (first.name, first.budget_wan, first.purpose) == ("职业技能培训", 35.0, "用于组织城乡劳动者职业技能培训。")
    assert first.goals == ["完成职业技能培训 100 人次。", "培训合格率达到90%以上。"]  # the 绩效指标 label ends them
    rows = [(i.level1, i.level2, i.level3, i.value) for i in first.indicators]
    assert rows == [
        ("产出指标", "数量指标", "培训人次", "≥100人次"),
        ("产出指标", "数量指标", "培训期数", "4期"),
        ("产出指标", "质量指标", "培训合格率", "≥90%"),
        ("产出指标", "时效指标", "完成时间", "2025年12月底前"),  # the level1 left out is the level2's own
        ("效益指标", "社会效益指标", "就业能力", "明显提升"),
        ("满意度指标", "服务对象满意度指标", "学员满意度", "≥95%"),
    ]
    t = first.indicators[0].target
    assert (t.kind, t.op, t.num, t.unit) == ("number", "≥", 100, "人次")
    assert (first.indicators[3].target.kind, first.indicators[3].target.num) == ("date", 20251231)
    src = first.indicators[2].source
    assert (src.line, src.line_end, src.text) == (14, 14, "产出指标—质量指标—培训合格率：≥90%")
    assert first.indicators[0].description is None and first.indicators[0].basis is None
    # the line with no value is reported, not guessed
    assert any("line 17" in w and "长效机制" in w for w in first.warnings)
    assert [(i.level2, i.level3, i.value) for i in second.indicators] == [
        ("数量指标", "见习人数", "50人"), ("质量指标", "见习留用率", "≥30%"), ("社会效益指标", "促进就业", "有效促进")]
    assert second.indicators[0].source.line == second.indicators[1].source.line == 23
    assert second.budget_wan == 12.0


def test_untitled_inline_indicators_are_one_table_per_block(tmp_path):
    p = tmp_path / "untitled.txt"
    p.write_text("项目名称：村道养护\n预算数：8.00\n产出指标/数量指标/养护里程/12公里\n产出指标/质量指标/路面完好率/≥95%\n\n"
                 "项目名称：河道保洁\n预算数：5.00\n产出指标/数量指标/保洁河长/6公里\n满意度指标/服务对象满意度指标/群众满意度/≥90%\n",
                 encoding="utf-8")
    perf = extract_rules(load_text(p))
    assert [(x.name, x.budget_wan, [i.level3 for i in x.indicators]) for x in perf.projects] == [
        ("村道养护", 8.0, ["养护里程", "路面完好率"]), ("河道保洁", 5.0, ["保洁河长", "群众满意度"])]


def test_one_inline_line_alone_is_no_table(tmp_path):
    p = tmp_path / "one.txt"
    p.write_text("1.宣传经费绩效目标表\n项目名称：宣传经费\n产出指标—数量指标—宣传次数：≥2次\n", encoding="utf-8")
    assert extract_rules(load_text(p)).projects == []
