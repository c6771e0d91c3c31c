"""The kept lexical index: files beside a local store, updated on write, never trusted when they do not match."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from perfdraft.core.settings import Settings
from perfdraft.ingest.embed import HashEmbedder, char_ngrams
from perfdraft.ingest.store import INDEX_DIR, NewDocument, Store, project_text
from perfdraft.ingest.store_lexfile import MANIFEST
from perfdraft.ingest.store_lexical import Entry, LexicalIndex
from perfdraft.ingest.store_keywords import keyword_record

from .conftest import gold_docs

ROOT = Path(__file__).resolve().parents[2]
QUERIES = [("印刷费 用于印刷各类材料", "印刷费"), ("网络租赁费", "网络租赁费"), ("城乡居民医保宣传经费", "城乡居民医保宣传经费"),
           ("综合业务会议费 保障会议召开", "综合业务会议费"), ("专项资金", None), ("物业管理费", "物业管理费")]


def answers(store: Store) -> list[list[tuple[str, float]]]:
    return [[(h.id, h.score) for h in store.search_projects(q, k=8, name=n, ranking="lexical")] for q, n in QUERIES]


def index_folder(store: Store) -> Path:
    return Path(store.location) / INDEX_DIR / f"perfdraft-{store.embedder.key}"


def reopened(store: Store, settings: Settings) -> Store:
    return Store(settings, path=Path(store.location), embedder=HashEmbedder())


def rebuilt_answers(store: Store, settings: Settings) -> list[list[tuple[str, float]]]:
    """What a store with no index files answers (it rebuilds from Chroma)."""
    for p in index_folder(store).iterdir():
        p.unlink()
    return answers(reopened(store, settings))


def renamed(perf, suffix: str):
    return perf.model_copy(update={"projects": [p.model_copy(update={"name": p.name + suffix}) for p in perf.projects]})


def test_index_kept_through_add_replace_delete_answers_like_a_rebuilt_one(store: Store, settings: Settings):
    docs = gold_docs()
    for perf in docs[:6]:
        store.add_document(perf, source=perf.source)
    answers(store)  # the index is in memory from here on: every later write updates it in place
    store.add_documents([NewDocument(perf, perf.source) for perf in docs[6:]])
    store.add_document(docs[2].model_copy(update={"projects": docs[2].projects[:3]}), source=docs[2].source)
    store.add_document(renamed(docs[4], "（续建）"), source=docs[4].source)
    store.delete_document(docs[0].source)
    kept = answers(store)
    assert any(kept) and any("续建" in h.project.name for h in store.search_projects("续建", k=3))
    assert answers(reopened(store, settings)) == kept  # loaded from the files the writes appended to
    assert rebuilt_answers(store, settings) == kept


def test_a_new_process_loads_the_index_instead_of_rebuilding(gold_store: Store, settings: Settings, monkeypatch):
    before = answers(gold_store)
    from perfdraft.ingest import store_keywords
    monkeypatch.setattr(store_keywords.KeywordRecords, "rebuild", lambda self: pytest.fail("rebuilt a valid index"))
    assert answers(reopened(gold_store, settings)) == before


def reference_bm25(texts: dict[str, str], query: str, k1: float = 1.2, b: float = 0.75) -> dict[str, float]:
    """Okapi BM25 over character bigrams, written out term by term."""
    tfs = {i: Counter(char_ngrams(t, (2,))) for i, t in texts.items()}
    n, avg = len(tfs), sum(sum(tf.values()) for tf in tfs.values()) / len(tfs)
    out = {}
    for i, tf in tfs.items():
        dl, s = sum(tf.values()), 0.0
        for g, qc in Counter(char_ngrams(query, (2,))).items():
            if tf[g]:
                df = sum(1 for other in tfs.values() if other[g])
                s += qc * math.log(1 + (n - df + 0.5) / (df + 0.5)) * tf[g] * (k1 + 1) / (tf[g] + k1 * (1 - b + b * dl / avg))
        if s > 0:
            out[i] = s
    return out


def test_bm25_scores_are_okapi_bm25_of_the_live_projects():
    projects = [(f"d{n}:p{i}", f"d{n}", p) for n, perf in enumerate(gold_docs()[:4]) for i, p in enumerate(perf.projects)]
    idx = LexicalIndex()
    idx.add([Entry(pid, did, p.name, project_text(p)) for pid, did, p in projects])
    idx.remove_documents(["d1"])
    live = {pid: project_text(p) for pid, did, p in projects if did != "d1"}
    for query in ("印刷费 用于印刷各类材料", "医疗保障 专项资金 宣传"):
        want = reference_bm25(live, query)
        got = dict(idx.search_bm25(query, len(live)))
        assert got.keys() == want.keys()
        assert all(got[i] == pytest.approx(want[i], rel=1e-6) for i in want)


def test_bm25_of_a_long_lived_index_with_added_projects_equals_a_one_off_search():
    projects = [(f"d{n}:p{i}", f"d{n}", p) for n, perf in enumerate(gold_docs()) for i, p in enumerate(perf.projects)]
    entries = [Entry(pid, did, p.name, project_text(p)) for pid, did, p in projects]
    grown = LexicalIndex()
    grown.add(entries[:-8])
    queries = ["印刷费 用于印刷各类材料", "医疗保障 专项资金 宣传", "网络租赁费", "物业管理费 保洁"]
    for q in queries * 2:  # from the second search on, postings are kept sorted by gram
        grown.search_bm25(q, 10)
    grown.add(entries[-8:])  # the unsorted tail (small: the sorted postings are kept)
    grown.remove_documents(["d3"])
    for q in queries:
        once = LexicalIndex()
        once.add([e for e in entries if e.doc_id != "d3"])
        assert grown.search_bm25(q, 20) == once.search_bm25(q, 20)


def test_name_containment_is_one_for_a_name_inside_the_query():
    idx = LexicalIndex()
    idx.add([Entry("a", "d", "印刷费", "x"), Entry("b", "d", "网络租赁费", "y"), Entry("c", "e", "印刷机购置", "z")])
    got = dict(idx.search_names("2025年印刷费 用于印刷", 5))
    assert got["a"] == pytest.approx(1.0) and 0 < got["c"] < 1 and "b" not in got


@pytest.mark.parametrize("damage", ["flip a byte", "truncate", "garbage manifest", "drop a file"])
def test_a_damaged_index_file_is_detected_and_rebuilt(gold_store: Store, settings: Settings, damage: str):
    before = answers(gold_store)
    folder = index_folder(gold_store)
    manifest = json.loads((folder / MANIFEST).read_text())
    text = folder / f"{manifest['base']}.tgrams"
    if damage == "flip a byte":
        data = bytearray(text.read_bytes())
        data[len(data) // 2] ^= 0x5A
        text.write_bytes(bytes(data))
    elif damage == "truncate":
        with open(text, "r+b") as f:
            f.truncate(text.stat().st_size // 2)
    elif damage == "garbage manifest":
        (folder / MANIFEST).write_text("{not json", encoding="utf-8")
    else:
        text.unlink()
    again = reopened(gold_store, settings)
    assert answers(again) == before
    assert json.loads((folder / MANIFEST).read_text())["base"] != manifest["base"]  # rewritten, not patched
    assert again._keywords.files.load(again._keywords.state()) is not None


def test_a_writer_killed_between_chroma_and_the_index_leaves_it_stale_not_trusted(gold_store: Store,
                                                                                   settings: Settings):
    perf = gold_docs()[3]
    answers(gold_store)
    # a writer that got as far as Chroma and died: same projects count, other names, the index files not updated
    gold_store._keywords.begin()
    changed = renamed(perf, "甲乙丙")
    plan = gold_store._plan(NewDocument(changed, perf.source))
    gold_store._write(gold_store._projects, plan.p_ids, plan.p_texts, plan.p_meta)
    gold_store._keywords.collection.upsert(ids=[plan.did], embeddings=[[1.0]], metadatas=[keyword_record(plan.entries)])
    other = reopened(gold_store, settings)
    assert other.count() == gold_store.count()
    hits = other.search_projects("甲乙丙", k=3, ranking="lexical")
    assert hits and all("甲乙丙" in h.project.name for h in hits)


def test_a_store_written_by_an_older_perfdraft_is_indexed_from_its_records(gold_store: Store, settings: Settings):
    before = answers(gold_store)
    # as an older perfdraft stored them: the project text as the project record's document, no compact records
    for perf in gold_docs():
        plan = gold_store._plan(NewDocument(perf, perf.source))
        gold_store._projects.update(ids=plan.p_ids, documents=plan.p_texts,
                                    embeddings=gold_store.embedder.passages(plan.p_texts).tolist())
    lex = gold_store._keywords.collection
    lex.delete(ids=lex.get(include=[])["ids"])
    for p in index_folder(gold_store).iterdir():
        p.unlink()
    old = reopened(gold_store, settings)
    assert answers(old) == before
    assert len(lex.get(include=[])["ids"]) == len(gold_docs())  # given their compact records once read


def test_a_write_by_something_unaware_of_the_index_is_caught_by_the_count(gold_store: Store, settings: Settings):
    answers(gold_store)
    victim = gold_store.projects()[0]
    gold_store._projects.delete(ids=[victim.id])  # straight into Chroma: no generation change
    again = reopened(gold_store, settings)
    assert victim.id not in {h.id for h in again.search_projects(victim.project.name, k=20, ranking="lexical")}


WRITE = ("import sys, json; from pathlib import Path\n"
         "from perfdraft.ingest.store import Store, load_performance_json; from perfdraft.core.settings import Settings\n"
         "s = Store(Settings(_env_file=None), path=Path(sys.argv[1]))\n"
         "perf = load_performance_json(Path(sys.argv[2]))\n"
         "perf = perf.model_copy(update={'projects': [p.model_copy(update={'name': p.name + sys.argv[3]}) "
         "for p in perf.projects]})\n"
         "s.add_document(perf, source='other-process.json')\n"
         "print(json.dumps([h.id for h in s.search_projects(sys.argv[4], k=3, ranking='lexical')]))\n")


def test_a_second_process_sees_the_first_ones_writes(gold_store: Store, settings: Settings):
    from .conftest import GOLD
    answers(gold_store)  # this process has its index loaded
    gold_file = sorted(GOLD.glob("*.json"))[0]
    proc = subprocess.run([sys.executable, "-c", WRITE, gold_store.location, str(gold_file), "子丑寅", "卯辰巳"],
                          cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    hits = gold_store.search_projects("子丑寅", k=3, ranking="lexical")
    assert hits and all(h.document == "other-process.json" for h in hits)
    # and the other way: what this process writes now, a fresh process finds
    gold_store.add_document(renamed(gold_docs()[1], "卯辰巳"), source="this-process.json")
    proc = subprocess.run([sys.executable, "-c", WRITE, gold_store.location, str(gold_file), "午未申", "卯辰巳"],
                          cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    theirs = json.loads(proc.stdout.strip().splitlines()[-1])
    assert theirs and set(theirs) <= {p.id for p in gold_store.projects({"source": "this-process.json"})}


def test_batched_documents_store_what_one_by_one_stores(tmp_path: Path):
    docs = gold_docs()[:5]
    one = Store(Settings(data_dir=tmp_path / "one", _env_file=None), embedder=HashEmbedder())
    for perf in docs:
        one.add_document(perf, source=perf.source)
    batch = Store(Settings(data_dir=tmp_path / "batch", _env_file=None), embedder=HashEmbedder())
    rows = batch.add_documents([NewDocument(perf, perf.source) for perf in docs] + [NewDocument(docs[1], docs[1].source)])
    assert rows[:5] == [sum(len(p.indicators) for p in d.projects) for d in docs] and rows[5] == rows[1]
    assert batch.count() == one.count()
    assert [d.source for d in batch.documents()] == [d.source for d in one.documents()]
    assert answers(batch) == answers(one)
