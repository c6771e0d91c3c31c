"""A 序号 column of row numbers left of the level columns, in every text family (hand-typed tables)."""

import re

from perfdraft.extraction.rules import extract_rules
from perfdraft.ingest.text import load_text

HEAD = "某区卫生健康局\n2025年项目支出绩效目标表\n项目名称 基本公共卫生服务\n预算数(万元) 860.00\n"
WANT = [("产出指标", "数量指标", "家庭医生签约人数", "≥3.5万人"),
        ("产出指标", "数量指标", "65岁以上老年人健康管理率", "≥70%"),
        ("产出指标", "质量指标", "高血压患者规范管理率", "≥65%"),
        ("满意度指标", "服务对象满意度指标", "群众满意度", "≥90%")]


def _rows(tmp_path, body: str, fields=("level1", "level2", "level3", "value")) -> list[tuple]:
    path = tmp_path / "numbered.txt"
    path.write_text(HEAD + body, encoding="utf-8")
    [p] = extract_rules(load_text(path)).projects
    return [tuple(re.sub(r"\s+", "", getattr(i, f) or "") for f in fields) for i in p.indicators]


def test_tab_rows_whose_last_empty_cells_are_not_printed_keep_their_columns(tmp_path):
    body = ("序号\t一级指标\t二级指标\t三级指标\t年度目标值\t备注\n"
            "1\t产出指标\t数量指标\t家庭医生签约人数\t≥3.5万人\t\n"
            "2\t\t\t65岁以上老年人健康管理率\t≥70%\t\n"
            "3\t\t质量指标\t高血压患者规范管理率\t≥65%\t\n"
            "4\t满意度指标\t服务对象满意度指标\t群众满意度\t≥90%\t\n")
    assert _rows(tmp_path, body) == WANT


def test_space_separated_rows_drop_their_number_and_a_merged_level_stays_filled_down(tmp_path):
    body = ("序号 一级指标 二级指标 三级指标 指标值\n"
            "1 产出指标 数量指标 家庭医生签约人数 ≥3.5万人\n"
            "2 65岁以上老年人健康管理率 ≥70%\n"
            "3 质量指标 高血压患者规范管理率 ≥65%\n"
            "4 满意度指标 服务对象满意度指标 群众满意度 ≥90%\n")
    assert _rows(tmp_path, body) == WANT


def test_indented_rows_drop_their_number_printed_after_the_merged_level_names_above_them(tmp_path):
    # level names once, on lines of their own (a merged cell), then each row: its number, name and value
    body = ("序号  一级指标  二级指标  三级指标  指标值\n"
            "产出指标\n"
            "    数量指标\n"
            "        1  家庭医生签约人数  ≥3.5万人\n"
            "        2  65岁以上老年人健康管理率  ≥70%\n"
            "    质量指标\n"
            "        3  高血压患者规范管理率  ≥65%\n"
            "满意度指标\n"
            "    服务对象满意度指标\n"
            "        4  群众满意度  ≥90%\n")
    assert _rows(tmp_path, body) == WANT


def test_a_wrapped_document_number_tail_is_no_row_number(tmp_path):
    # `25 号` under a numbered pipe row is the rest of 卫发〔2024〕1 / 25 号, not row 25 (nor the head of row 2)
    body = ("序号 | 一级指标 | 二级指标 | 三级指标 | 指标值 | 确定依据 |\n"
            "1 | 产出指标 | 数量指标 | 家庭医生签约人数 | ≥3.5万人 | 卫发〔2024〕1 |\n"
            "25 号\n"
            "2 | 质量指标 | 高血压患者规范管理率 | ≥65% | 卫发〔2024〕1 ||\n"
            "25 号\n"
            "3 | 满意度指标 | 服务对象满意度指标 | 群众满意度 | ≥90% | 问卷调查 |\n")
    assert _rows(tmp_path, body, ("level2", "level3", "value", "basis")) == [
        ("数量指标", "家庭医生签约人数", "≥3.5万人", "卫发〔2024〕125号"),
        ("质量指标", "高血压患者规范管理率", "≥65%", "卫发〔2024〕125号"),
        ("服务对象满意度指标", "群众满意度", "≥90%", "问卷调查")]


def test_one_cell_per_line_rows_open_at_their_number(tmp_path):
    body = ("序号\n\n一级指标\n\n二级指标\n\n三级指标\n\n指标值\n\n"
            "1\n\n产出指标\n\n数量指标\n\n家庭医生签约人数\n\n≥3.5万人\n\n"
            "2\n\n65岁以上老年人健康管理率\n\n≥70%\n\n"
            "3\n\n质量指标\n\n高血压患者规范管理率\n\n≥65%\n\n"
            "4\n\n满意度指标\n\n服务对象满意度指标\n\n群众满意度\n\n≥90%\n\n")
    assert _rows(tmp_path, body) == WANT


def test_run_together_rows_keep_a_name_that_starts_with_a_digit(tmp_path):
    # 265岁以上…: row 2, then the name 65岁以上… (the numbers count on from row 1)
    body = ("序号一级指标二级指标三级指标指标值\n"
            "1产出指标数量指标家庭医生签约人数≥3.5万人\n"
            "2产出指标数量指标65岁以上老年人健康管理率≥70%\n"
            "3产出指标质量指标高血压患者规范管理率≥65%\n"
            "4满意度指标服务对象满意度指标群众满意度≥90%\n")
    assert _rows(tmp_path, body) == WANT
