"""Form checks with Chinese messages per field, the project list of batch drafting, last year's comparison."""

from __future__ import annotations

from perfdraft.core.models import Indicator, Project
from perfdraft.ui.compare import compare_projects, header_changes
from perfdraft.ui.fmt import plain, wan_text
from perfdraft.ui.project_list import parse_text, parse_upload
from perfdraft.ui.validate import brief_problems
from tests.app.conftest import fill_brief, messages


def test_each_bad_field_gets_its_own_message():
    problems = brief_problems("", -5, 1900, purpose="用" * 108_000)
    assert set(problems) == {"项目名称", "预算数", "年度", "资金用途"}
    assert "大于 0" in problems["预算数"] and "2000–2100" in problems["年度"] and "2000 个字" in problems["资金用途"]
    assert brief_problems("印刷费", 12, 2026) == {}
    assert "万元" in brief_problems("印刷费", 1e12, 2026)["预算数"]


def test_amounts_are_written_out():
    assert wan_text(99999999) == "99,999,999" and wan_text(12.5) == "12.5" and wan_text(None) == "—"


def test_bad_budget_and_year_on_the_page_are_chinese_messages(app):
    fill_brief(app, budget=-5.0, year=1900)
    assert not app.exception
    errs = messages(app, "error")
    assert any(e.startswith("预算数：") for e in errs) and any(e.startswith("年度：") for e in errs), errs
    assert not [d for d in app.data_editor if d.key.startswith("ed_")]


def test_project_list_from_pasted_lines_and_a_sheet(tmp_path):
    listed, problems = parse_text("项目名称\t预算\t用途\n印刷费\t12\t公文印制\n宣传费，30万元，政策宣传\n坏行\t-1\n\n无预算")
    assert [(p.name, p.budget_wan, p.purpose) for p in listed] == [("印刷费", 12.0, "公文印制"),
                                                                  ("宣传费", 30.0, "政策宣传")]
    assert problems == ["第4行：预算数必须大于 0 万元。", "第6行：请填写预算数（万元）。"]
    from openpyxl import Workbook
    wb = Workbook()
    for row in (["项目名称", "预算数", "资金用途"], ["培训费", 6, "业务培训"], ["差旅费", 2.5, None]):
        wb.active.append(row)
    wb.save(tmp_path / "l.xlsx")
    listed, problems = parse_upload("l.xlsx", (tmp_path / "l.xlsx").read_bytes())
    assert [(p.name, p.budget_wan) for p in listed] == [("培训费", 6.0), ("差旅费", 2.5)] and not problems
    assert parse_upload("bad.xlsx", b"not a zip")[1] == ["无法读取这个 Excel 文件，请另存为 .xlsx 后重试。"]


def _p(rows, budget=10.0):
    return Project(name="印刷费", budget_wan=budget, indicators=[
        Indicator(level1="产出指标", level2="数量指标", level3=n, value=v) for n, v in rows])


def test_compare_with_last_year_marks_kept_changed_new_and_dropped():
    last = _p([("印刷数量", "≥1000份"), ("印刷合格率", "≥95%"), ("按时完成率", "100%")], 10)
    draft = _p([("印刷数量", "≥1200份"), ("印刷质量合格率", "≥95%"), ("群众满意度", "≥90%")], 12)
    frame = compare_projects(last, draft)
    assert list(frame["变化"]) == ["指标值调整", "名称或指标值调整", "新增", "删除"]
    assert list(frame["上年三级指标"])[:2] == ["印刷数量", "印刷合格率"] and frame["上年三级指标"].iloc[3] == "按时完成率"
    assert header_changes(last, draft) == ["预算数：10.0 → 12.0 万元"]


def test_plain_leaves_no_markdown_active():
    out = plain("![n](http://h/x.png) **粗** [a](http://e) :red[x] $x$")
    assert "![" not in out and "**" not in out and "](" not in out and "://" not in out
