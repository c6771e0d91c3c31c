"""Space-separated tables whose long cells wrap onto lines of tails (text copied from a PDF without layout)."""

import re

import pytest

from perfdraft.extraction.rules import extract_rules
from perfdraft.extraction.wrapped_tails import column_widths, wrapped_tails
from perfdraft.ingest.text import load_text

HEAD = "某县教育局\n2026年项目支出绩效目标表\n1.学生资助补助经费绩效目标表\n项目名称 学生资助补助经费\n预算数(万元) 120.00\n"


def _rows(tmp_path, body: str) -> list[tuple]:
    path = tmp_path / "wrapped.txt"
    path.write_text(HEAD + body, encoding="utf-8")
    [p] = extract_rules(load_text(path)).projects
    c = lambda s: re.sub(r"\s+", "", s or "")  # noqa: E731 (a wrapped cell keeps its line break)
    return [(c(i.level2), c(i.level3), c(i.description), i.value, c(i.basis)) for i in p.indicators]


def test_tails_of_a_name_printed_twice_a_level_suffix_and_a_document_number_join_the_row_above(tmp_path):
    body = ("一级指标 二级指标 三级指标 指标描述 指标值 确定依据\n"
            "产出指标 数量指标 资助家庭经济困难学生 资助家庭经济困难学生 ≥1200 人次 教财〔2023〕1\n"
            "人数 人数 5 号\n"
            "质量指标 资助资金发放准确率 资助资金发放准确率 100% 教财〔2023〕1\n"
            "5 号\n"
            "效益指标 社会效益 家庭经济困难学生入学 家庭经济困难学生入学 逐步提高 教财〔2023〕1\n"
            "指标 保障水平 保障水平 5 号\n"
            "满意度指标 服务对象满意度 受助学生满意度 受助学生满意度 ≥90% 县级预算安排\n"
            "指标\n")
    assert _rows(tmp_path, body) == [
        ("数量指标", "资助家庭经济困难学生人数", "资助家庭经济困难学生人数", "≥1200 人次", "教财〔2023〕15号"),
        ("质量指标", "资助资金发放准确率", "资助资金发放准确率", "100%", "教财〔2023〕15号"),
        ("社会效益指标", "家庭经济困难学生入学保障水平", "家庭经济困难学生入学保障水平", "逐步提高", "教财〔2023〕15号"),
        ("服务对象满意度指标", "受助学生满意度", "受助学生满意度", "≥90%", "县级预算安排")]


def test_tails_of_cells_cut_at_the_column_width_go_to_the_cells_that_reached_it(tmp_path):
    body = ("一级指标 二级指标 三级指标 绩效指标描述 指标值 指标值确定依据\n"
            "产出指标 数量指标 校舍维修改造面积 完成全县中小学校舍维修 ≥3000 平方米 年度维修计划\n"
            "改造任务\n"
            "质量指标 工程验收合格率 维修工程经验收合格的比 100% 验收规范\n"
            "例\n"
            "时效指标 维修完成时间 项目完成时间 2026 年 8 月 年度维修计划\n"
            "满意度指标 服务对象满意度指标 师生满意度 师生对维修工程的满意度 ≥90% 满意度问卷调查结果\n")
    assert _rows(tmp_path, body) == [
        ("数量指标", "校舍维修改造面积", "完成全县中小学校舍维修改造任务", "≥3000 平方米", "年度维修计划"),
        ("质量指标", "工程验收合格率", "维修工程经验收合格的比例", "100%", "验收规范"),
        ("时效指标", "维修完成时间", "项目完成时间", "2026 年 8 月", "年度维修计划"),
        ("服务对象满意度指标", "师生满意度", "师生对维修工程的满意度", "≥90%", "满意度问卷调查结果")]


def test_a_line_with_a_value_or_a_level_name_of_its_own_is_a_row_not_a_tail():
    prev = {"level2": "数量指标", "level3": "资助家庭经济困难学生", "description": "资助家庭经济困难学生",
            "value": "≥1200 人次", "basis": "县级预算安排"}
    roles = ["level1", "level2", "level3", "description", "value", "basis"]
    widths = column_widths([prev, dict(prev)])
    assert wrapped_tails(["质量指标", "发放准确率"], roles, prev, widths) is None  # a level name opens a row
    assert wrapped_tails(["人数", "人数"], roles, prev, widths) == {"level3": "人数", "description": "人数"}
    # tokens longer than any open cell's column can take: a row of its own (its value read elsewhere)
    assert wrapped_tails(["资助资金发放准确率达到百分之百的目标"], roles, prev, widths) is None
    # without widths (the caller found a value on the line) only content rules apply
    assert wrapped_tails(["学生"], roles, prev, None) is None


def test_a_doubled_tail_that_reads_as_a_level_name_joins_the_row_above_when_more_tails_follow(tmp_path):
    roles = ["level1", "level2", "level3", "description", "value", "basis"]
    prev = {"level2": "服务对象满意度指标", "level3": "参保人员对医保服务的", "description": "参保人员对医保服务的",
            "value": "≥95%", "basis": "唐财社〔2024〕1"}
    assert wrapped_tails(["满意度", "满意度", "25", "号"], roles, prev) == {
        "level3": "满意度", "description": "满意度", "basis": "25 号"}
    assert wrapped_tails(["满意度", "满意度"], roles, prev) is None  # alone: maybe a row's level cells
    assert wrapped_tails(["满意度", "满意度", "≥90%"], roles, prev) is None  # a value of its own: a row
    # the last row of a table, its tails on the table's last line
    body = ("一级指标 二级指标 三级指标 指标描述 指标值 确定依据\n"
            "产出指标 数量指标 医保政策宣传 医保政策宣传 ≥2 次 唐财社〔2024〕1\n"
            "25 号\n"
            "满意度指标 服务对象满意度指标 参保人员对医保服务的 参保人员对医保服务的 ≥95% 唐财社〔2024〕1\n"
            "满意度 满意度 25 号\n")
    assert _rows(tmp_path, body) == [
        ("数量指标", "医保政策宣传", "医保政策宣传", "≥2 次", "唐财社〔2024〕125号"),
        ("服务对象满意度指标", "参保人员对医保服务的满意度", "参保人员对医保服务的满意度", "≥95%", "唐财社〔2024〕125号")]


def test_the_width_of_a_column_is_the_line_length_most_cells_reach_not_one_glued_outlier():
    recs = [{"description": "完成全县中小学校舍维修"}, {"description": "维修工程经验收合格的比"},
            {"description": "在秋季开学前全部完工且验收合格并交付使用"}, {"description": "短描述"}]
    assert column_widths(recs)["description"] == 11
    assert column_widths([{"basis": "县级预算安排"}, {"basis": "问卷"}, {"basis": "县级预算安排"}])["basis"] == 6  # longest


def test_a_pipe_line_of_tails_before_a_level_name_joins_the_row_above_not_the_row_below(tmp_path):
    body = ("一级指标 | 二级指标 | 三级指标 | 绩效指标描述 | 指标值 | 指标值确定依据 |\n"
            "产出指标 | 数量指标 | 资助家庭经济困难学生 | 资助家庭经济困难学生 | ≥1200 人次 | 县级预算安排 |\n"
            "人数 | 人数\n"
            "质量指标 | 资助资金发放准确率 | 资助资金发放准确率 | 100% | 县级预算安排 ||\n"
            "效益指标 | 社会效益 | 家庭经济困难学生入学 | 家庭经济困难学生入学 | 逐步提高 | 县级预算安排 |\n"
            "指标 | 保障水平 | 保障水平\n"
            "满意度指标 | 服务对象满意度指标 | 受助学生满意度 | 受助学生满意度 | ≥90% | 县级预算安排 |\n")
    assert [r[:2] for r in _rows(tmp_path, body)] == [
        ("数量指标", "资助家庭经济困难学生人数"), ("质量指标", "资助资金发放准确率"),
        ("社会效益指标", "家庭经济困难学生入学保障水平"), ("服务对象满意度指标", "受助学生满意度")]


PIPE_HEAD = "某县教育局\n2026年项目支出绩效目标表\n1.校舍维修经费绩效目标表\n项目名称 | 校舍维修经费 |\n预算数(万元) | 120.00 |\n"
PIPE_BODY = ("数量指标 | 校舍维修改造面积 | 完成全县中小学校舍维修 | ≥3000 平方米 | 年度维修计划 |\n"
             "改造任务\n"
             "质量指标 | 工程验收合格率 | 维修工程经验收合格的比 | 100% | 验收规范 |\n"
             "例\n"
             "时效指标 | 维修完成时间 | 项目完成时间 | 2026 年 8 月 | 年度维修计划 |\n"
             "满意度指标 | 师生满意度 | 师生对维修工程的满意度 | ≥90% | 满意度问卷调查结果 |\n")


def _pipe_rows(tmp_path, text: str) -> list[tuple]:
    path = tmp_path / "pipes.txt"
    path.write_text(text, encoding="utf-8")
    [p] = extract_rules(load_text(path)).projects
    return [(i.level2, i.level3, i.description, i.value, i.basis) for i in p.indicators]


def test_a_lone_line_after_a_pipe_row_ends_the_cell_cut_at_its_width_not_the_last_cell(tmp_path):
    want = [("数量指标", "校舍维修改造面积", "完成全县中小学校舍维修改造任务", "≥3000 平方米", "年度维修计划"),
            ("质量指标", "工程验收合格率", "维修工程经验收合格的比例", "100%", "验收规范"),
            ("时效指标", "维修完成时间", "项目完成时间", "2026 年 8 月", "年度维修计划"),
            ("满意度指标", "师生满意度", "师生对维修工程的满意度", "≥90%", "满意度问卷调查结果")]
    named = "二级指标 | 三级指标 | 绩效指标描述 | 指标值 | 指标值确定依据 |\n"
    assert _pipe_rows(tmp_path, PIPE_HEAD + named + PIPE_BODY) == want
    # the level column named by its content (指标类型 over 数量指标 …): the widths are read all the same
    by_content = "指标类型 | 指标名称 | 绩效指标描述 | 指标值 | 指标值确定依据 |\n"
    assert _pipe_rows(tmp_path, PIPE_HEAD + by_content + PIPE_BODY) == want


def test_a_lone_line_before_a_row_without_a_level_name_is_that_rows_head_even_after_a_cell_at_its_width(tmp_path):
    # the row above ends in a long name that reaches its column's width, but the row below (merged level cells
    # omitted) opens with the rest of a name broken over two lines
    body = ("一级指标 | 二级指标 | 三级指标 | 指标值 |\n"
            "产出指标 | 数量指标 | 组织开展农村实用技术培训期数 | 12期 |\n"
            "培训农村实用\n"
            "技术人员人次 | ≥600人次 |\n"
            "质量指标 | 培训考核合格率 | ≥90% |\n"
            "满意度指标 | 服务对象满意度指标 | 参训人员满意度 | ≥95% |\n")
    rows = _pipe_rows(tmp_path, PIPE_HEAD + body)
    assert [(r[1], r[3]) for r in rows] == [("组织开展农村实用技术培训期数", "12期"),
                                            ("培训农村实用技术人员人次", "≥600人次"),
                                            ("培训考核合格率", "≥90%"), ("参训人员满意度", "≥95%")]


def test_a_lone_line_that_ends_no_cut_cell_opens_the_row_below(tmp_path):
    body = ("一级指标 | 二级指标 | 三级指标 | 指标值 |\n"
            "产出指标 | 数量指标 | 培训人次 | ≥100人次 |\n"
            "培训合格\n"
            "率 | ≥90% |\n"
            "满意度指标 | 服务对象满意度指标 | 学员满意度 | ≥95% |\n")
    rows = _pipe_rows(tmp_path, PIPE_HEAD + body)
    assert [(r[1], r[3]) for r in rows] == [("培训人次", "≥100人次"), ("培训合格率", "≥90%"), ("学员满意度", "≥95%")]


def test_run_together_lines_of_tails_join_the_row_above(tmp_path):
    head = "某县教育局\n2026年项目支出绩效目标表\n1.学生资助补助经费绩效目标表\n项目名称学生资助补助经费\n预算数(万元)120.00\n"
    body = ("一级指标二级指标三级指标绩效指标描述指标值指标值确定依据\n"
            "产出指标数量指标资助家庭经济困难学生资助家庭经济困难学生≥1200 人次县级预算安排\n"
            "人数人数\n"
            "质量指标资助资金发放准确率资助资金发放准确率100%县级预算安排\n"
            "效益指标社会效益家庭经济困难学生入学家庭经济困难学生入学逐步提高县级预算安排\n"
            "指标保障水平保障水平\n"
            "满意度指标服务对象满意度指标受助学生满意度受助学生满意度≥90%县级预算安排\n")
    path = tmp_path / "glued.txt"
    path.write_text(head + body, encoding="utf-8")
    [p] = extract_rules(load_text(path)).projects
    c = lambda s: re.sub(r"\s+", "", s or "")  # noqa: E731
    assert [(c(i.level2), c(i.level3), c(i.description), i.value) for i in p.indicators] == [
        ("数量指标", "资助家庭经济困难学生人数", "资助家庭经济困难学生人数", "≥1200 人次"),
        ("质量指标", "资助资金发放准确率", "资助资金发放准确率", "100%"),
        ("社会效益指标", "家庭经济困难学生入学保障水平", "家庭经济困难学生入学保障水平", "逐步提高"),
        ("服务对象满意度指标", "受助学生满意度", "受助学生满意度", "≥90%")]
