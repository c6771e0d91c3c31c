"""Rules drafter over the gold fixtures: complete, cited, adapted to year and budget, lint-clean."""

from __future__ import annotations

import pytest

from perfdraft.core.vocabulary import canon_level1, canon_level2
from perfdraft.drafting.drafter import REQUIRED, draft
from perfdraft.drafting.lint import money_to_wan
from perfdraft.drafting.memory_store import MemoryStore
from perfdraft.core.models import Indicator, Project, ProjectBrief, Target
from tests.conftest import GOLD

STORE = MemoryStore.from_dir(GOLD)


def slots(project: Project) -> set[tuple[str, str]]:
    return {(canon_level1(r.level1), canon_level2(r.level2)) for r in project.indicators}


DRAFTABLE = [x for x in STORE.items if x[1].year and x[2].name.strip()]  # the 甘孜 table has neither


@pytest.mark.parametrize("pid,doc,proj", DRAFTABLE, ids=[pid for pid, _, _ in DRAFTABLE])
def test_leave_one_out_drafts_have_no_lint_errors(pid, doc, proj):
    brief = ProjectBrief(name=proj.name, budget_wan=proj.budget_wan or 1, year=doc.year + 1,
                         department=doc.department, purpose=proj.purpose)
    result = draft(brief, STORE, exclude_ids=[pid])
    assert pid not in {e.id for e in result.examples}
    # the only errors allowed are template values the user still has to fill
    real = [f for f in result.errors if f.rule != "L17-placeholder"]
    assert real == [], [f.message for f in real]
    assert all(f.row is not None and "【待填写" in result.project.indicators[f.row].value for f in result.errors)
    assert result.project.backend == "rules" and result.backend == "rules"
    assert set(REQUIRED) <= slots(result.project)
    if result.status == "no_precedent":
        assert result.examples == [] and result.notices
        assert not any(r.sources for r in result.project.indicators)
    assert result.project.goals
    for r in result.project.indicators:
        if r.target.kind == "date":
            assert int(r.target.num) // 10000 == brief.year
        wan = money_to_wan(r.target.num, r.target.unit) if r.target.num is not None else None
        if wan is not None and canon_level2(r.level2) == "成本":
            assert wan <= brief.budget_wan


def test_rows_cite_their_past_rows():
    brief = ProjectBrief(name="印刷费", budget_wan=12, year=2026, department="唐山市医疗保障局")
    result = draft(brief, STORE, k=5)
    assert len(result.examples) == 5
    by_id = {e.id: e for e in result.examples}
    docs = {e.document for e in by_id.values()}
    for r in result.project.indicators:
        assert r.sources, r.level3
        for c in r.sources:
            assert c.document in docs
            pasts = [e.project for e in result.examples if e.project.name == c.project and e.document == c.document]
            assert any(p.indicators[c.row].level3 == c.level3 and p.indicators[c.row].value == c.value for p in pasts)
            assert c.year == 2025 and c.department == "唐山市医疗保障局"


def test_total_cost_follows_the_new_budget():
    past = Project(name="宣传经费", budget_wan=20, goals=["开展医保宣传"], indicators=[
        Indicator(level1="产出指标", level2="数量指标", level3="宣传次数", value="≥5次",
                  target=Target(kind="number", op="≥", num=5, unit="次")),
        Indicator(level1="产出指标", level2="成本指标", level3="宣传总成本", value="≤20万元",
                  target=Target(kind="number", op="≤", num=20, unit="万元")),
        Indicator(level1="产出指标", level2="成本指标", level3="单场成本", value="≤2000元/场",
                  target=Target(kind="number", op="≤", num=2000, unit="元/场")),
        Indicator(level1="产出指标", level2="时效指标", level3="完成时限", value="2024年11月",
                  target=Target(kind="date", op="=", num=20241130)),
    ])
    result = draft(ProjectBrief(name="宣传经费", budget_wan=8, year=2026, last_year=past), None)
    rows = {r.level3: r for r in result.project.indicators}
    assert rows["宣传总成本"].target.num == 8 and rows["宣传总成本"].value == "≤8万元"
    assert rows["单场成本"].target.num == 2000  # unit costs are kept
    assert rows["完成时限"].target.num == 20261130 and "2026" in rows["完成时限"].value
    assert rows["宣传次数"].value == "≥5次"
    assert rows["宣传次数"].sources[0].document == "last_year"
    # required slots last year lacked (质量, 社会效益, 满意度) are template placeholders, the only errors
    assert result.errors and {f.rule for f in result.errors} == {"L17-placeholder"}
    assert all(not result.project.indicators[f.row].sources for f in result.errors)


def test_last_year_is_the_strongest_source():
    pid, doc, past = next(x for x in STORE.items if x[2].name == "宣传费")
    mine = past.model_copy(deep=True)
    mine.indicators[0] = mine.indicators[0].model_copy(update={"level3": "宣传品发放份数", "value": "≥3000份",
                                                               "target": Target(kind="number", op="≥", num=3000, unit="份")})
    brief = ProjectBrief(name="宣传费", budget_wan=10, year=2026, department=doc.department, last_year=mine)
    result = draft(brief, STORE)
    names = [r.level3 for r in result.project.indicators]
    assert "宣传品发放份数" in names and names.count("宣传覆盖率") == 0


def test_no_examples_gives_the_kinds_template_with_placeholders_lint_reports():
    result = draft(ProjectBrief(name="全新项目", budget_wan=3, year=2026, purpose="用于新设备维护"), None)
    assert result.status == "no_precedent" and result.notices
    assert set(REQUIRED) <= slots(result.project)
    assert all(r.warnings and not r.sources for r in result.project.indicators)  # template rows say they are uncited
    flagged = {f.row for f in result.errors if f.rule == "L17-placeholder"}
    assert flagged == {i for i, r in enumerate(result.project.indicators) if "【待填写" in r.value} and flagged


def test_satisfaction_rows_are_rewritten_to_at_least_percent():
    past = Project(name="x", budget_wan=5, goals=["g"], indicators=[
        Indicator(level1="满意度指标", level2="服务对象满意度指标", level3="参保人员满意度", value=">90%",
                  target=Target(kind="number", op=">", num=90, unit="%"))])
    result = draft(ProjectBrief(name="x", budget_wan=5, year=2026, last_year=past), None)
    row = next(r for r in result.project.indicators if r.level3 == "参保人员满意度")
    assert row.value == "≥90%" and row.target.op == "≥"


def test_unknown_drafting_backend_is_a_config_error_naming_the_registered_ones():
    from perfdraft.core.errors import ConfigError
    brief = ProjectBrief(name="x", budget_wan=1, year=2026)
    with pytest.raises(ConfigError, match="rules or llm"):
        draft(brief, None, backend="magic")


def test_unit_cost_rows_keep_their_value_and_strict_ceilings_become_at_most():
    past = Project(name="维修费", budget_wan=10, goals=["g"], indicators=[
        Indicator(level1="产出指标", level2="成本指标", level3="单位成本", value="<40000元",
                  target=Target(kind="number", op="<", num=40000, unit="元"))])
    result = draft(ProjectBrief(name="维修费", budget_wan=5, year=2026, last_year=past), None)
    row = next(r for r in result.project.indicators if r.level3 == "单位成本")
    assert row.target.num == 40000 and row.target.op == "≤" and row.value == "≤40000元"


@pytest.mark.parametrize("value,num,expected", [("2025.12.31", 20251231, "2026.12.31"),
                                                 ("2025年12月", 20251231, "2026年12月"),
                                                 ("12月31日", 20251231, "2026年12月31日")])
def test_deadlines_move_into_the_budget_year(value, num, expected):
    from perfdraft.drafting.adapt import adapt_row
    ind = Indicator(level1="产出指标", level2="时效指标", level3="完成时限", value=value,
                    target=Target(kind="date", op="=", num=num))
    new = adapt_row(ind, src_year=2025, src_budget=5, year=2026, budget=5)
    assert new.value == expected and new.target.num == 20261231


def test_a_corrupted_value_is_never_copied():
    from perfdraft.drafting.adapt import adapt_row
    ind = Indicator(level1="产出指标", level2="时效指标", level3="完成时限", value="1002025年12月31日",
                    target=Target(kind="date", op="=", num=20251231))
    assert adapt_row(ind, src_year=2025, src_budget=5, year=2026, budget=5) is None
