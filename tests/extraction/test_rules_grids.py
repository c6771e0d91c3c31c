"""Rule extraction on grids like the PDF/DOCX/XLSX loaders make: merges, page splits, layout variants."""

from perfdraft.extraction.rules import extract_rules
from perfdraft.extraction.segment import find_sections
from perfdraft.ingest.text import load_text
from tests.extraction.gridkit import make_doc

HEADER = ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据"]
META = [
    ["项目编码", "13020025P00682510503U", "项目名称", "办公楼维修（护）费"],
    ["预算规模及资金用途", "预算数", "30000.00", "其他资金"],
    ["", "用于年久失修的办公楼的维修维护", "", ""],
    ["绩效目标", "1.保障机关办公正常运转 2.提高安全性", "", ""],
]


def _doc(grids, *, unit_line="单位：万元", page_breaks=()):
    return make_doc(["某某市医疗保障局", "2025年部门预算绩效文本", "1.办公楼维修（护）费绩效目标表",
                     "619001某某市医疗保障局本级", unit_line, *grids], page_breaks=page_breaks)


def test_merged_level_cells_are_filled_down_and_header_fields_read():
    grid = META + [HEADER,
                   [("产出指标", 2, 1), ("数量指标", 2, 1), "工程量完成率", "完成率", "≥100%", "工作计划"],
                   [None, None, "维修次数", "次数", "≥2次", "工作计划"],
                   [("效果指标", 1, 1), "社会效益指标", "安全性", "提高安全性", "有所提升", ""],
                   ["满意度指标", "服务对象满意度指标", "满意度", "满意度", "≥90%", "问卷"]]
    perf = extract_rules(_doc([grid], unit_line="单位：元"))
    assert perf.department == "某某市医疗保障局" and perf.year == 2025
    [p] = perf.projects
    assert p.name == "办公楼维修（护）费" and p.code == "13020025P00682510503U"
    assert p.unit == "619001某某市医疗保障局本级"
    assert p.budget_wan == 3.0  # 30000 元
    assert p.purpose == "用于年久失修的办公楼的维修维护"
    assert p.goals == ["保障机关办公正常运转", "提高安全性"]
    rows = [(i.level1, i.level2, i.level3, i.value) for i in p.indicators]
    assert rows == [("产出指标", "数量指标", "工程量完成率", "≥100%"), ("产出指标", "数量指标", "维修次数", "≥2次"),
                    ("效果指标", "社会效益指标", "安全性", "有所提升"),
                    ("满意度指标", "服务对象满意度指标", "满意度", "≥90%")]
    assert p.indicators[2].basis is None  # empty cell
    assert p.indicators[1].source.table == 0 and p.indicators[1].source.row is not None
    assert p.indicators[0].target.num == 100


def test_table_split_over_two_pages_with_repeated_header_and_split_cell():
    first = META + [HEADER, ["产出指标", "数量指标", "参保人数", "全年参保人数占常住", "≥90%", "文件"]]
    second = [HEADER, ["", "", "", "人口比例", "", ""],
              ["", "质量指标", "保障率", "纳入保障的比例", "≥95%", "文件"]]
    perf = extract_rules(_doc([first, second], page_breaks=(6,)))
    [p] = perf.projects
    assert [i.level3 for i in p.indicators] == ["参保人数", "保障率"]
    assert p.indicators[0].description == "全年参保人数占常住人口比例"
    assert p.indicators[1].level1 == "产出指标"
    assert p.indicators[1].source.page == 2


def test_two_value_columns_and_missing_basis_column():
    header = ["一级指标", "二级指标", "三级指标", "绩效指标描述", "实施周期指标值", "年度指标值"]
    grid = META + [header, ["产出指标", "数量指标", "培训人次", "培训人次", "≥300人次", "≥100人次"]]
    [p] = extract_rules(_doc([grid])).projects
    ind = p.indicators[0]
    assert (ind.period_value, ind.value, ind.basis) == ("≥300人次", "≥100人次", None)
    assert ind.target.num == 100


def test_no_description_column_gives_null_and_cost_as_first_level():
    header = ["一级指标", "二级指标", "三级指标", "指标值", "指标值确定依据"]
    grid = META + [header, ["成本指标", "经济成本指标", "单位成本", "≤20元/平米", "预算"],
                   ["产出指标", "数量指标", "次数", "≥2次", "计划"]]
    [p] = extract_rules(_doc([grid])).projects
    assert [(i.level1, i.level2, i.description) for i in p.indicators] == [
        ("成本指标", "经济成本指标", None), ("产出指标", "数量指标", None)]


def test_shifted_row_and_repeated_level2_are_realigned_and_placeholders_dropped():
    header = ["一级指标", "二级指标", "三级指标", "绩效指标描述", "", "指标值", "指标值确定依据"]
    grid = META + [header,
                   ["产出指标", "数量指标", "参保人数", "参保人数", "", "289.89 万人", "数据"],
                   ["时效指标", "到位率", "资金到位率", "", "≥100%", "", ""],
                   ["", "生态效益指标", "", "", "", "", ""],
                   ["满意度指标", "服务对象满意度指标", "服务对象满意度指标", "政策满意度", "对政策的满意度。", "≥90%"]]
    [p] = extract_rules(_doc([grid])).projects
    rows = [(i.level1, i.level2, i.level3, i.description, i.value) for i in p.indicators]
    assert rows == [("产出指标", "数量指标", "参保人数", "参保人数", "289.89 万人"),
                    ("产出指标", "时效指标", "到位率", "资金到位率", "≥100%"),
                    ("满意度指标", "服务对象满意度指标", "政策满意度", "对政策的满意度。", "≥90%")]


def test_effect_level2_under_missing_level1_gets_the_documents_effect_name():
    grid = META + [HEADER, ["产出指标", "数量指标", "件数", "件数", "≥5件", ""],
                   ["", "社会效益指标", "知晓率", "知晓率", "≥90%", ""]]
    [p] = extract_rules(_doc([grid])).projects
    assert p.indicators[1].level1 == "效益指标"  # the document never names 效果指标


def test_toc_and_other_budget_tables_are_not_sections():
    doc = make_doc(["目录", "1.办公费绩效目标表 ........ 3", "部门预算收支总表",
                    [["项目", "金额"], ["收入", "100"]],
                    "1.办公费绩效目标表", META + [HEADER, ["产出指标", "数量指标", "件数", "件数", "≥5件", ""]]])
    secs = find_sections(doc)
    assert [s.title for s in secs] == ["办公费"]
    assert secs[0].tables == [1]
    assert all(v.value for p in extract_rules(doc).projects for v in p.indicators)


def test_every_extracted_value_is_text_of_the_document():
    grid = META + [HEADER, ["产出指标", "数量指标", "件数", "件数", "≥5件", "计划"]]
    doc = _doc([grid])
    text = "".join(c.text for g in doc.tables for c in g.cells)
    for p in extract_rules(doc).projects:
        for i in p.indicators:
            for v in (i.level3, i.description, i.value, i.basis):
                assert v is None or v in text


def test_realigned_rows_carry_warnings_and_lower_confidence():
    header = ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据"]
    clean = META + [header, ["产出指标", "数量指标", "件数", "件数", "≥5件", "计划"]]
    shifted = META + [header, ["产出指标", "数量指标", "件数", "件数", "≥5件", "计划"],
                      ["时效指标", "到位率", "资金到位率", "≥100%", ""]]
    [ok] = extract_rules(_doc([clean])).projects
    [p] = extract_rules(_doc([shifted])).projects
    assert ok.confidence == 1.0 and not ok.indicators[0].warnings
    assert any(w.startswith("row realigned") for w in p.indicators[1].warnings)
    assert p.confidence < ok.confidence


def test_two_row_header_with_merged_value_heading():
    h1 = ["一级指标", "二级指标", "三级指标", ("指标值", 1, 2), None, "指标值确定依据"]
    h2 = ["", "", "", "实施周期", "年度", ""]
    grid = META + [h1, h2, ["产出指标", "数量指标", "培训人次", "≥300人次", "≥100人次", "计划"]]
    [p] = extract_rules(_doc([grid])).projects
    ind = p.indicators[0]
    assert (ind.period_value, ind.value, ind.basis, ind.description) == ("≥300人次", "≥100人次", "计划", None)


def test_a_broken_section_does_not_lose_the_others(monkeypatch):
    import perfdraft.extraction.rules as rules
    grid = META + [HEADER, ["产出指标", "数量指标", "件数", "件数", "≥5件", ""]]
    doc = make_doc(["1.甲项目绩效目标表", grid, "2.乙项目绩效目标表", grid])
    real = rules.extract_section
    calls = []

    def flaky(doc, sec, **kw):
        calls.append(sec.index)
        if sec.index == 0:
            raise ValueError("boom")
        return real(doc, sec, **kw)

    monkeypatch.setattr(rules, "extract_section", flaky)
    perf = rules.extract_rules(doc)
    assert len(perf.projects) == 1 and calls == [0, 1]
    assert any("extraction failed" in w and "boom" in w for w in perf.warnings)


def test_cells_cut_at_the_column_width_continue_on_the_next_row_even_without_a_value():
    grid = [HEADER,
            ["产出指标", "时效指标", "当年市级财政实际负担", "财政实际负担资金及时", "", ""],
            ["", "", "资金是否及时到位", "到位", "", ""],
            ["产出指标", "数量指标", "参保人数", "参保人数", "≥5万人", "工作计划"]]
    [p] = extract_rules(_doc([META + grid])).projects
    assert [(r.level3, r.description) for r in p.indicators] == [
        ("当年市级财政实际负担资金是否及时到位", "财政实际负担资金及时到位"), ("参保人数", "参保人数")]


def test_pipe_rows_holding_the_tails_of_wrapped_cells_join_the_row_above(tmp_path):
    from perfdraft.ingest.text import load_text

    path = tmp_path / "wrapped.md"
    path.write_text("项目支出绩效目标表\n| 项目名称 | 道路养护 |\n| 一级指标 | 二级指标 | 三级指标 | 指标值 | 指标值确定依据 |\n"
                    "| 产出指标 | 数量指标 | 养护里程 | ≥10公里 | 2025 年 12 |\n|  |  |  |  | 月底数据 |\n"
                    "| 产出指标 | 质量指标 | 基金滚存结余可支配月 | 6-9 个月 |  |\n|  |  | 数 |\n", encoding="utf-8")
    [p] = extract_rules(load_text(path)).projects
    assert [(r.level3, r.value, (r.basis or "").replace("\n", "")) for r in p.indicators] == [
        ("养护里程", "≥10公里", "2025 年 12月底数据"), ("基金滚存结余可支配月数", "6-9 个月", "")]


def test_column_names_printed_over_two_lines_are_one_header_not_a_row(tmp_path):
    from perfdraft.ingest.text import load_text

    for sep in ("\t", " ", " | "):
        path = tmp_path / "two-line-header.txt"
        path.write_text("1.公共卫生服务绩效目标表\n项目名称：基本公共卫生服务补助资金\n"
                        + "\n".join(sep.join(r) for r in [["一级", "二级", "三级", "指标值"], ["指标", "指标", "指标"],
                                                           ["产出指标", "数量指标", "建立健康档案人数", "≥12000人"],
                                                           ["满意度指标", "服务对象满意度指标", "居民满意度", "≥90%"]]),
                        encoding="utf-8")
        [p] = extract_rules(load_text(path)).projects
        assert [(r.level1, r.level3, r.value) for r in p.indicators] == [
            ("产出指标", "建立健康档案人数", "≥12000人"), ("满意度指标", "居民满意度", "≥90%")], sep


def test_a_grid_with_no_level_column_name_has_its_level_column_told_by_content(tmp_path):
    from perfdraft.ingest.text import load_text

    for first, name in (("绩效指标", "指标内容"), ("指标类型", "指标名称")):
        path = tmp_path / "levels-by-content.txt"
        path.write_text("1.公共卫生服务绩效目标表\n项目名称：基本公共卫生服务补助资金\n"
                        + "\n".join("\t".join(r) for r in [[first, name, "指标值"], ["数量指标", "建立健康档案人数", "≥12000人"],
                                                           ["时效指标", "资金拨付及时率", "100%"],
                                                           ["社会效益指标", "居民健康素养水平", "逐步提高"],
                                                           ["满意度指标", "居民满意度", "≥90%"]]), encoding="utf-8")
        [p] = extract_rules(load_text(path)).projects
        assert [(r.level1, r.level2, r.level3, r.value) for r in p.indicators] == [
            ("产出指标", "数量指标", "建立健康档案人数", "≥12000人"), ("产出指标", "时效指标", "资金拨付及时率", "100%"),
            ("效益指标", "社会效益指标", "居民健康素养水平", "逐步提高"), ("满意度指标", "满意度指标", "居民满意度", "≥90%")], first


def test_a_table_of_names_and_amounts_is_not_taken_for_an_indicator_grid_by_content():
    from perfdraft.core.columns import header_by_content

    assert header_by_content(["项目名称", "金额", "指标值"], [["道路养护", "12", "1"], ["校舍维修", "30", "2"]]) is None
    assert header_by_content(["一级指标", "二级指标", "三级指标", "指标值"], [["产出指标", "数量指标", "a", "1"]] * 2) is None


def test_a_column_name_cut_over_two_lines_is_finished_by_the_tail_below_it(tmp_path):
    from perfdraft.ingest.text import load_text

    path = tmp_path / "cut-header.txt"
    path.write_text("项目支出绩效目标表\n项目名称   乡村学校少年宫运行经费\n"
                    "  一级指标     二级指标      三级指标                    指标值          指标值确定\n"
                    "                                                                         依据\n"
                    "  产出指标     数量指标      少年宫开展活动次数          ≥20次           年度工作计划\n"
                    "               质量指标      活动参与学生覆盖率          ≥90%            上级文件\n"
                    "  满意度指标   服务对象满    学生家长满意度              ≥90%            问卷调查\n"
                    "               意度指标\n", encoding="utf-8")
    [p] = extract_rules(load_text(path)).projects
    assert [(r.level2, r.level3, r.value, r.basis) for r in p.indicators] == [
        ("数量指标", "少年宫开展活动次数", "≥20次", "年度工作计划"), ("质量指标", "活动参与学生覆盖率", "≥90%", "上级文件"),
        ("服务对象满意度指标", "学生家长满意度", "≥90%", "问卷调查")]


def test_header_block_lines_with_pipes_between_label_and_value_give_clean_fields(tmp_path):
    # a web page's header block printed `label | value` without closing pipes, above a pipe grid
    text = ("项目支出绩效目标表\n项目名称 | 城区道路维护\n主管部门 | 某县住房和城乡建设局 | 实施单位 | 某县市政管理所\n"
            "项目资金（万元） | 年度资金总额： | 150\n年度目标 | 完成城区道路日常维护。\n"
            "一级指标 | 二级指标 | 三级指标 | 指标值 |\n产出指标 | 数量指标 | 维护道路面积 | ≥20万平方米 |\n"
            " | 质量指标 | 维护合格率 | ≥98% |\n")
    path = tmp_path / "pipes.txt"
    path.write_text(text, encoding="utf-8")
    [p] = extract_rules(load_text(path)).projects
    assert (p.name, p.unit, p.budget_wan) == ("城区道路维护", "某县市政管理所", 150.0)


def test_level_names_numbered_as_an_outline_are_still_level_names(tmp_path):
    text = ("2025年度项目支出绩效目标表\n项目名称\t城乡居民养老保险补助\n预算数（万元）\t560\n一级指标\t二级指标\t三级指标\t指标值\n"
            "一、产出指标\t（一）数量指标\t1.参保人数\t≥12万人\n\t（二）质量指标\t2.待遇发放准确率\t100%\n"
            "二、效益指标\t（一）社会效益指标\t3.参保率\t≥95%\n三、满意度指标\t（一）服务对象满意度指标\t4.参保群众满意度\t≥90%\n")
    path = tmp_path / "outline.txt"
    path.write_text(text, encoding="utf-8")
    [p] = extract_rules(load_text(path)).projects
    assert [(i.level1, i.level2, i.value) for i in p.indicators] == [
        ("一、产出指标", "（一）数量指标", "≥12万人"), ("一、产出指标", "（二）质量指标", "100%"),
        ("二、效益指标", "（一）社会效益指标", "≥95%"), ("三、满意度指标", "（一）服务对象满意度指标", "≥90%")]
