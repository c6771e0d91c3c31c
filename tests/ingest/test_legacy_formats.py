"""Legacy Office/WPS files and content sniffing: xlrd grids, LibreOffice conversion kept warm, clear refusals."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from perfdraft.core.errors import InputError
from perfdraft.extraction.batch import BatchOptions, run_batch
from perfdraft.ingest import office
from perfdraft.ingest.load import load_document
from tests import docgen
from tests.ingest import gold_render

xlwt = pytest.importorskip("xlwt")
needs_lo = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
SMALL = "000_bcf204015f35a258"


def _cells(t):
    return sorted((c.row, c.col, c.rowspan, c.colspan, c.text) for c in t.cells)


@pytest.fixture(scope="module")
def small_gold():
    return docgen.load_gold(SMALL)


@pytest.fixture(scope="module")
def docs(tmp_path_factory, small_gold):
    """Three .doc files written by LibreOffice from python-docx documents (one conversion run)."""
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    d = tmp_path_factory.mktemp("doc")
    return gold_render.many_to_doc({f"d{i}": small_gold for i in range(3)}, d)


def _write_xls(path: Path) -> Path:
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("表1")
    ws.write_merge(0, 0, 0, 2, "某项目绩效目标表")
    ws.write_merge(1, 2, 0, 0, "产出指标")
    ws.write(1, 1, "数量指标")
    ws.write(1, 2, 12.0)
    ws.write(2, 1, "时效指标")
    ws.write(2, 2, dt.date(2025, 12, 31), xlwt.easyxf(num_format_str="YYYY-MM-DD"))
    wb.save(str(path))
    return path


def test_xls_merged_cells_numbers_and_dates(tmp_path):
    doc = load_document(_write_xls(tmp_path / "t.xls"))
    assert doc.format == "xls" and doc.status == "ok"
    assert [ln.text for ln in doc.lines if ln.table is None] == ["某项目绩效目标表"]
    assert _cells(doc.tables[0]) == [(0, 0, 2, 1, "产出指标"), (0, 1, 1, 1, "数量指标"), (0, 2, 1, 1, "12"),
                                     (1, 1, 1, 1, "时效指标"), (1, 2, 1, 1, "2025-12-31")]


def test_corrupt_xls_is_a_clear_input_error(tmp_path):
    good = _write_xls(tmp_path / "good.xls").read_bytes()
    bad = tmp_path / "bad.xls"
    bad.write_bytes(good[:700])  # OLE2 header, cut directory
    with pytest.raises(InputError) as exc:
        load_document(bad)
    assert exc.value.kind in ("corrupt", "conversion-failed") and exc.value.file == str(bad)


# ------------------------------------------------------------------------------------------ sniffing


def test_html_saved_as_xls_is_read_as_html(tmp_path, small_gold):
    path = gold_render.to_html(small_gold, tmp_path / "page.html").rename(tmp_path / "下载.xls")
    doc = load_document(path)
    assert doc.format == "html" and len(doc.tables) == len(small_gold.projects)
    assert any("HTML" in w and ".xls" in w for w in doc.warnings)


def test_docx_named_pdf_is_read_as_docx(tmp_path, small_gold):
    path = gold_render.to_docx(small_gold, tmp_path / "t.docx").rename(tmp_path / "t.pdf")
    doc = load_document(path)
    assert doc.format == "docx" and len(doc.tables) == len(small_gold.projects)
    assert any("DOCX" in w for w in doc.warnings)


def test_ole2_workbook_named_docx_goes_to_the_legacy_path(tmp_path):
    path = _write_xls(tmp_path / "t.xls").rename(tmp_path / "t.docx")
    doc = load_document(path)
    assert doc.format == "xls" and doc.tables and doc.source == str(path)


def test_html_inside_a_txt_file_stays_text(tmp_path):
    path = tmp_path / "note.txt"
    path.write_text("<p>说明</p>\n第二行", encoding="utf-8")
    assert load_document(path).format == "text"


@needs_lo
def test_ole2_word_file_named_docx_is_converted(tmp_path, docs):
    path = Path(shutil.copy(docs[0], tmp_path / "old.docx"))
    doc = load_document(path)
    assert doc.format == "doc" and doc.name == "old.docx" and len(doc.tables) == 3


# ------------------------------------------------------------------------------------------ LibreOffice


@needs_lo
def test_doc_provenance_names_the_original_file(docs):
    doc = load_document(docs[0])
    assert (doc.format, doc.source, doc.name) == ("doc", str(docs[0]), docs[0].name)
    assert doc.sha256 == _sha256(docs[0])
    assert len(doc.tables) == 3 and doc.tables[0].cells


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@needs_lo
def test_batch_of_doc_files_starts_libreoffice_once(tmp_path, docs):
    office.stop_shared_office()
    before = office.shared_office().starts
    summary = run_batch(docs, BatchOptions(out_dir=tmp_path / "out", isolate=False))
    assert summary.count("ok") == len(docs), [o.message for o in summary.failed]
    assert office.shared_office().starts - before == 1
    assert office.shared_office().warm


@needs_lo
def test_isolated_batch_worker_runs_one_soffice_for_all_its_files(tmp_path, docs):
    # the soffice processes alive as each file finishes (a new profile's set-up run exits before the first file)
    alive_at_each_file: list[set[int]] = []

    def offices(_outcome) -> None:
        found = set()
        for child in psutil.Process().children(recursive=True):
            try:
                if child.name().startswith("soffice") and child.status() != psutil.STATUS_ZOMBIE:
                    found.add(child.pid)
            except psutil.Error:
                pass
        alive_at_each_file.append(found)

    office.stop_shared_office()  # this test process's own office (earlier tests) is not the worker's
    summary = run_batch(docs, BatchOptions(out_dir=tmp_path / "out", jobs=1), on_outcome=offices)
    assert summary.count("ok") == len(docs), [o.message for o in summary.failed]
    assert len(alive_at_each_file) == len(docs)
    first = alive_at_each_file[0]
    assert len(first) == 1 and all(a == first for a in alive_at_each_file)


@needs_lo
def test_a_file_libreoffice_cannot_read_fails_alone(tmp_path, docs):
    junk = tmp_path / "junk.doc"
    junk.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4000))  # OLE2 magic, nothing behind it
    summary = run_batch([junk, docs[1]], BatchOptions(out_dir=tmp_path / "out", isolate=False))
    assert summary.count("ok") == 1 and [Path(o.source).name for o in summary.failed] == ["junk.doc"]


def test_without_libreoffice_legacy_files_fail_clearly_and_others_work(tmp_path, monkeypatch, small_gold):
    office.stop_shared_office()
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))
    doc_file = tmp_path / "old.doc"
    doc_file.write_bytes(b"{\\rtf1\\ansi perf}")  # an RTF saved as .doc, as Word users do
    try:
        with pytest.raises(office.LibreOfficeMissing) as exc:
            load_document(doc_file)
        assert exc.value.kind == "libreoffice-missing" and exc.value.file == str(doc_file)
        assert "LibreOffice" in exc.value.one_line()
        html = gold_render.to_html(small_gold, tmp_path / "p.html")
        assert load_document(html).tables
        assert load_document(_write_xls(tmp_path / "t.xls")).tables
    finally:
        office.stop_shared_office()


@needs_lo
def test_libreoffice_goes_when_its_owner_is_killed(docs):
    code = ("import sys, time; from perfdraft.ingest.load import load_document; from perfdraft.ingest import office; "
            "load_document(sys.argv[1]); lo = office.shared_office(); print(lo._office.pid, lo._profile, flush=True); "
            "time.sleep(300)")
    owner = subprocess.Popen([sys.executable, "-c", code, str(docs[0])], stdout=subprocess.PIPE, text=True)
    try:
        pid_text, profile = owner.stdout.readline().split()
        pid = int(pid_text)
        assert psutil.Process(pid).is_running()
    finally:
        owner.kill()  # SIGKILL: no atexit, no clean-up code runs in the owner
        owner.wait()
    try:
        assert _ends_within(pid, 60), "soffice outlived the process that started it"
    finally:
        shutil.rmtree(profile, ignore_errors=True)  # the killed owner could not remove it


def _ends_within(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.2)
    psutil.Process(pid).kill()
    return False


@needs_lo
@pytest.mark.slow
def test_cold_conversion_without_the_uno_bridge(tmp_path, docs):
    lo = office.LibreOffice(warm=False)
    try:
        out = lo.convert(docs[1], "docx", tmp_path)
        assert out.suffix == ".docx" and zipfile_names(out) >= {"word/document.xml"}
        assert lo.starts == 1 and not lo.warm
    finally:
        lo.shutdown()


def zipfile_names(path: Path) -> set[str]:
    import zipfile
    with zipfile.ZipFile(path) as zf:
        return set(zf.namelist())


@needs_lo
def test_wps_writer_file_is_converted_and_keeps_its_format(tmp_path, docs):
    # WPS Writer saves Word 97 binaries under .wps; the name decides the format, the bytes the route
    path = Path(shutil.copy(docs[2], tmp_path / "报表.wps"))
    doc = load_document(path)
    assert (doc.format, doc.name) == ("wps", "报表.wps") and len(doc.tables) == 3 and not doc.warnings


@needs_lo
def test_wps_spreadsheet_file_is_converted(tmp_path):
    path = _write_xls(tmp_path / "t.xls").rename(tmp_path / "t.et")
    doc = load_document(path)
    assert doc.format == "et" and doc.source == str(path)
    assert _cells(doc.tables[0])[0] == (0, 0, 2, 1, "产出指标")
