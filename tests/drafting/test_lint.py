"""Each lint rule fires on a row that breaks it and stays quiet on one that does not."""

from __future__ import annotations

import pytest

from perfdraft.drafting.lint import lint_project
from perfdraft.core.models import Indicator, Project, Target

PCT = dict(kind="number", unit="%")


def row(l1="产出指标", l2="数量指标", l3="印刷数量", value="≥1000份", target=None, **kw) -> Indicator:
    target = target or Target(kind="number", op="≥", num=1000, unit="份")
    kw.setdefault("description", l3)
    kw.setdefault("basis", "工作计划")
    return Indicator(level1=l1, level2=l2, level3=l3, value=value, target=target, **kw)


def base_rows() -> list[Indicator]:
    """A table that passes every rule."""
    return [
        row(),
        row(l2="质量指标", l3="印刷合格率", value="≥98%", target=Target(op="≥", num=98, **PCT)),
        row(l2="时效指标", l3="完成时限", value="2026年12月31日", target=Target(kind="date", op="=", num=20261231)),
        row(l2="成本指标", l3="印刷总成本", value="≤12万元", target=Target(kind="number", op="≤", num=12, unit="万元")),
        row(l1="效益指标", l2="社会效益指标", l3="政策知晓率", value="≥90%", target=Target(op="≥", num=90, **PCT)),
        row(l1="满意度指标", l2="服务对象满意度指标", l3="服务对象满意度", value="≥90%",
            target=Target(op="≥", num=90, **PCT)),
    ]


def lint(rows, **kw):
    kw.setdefault("year", 2026)
    p = Project(name="印刷费", budget_wan=12, goals=["保障印刷业务"], indicators=rows)
    return lint_project(p, **kw)


def rules_of(findings, severity=None):
    return {f.rule for f in findings if severity is None or f.severity == severity}


def test_clean_table_has_no_findings():
    assert lint(base_rows()) == []


def with_row(i, new):
    rows = base_rows()
    rows[i] = new
    return rows


CASES = [
    # (rule, severity, breaking row replacing index i, fixed row)
    ("L01-level1", "error", 4, row(l1="影响指标", l2="社会效益指标", l3="x", value="≥90%", target=Target(op="≥", num=90, **PCT)),
     row(l1="效果指标", l2="社会效益指标", l3="x", value="≥90%", target=Target(op="≥", num=90, **PCT))),
    ("L02-level2", "error", 0, row(l2="社会效益指标"), row(l2="数量指标")),
    ("L05-quantitative", "error", 0, row(value="≥1000", target=Target(kind="number", op="≥", num=1000)), row()),
    ("L05-quantitative", "error", 0, row(value="", target=Target(kind="text")), row()),
    ("L05-quantitative", "error", 4, row(l1="效益指标", l2="社会效益指标", l3="报销比例", value="在职 82% 退休 85%",
                                        target=Target(kind="text")),
     row(l1="效益指标", l2="社会效益指标", l3="报销比例", value="≥82%", target=Target(op="≥", num=82, **PCT))),
    ("L06-percent", "error", 1, row(l2="质量指标", l3="印刷合格率", value="≥120%", target=Target(op="≥", num=120, **PCT)),
     row(l2="质量指标", l3="印刷合格率", value="≥100%", target=Target(op="≥", num=100, **PCT))),
    ("L06-money-percent", "error", 3, row(l2="成本指标", l3="印刷费用", value="≤90%", target=Target(op="≤", num=90, **PCT)),
     row(l2="成本指标", l3="印刷费用", value="≤10万元", target=Target(kind="number", op="≤", num=10, unit="万元"))),
    ("L07-input", "error", 0, row(l3="资金安排金额", value="12万元", target=Target(kind="number", op="=", num=12, unit="万元")),
     row(l3="印刷册数", value="1000册", target=Target(kind="number", op="=", num=1000, unit="册"))),
    ("L08-vague", "warning", 4, row(l1="效益指标", l2="社会效益指标", l3="服务水平", value="提高", target=Target(kind="text")),
     row(l1="效益指标", l2="社会效益指标", l3="服务水平", value="较好", target=Target(kind="text"))),
    ("L11-cost-op", "error", 3, row(l2="成本指标", l3="单册成本", value="≥5元/册",
                                   target=Target(kind="number", op="≥", num=5, unit="元/册")),
     row(l2="成本指标", l3="单册成本", value="≤5元/册", target=Target(kind="number", op="≤", num=5, unit="元/册"))),
    ("L11-cost-budget", "error", 3, row(l2="成本指标", l3="印刷总成本", value="≤13万元",
                                       target=Target(kind="number", op="≤", num=13, unit="万元")),
     row(l2="成本指标", l3="印刷总成本", value="≤120000元", target=Target(kind="number", op="≤", num=120000, unit="元"))),
    ("L11-cost-budget", "error", 3, row(l2="成本指标", l3="单份成本", value="≤200元/份",
                                       target=Target(kind="number", op="≤", num=200, unit="元/份")),
     row(l2="成本指标", l3="单份成本", value="≤100元/份", target=Target(kind="number", op="≤", num=100, unit="元/份"))),
    ("L13-deadline", "error", 2, row(l2="时效指标", l3="完成时限", value="2025年12月", target=Target(kind="date", op="=", num=20251231)),
     row(l2="时效指标", l3="完成时限", value="2026年6月", target=Target(kind="date", op="=", num=20260630))),
    ("L14-satisfaction", "error", 5, row(l1="满意度指标", l2="服务对象满意度指标", l3="满意度", value=">90%",
                                        target=Target(op=">", num=90, **PCT)),
     row(l1="满意度指标", l2="服务对象满意度指标", l3="满意度", value="≥90%", target=Target(op="≥", num=90, **PCT))),
    ("L14-satisfaction", "error", 5, row(l1="满意度指标", l2="服务对象满意度指标", l3="满意度", value="≥90",
                                        target=Target(kind="number", op="≥", num=90)),
     row(l1="满意度指标", l2="服务对象满意度指标", l3="满意度", value="≥95%", target=Target(op="≥", num=95, **PCT))),
    ("L10-basis", "warning", 0, row(basis="领导说的"), row(basis="历史标准")),
    ("L10-basis", "warning", 0, row(basis="预算支出标准"), row(basis="计划标准")),
    ("L09-no-basis", "warning", 0, row(description=None, basis=None), row(description="印刷册数", basis=None)),
]


@pytest.mark.parametrize("rule,severity,i,bad,good", CASES, ids=[f"{c[0]}-{n}" for n, c in enumerate(CASES)])
def test_rule_fires_on_bad_row_only(rule, severity, i, bad, good):
    found = lint(with_row(i, bad))
    assert any(f.rule == rule and f.severity == severity and f.row == i for f in found), found
    assert rule not in rules_of(lint(with_row(i, good)))


def test_duplicate_level3_is_error():
    rows = base_rows()
    rows.append(row(l3="印刷数量", value="≥2000份", target=Target(kind="number", op="≥", num=2000, unit="份")))
    assert any(f.rule == "L12-duplicate" and f.row == len(rows) - 1 for f in lint(rows))
    rows[-1] = row(l3="印刷种类", value="≥2种", target=Target(kind="number", op="≥", num=2, unit="种"))
    assert "L12-duplicate" not in rules_of(lint(rows))


def test_required_categories_and_goals():
    only_output = [r for r in base_rows() if r.level1 == "产出指标"]
    found = lint(only_output)
    assert "L03-required" in rules_of(found, "error")
    assert any(f.rule == "L04-missing" and "满意度" in f.message for f in found)
    no_quality = [r for r in base_rows() if r.level2 != "质量指标"]
    assert any(f.rule == "L04-missing" and "质量" in f.message and f.severity == "warning" for f in lint(no_quality))
    p = Project(name="x", budget_wan=12, goals=[" "], indicators=base_rows())
    assert "L15-goals" in rules_of(lint_project(p, year=2026), "error")


def test_deadline_unchecked_without_year():
    rows = with_row(2, row(l2="时效指标", l3="完成时限", value="2025年12月", target=Target(kind="date", op="=", num=20251231)))
    assert "L13-deadline" not in rules_of(lint(rows, year=None))


def test_last_year_trend_warnings():
    last = Project(name="印刷费", budget_wan=12, goals=["g"], indicators=[
        row(l1="效益指标", l2="社会效益指标", l3="政策知晓率", value="≥95%", target=Target(op="≥", num=95, **PCT)),
        row(value="≥300份", target=Target(kind="number", op="≥", num=300, unit="份"))])
    found = [f for f in lint(base_rows(), last_year=last) if f.rule == "L16-last-year"]
    assert {f.row for f in found} == {0, 4}  # 知晓率 fell below last year; 份数 more than 2x with a flat budget
    assert all(f.severity == "warning" for f in found)
    same = Project(name="印刷费", budget_wan=12, goals=["g"], indicators=base_rows())
    assert "L16-last-year" not in rules_of(lint(base_rows(), last_year=same))


def test_effect_is_accepted_as_benefit():
    rows = with_row(4, row(l1="效果指标", l2="可持续性影响", l3="长效机制", value="≥90%", target=Target(op="≥", num=90, **PCT)))
    assert lint(rows) == []


def test_rows_without_a_parsed_target_are_parsed_from_their_value():
    bare = Indicator(level1="满意度指标", level2="服务对象满意度指标", level3="满意度", value=">90%")
    found = lint(with_row(5, bare))
    assert any(f.rule == "L14-satisfaction" and f.row == 5 for f in found)
    ok = Indicator(level1="满意度指标", level2="服务对象满意度指标", level3="满意度", value="≥90%")
    assert "L14-satisfaction" not in rules_of(lint(with_row(5, ok)))


def test_unit_cost_in_plain_yuan_must_fit_the_budget_once():
    per = row(l2="成本指标", l3="单位成本", value="≤40000元", target=Target(kind="number", op="≤", num=40000, unit="元"))
    assert "L11-cost-budget" not in rules_of(lint(with_row(3, per), budget_wan=5))
    found = [f for f in lint(with_row(3, per), budget_wan=3) if f.rule == "L11-cost-budget"]
    assert found and "单位成本" in found[0].message
