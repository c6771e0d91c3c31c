"""Indicators as an outline: level names as headings of their own, `name：value` lines under them (hand-typed)."""

from perfdraft.extraction.rules import extract_rules
from perfdraft.ingest.text import load_text


def _projects(tmp_path, text: str):
    path = tmp_path / "outline.txt"
    path.write_text(text, encoding="utf-8")
    return extract_rules(load_text(path)).projects


def _rows(p) -> list[tuple]:
    return [(i.level1, i.level2, i.level3, i.value) for i in p.indicators]


def test_headings_lend_their_levels_to_the_lines_below(tmp_path):
    [p] = _projects(tmp_path, "项目名称：道路养护\n预算金额（万元）：50\n一、产出指标\n（一）数量指标\n1.养护里程：120公里\n"
                    "（二）成本指标\n2.养护成本：≤50万元\n二、效益指标\n（一）社会效益指标\n3.通行条件：明显改善\n"
                    "三、满意度指标\n（一）服务对象满意度指标\n4.群众满意度：≥90%\n联系人：张三\n")
    assert p.name == "道路养护" and p.budget_wan == 50
    assert _rows(p) == [("产出指标", "数量指标", "养护里程", "120公里"), ("产出指标", "成本指标", "养护成本", "≤50万元"),
                        ("效益指标", "社会效益指标", "通行条件", "明显改善"),
                        ("满意度指标", "服务对象满意度指标", "群众满意度", "≥90%")]
    assert not p.warnings and not any(i.warnings for i in p.indicators)


def test_a_level1_heading_with_no_level2_heading_gives_no_level2_of_the_block_before(tmp_path):
    [p] = _projects(tmp_path, "项目名称：社区养老服务补贴\n一、产出指标\n1.数量指标\n服务老人人数：≥800人\n"
                    "二、效益指标\n老年人生活质量：有效提升\n三、满意度指标\n服务对象满意度：≥90%\n")
    assert _rows(p) == [("产出指标", "数量指标", "服务老人人数", "≥800人"), ("效益指标", "", "老年人生活质量", "有效提升"),
                        ("满意度指标", "", "服务对象满意度", "≥90%")]


def test_an_item_line_before_a_numbered_title_is_no_wrapped_title(tmp_path):
    text = ("1.道路养护绩效目标表\n项目名称：道路养护\n一、产出指标\n（一）数量指标\n1.养护里程：120公里\n"
            "2.桥梁检测座数：≥12座\n\n2.校舍维修绩效目标表\n项目名称：校舍维修\n一、产出指标\n（一）质量指标\n"
            "1.维修验收合格率：100%\n2.完工及时率：100%\n")
    got = _projects(tmp_path, text)
    assert [p.name for p in got] == ["道路养护", "校舍维修"]
    assert [i.level3 for i in got[0].indicators] == ["养护里程", "桥梁检测座数"]


def test_a_narrative_with_level_headings_but_no_name_value_lines_has_no_indicators(tmp_path):
    got = _projects(tmp_path, "项目名称：道路养护\n一、产出指标\n全年完成农村公路日常养护，确保路况良好。\n"
                    "二、效益指标\n改善群众出行条件。\n")
    assert all(not p.indicators for p in got)
