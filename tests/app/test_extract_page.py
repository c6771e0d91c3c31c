"""AppTest flow on the 抽取 page: upload files, see tables with their sources, add them to the store."""

from __future__ import annotations

from tests.app.conftest import assert_clean, messages, shown
from tests.conftest import CORPUS

SAMPLE = CORPUS / "003_c5a160bc6509b21b.txt"


def _extract(at):
    """Click 开始抽取 and rerun until the isolated job has finished (the page polls it)."""
    import time
    next(b for b in at.button if b.label == "开始抽取").click().run()
    deadline = time.monotonic() + 120
    while "extract_job" in at.session_state and time.monotonic() < deadline:
        time.sleep(0.5)
        at.run()
    assert "extract_job" not in at.session_state, "the extraction job did not finish"
    return at


def _go_extract(at):
    at.sidebar.radio(key="page").set_value("抽取").run()
    assert_clean(at)
    return at


def test_extract_an_uploaded_file_and_a_broken_one(app, data_dir):
    _go_extract(app)
    app.file_uploader(key="extract_files").set_value([
        ("今年的表.txt", SAMPLE.read_bytes(), "text/plain"),
        ("坏文件.txt", b"\xff\xfe\x00", "text/plain"),
        ("空文件.txt", b"", "text/plain"),
    ]).run()
    _extract(app)
    assert not app.exception
    heads = [shown(h.value) for h in app.subheader]
    assert any(h.startswith("今年的表.txt") and "成功" in h for h in heads), heads
    # the broken files get a message; the good file's tables are still shown
    assert any("空文件.txt" in e for e in messages(app, "error"))
    tables = [d.value for d in app.dataframe if "三级指标" in d.value.columns]
    assert tables and all({"页", "行"} <= set(t.columns) for t in tables)
    assert any(t["行"].notna().any() for t in tables), "source lines are shown"
    assert any("置信度" in c and "今年的表.txt · 第" in c for c in messages(app, "caption")), "location names the upload"
    first_name = tables[-1]["三级指标"].iloc[0]
    assert app.code and any(first_name in c.value for c in app.code), "source text is shown beside the table"
    # uploads are kept under the data directory only
    saved = list((data_dir / "uploads").iterdir())
    assert saved and all(p.resolve().is_relative_to(data_dir.resolve()) for p in saved)


def test_add_extracted_file_to_the_store(app):
    _go_extract(app)
    app.file_uploader(key="extract_files").set_value([("新表.txt", SAMPLE.read_bytes(), "text/plain")]).run()
    _extract(app)
    next(b for b in app.button if b.label == "加入语料库").click().run()
    assert_clean(app)
    assert any("新表.txt" in s for s in messages(app, "success"))
    app.sidebar.radio(key="page").set_value("语料").run()
    docs = next(d.value for d in app.dataframe if "文件" in d.value.columns)
    assert "新表.txt" in set(docs["文件"])
