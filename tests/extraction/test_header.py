"""Header fields read by label synonyms from cells and lines."""

from perfdraft.extraction.header import Token, budget_wan, read_header


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
