"""The drafts store: one file per draft with all versions, list, rename, duplicate, delete to a bin, restore."""

from __future__ import annotations

import json

import pytest

from perfdraft.core.errors import InputError
from perfdraft.core.models import Indicator, Project, ProjectBrief
from perfdraft.ui.drafts import DraftStore


def _draft():
    brief = ProjectBrief(name="印刷费", budget_wan=12, year=2026, department="唐山市医疗保障局")
    project = Project(name="印刷费", budget_wan=12, indicators=[
        Indicator(level1="产出指标", level2="数量指标", level3="印刷数量", value="≥1000份")])
    return brief, project


def test_versions_are_kept_in_one_file_and_survive_a_new_store(tmp_path):
    store = DraftStore(tmp_path / "drafts")
    brief, project = _draft()
    d = store.create(brief, project)
    edited = project.model_copy(deep=True)
    edited.indicators[0].value = "≥2000份"
    store.save_version(d.id, brief, edited)
    store.save_version(d.id, brief, edited)  # unchanged: no new version
    files = list((tmp_path / "drafts").glob("*.json"))
    assert [f.name for f in files] == [f"{d.id}.json"]
    again = DraftStore(tmp_path / "drafts").load(d.id)
    assert [v.project.indicators[0].value for v in again.versions] == ["≥1000份", "≥2000份"]
    assert json.loads(files[0].read_text(encoding="utf-8"))["versions"][1]["number"] == 2


def test_list_rename_duplicate_delete_and_restore(tmp_path):
    store = DraftStore(tmp_path / "drafts")
    brief, project = _draft()
    a = store.create(brief, project)
    store.rename(a.id, "印刷费（终稿）")
    b = store.duplicate(a.id)
    titles = {s.title for s in store.list()}
    assert titles == {"印刷费（终稿）", "印刷费（终稿）（副本）"}
    store.delete(a.id)
    assert [s.id for s in store.list()] == [b.id]
    with pytest.raises(InputError, match="找不到"):
        store.load(a.id)
    assert store.restore(a.id).title == "印刷费（终稿）"
    assert {s.id for s in store.list()} == {a.id, b.id}


def test_bad_ids_and_titles_are_refused(tmp_path):
    store = DraftStore(tmp_path / "drafts")
    a = store.create(*_draft())
    for bad in ("../../etc/passwd", "", "x" * 12):
        with pytest.raises(InputError):
            store.load(bad)
    with pytest.raises(InputError, match="不能为空"):
        store.rename(a.id, "  ")
    with pytest.raises(InputError, match="不能超过"):
        store.rename(a.id, "长" * 101)


def test_a_batch_lists_in_the_order_of_its_project_list(tmp_path):
    store = DraftStore(tmp_path / "drafts")
    brief, project = _draft()
    names = ["宣传费", "印刷费", "培训费"]
    for i, n in enumerate(names):
        store.create(brief.model_copy(update={"name": n}), project, title=n, batch="b1", batch_index=i)
    store.create(brief, project, title="不在批次中")
    assert [s.title for s in store.list(batch="b1")] == names
    assert len(store.list()) == 4
