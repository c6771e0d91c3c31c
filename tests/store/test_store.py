"""Store behaviour: stable ids, replace-on-reingest, typed round trip, filters, same-kind retrieval."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from perfdraft.ingest.embed import HashEmbedder
from perfdraft.ingest.store import Store, doc_key, project_id, region_of, row_id
from perfdraft.core.models import Project

from .conftest import gold_docs


def test_add_document_returns_rows_and_counts_match(store: Store):
    perf = gold_docs()[0]
    n = store.add_document(perf, source=perf.source)
    assert n == sum(len(p.indicators) for p in perf.projects)
    assert store.count() == (len(perf.projects), n)


def test_reingest_replaces_not_duplicates(store: Store):
    perf = gold_docs()[2]
    store.add_document(perf, source=perf.source)
    before = store.count()
    store.add_document(perf, source=perf.source)
    assert store.count() == before
    # a shrunken re-extraction leaves no orphans from the old version
    smaller = perf.model_copy(update={"projects": perf.projects[:2]})
    store.add_document(smaller, source=perf.source)
    assert store.count() == (2, sum(len(p.indicators) for p in perf.projects[:2]))
    assert [d.source for d in store.documents()] == [perf.source]


def test_ids_are_stable_and_derived_from_source(store: Store):
    perf = gold_docs()[0]
    store.add_document(perf, source=perf.source)
    ids = {p.id for p in store.projects()}
    assert ids == {project_id(perf.source, i) for i in range(len(perf.projects))}
    assert project_id("a.txt", 3) == project_id("a.txt", 3) != project_id("b.txt", 3)
    assert row_id("a.txt", 1, 2).startswith(project_id("a.txt", 1))
    assert doc_key("a.txt") != doc_key("b.txt")


def test_delete_document_removes_only_that_document(gold_store: Store):
    docs = gold_docs()
    removed = gold_store.delete_document(docs[0].source)
    assert removed == sum(len(p.indicators) for p in docs[0].projects)
    assert docs[0].source not in {d.source for d in gold_store.documents()}
    assert gold_store.count()[0] == sum(len(d.projects) for d in docs[1:])
    assert gold_store.delete_document("never-stored.txt") == 0


def test_projects_round_trip_as_typed_projects(gold_store: Store):
    perf = gold_docs()[3]
    got = gold_store.get_project(project_id(perf.source, 5))
    assert got is not None and isinstance(got.project, Project)
    assert got.project == perf.projects[5]
    assert got.department == perf.department and got.year == perf.year and got.document == perf.source


def test_search_finds_same_kind_peers(gold_store: Store):
    projects = gold_store.projects()
    names = Counter(p.project.name for p in projects)
    recurring = [p for p in projects if names[p.project.name] >= 3]
    assert recurring
    hits_total = possible = 0
    for p in recurring:
        peers = {q.id for q in projects if q.project.name == p.project.name and q.id != p.id}
        hits = gold_store.search_projects(p.project.name + " " + (p.project.purpose or ""), k=5, exclude_ids={p.id})
        assert p.id not in {h.id for h in hits}
        assert hits[0].id in peers, p.project.name
        hits_total += len(peers & {h.id for h in hits})
        possible += min(len(peers), 5)
    assert hits_total / possible >= 0.9


def test_scores_are_descending_and_k_respected(gold_store: Store):
    hits = gold_store.search_projects("网络租赁费", k=4)
    assert len(hits) == 4
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


@pytest.mark.parametrize("ranking", ["dense", "lexical", "hybrid"])
def test_where_filter_applies_to_every_ranking(gold_store: Store, ranking):
    hits = gold_store.search_projects("医疗保障 专项资金", k=10, where={"department": "承德市医疗保障局"},
                                      ranking=ranking)
    assert hits and {h.department for h in hits} == {"承德市医疗保障局"}


def test_search_rows_returns_typed_rows_with_citations(gold_store: Store):
    rows = gold_store.search_rows("服务对象满意度", k=5)
    assert len(rows) == 5
    for r in rows:
        proj = gold_store.get_project(r.project_id).project
        assert proj.indicators[r.row] == r.indicator
        c = r.citation()
        assert (c.document, c.project, c.row) == (r.document, proj.name, r.row)
    assert any("满意度" in r.indicator.level3 for r in rows)


def test_search_rows_excludes_a_whole_project(gold_store: Store):
    first = gold_store.search_rows("印刷数量", k=3)
    pid = first[0].project_id
    again = gold_store.search_rows("印刷数量", k=3, exclude_ids={pid})
    assert again and pid not in {r.project_id for r in again}


def test_stats_and_documents_summarise_the_store(gold_store: Store):
    docs = gold_docs()
    st = gold_store.stats()
    assert st.documents == len(docs)
    assert st.projects == sum(len(d.projects) for d in docs)
    assert st.rows == sum(len(p.indicators) for d in docs for p in d.projects)
    assert sum(st.rows_by_department.values()) == st.rows
    assert st.rows_by_year.keys() == {str(d.year) if d.year else "(unknown)" for d in docs}  # one gold has none
    tangshan = next(d for d in gold_store.documents() if d.department == "唐山市医疗保障局")
    assert tangshan.region == "唐山市" and tangshan.projects == 54


def test_empty_store_searches_return_nothing(store: Store):
    assert store.search_projects("印刷费") == [] and store.search_rows("印刷费") == []
    assert store.stats().documents == 0


def test_store_reopens_from_disk(settings, gold_store: Store):
    again = Store(settings, embedder=gold_store.embedder)
    assert again.count() == gold_store.count()
    assert again.search_projects("印刷费", k=1)[0].project.name == "印刷费"


@pytest.mark.parametrize("dep,region", [("唐山市医疗保障局", "唐山市"), ("乐亭县医疗保障局", "乐亭县"),
                                        ("河北省唐山市乐亭县医疗保障局", "河北省/唐山市/乐亭县"), (None, None)])
def test_region_of(dep, region):
    assert region_of(dep) == region


def test_exclude_ids_accepts_any_iterable(gold_store: Store):
    top = gold_store.search_projects("物业管理费", k=1)[0].id
    assert top not in {h.id for h in gold_store.search_projects("物业管理费", k=3, exclude_ids=[top])}


def _json_fields(store: Store) -> list[tuple[object, str, str, dict]]:
    """(collection, record id, key, metadata) of every JSON text a store keeps in metadata."""
    out = []
    for col, key in ((store._projects, "project_json"), (store._rows, "indicator_json"),
                     (store._keywords.collection, "projects")):
        got = col.get(include=["metadatas"])
        out += [(col, i, key, m) for i, m in zip(got["ids"], got["metadatas"])]
    return out


def test_json_metadata_is_written_ascii_escaped_and_reads_back_the_same(gold_store: Store):
    fields = _json_fields(gold_store)
    assert {key for _, _, key, _ in fields} == {"project_json", "indicator_json", "projects"}
    assert all(m[key].isascii() for _, _, key, m in fields)
    perf = gold_docs()[3]
    assert gold_store.get_project(project_id(perf.source, 5)).project == perf.projects[5]
    names = {n for _, _, key, m in fields if key == "projects" for _, n, _ in json.loads(m[key])}
    assert {p.name for p in perf.projects} <= names


def test_a_store_written_with_unescaped_json_reads_as_before(settings, gold_store: Store):
    before = ([(h.id, h.project) for h in gold_store.search_projects("印刷费 宣传资料", k=5)],
              [(r.id, r.indicator) for r in gold_store.search_rows("服务对象满意度", k=5)])
    for col, rid, key, m in _json_fields(gold_store):  # as perfdraft wrote them before: UTF-8 text in the JSON
        col.update(ids=[rid], metadatas=[{**m, key: json.dumps(json.loads(m[key]), ensure_ascii=False)}])
    assert not all(m[key].isascii() for _, _, key, m in _json_fields(gold_store))
    gold_store._keywords.rebuild()
    again = Store(settings, embedder=HashEmbedder())
    assert ([(h.id, h.project) for h in again.search_projects("印刷费 宣传资料", k=5)],
            [(r.id, r.indicator) for r in again.search_rows("服务对象满意度", k=5)]) == before
