"""Issue 14's four briefs against the gold corpus: no precedent, head-noun retrieval, adaptation guards, vague values."""

from __future__ import annotations

import re

import pytest

from perfdraft.core.models import Indicator, PerformanceDocument, Project, ProjectBrief, Target
from perfdraft.drafting.drafter import draft
from perfdraft.drafting.lint import lint_project
from perfdraft.drafting.memory_store import MemoryStore
from tests.conftest import GOLD

STORE = MemoryStore.from_dir(GOLD)
# any 文号 such as 邢政办字[2022]40号 or 冀政发【2016】20号 (written independently of drafting/guards.py)
DOC_NO = re.compile(r"[〔\[【(（]\s*20\d\d\s*[〕\]】)）]\s*\d+\s*号")


def _gold_project(name: str) -> tuple[str, Project]:
    pid, doc, p = next(x for x in STORE.items if x[2].name == name)
    return doc.department, p


def test_rural_road_maintenance_has_no_precedent_and_gets_the_template_with_a_notice():
    brief = ProjectBrief(name="农村公路养护", budget_wan=200, year=2026, department="某县交通运输局")
    result = draft(brief, STORE)
    assert result.status == "no_precedent" and result.examples == []
    assert any("没有足够相似的历史项目" in n for n in result.notices)
    assert result.notices[0] in result.project.warnings  # the notice travels with the table (exports, JSON)
    rows = result.project.indicators
    assert rows and not any(r.sources for r in rows)  # nothing copied
    corpus_values = {i.value for _, _, p in STORE.items for i in p.indicators}
    copied = [r.value for r in rows if r.value in corpus_values and "【待填写" not in r.value]
    assert copied == [] or all("万元" in v for v in copied)  # at most the brief's own budget as the cost ceiling
    assert "修缮" in result.notices[0] or "建设" in result.notices[0]  # the infrastructure kind's template
    placeholders = {i for i, r in enumerate(rows) if "【待填写" in r.value}
    assert placeholders == {f.row for f in result.errors if f.rule == "L17-placeholder"} and placeholders

    # filling the placeholders in clears those errors
    filled = result.project.model_copy(deep=True)
    for i in placeholders:
        filled.indicators[i].value, filled.indicators[i].target = "较好", Target(kind="text")
    assert not [f for f in lint_project(filled, budget_wan=200, year=2026) if f.rule == "L17-placeholder"]


def test_publicity_brief_is_led_by_the_publicity_table_not_the_insurance_subsidy():
    brief = ProjectBrief(name="城乡居民医保宣传经费", budget_wan=8, year=2026)
    result = draft(brief, STORE)
    assert result.status == "drafted"
    assert result.examples[0].project.name == "宣传费"
    cited = [c.project for r in result.project.indicators for c in r.sources[:1]]
    assert cited and cited.count("宣传费") > len(cited) / 2
    assert "城乡居民医疗保险补助资金" not in {e.project.name for e in result.examples}
    for r in result.project.indicators:
        assert not re.search(r"\d{5,}年", r.value), r.value  # no corrupt value such as 1002025年12月31日


def test_medical_assistance_for_a_county_flags_scale_and_copies_no_foreign_document_number():
    brief = ProjectBrief(name="医疗救助资金", budget_wan=500, year=2026, department="乐亭县医疗保障局")
    result = draft(brief, STORE)
    assert result.status == "drafted" and result.examples
    scale = [f for f in result.findings if f.rule == "L19-scale"]
    assert scale and all(f.severity == "warning" and "参考项目预算" in f.message for f in scale)
    for f in scale:
        row = result.project.indicators[f.row]
        assert any("参考项目预算" in w for w in row.warnings)
        src = row.sources[0]
        # the cited project really is of another scale: another budget beyond 2x or a city's table for a county
        assert src.budget_wan and (max(src.budget_wan, 500) / min(src.budget_wan, 500) > 2 or "市" in src.department)
    for r in result.project.indicators:
        for text in (r.basis, r.description, r.value):
            assert not DOC_NO.search(text or ""), text


def test_a_foreign_document_number_in_the_basis_is_replaced_and_noted():
    dept, past = _gold_project("医疗救助县级配套资金")  # every basis but one names 邢政办字[2022]40号
    assert sum(bool(DOC_NO.search(i.basis or "")) for i in past.indicators) >= 8
    store = MemoryStore([PerformanceDocument(source="p.txt", department=dept, year=2025, projects=[past])])
    brief = ProjectBrief(name="医疗救助县级配套资金", budget_wan=54, year=2026, department="乐亭县医疗保障局")
    rows = draft(brief, store).project.indicators
    assert rows and not any(DOC_NO.search(r.basis or "") for r in rows)
    noted = [r for r in rows if any("其他单位的文件" in w for w in r.warnings)]
    assert noted and all(r.basis in ("计划标准", "预算支出标准") for r in noted)
    # the unit's own document numbers are kept for the unit itself
    own = draft(brief.model_copy(update={"department": dept}), store).project.indicators
    assert any(DOC_NO.search(r.basis or "") for r in own)


def test_vague_qualitative_values_get_lint_warnings_and_graded_ones_do_not():
    def table(value: str) -> Project:
        return Project(name="x", budget_wan=5, goals=["g"], indicators=[
            Indicator(level1="效益指标", level2="社会效益指标", level3="群众负担", value=value,
                      target=Target(kind="text"))])
    for vague in ("成效明显", "明显减轻", "有所提升"):
        found = [f for f in lint_project(table(vague)) if f.rule == "L08-vague"]
        assert len(found) == 1 and found[0].severity == "warning" and "分级分档" in found[0].message
    for graded in ("较好", "达到良好等级"):
        assert not [f for f in lint_project(table(graded)) if f.rule == "L08-vague"]


@pytest.mark.parametrize("brief", __import__("perfdraft.eval.backtest", fromlist=["x"]).no_counterpart_briefs(),
                         ids=lambda b: b.name)
def test_briefs_with_no_counterpart_copy_nothing(brief):
    result = draft(brief, STORE)
    assert result.status == "no_precedent" and not any(r.sources for r in result.project.indicators)


@pytest.fixture(scope="module")
def chroma_store(tmp_path_factory):
    """The real Store (Chroma, default embedder) holding the gold corpus, as users search it."""
    from perfdraft.core.settings import get_settings
    from perfdraft.eval.backtest import open_store
    from perfdraft.eval.data import load_dir
    store, _ = open_store(load_dir(GOLD), get_settings(), str(tmp_path_factory.mktemp("store")))
    return store


def test_on_the_real_store_the_head_noun_puts_the_publicity_table_first(chroma_store):
    name = "城乡居民医保宣传经费"
    with_head = [h.project.name for h in chroma_store.search_projects(name, 5, name=name)]
    assert with_head[0] == "宣传费"
    result = draft(ProjectBrief(name=name, budget_wan=8, year=2026), chroma_store)
    assert result.status == "drafted" and result.examples[0].project.name == "宣传费"
    assert "城乡居民医疗保险补助资金" not in {e.project.name for e in result.examples}
    road = draft(ProjectBrief(name="农村公路养护", budget_wan=200, year=2026, department="某县交通运输局"), chroma_store)
    assert road.status == "no_precedent" and not any(r.sources for r in road.project.indicators)
