"""Header fields read by label synonyms from cells and lines."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfdraft.extraction import header
from perfdraft.extraction.header import Token, budget_wan, leading_label, read_header
from tests.printed_texts import pieces


def _rows(*rows: list[str]) -> list[list[Token]]:
    return [[Token(t, None, k) for t in r] for k, r in enumerate(rows)]


def test_labels_take_the_cells_up_to_the_next_label():
    h = read_header(_rows(["项目名称", "乡村道路养护", "项目负责人及电话", "张三"], ["主管部门", "某县交通局", "实施单位", "某县公路站"],
                          ["项目资金", "年度资金总额:", "120"]))
    assert h.first("name").text == "乡村道路养护"
    assert h.first("unit").text == "某县公路站"
    assert h.first("department").text == "某县交通局"
    assert h.first("budget", prefer=("年度资金总额",)).text == "120"


def test_a_label_alone_on_its_line_takes_the_next_line():
    h = read_header(_rows(["项目名称"], [], ["城区绿化管护"], ["总体目标", "年度目标", "年度总体目标完成情况"], ["完成绿化管护面积10万平方米"]))
    assert h.first("name").text == "城区绿化管护"
    assert h.first("goals").text == "完成绿化管护面积10万平方米"


def test_numbered_narrative_paragraphs_are_labels_too():
    h = read_header(_rows(["(1)项目概述。做好送戏下乡,丰富群众文化生活。"], ["(2)立项依据。文化惠民工程实施方案"]))
    assert h.first("purpose").text == "做好送戏下乡,丰富群众文化生活。"


def test_budget_units_from_value_caption_note_and_accounting_format():
    assert budget_wan("250万", None, "") == 250
    assert budget_wan("193.8", "万元", "") == 193.8
    assert budget_wan("3000000", None, "单位:元") == 300
    assert budget_wan("40,500.00", None, "") == 4.05
    assert budget_wan("12", None, "单位：万元") == 12


def test_labels_glued_to_their_values_are_read_in_a_run_together_block_only():
    rows = _rows(["项目名称乡村道路养护"], ["预算数(万元)120.50"], ["资金用途用于道路日常养护。"])
    glued = read_header(rows, glued=True)
    assert glued.first("name").text == "乡村道路养护"
    assert glued.first("purpose").text == "用于道路日常养护。"
    plain = read_header(rows)
    assert plain.first("name") is None  # elsewhere `项目名称XXX` may be a caption, not a label and its value
    # an amount or a code cannot be part of a label's words: accepted everywhere
    assert plain.first("budget").text == "120.50" and glued.first("budget").unit == "万元"
    assert read_header(_rows(["绩效目标表"]), glued=True).first("goals") is None


def test_a_department_table_states_its_budget_as_a_request():
    # 部门整体支出绩效目标申报表: 年度预算申请（万元）：资金总额 …
    h = read_header(_rows(["年度预算申请（万元）：资金总额", "8,600.00"], ["其中：财政拨款", "8,600.00"]))
    assert budget_wan(h.first("budget").text, h.first("budget").unit, "") == 8600.0


# The alternation leading_label stands for: every label, characters joined by \s*, longest first.
_LABEL_ALT = "|".join(r"\s*".join(map(re.escape, lab)) for lab in header._ALL_LABELS)
_REFERENCE = re.compile(rf"^\s*(?:[(（]?\d{{1,2}}[)）.、．]\s*)?(?P<label>{_LABEL_ALT})\s*(?P<paren>[(（][^()（）]{{0,8}}[)）])?"
                        rf"\s*(?P<colon>[:：。]?)\s*(?P<rest>.*)$", re.S)


def _groups(text: str):
    found = leading_label(text)
    return found and (found[0], found[1]["paren"], found[1]["colon"], found[1]["rest"])


def _reference(text: str):
    m = _REFERENCE.match(text)
    return m and (m["label"], m["paren"], m["colon"], m["rest"])


def test_no_label_begins_where_a_number_mark_or_a_space_can():
    # leading_label reads the number mark one way only: a label starting with a bracket, digit or space would
    # make the alternation try the token without the mark too
    assert not [lab for lab in header._ALL_LABELS if re.match(r"[\s(（\d]", lab) or re.search(r"\s", lab)]


def test_leading_label_matches_the_alternation_on_every_printed_line_and_cell():
    texts = pieces()
    differ = [t for t in texts if _groups(t) != _reference(t)]
    assert not differ[:5]
    assert sum(1 for t in texts if _reference(t)) > 500  # the lines hold labels, so the test compares some


@pytest.mark.parametrize("text", ["(1)项目概述。做好送戏下乡", "１２、项 目\u3000名  称:乡村道路", "  12.年度\n目标(万元):120",
                                  "(123)项目名称", "项目名称项目负责人", "年度", "年度目", "项", "", " \t", "(12)",
                                  "1 2、项目名称", "（3）绩效目标\n", "预算数（元）：10"])
def test_leading_label_matches_the_alternation_on_edge_cases(text):
    assert _groups(text) == _reference(text)


@given(st.text(alphabet=st.sampled_from(sorted(set("".join(header._ALL_LABELS)) | set(" \t\n\u3000(（)）:：。.、．12１"))),
               max_size=16))
@settings(max_examples=400, deadline=None)
def test_leading_label_matches_the_alternation_on_random_text(text):
    assert _groups(text) == _reference(text)
