"""Run-together rows (no separator between cells) cut by content: hand-written rows of the families seen."""

from perfdraft.core.lexicon import Lexicon
from perfdraft.core.models import Indicator, PerformanceDocument, Project
from perfdraft.ingest import run_together as rt

FULL = ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据"]
SHORT = ["一级指标", "二级指标", "三级指标", "指标值"]
PAIR = ["一级指标", "二级指标", "三级指标", "实施周期指标值", "指标值"]


def split(row: str, header: list[str], tail: str = "", lexicon: Lexicon = rt.EMPTY) -> list[str]:
    return rt.split_row(row, rt.header_roles(header), tail, lexicon)


def test_the_header_is_cut_by_column_synonyms_or_not_at_all():
    assert rt.split_header("一级指标二级指标三级指标绩效指标描述指标值指标值确定依据") == FULL
    assert rt.split_header("一级指标二级指标三级指标实施周期指标值指标值") == PAIR
    assert rt.split_header("一级指标二级指标项目负责人") is None


def test_levels_names_and_values_of_a_short_table():
    assert split("产出指标数量指标开展送戏下乡≥70场", SHORT) == ["产出指标", "数量指标", "开展送戏下乡", "≥70场"]
    assert split("产出指标时效指标项目完成时限2026年12月", SHORT) == ["产出指标", "时效指标", "项目完成时限", "2026年12月"]
    assert split("产出指标成本指标补助标准71.86元/平方米", SHORT) == ["产出指标", "成本指标", "补助标准", "71.86元/平方米"]
    # a qualitative value from the closed list
    assert split("效益指标经济效益指标是否产生经济价值否", SHORT)[-2:] == ["是否产生经济价值", "否"]


def test_a_name_printed_twice_and_a_basis_every_row_repeats():
    rows = ["产出指标数量指标道路养护里程道路养护里程≥12 公里县级计划",
            "产出指标质量指标验收合格率验收合格率100%县级计划",
            "效益指标社会效益指标群众出行条件群众出行条件明显改善县级计划"]
    got = rt.split_rows(rows, FULL)
    assert got[0] == ["产出指标", "数量指标", "道路养护里程", "道路养护里程", "≥12 公里", "县级计划"]
    assert got[2] == ["效益指标", "社会效益指标", "群众出行条件", "群众出行条件", "明显改善", "县级计划"]


def test_a_varying_basis_starts_after_the_values_never_at_a_document_number_or_a_bracketed_year():
    row = "产出指标数量指标宣传次数宣传次数≥4 次某财社〔2025〕17 号"
    assert split(row, FULL)[-2:] == ["≥4 次", "某财社〔2025〕17 号"]
    row = "产出指标质量指标结余率当年结余率=结余数÷收入总额×100%≤12%某省意见（某政发〔2019〕3号）"
    assert split(row, FULL)[-2:] == ["≤12%", "某省意见（某政发〔2019〕3号）"]


def test_a_date_inside_the_basis_is_not_the_value():
    row = "产出指标数量指标参保人数全县参保人数12.5 万人截止到2025年6月数据"
    assert split(row, FULL)[2:] == ["参保人数", "全县参保人数", "12.5 万人", "截止到2025年6月数据"]


def test_a_value_pair_printed_twice_and_a_value_that_restates_the_name():
    assert split("产出指标数量指标档案整理完成率≥95%≥95%", PAIR)[2:] == ["档案整理完成率", "≥95%", "≥95%"]
    assert split("产出指标数量指标开展巡查覆盖全部站点开展巡查开展巡查", PAIR)[2:] == ["开展巡查覆盖全部站点", "开展巡查", "开展巡查"]
    rows = ["效益指标社会效益指标保障工作正常开展保障路灯维护工作正常开展保障工作正常开展年度计划",
            "产出指标时效指标完成时限路灯维护完成时限2026.12.31年度计划"]
    assert rt.split_rows(rows, FULL)[0][2:] == ["保障工作正常开展", "保障路灯维护工作正常开展", "保障工作正常开展",
                                               "年度计划"]


def test_what_content_cannot_tell_apart_stays_one_cell():
    # no value shape, no listed word, no restated name: nothing is invented
    cells = split("效益指标社会效益指标社会影响群众认可", SHORT)
    assert cells == ["效益指标", "社会效益指标", "社会影响群众认可"]
    assert "".join(cells) == "效益指标社会效益指标社会影响群众认可"


def test_the_lexicon_cuts_a_name_it_has_seen_and_never_adds_text():
    row = "产出指标数量指标受助人数特困人员参加医保的规模5120截止到2025年底"
    without = split(row, FULL)
    lex = Lexicon.from_documents([_doc("past.txt", "受助人数")])
    with_lex = split(row, FULL, lexicon=lex)
    assert with_lex[2:] == ["受助人数", "特困人员参加医保的规模", "5120", "截止到2025年底"]
    assert without[2] != "受助人数"
    assert "".join(with_lex) == "".join(without) == row  # only where the cuts fall changes


def test_split_rows_keep_every_character_of_each_row():
    rows = ["产出指标数量指标培训人次培训人次≥300人次年度计划", "满意度指标服务对象满意度指标学员满意度学员满意度≥90%年度计划"]
    for row, cells in zip(rows, rt.split_rows(rows, FULL)):
        assert "".join(cells) == row


def _doc(source: str, *names: str) -> PerformanceDocument:
    rows = [Indicator(level1="产出指标", level2="数量指标", level3=n, value="≥1") for n in names]
    return PerformanceDocument(source=source, projects=[Project(name="某项目", indicators=rows)])


def test_trailing_columns_with_no_schema_field_are_cut_from_the_right_by_what_they_hold():
    header = rt.split_header("一级指标二级指标三级指标指标值指标值确定依据指标方向权重(%)评分规则备注")
    assert header[-4:] == ["指标方向", "权重(%)", "评分规则", "备注"]
    rows = ["产出指标数量指标新建农村公路≥12公里年度计划正向20达标得满分",
            "产出指标质量指标验收合格率100%验收规范正向15达标得满分",
            "满意度指标服务对象满意度指标群众满意度≥90%问卷调查正向10达标得满分"]
    assert rt.split_rows(rows, header) == [
        ["产出指标", "数量指标", "新建农村公路", "≥12公里", "年度计划", "正向", "20", "达标得满分"],
        ["产出指标", "质量指标", "验收合格率", "100%", "验收规范", "正向", "15", "达标得满分"],
        ["满意度指标", "服务对象满意度指标", "群众满意度", "≥90%", "问卷调查", "正向", "10", "达标得满分"]]
