"""The comparison of each value printed in a column of its own (≥ | 30 | 处), hand-typed tables."""

from perfdraft.extraction.rules import extract_rules
from perfdraft.ingest.text import load_text

HEAD = "2025年度项目支出绩效目标表\n项目名称 农村饮水安全维修养护\n预算金额（万元） 85\n"


def _values(tmp_path, body: str) -> list[tuple]:
    path = tmp_path / "ops.txt"
    path.write_text(HEAD + body, encoding="utf-8")
    [p] = extract_rules(load_text(path)).projects
    return [(i.level3, i.value, i.target.op, i.target.num) for i in p.indicators]


def test_a_column_of_comparisons_opens_each_value_whatever_its_name(tmp_path):
    body = ("一级指标\t二级指标\t三级指标\t指标性质\t指标值\t度量单位\n"
            "产出指标\t数量指标\t维修养护供水工程\t≥\t30\t处\n"
            "产出指标\t时效指标\t完成时限\t≤\t12\t月\n"
            "满意度指标\t服务对象满意度指标\t受益群众满意度\t大于等于\t90\t%\n")
    assert _values(tmp_path, body) == [("维修养护供水工程", "≥30 处", "≥", 30.0), ("完成时限", "≤12 月", "≤", 12.0),
                                       ("受益群众满意度", "大于等于90 %", "≥", 90.0)]


def test_space_separated_comparisons_are_not_read_into_the_name(tmp_path):
    body = ("一级指标 二级指标 三级指标 比较符 指标值\n产出指标 数量指标 维修养护供水工程 ≥ 30处\n"
            "质量指标 工程维修合格率 = 100%\n")
    assert _values(tmp_path, body) == [("维修养护供水工程", "≥30处", "≥", 30.0), ("工程维修合格率", "=100%", "=", 100.0)]


def test_a_value_that_states_its_own_comparison_is_left_as_printed(tmp_path):
    # 指标值类型 restates the comparison in words; the value already opens with it
    body = ("一级指标\t二级指标\t三级指标\t指标值类型\t指标值\n产出指标\t数量指标\t维修养护供水工程\t大于等于\t≥30处\n")
    assert _values(tmp_path, body) == [("维修养护供水工程", "≥30处", "≥", 30.0)]
