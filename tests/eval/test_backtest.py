"""Backtest metric functions on gold data, and the leave-one-out plumbing with an in-memory store."""

from __future__ import annotations

import pytest

from perfdraft.eval.backtest import (match_level3, no_counterpart_briefs, recall_at_k, reciprocal_rank,
                                    recurring_members, render_backtest_markdown, run_cases, score_draft)
from perfdraft.eval.data import load_dir
from perfdraft.eval import perturb
from perfdraft.core.models import Citation, DraftResult, Indicator, PerformanceDocument, Project, RetrievedProject
from tests.conftest import GOLD


@pytest.fixture(scope="module")
def gold() -> dict[str, PerformanceDocument]:
    return load_dir(GOLD)


def _id(source: str, i: int) -> str:
    return f"{source}#{i}"


def test_recurring_kinds_group_normalised_names(gold):
    groups = recurring_members(gold, _id)
    assert len(groups["印刷费"]) == 6
    assert all(len(v) >= 2 for v in groups.values())
    # years and bracketed batch numbers do not split a kind
    central = groups["中央财政医疗服务与保障能力提升补助资金"]
    assert {m.project.name for m in central} >= {"2024年中央财政医疗服务与保障能力提升补助资金（第二批）",
                                                 "2025年中央财政医疗服务与保障能力提升补助资金"}
    assert len({m.id for v in groups.values() for m in v}) == sum(len(v) for v in groups.values())


def test_draft_equal_to_truth_scores_perfect(gold):
    p = gold["002_9d927ef525b240df"].projects[0]
    s = score_draft(p, p)
    assert (s.coverage, s.recall, s.precision, s.agreement) == (1.0, 1.0, 1.0, 1.0)


def test_draft_metrics_fall_with_the_damage(gold):
    doc = gold["002_9d927ef525b240df"]
    truth = doc.projects[0]
    fewer = perturb.drop_rows(doc, 0, [0, 1, 2]).projects[0]
    s = score_draft(truth, fewer)
    assert s.recall == pytest.approx(7 / 10) and s.precision == 1.0 and s.agreement == 1.0
    nums = perturb.change_target_num(doc, 0, list(range(10))).projects[0]
    s = score_draft(truth, nums)
    with_num = sum(i.target.num is not None for i in truth.indicators)
    assert s.recall == 1.0 and s.num_agree == 10 - with_num and s.op_agree == 10
    other = gold["001_6fdd445ec51644fc"].projects[0]
    s = score_draft(truth, other)
    assert s.recall < 0.5 and s.coverage <= 1.0


def test_level2_coverage_counts_missing_second_level(gold):
    truth = gold["000_bcf204015f35a258"].projects[0]
    keep = [i for i in truth.indicators if i.level2 != "数量指标"]
    draft = truth.model_copy(update={"indicators": keep})
    l2 = {i.level2 for i in truth.indicators}
    assert score_draft(truth, draft).coverage == pytest.approx((len(l2) - 1) / len(l2))
    assert match_level3(truth, draft) and not match_level3(truth, truth.model_copy(update={"indicators": []}))


def test_retrieval_metrics():
    assert recall_at_k(["a", "x", "b", "y", "z", "c"], {"a", "b", "c"}) == pytest.approx(2 / 3)
    assert recall_at_k(["x"], set()) is None
    assert reciprocal_rank(["x", "y", "a"], {"a"}) == pytest.approx(1 / 3)
    assert reciprocal_rank(["x"], {"a"}) == 0.0


class _ListStore:
    """A deterministic store ranking by shared name characters, with exclude_ids like the real ones."""

    def __init__(self, gold):
        self.items = [(_id(d.source, i), d, p) for d in gold.values() for i, p in enumerate(d.projects)]
        self.excluded_seen: list[set[str]] = []

    def search_projects(self, query, k=5, exclude_ids=None, name=None):
        self.excluded_seen.append(set(exclude_ids or ()))
        ranked = sorted((x for x in self.items if x[0] not in (exclude_ids or ())),
                        key=lambda x: -len(set(query) & set(x[2].name)))
        return [RetrievedProject(id=i, score=1.0, document=d.source, project=p) for i, d, p in ranked[:k]]


def test_leave_one_out_retrieval_and_drafting(gold):
    store = _ListStore(gold)
    ev = run_cases("retrieval", gold, store, _id)
    assert ev.cases and all(c.error is None for c in ev.cases)
    assert all(any(c.id in seen for seen in store.excluded_seen) for c in ev.cases)
    assert 0 < ev.summary["recall_at_k"] <= 1 and 0 < ev.summary["mrr"] <= 1

    def copy_top_peer(brief, st, backend="rules", exclude_ids=None):
        top = st.search_projects(brief.name, 5, exclude_ids=exclude_ids)
        return DraftResult(brief=brief, project=top[0].project, examples=top)

    ev = run_cases("drafting", gold, store, _id, drafter=copy_top_peer)
    assert all(c.error is None for c in ev.cases)
    assert all(c.draft is not None for c in ev.cases if c.group == "document")
    assert 0 < ev.summary["level3_recall"] <= 1 and ev.summary["lint_errors_per_draft"] == 0
    assert ev.summary["no_counterpart_briefs"] == len(no_counterpart_briefs()) > 0
    assert "## Per project" in render_backtest_markdown(ev)


def test_whole_document_is_hidden_while_its_tables_are_drafted(gold):
    store = _ListStore(gold)
    seen: list[tuple[str, set[str]]] = []

    def careless(brief, st, backend="rules", exclude_ids=None):
        everything = st.search_projects(brief.name, 1000)  # ignores exclude_ids
        seen.append((brief.name, {e.document for e in everything}))
        return DraftResult(brief=brief, project=everything[0].project, examples=everything[:5])

    ev = run_cases("drafting", gold, store, _id, drafter=careless, briefs=[])
    docs = [c for c in ev.cases if c.group == "document"]
    assert len(docs) == sum(1 for d in gold.values() for p in d.projects
                            if p.scope == "project" and p.name.strip() and p.budget_wan)
    for case, (name, documents) in zip(docs, seen):
        assert case.name == name and case.document not in documents


def test_unrelated_copy_rate_counts_cited_rows_of_no_counterpart_briefs(gold):
    store = _ListStore(gold)
    briefs = no_counterpart_briefs()[:3]

    def copies_with_citations(brief, st, backend="rules", exclude_ids=None):
        top = st.search_projects(brief.name, 1)
        project = top[0].project.model_copy(deep=True)
        for n, r in enumerate(project.indicators):
            r.sources = [Citation(document=top[0].document, project=project.name, row=n)]
        return DraftResult(brief=brief, project=project, examples=top)

    def copies_nothing(brief, st, backend="rules", exclude_ids=None):
        return DraftResult(brief=brief, project=Project(name=brief.name, indicators=[Indicator(
            level1="产出指标", level2="数量指标", level3="x", value="【待填写：x】")]), status="no_precedent")

    bad = run_cases("drafting", {}, store, _id, drafter=copies_with_citations, briefs=briefs)
    assert bad.summary["unrelated_copy_rate"] == 1.0 and len(bad.cases) == 3
    good = run_cases("drafting", {}, store, _id, drafter=copies_nothing, briefs=briefs)
    assert good.summary["unrelated_copy_rate"] == 0.0


def test_a_drafter_ignoring_exclude_ids_still_cannot_see_the_hidden_table(gold):
    store = _ListStore(gold)

    def careless(brief, st, backend="rules", exclude_ids=None):
        everything = st.search_projects(brief.name, 100)  # ignores exclude_ids
        return DraftResult(brief=brief, project=everything[0].project, examples=everything)

    ev = run_cases("drafting", gold, store, _id, drafter=careless)
    assert ev.cases and all(c.error is None for c in ev.cases)
    # had the hidden table leaked, every draft would be a perfect copy of itself
    assert ev.summary["level3_recall"] < 1.0


def test_a_leak_is_reported_not_scored(gold):
    store = _ListStore(gold)

    def leaky(brief, st, backend="rules", exclude_ids=None):
        everything = st._store.search_projects(brief.name, 100)  # goes around the hiding view
        return DraftResult(brief=brief, project=everything[0].project, examples=everything)

    ev = run_cases("drafting", gold, store, _id, drafter=leaky, briefs=[])
    assert all(c.error and "leak" in c.error for c in ev.cases)
    assert ev.summary["failures"] == len(ev.cases)


@pytest.mark.slow
def test_cli_retrieval_backtest_on_the_real_store_writes_outputs(tmp_path):
    from perfdraft.cli import main
    rc = main(["eval", "--task", "retrieval", "--report", str(tmp_path / "r.md"), "--quiet"])
    assert rc == 0
    data = __import__("json").loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert data["task"] == "retrieval" and data["summary"]["failures"] == 0
    assert 0 <= data["summary"]["recall_at_k"] <= 1 and len(data["cases"]) == sum(data["kinds"].values())
    assert (tmp_path / "r.png").read_bytes()[:4] == b"\x89PNG" and "## Per project" in (tmp_path / "r.md").read_text()


@pytest.mark.slow
def test_cli_drafting_backtest_on_the_real_store_copies_no_unrelated_row(tmp_path):
    from perfdraft.cli import main
    rc = main(["eval", "--task", "drafting", "--report", str(tmp_path / "d.md"), "--quiet"])
    assert rc == 0
    data = __import__("json").loads((tmp_path / "d.json").read_text(encoding="utf-8"))
    s = data["summary"]
    assert data["task"] == "drafting" and s["failures"] == 0 and s["no_counterpart_briefs"] > 0
    assert s["unrelated_copy_rate"] == 0.0 and 0 < s["level3_recall"] <= 1
    assert "(no counterpart)" in (tmp_path / "d.md").read_text(encoding="utf-8")
