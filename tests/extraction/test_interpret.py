"""Header roles and content-based alignment of ragged rows."""

from perfdraft.extraction.interpret import Column, align_row, header_columns, is_indicator_header


def _cols(*roles: str) -> list[Column]:
    return [Column(r, r) for r in roles]


def test_header_synonyms_give_roles_and_the_vertical_label_is_no_column():
    cols = header_columns(["绩效指标", "一级指标", "二级指标", "三级指标", "指标值及单位", "绩效标准", "权重(%)"])
    assert [c.role if c else None for c in cols] == [None, "level1", "level2", "level3", "value", "basis", "extra"]


def test_two_value_columns_are_period_then_annual():
    cols = header_columns(["一级指标", "二级指标", "三级指标", "指标值", "指标值"])
    assert [c.role for c in cols] == ["level1", "level2", "level3", "period_value", "value"]
    cols = header_columns(["一级指标", "二级指标", "三级指标", "长期指标值", "年度指标值"])
    assert [c.role for c in cols] == ["level1", "level2", "level3", "period_value", "value"]


def test_a_self_evaluation_header_is_still_an_indicator_header():
    assert is_indicator_header(["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "得分"])
    assert not is_indicator_header(["项目名称", "预算金额", "实施单位"])


def test_omitted_merged_cells_leave_the_level_columns_empty():
    out, _, _ = align_row(["培训天数", "5天"], _cols("level1", "level2", "level3", "value"))
    assert out == {"level3": "培训天数", "value": "5天"}
    out, _, _ = align_row(["质量指标", "合格率", "100%"], _cols("level1", "level2", "level3", "value"))
    assert out == {"level2": "质量指标", "level3": "合格率", "value": "100%"}


def test_space_fragments_join_into_one_name_and_the_value_is_found_by_shape():
    out, _, _ = align_row(["景点开发数量(", "≥**个", ")", ">=4个"], _cols("level1", "level2", "level3", "value"),
                          fragments=True)
    assert out["value"] == ">=4个" and out["level3"].replace(" ", "") == "景点开发数量(≥**个)"


def test_units_weights_and_nature_columns_take_only_their_shapes():
    cols = [Column("level1", "一级指标"), Column("level2", "二级指标"), Column("level3", "三级指标"),
            Column("extra", "指标性质"), Column("value", "指标值"), Column("unit", "度量单位"),
            Column("extra", "权重(%)")]
    out, extra, _ = align_row(["产出指标", "成本指标", "差旅费", "470", "人/天", "2"], cols, fragments=True)
    assert out == {"level1": "产出指标", "level2": "成本指标", "level3": "差旅费", "value": "470", "unit": "人/天"}
    assert extra == {"权重(%)": "2"}
    out, extra, _ = align_row(["满意度指标", "服务对象满意度指标", "公众满意度", "定性", "高中低", "5"], cols,
                              fragments=True)
    assert out["value"] == "高中低" and extra == {"指标性质": "定性", "权重(%)": "5"}


def test_a_self_evaluation_table_is_reported_not_read_as_targets(tmp_path):
    from perfdraft.extraction.api import extract_file
    p = tmp_path / "zp.txt"
    p.write_text("项目支出绩效自评表\n项目名称\t道路养护\t\t\n一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t得分\n"
                 "产出指标\t数量指标\t养护里程\t≥10公里\t12公里\t10\n", encoding="utf-8")
    res = extract_file(p)
    assert res.document is not None and res.document.projects == []
    assert any("自评表" in w for w in res.document.warnings)


def test_indicator_vocabulary_in_an_unreadable_layout_is_a_located_warning(tmp_path):
    from perfdraft.extraction.api import extract_file
    p = tmp_path / "odd.txt"
    p.write_text("说明\n产出指标 ~~ 数量指标 ~~ 人数\n质量指标 ~~ 合格率\n效益指标 ~~ 社会效益指标\n", encoding="utf-8")
    res = extract_file(p)
    warnings = res.document.warnings if res.document else []
    assert any("lines 2-4" in w and "not understood" in w for w in warnings), warnings


def test_comparison_words_fill_a_value_type_column_and_leave_an_empty_basis_empty():
    cols = header_columns(["三级指标", "绩效指标描述", "指标值", "指标值确定依据", "指标性质", "指标值类型", "权重"])
    out, extra, _ = align_row(["参保率", "参保人员覆盖率", "≥95%", "定量", "大于等于", "10"], cols)
    assert out == {"level3": "参保率", "description": "参保人员覆盖率", "value": "≥95%"}
    assert extra == {"指标性质": "定量", "指标值类型": "大于等于", "权重": "10"}


def test_a_value_printed_with_spaces_is_not_cut_into_the_description_before_it():
    cols = header_columns(["三级指标", "绩效指标描述", "指标值", "指标值确定依据"])
    out, _, _ = align_row(["完成时间", "项目完成时间", "2026", "年", "8", "月", "年度计划"], cols, fragments=True)
    assert out == {"level3": "完成时间", "description": "项目完成时间", "value": "2026 年 8 月", "basis": "年度计划"}
