"""Rows rebuilt from a pdftotext-like line stream (no explicit grid), and section segmentation."""

from perfdraft.extraction.rules import extract_rules
from perfdraft.extraction.segment import find_sections
from perfdraft.ingest.text import load_text

STREAM = """某县医疗保障局
2025 年部门预算绩效文本
目录
1.宣传经费绩效目标表 ....................... 7
 1.宣传经费绩效目标
表
460001 某县医疗保障局本级 单位：万元
项目编码 13022525P000016100031 项目名称 宣传经费
预算规模及
资金用途
预算数 12.50
其中：财政
资金
12.50 其他资金
用于医保政策宣传的支
出。
资金支出计
划（%）
3 月底 6 月底 10 月底 12 月底
25% 50% 75% 100%
绩效目标
1.通过发放宣传单等措施，保障医保政
策宣传。
2.定点医药机构监督检查全覆盖。
一级指标 二级指标 三级指标 绩效指标描述 指标值 指标值确定依据
产出指标
数量指标 宣传次数 宣传次数 ≥2 次
县级预算
安排
成本指标 各种费用拨付率 各种费用拨付率 ≥90 百分比 县级预算安排
质量指标
定点医药机构监
督检查覆盖率
定点医药机构监
督检查覆盖率
100 百分比
县级预算安排
时效指标 项目完成时间 项目完成时间 2025 年 12 月 县级预算安排
效益指标 社会效益指标
提高政策知晓率
提高政策知晓率
逐步提高 县级预算安排
满意度指标
服务对象满意
度指标
群众满意度 群众满意度 ≥95 百分比 县级预算安排
"""


def test_stream_rows_are_rebuilt(tmp_path):
    p = tmp_path / "stream.txt"
    p.write_text(STREAM, encoding="utf-8")
    perf = extract_rules(load_text(p))
    assert (perf.department, perf.year) == ("某县医疗保障局", 2025)
    [proj] = perf.projects
    assert (proj.name, proj.code, proj.budget_wan) == ("宣传经费", "13022525P000016100031", 12.5)
    assert proj.unit == "460001 某县医疗保障局本级"
    assert proj.purpose == "用于医保政策宣传的支出。"
    assert proj.goals == ["通过发放宣传单等措施，保障医保政策宣传。", "定点医药机构监督检查全覆盖。"]
    rows = [(i.level1, i.level2, i.level3, i.description, i.value, i.basis) for i in proj.indicators]
    assert rows == [
        ("产出指标", "数量指标", "宣传次数", "宣传次数", "≥2 次", "县级预算安排"),
        ("产出指标", "成本指标", "各种费用拨付率", "各种费用拨付率", "≥90 百分比", "县级预算安排"),
        ("产出指标", "质量指标", "定点医药机构监督检查覆盖率", "定点医药机构监督检查覆盖率", "100 百分比", "县级预算安排"),
        ("产出指标", "时效指标", "项目完成时间", "项目完成时间", "2025 年 12 月", "县级预算安排"),
        ("效益指标", "社会效益指标", "提高政策知晓率", "提高政策知晓率", "逐步提高", "县级预算安排"),
        ("满意度指标", "服务对象满意度指标", "群众满意度", "群众满意度", "≥95 百分比", "县级预算安排"),
    ]
    assert proj.indicators[3].target.kind == "date" and proj.indicators[3].target.num == 20251231
    assert proj.indicators[2].source.line < proj.indicators[2].source.line_end


def test_toc_entries_and_wrapped_titles(tmp_path):
    p = tmp_path / "stream.txt"
    p.write_text(STREAM, encoding="utf-8")
    secs = find_sections(load_text(p))
    assert [(s.title, s.scope) for s in secs] == [("宣传经费", "project")]


def test_department_table_has_department_scope(tmp_path):
    p = tmp_path / "dept.txt"
    p.write_text("某市医疗保障局\n一、部门整体绩效目标表\n"
                 "一级指标\t二级指标\t三级指标\t指标值\n产出指标\t数量指标\t检查家数\t≥100家\n", encoding="utf-8")
    [proj] = extract_rules(load_text(p)).projects
    assert (proj.scope, proj.name) == ("department", "部门整体绩效目标")
    assert proj.indicators[0].description is None and proj.indicators[0].basis is None


def test_untitled_tables_one_after_another_each_keep_their_header_block(tmp_path):
    text = ("某县交通运输局\n2026年度项目支出绩效目标\n\n"
            "项目名称 道路养护\n预算数(万元) 12.00\n一级指标 二级指标 三级指标 指标值\n产出指标 数量指标 养护里程 ≥10公里\n"
            "满意度指标 服务对象满意度指标 群众满意度 ≥90%\n\n"
            "460001 某县交通运输局本级\n项目名称 桥梁维护\n预算数(万元) 8.00\n一级指标 二级指标 三级指标 指标值\n"
            "产出指标 数量指标 维修桥梁 3座\n满意度指标 服务对象满意度指标 群众满意度 ≥95%\n")
    path = tmp_path / "two.txt"
    path.write_text(text, encoding="utf-8")
    projects = extract_rules(load_text(path)).projects
    assert [(p.name, p.budget_wan, len(p.indicators)) for p in projects] == [("道路养护", 12.0, 2), ("桥梁维护", 8.0, 2)]


def test_one_title_over_several_tables_each_named_by_its_own_block(tmp_path):
    path = tmp_path / "one_title.txt"
    path.write_text("某县交通运输局\n项目支出绩效目标表\n\n"
                    "项目名称 道路养护\n预算数(万元) 12.00\n一级指标 二级指标 三级指标 指标值\n产出指标 数量指标 养护里程 ≥10公里\n"
                    "满意度指标 服务对象满意度指标 群众满意度 ≥90%\n\n"
                    "项目名称 桥梁维护\n预算数(万元) 8.00\n一级指标 二级指标 三级指标 指标值\n产出指标 数量指标 维修桥梁 3座\n"
                    "满意度指标 服务对象满意度指标 群众满意度 ≥95%\n", encoding="utf-8")
    projects = extract_rules(load_text(path)).projects
    assert [(p.name, p.budget_wan, len(p.indicators)) for p in projects] == [("道路养护", 12.0, 2), ("桥梁维护", 8.0, 2)]


def test_indicator_names_in_a_layout_no_reader_knows_are_reported_with_their_lines(tmp_path):
    p = tmp_path / "paths.txt"
    # an outline: levels as numbered headings, each name and value run together below them
    p.write_text("项目支出绩效目标表\n项目名称：农村公路养护补助资金\n绩效指标：\n"
                 "一、产出指标\n（一）数量指标\n1.养护农村公路里程≥350公里\n（二）质量指标\n1.路面技术状况指数达标率≥80%\n"
                 "二、满意度指标\n（一）服务对象满意度指标\n1.沿线群众满意度≥90%\n", encoding="utf-8")
    perf = extract_rules(load_text(p))
    assert not any(pr.indicators for pr in perf.projects)
    assert any("lines 4-10" in w and "not understood" in w for w in perf.warnings)
