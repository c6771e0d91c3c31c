"""OCR progress on the 抽取 page: the job reports the page being read, and the page shows 第 k/n 页."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.app.conftest import assert_clean, shown


class _ReadingJob:
    """A running job whose worker is on page 2 of 5 of a scanned upload (what ExtractJob.page() reports)."""

    paths = [Path("ab12_扫描件.pdf"), Path("cd34_说明.txt")]
    running = True

    def finished(self) -> int:
        return 0

    def page(self):
        return "扫描件.pdf", 2, 5


def _progress_texts(at) -> list[str]:
    return [shown(p.proto.text) for p in at.get("progress")]  # as the browser shows it


def test_page_shows_the_page_being_ocrd(app):
    app.sidebar.radio(key="page").set_value("抽取").run()
    app.session_state["extract_job"] = _ReadingJob()
    app.run()
    assert_clean(app)
    texts = _progress_texts(app)
    assert "正在识别 扫描件.pdf：第 2/5 页" in texts, texts
    assert any("已完成 0/2 个文件" in t for t in texts), texts
    bar = next(p for p in app.get("progress") if "第 2/5 页" in shown(p.proto.text))
    assert bar.proto.value == 40  # percent


def test_page_without_a_scanned_file_shows_no_page_bar(app):
    job = _ReadingJob()
    job.page = lambda: None
    app.sidebar.radio(key="page").set_value("抽取").run()
    app.session_state["extract_job"] = job
    app.run()
    assert not any("页" in t for t in _progress_texts(app))


def test_extract_job_reports_each_ocr_page_of_a_scanned_upload(data_dir):
    pytest.importorskip("rapidocr_onnxruntime")
    from tests.ingest import scanrender as sr
    if not Path(sr.FONT).exists():
        pytest.skip("Noto CJK font missing (fonts-noto-cjk) to draw the test scan")
    from perfdraft.core.settings import Settings
    from perfdraft.ui.jobs import PAGES, ExtractJob

    upload = data_dir / "uploads" / "ab12_扫描件.pdf"
    upload.parent.mkdir(parents=True)
    pages = [sr.unruled_page(["关于2025年部门预算绩效目标的说明"], 150), sr.unruled_page(["二、预算数：30.00万元"], 150)]
    sr.images_to_pdf(pages, upload, 150)
    job = ExtractJob([upload], Settings(data_dir=data_dir), timeout_s=300, max_memory_mb=2048).start()
    assert job.wait(300)
    # the last page record names the upload and its page count; a finished file is no longer "being read"
    assert json.loads((job.out_dir / PAGES).read_text(encoding="utf-8"))["done"] == 2
    assert json.loads((job.out_dir / PAGES).read_text(encoding="utf-8"))["total"] == 2
    assert job.page() is None
    assert job.results()[0].source == "扫描件.pdf"
