"""The layout reconstructor on hand-written snippets of each linearised-table family."""

from perfdraft.core.models import TextLine
from perfdraft.ingest.layout import reconstruct


def _lines(text: str) -> list[TextLine]:
    return [TextLine(text=t, lineno=k + 1) for k, t in enumerate(text.split("\n"))]


def _rows(text: str, origin: str) -> list[list[str]]:
    grids = [g for g in reconstruct(_lines(text)) if g.origin == origin]
    assert len(grids) == 1, [g.origin for g in reconstruct(_lines(text))]
    return [[c for c in row if c] for row in grids[0].matrix()]


def test_pipe_rows_without_a_leading_pipe_keep_their_cells_and_drop_the_padding():
    text = ("表头说明\n一级指标 | 二级指标 | 三级指标 | 指标值 |\n产出指标 | 数量指标 | 培训人数 | 30人 | |\n"
            "培训天数 | 5天 | |||\n附件:")
    assert _rows(text, "text-pipes") == [["一级指标", "二级指标", "三级指标", "指标值"],
                                         ["产出指标", "数量指标", "培训人数", "30人"], ["培训天数", "5天"]]


def test_web_dump_cells_are_closed_by_bare_pipe_lines():
    text = "项目名称 |\n城乡环卫 |\n|||\n一级指标 |\n二级指标 |\n三级指标 |\n指标值 |\n产出指标 |\n数量指标 |\n清扫面积 |\n≥5万平方米 |\n"
    rows = _rows(text + "||\n", "text-pipe-cells")
    assert rows[0] == ["项目名称", "城乡环卫"]
    assert ["产出指标", "数量指标", "清扫面积", "≥5万平方米"] in rows or \
        rows[1][-4:] == ["产出指标", "数量指标", "清扫面积", "≥5万平方米"]


def test_web_dump_with_row_openers_splits_rows_by_the_table_width():
    text = ("|\n项目名称 |\n环卫服务 |\n||\n|\n一级指标 |\n二级指标 |\n三级指标 |\n指标值 |\n|\n"
            "产出指标 |\n数量指标 |\n车辆数 |\n10辆 |\n||\n|\n作业频次 |\n每日2次 |\n||||\n")
    rows = _rows(text, "text-pipe-cells")
    assert rows == [["项目名称", "环卫服务"], ["一级指标", "二级指标", "三级指标", "指标值"],
                    ["产出指标", "数量指标", "车辆数", "10辆"], ["作业频次", "每日2次"]]


def test_cell_lines_with_blank_lines_are_cut_into_rows_by_the_vocabulary():
    text = ("一级指标\n\n二级指标\n\n三级指标\n\n指标值\n\n产出指标\n\n数量指标\n\n新建道路\n\n≥10公里\n\n维修桥梁\n\n3座\n\n"
            "效益指标\n\n社会效益\n\n指标\n\n受益人口\n\n≥500人\n\n注:以上为示例")
    rows = _rows(text, "text-cell-lines")
    assert rows == [["一级指标", "二级指标", "三级指标", "指标值"], ["产出指标", "数量指标", "新建道路", "≥10公里"],
                    ["维修桥梁", "3座"], ["效益指标", "社会效益指标", "受益人口", "≥500人"]]


def test_space_separated_rows_keep_their_tokens_and_stop_at_the_sign_off():
    text = ("一级指标 二级指标 三级指标 指标值 备注\n产出指标 数量指标 培训人次 >=200人次\n培训天数 >=3天\n"
            "财政部门审核意见 (盖章)")
    rows = _rows(text, "text-spaces")
    assert rows == [["一级指标", "二级指标", "三级指标", "指标值", "备注"], ["产出指标", "数量指标", "培训人次", ">=200人次"],
                    ["培训天数", ">=3天"]]


def test_pdftotext_streams_with_blank_lines_between_cells_are_left_to_the_stream_reader():
    text = "一级指标 二级指标 三级指标 指标值\n\n产出指标\n\n数量指标 参保人数\n\n≥5万人\n\n质量指标\n\n合格率 100%"
    assert [g for g in reconstruct(_lines(text)) if g.origin == "text-spaces"] == []


def test_run_together_cells_are_split_by_vocabulary_and_value_shape():
    text = "一级指标二级指标三级指标指标值\n产出指标数量指标培训人次≥200人次\n效益指标社会效益指标群众知晓率≥90%\n\n附件"
    rows = _rows(text, "text-run-together")
    assert rows == [["一级指标", "二级指标", "三级指标", "指标值"], ["产出指标", "数量指标", "培训人次", "≥200人次"],
                    ["效益指标", "社会效益指标", "群众知晓率", "≥90%"]]


def test_a_wrapped_list_item_inside_a_pipe_table_stays_with_its_cell():
    text = ("项目名称 | 道路养护 |||\n绩效目标 | 1.完成养护 |||\n2.提升路况\n一级指标 | 二级指标 | 三级指标 | 指标值 |\n"
            "产出指标 | 数量指标 | 养护里程 | 10公里 |")
    rows = _rows(text, "text-pipes")
    assert rows[1] == ["绩效目标", "1.完成养护\n2.提升路况"] and rows[2][0] == "一级指标"


def test_a_short_value_before_a_level_name_is_no_wrapped_level():
    # `1` is the value of 完成时限; 数量指标 on the next line opens a row, it does not continue `1`
    text = ("一级指标\n\n二级指标\n\n三级指标\n\n指标值\n\n产出指标\n\n时效指标\n\n完成时限\n\n1\n\n数量指标\n\n召开会议\n\n2\n\n"
            "注:以上为示例")
    rows = _rows(text, "text-cell-lines")
    assert rows[1:] == [["产出指标", "时效指标", "完成时限", "1"], ["数量指标", "召开会议", "2"]]


def test_cell_lines_with_a_name_printed_twice_stay_one_row():
    text = ("一级指标\n二级指标\n三级指标\n绩效指标描述\n指标值\n满意度指标\n服务对象满意度指标\n服务对象满意度\n服务对象满意度\n"
            "≥90%\n注:以上为示例")
    rows = _rows(text, "text-cell-lines")
    assert rows[1:] == [["满意度指标", "服务对象满意度指标", "服务对象满意度", "服务对象满意度", "≥90%"]]


def test_levels_told_apart_by_indentation_prefix_their_rows():
    text = ("一级指标  二级指标  三级指标  指标值\n产出指标\n    数量指标\n        新建道路  ≥10 公里\n        维修桥梁  3座\n"
            "    质量指标\n        验收合格率  100%\n效益指标\n    社会效益指标\n        受益人口  ≥500人\n\n\n附件")
    rows = _rows(text, "text-spaces")
    assert rows[1:] == [["产出指标", "数量指标", "新建道路", "≥10", "公里"], ["维修桥梁", "3座"],
                        ["质量指标", "验收合格率", "100%"], ["效益指标", "社会效益指标", "受益人口", "≥500人"]]


def test_untitled_space_tables_end_before_the_next_tables_unit_line():
    text = ("一级指标 二级指标 三级指标 指标值\n产出指标 数量指标 新建道路 ≥10公里\n质量指标 验收合格率 100%\n\n"
            "460001 某县交通运输局本级\n项目名称 桥梁维护\n一级指标 二级指标 三级指标 指标值\n产出指标 数量指标 维修桥梁 3座")
    grids = [g for g in reconstruct(_lines(text)) if g.origin == "text-spaces"]
    assert [g.n_rows for g in grids] == [3, 2]
    assert grids[0].line_end == 3  # the unit line belongs to the next table's header block


def test_untitled_web_dump_tables_are_cut_at_the_next_project_name_row():
    cells = ["一级指标 |", "二级指标 |", "三级指标 |", "指标值 |", "||", "产出指标 |", "数量指标 |", "新建道路 |", "≥10公里 |",
             "||", "项目名称 |", "桥梁维护 |", "||||", "一级指标 |", "二级指标 |", "三级指标 |", "指标值 |", "||",
             "产出指标 |", "数量指标 |", "维修桥梁 |", "3座 |", "||"]
    grids = [g for g in reconstruct(_lines("\n".join(cells))) if g.origin == "text-pipe-cells"]
    assert [g.n_rows for g in grids] == [2, 3]
    assert [c.text for c in grids[1].cells if c.row == 0] == ["项目名称", "桥梁维护"]


def test_untitled_cell_lines_leave_the_next_blocks_unit_line_out():
    text = ("一级指标\n二级指标\n三级指标\n指标值\n产出指标\n数量指标\n新建道路\n≥10公里\n某县交通运输局\n项目名称\n桥梁维护")
    rows = _rows(text, "text-cell-lines")
    assert rows[-1] == ["产出指标", "数量指标", "新建道路", "≥10公里"]


def test_blank_separated_cell_lines_join_a_cell_wrapped_over_lines():
    text = ("一级指标\n\n二级指标\n\n三级指标\n\n指标值\n\n指标值确定依据\n\n产出指标\n\n数量指标\n\n参保人数\n\n289.89 万人\n\n"
            "2020 年 12 \n月底数据\n\n住院报销人次\n\n42.73 万\n\n年度\n计划\n\n注:以上为示例")
    rows = _rows(text, "text-cell-lines")
    assert rows[1:] == [["产出指标", "数量指标", "参保人数", "289.89 万人", "2020 年 12月底数据"],
                        ["住院报销人次", "42.73 万", "年度计划"]]


def test_blank_separated_cell_lines_join_long_wrapped_cells_even_when_most_lines_follow_no_blank():
    # one basis cell of eight lines in every row: far fewer lines follow a blank than not, yet most runs
    # between blank lines are a single cell line
    basis = "按照省政府《关于\n整合农村公路建设\n养护管理体制的\n实施意见》\n（某政发〔2024〕\n3号）部署，进一\n步加强农村公路\n建设养护工作"
    text = ("一级指标\n\n二级指标\n\n三级指标\n\n指标值\n\n指标值确定依据\n\n"
            f"产出指标\n\n数量指标\n\n新建农村公路\n\n≥12公里\n\n{basis}\n\n"
            f"质量指标\n\n验收合格率\n\n100%\n\n{basis}\n\n"
            f"时效指标\n\n完工时间\n\n2026年10月\n\n{basis}\n\n注:以上为示例")
    joined = basis.replace("\n", "")
    assert _rows(text, "text-cell-lines")[1:] == [["产出指标", "数量指标", "新建农村公路", "≥12公里", joined],
                                                  ["质量指标", "验收合格率", "100%", joined],
                                                  ["时效指标", "完工时间", "2026年10月", joined]]


def test_cell_lines_printed_a_row_to_a_run_of_lines_keep_their_cells_apart():
    text = ("一级指标\n二级指标\n三级指标\n指标值\n\n产出指标\n数量指标\n新建农村公路\n≥12公里\n\n"
            "质量指标\n验收合格率\n100%\n\n时效指标\n完工时间\n2026年10月\n\n注:以上为示例")
    assert _rows(text, "text-cell-lines")[1:] == [["产出指标", "数量指标", "新建农村公路", "≥12公里"],
                                                  ["质量指标", "验收合格率", "100%"], ["时效指标", "完工时间", "2026年10月"]]


def test_a_page_footer_and_the_repeated_column_names_do_not_break_the_table():
    cells = ("一级指标\n\n二级指标\n\n三级指标\n\n指标值\n\n产出指标\n\n数量指标\n\n新建道路\n\n≥10公里\n\n- 1 -\n\f\n"
             "一级指标\n\n二级指标\n\n三级指标\n\n指标值\n\n维修桥梁\n\n3座\n\n注:以上为示例")
    assert _rows(cells, "text-cell-lines")[1:] == [["产出指标", "数量指标", "新建道路", "≥10公里"], ["维修桥梁", "3座"]]
    spaces = ("一级指标 二级指标 三级指标 指标值\n产出指标 数量指标 新建道路 ≥10公里\n- 1 -\n\f\n"
              "一级指标 二级指标 三级指标 指标值\n质量指标 验收合格率 100%\n\n\n附件")
    grids = [g for g in reconstruct(_lines(spaces)) if g.origin == "text-spaces"]
    assert len(grids) == 1 and grids[0].matrix()[-1][:3] == ["质量指标", "验收合格率", "100%"]


def test_a_web_dump_cell_wrapped_over_several_lines_is_one_cell():
    text = ("一级指标 |\n二级指标 |\n三级指标 |\n指标值 |\n指标值确定依据 |\n||||\n产出指标 |\n数量指标 |\n"
            "新建农村公路 |\n≥12公里 |\n依据交通运输局\n年度农村公路建设\n计划确定 |\n||||\n质量指标 |\n验收合格率 |\n100% |\n"
            "验收规范 |\n||||\n")
    rows = _rows(text, "text-pipe-cells")
    assert ["产出指标", "数量指标", "新建农村公路", "≥12公里", "依据交通运输局\n年度农村公路建设\n计划确定"] in rows
    assert ["质量指标", "验收合格率", "100%", "验收规范"] in rows


def test_empty_cells_in_blank_separated_cell_lines_are_counted_so_rows_do_not_shift():
    # 备注 is empty in every row: an empty cell prints as one more blank line and its separator
    head = "一级指标\n\n二级指标\n\n三级指标\n\n指标值\n\n指标性质\n\n备注\n\n"
    body = ("产出指标\n\n数量指标\n\n新建农村公路\n\n≥12公里\n\n定量\n\n\n\n"
            "改造危桥\n\n≥3座\n\n定量\n\n\n\n"
            "质量指标\n\n验收合格率\n\n100%\n\n定量\n\n\n\n")
    rows = _rows(head + body + "\n", "text-cell-lines")
    assert rows[1:] == [["产出指标", "数量指标", "新建农村公路", "≥12公里", "定量"], ["改造危桥", "≥3座", "定量"],
                        ["质量指标", "验收合格率", "100%", "定量"]]


def test_fixed_width_columns_are_read_by_position_with_wrapped_cells_below_their_column():
    # typed as it shows on screen (a CJK character two columns wide); the value header is centred over its column
    text = ("  一级指标    二级指标        三级指标               指标值         确定依据\n"
            "  产出指标    数量指标        养护农村公路里程     ≥350公里       县交通运输局年度\n"
            "                                                                 养护计划\n"
            "              质量指标        路面技术状况指数     ≥80            部颁标准\n"
            "                              (MQI)达标率\n"
            "  满意度指标  服务对象满意    沿线群众满意度       ≥90%           问卷调查\n"
            "              度指标\n")
    rows = [[c for c in row] for row in [r for r in (
        [g for g in reconstruct(_lines(text)) if g.origin == "text-columns"][0].matrix())]]
    assert rows[1] == ["产出指标", "数量指标", "养护农村公路里程", "≥350公里", "县交通运输局年度"]
    assert rows[2] == ["", "", "", "", "养护计划"]  # the tail keeps its column
    assert rows[4] == ["", "", "(MQI)达标率", "", ""]
    assert rows[6] == ["", "度指标", "", "", ""]


def test_cells_two_spaces_apart_but_not_in_columns_are_no_fixed_width_table():
    text = ("一级指标  二级指标  三级指标  指标值\n产出指标\n    数量指标\n        新建道路  ≥10公里\n"
            "        改造危桥  ≥3座\n    质量指标\n        验收合格率  100%\n")
    assert not [g for g in reconstruct(_lines(text)) if g.origin == "text-columns"]


def test_a_merged_level_centred_on_a_line_of_its_own_under_its_column_keeps_the_table_fixed_width():
    text = ("一级指标    二级指标        三级指标               指标值\n"
            "            数量指标        养护农村公路里程       ≥350公里\n"
            "产出指标\n"
            "            质量指标        路面技术状况达标率     ≥80%\n"
            "满意度指标  服务对象满意度  沿线群众满意度         ≥90%\n")
    rows = [g for g in reconstruct(_lines(text)) if g.origin == "text-columns"][0].matrix()
    assert rows[2][0] == "产出指标" and rows[3][1:] == ["质量指标", "路面技术状况达标率", "≥80%"]


def test_one_list_of_table_ends_serves_every_text_family():
    # a sign-off line (盖章, 填报说明) ends a fixed-width table and a space-separated one alike
    fixed = ("一级指标    二级指标        三级指标               指标值\n"
             "产出指标    数量指标        养护农村公路里程       ≥350公里\n"
             "            质量指标        路面技术状况达标率     ≥80%\n"
             "单位（盖章）                经办人                 张三\n")
    grid = [g for g in reconstruct(_lines(fixed)) if g.origin == "text-columns"][0]
    assert grid.n_rows == 3 and "张三" not in {c.text for c in grid.cells}
    spaces = ("一级指标 二级指标 三级指标 指标值\n产出指标 数量指标 养护农村公路里程 ≥350公里\n"
              "填报说明 本表由项目单位 填报 一式两份\n")
    grid = reconstruct(_lines(spaces))[0]
    assert grid.n_rows == 2 and "一式两份" not in {c.text for c in grid.cells}
