"""Copy guards, kind templates and the head noun, each on inputs whose right answer is known by reading them."""

from __future__ import annotations

import pytest

from perfdraft.core.models import Citation, Indicator, Project, ProjectBrief, Target
from perfdraft.drafting.adapt import adapt_row
from perfdraft.drafting.guards import is_corrupt_value, scale_differs
from perfdraft.drafting.lint import lint_project
from perfdraft.drafting.templates import kinds, project_kind, template_rows
from perfdraft.ingest.store_headnoun import head_noun


@pytest.mark.parametrize("value,corrupt", [("1002025年12月31日", True), ("2025年13月40日", True),
                                           ("１００２０２５年１２月", True), ("2025.12.31", False), ("12月31日", False),
                                           ("第3季度", False), ("在职 82% 退休 85%", False), ("≥385752人次", False),
                                           ("明显减轻", False)])
def test_corrupt_values_are_told_from_qualitative_ones(value, corrupt):
    assert is_corrupt_value(value) is corrupt


def _count(num: float, unit: str = "人次") -> Indicator:
    return Indicator(level1="产出指标", level2="数量指标", level3="救助人次", value=f"≥{num:g}{unit}",
                     target=Target(kind="number", op="≥", num=num, unit=unit))


@pytest.mark.parametrize("src_budget,budget,src_dept,dept,flagged", [
    (725, 500, "乐亭县医疗保障局", "滦南县医疗保障局", False),  # same level, 1.45x
    (54, 500, "平乡县医疗保障局", "乐亭县医疗保障局", True),     # 9x
    (1200, 500, None, None, True),                                  # 2.4x
    (900, 500, None, None, False),                                  # 1.8x
    (725, 500, "唐山市医疗保障局", "乐亭县医疗保障局", True),     # a city's count for a county
    (725, 500, "乐亭县医疗保障局", "唐山市医疗保障局", False),     # a county's count is no ceiling for a city
])
def test_quantities_from_another_scale_carry_the_reference_budget(src_budget, budget, src_dept, dept, flagged):
    assert scale_differs(src_budget, budget, src_dept, dept) is flagged
    row = adapt_row(_count(385752), src_year=2025, src_budget=src_budget, year=2026, budget=budget,
                    src_department=src_dept, department=dept)
    notes = [w for w in row.warnings if f"参考项目预算 {src_budget:g} 万元" in w]
    assert bool(notes) is flagged
    row.sources = [Citation(document="d", project="p", row=0, budget_wan=src_budget, department=src_dept)]
    table = Project(name="x", unit=dept, budget_wan=budget, goals=["g"], indicators=[row])
    assert bool([f for f in lint_project(table) if f.rule == "L19-scale"]) is flagged


def test_percentages_are_not_scale_bound():
    row = adapt_row(_count(99, "%"), src_year=2025, src_budget=54, year=2026, budget=500)
    assert not row.warnings


@pytest.mark.parametrize("name,kind", [("农村公路养护", "基础设施建设/修缮"), ("办公楼维修", "基础设施建设/修缮"),
                                       ("执法记录仪购置", "设备购置"), ("综合业务培训费", "培训/会议"),
                                       ("医保政策宣传经费", "宣传"), ("信息系统运维费", "信息化"),
                                       ("困难群众医疗救助资金", "补助/救助资金"), ("法律顾问费", "购买服务"),
                                       ("医保综合管理业务费", "专项业务/运转")])
def test_each_kind_is_recognised_from_the_name(name, kind):
    assert project_kind(ProjectBrief(name=name, budget_wan=10, year=2026)) == kind


def test_every_kind_template_covers_the_required_slots_and_only_the_budget_is_filled():
    brief = ProjectBrief(name="x", budget_wan=12.5, year=2027)
    for kind in kinds():
        rows = template_rows(kind, brief)
        l2 = {r.level2 for r in rows}
        assert {"数量指标", "质量指标", "时效指标", "成本指标", "社会效益指标", "服务对象满意度指标"} <= l2, kind
        filled = [r for r in rows if "【待填写" not in r.value]
        assert [r.value for r in filled] == ["≤12.5万元"], kind
        assert any("2027" in r.value for r in rows if r.level2 == "时效指标")


@pytest.mark.parametrize("name,head", [("城乡居民医保宣传经费", "宣传"), ("农村公路养护", "养护"), ("印刷费", "印刷"),
                                       ("医疗救助资金", "救助"), ("2025年非营利性民办园房租补贴", "房租补贴"),
                                       ("城市路灯维护", "路灯维护"), ("综合业务经费", "")])
def test_head_noun_is_what_the_money_is_for(name, head):
    assert head_noun(name) == head
