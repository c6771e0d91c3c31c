"""AppTest flow on the 语料 page: counts, search, delete."""

from __future__ import annotations

from perfdraft.ui.service import CORPUS
from tests.app.conftest import assert_clean


def test_corpus_counts_search_and_delete(app):
    app.sidebar.radio(key="page").set_value("语料").run()
    assert_clean(app)
    docs = next(d.value for d in app.dataframe if "文件" in d.value.columns)
    n_corpus = sum(1 for p in CORPUS.iterdir() if p.is_file())
    assert len(docs) == n_corpus
    by_dept = next(d.value for d in app.dataframe if "部门" in d.value.columns and "指标行数" in d.value.columns
                   and "文件" not in d.value.columns)
    assert by_dept["指标行数"].sum() == docs["指标行数"].sum()

    app.text_input(key="corpus_query").set_value("印刷费").run()
    assert_clean(app)
    assert any("印刷费" in e.label for e in app.expander)

    victim = docs["文件"].iloc[0]
    app.selectbox(key="corpus_delete_pick").set_value(victim).run()
    app.button(key="corpus_delete").click().run()
    # one click only asks; nothing is gone yet
    assert any("确定从共享语料库删除" in w.value for w in app.warning)
    assert len(next(d.value for d in app.dataframe if "文件" in d.value.columns)) == n_corpus
    app.button(key="corpus_delete_no").click().run()
    assert not any("确定从共享语料库删除" in w.value for w in app.warning)
    app.button(key="corpus_delete").click().run()
    app.button(key="corpus_delete_yes").click().run()
    assert_clean(app)
    docs_after = next(d.value for d in app.dataframe if "文件" in d.value.columns)
    assert victim not in set(docs_after["文件"]) and len(docs_after) == n_corpus - 1
    # undo puts the document back with all of its rows
    app.button(key="corpus_undo_btn").click().run()
    assert_clean(app)
    restored = next(d.value for d in app.dataframe if "文件" in d.value.columns)
    assert set(restored["文件"]) == set(docs["文件"])
    assert restored["指标行数"].sum() == docs["指标行数"].sum()
