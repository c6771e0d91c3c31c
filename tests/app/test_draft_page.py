"""AppTest flows on the 起草 page: draft from the bundled corpus, edit a cell, see lint react."""

from __future__ import annotations

from perfdraft.ui.service import CORPUS
from tests.app.conftest import assert_clean, fill_brief, messages


def _editor(at):
    eds = [d for d in at.data_editor if d.key.startswith("ed_")]
    assert eds, "the draft table is not shown"
    return eds[0]


def test_first_start_loads_the_sample_corpus(app, data_dir):
    assert_clean(app)
    assert (data_dir / "store").is_dir()
    app.sidebar.radio(key="page").set_value("语料").run()
    assert_clean(app)
    metrics = {m.label: m.value for m in app.metric}
    assert int(metrics["文件"]) == sum(1 for p in CORPUS.iterdir() if p.is_file())
    assert int(metrics["指标行"]) > 0


def test_draft_printing_fee_has_citations_and_no_lint_errors(app):
    fill_brief(app)
    assert_clean(app)
    frame = _editor(app).value
    assert len(frame) >= 4
    assert {"产出指标", "效益指标"} <= {v.replace("效果", "效益") for v in frame["一级指标"]}
    # every drafted row shows where it came from
    assert all(src and "无来源" not in src for src in frame["来源"]), list(frame["来源"])
    assert any("没有错误" in s for s in messages(app, "success") + messages(app, "warning"))
    # similar past projects are listed with their source
    assert any("相似往年项目" in e.label for e in app.expander)
    assert any("相似度" in m.value for m in app.markdown)
    labels = {b.label for b in app.get("download_button")}
    assert {"下载 Excel", "下载 Word", "下载 JSON"} <= labels


def test_editing_a_cell_brings_up_a_lint_finding(app):
    fill_brief(app)
    assert_clean(app)
    frame = _editor(app).value
    first = frame.iloc[0]["三级指标"]
    # name row 2 like row 1: a duplicate 三级指标 is an error
    app.session_state[_editor(app).key] = {"edited_rows": {1: {"三级指标": first}}, "added_rows": [],
                                         "deleted_rows": []}
    app.run()
    assert not app.exception
    errs = messages(app, "error")
    assert any("错误" in e for e in errs), errs
    assert any("**错误** 第2行" in m.value for m in app.markdown), "the finding names its row"


def test_empty_name_is_refused_with_a_message(app):
    fill_brief(app, name="  ")
    assert not app.exception
    assert any("项目名称" in e for e in messages(app, "error"))
    assert not [d for d in app.data_editor if d.key.startswith("ed_")]


def test_last_years_table_is_used_as_the_strongest_source(app):
    from tests.conftest import CORPUS
    # the 2025 file holds many tables; the one named like the brief is taken as last year's
    app.file_uploader(key="brief_last_year").set_value(
        ("去年.txt", (CORPUS / "003_c5a160bc6509b21b.txt").read_bytes(), "text/plain"))
    fill_brief(app)
    assert_clean(app)
    assert any("已读取上年绩效目标表：印刷费" in i.value for i in app.info)
    frame = _editor(app).value
    assert len(frame) >= 4 and not any("2025年" in v for v in frame["指标值"])


def test_saved_draft_is_listed_duplicated_deleted_after_confirmation_and_restored(app, data_dir):
    fill_brief(app)
    assert_clean(app)
    app.sidebar.radio(key="page").set_value("我的草稿").run()
    assert_clean(app)
    assert len(app.dataframe[0].value) == 1
    app.button(key="saved_dup").click().run()
    assert len(app.dataframe[0].value) == 2 and len(list((data_dir / "drafts").glob("*.json"))) == 2
    app.button(key="saved_delete").click().run()
    assert any("确定删除草稿" in w for w in messages(app, "warning"))
    assert len(app.dataframe[0].value) == 2  # asking deletes nothing
    app.button(key="saved_delete_yes").click().run()
    assert_clean(app)
    assert len(app.dataframe[0].value) == 1 and len(list((data_dir / "drafts").glob("*.json"))) == 1
    app.button(key="draft_undo_btn").click().run()
    assert_clean(app)
    assert len(app.dataframe[0].value) == 2
