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
    next(b for b in app.button if b.label == "删除").click().run()
    assert_clean(app)
    docs_after = next(d.value for d in app.dataframe if "文件" in d.value.columns)
    assert victim not in set(docs_after["文件"]) and len(docs_after) == n_corpus - 1
