"""OCR of scanned tables: gold tables drawn by tests/ingest/scanrender.py (not the exporter) as image-only PDFs."""

from __future__ import annotations

import shutil
from difflib import SequenceMatcher
from pathlib import Path

import numpy as np
import pytest
from PIL import ImageFilter

from perfdraft.core.models import Document
from perfdraft.core.text import norm_text
from perfdraft.ingest.load import load_document
from tests import docgen
from tests.ingest import scanrender as sr

pytest.importorskip("rapidocr_onnxruntime")
if not Path(sr.FONT).exists():
    pytest.skip("Noto CJK font missing (fonts-noto-cjk) to draw the test scans", allow_module_level=True)

SMALL = "000_bcf204015f35a258"
STEMS = ["000_bcf204015f35a258", "001_6fdd445ec51644fc", "002_9d927ef525b240df"]
SWEEP = [p.stem for p in docgen.gold_paths()]  # every shared gold document


def flat(s: str) -> str:
    """Text as the eval compares it: no whitespace, full- and half-width forms alike (，and , are one mark)."""
    return norm_text(s)


def cell_scores(doc: Document, drawn: list[sr.DrawnTable]) -> tuple[int, int]:
    """(cells read exactly, cells drawn) after matching each drawn table to the OCR grid of its page."""
    ok = total = 0
    for want in drawn:
        got = [t for t in doc.tables if t.page == want.page]
        assert len(got) == 1, f"page {want.page}: {len(got)} grids"
        t = got[0]
        assert (t.n_rows, t.n_cols) == (want.n_rows, want.n_cols)
        cells = {(c.row, c.col): c for c in t.cells}
        assert {(c.row, c.col, c.rowspan, c.colspan) for c in want.cells} == \
               {(c.row, c.col, c.rowspan, c.colspan) for c in t.cells}
        for w in want.cells:
            total += 1
            ok += flat(cells[(w.row, w.col)].text) == flat(w.text)
    return ok, total


@pytest.fixture(scope="module")
def scan150(tmp_path_factory):
    """The first project of the small gold document drawn at 150 dpi, loaded through the front door."""
    out = tmp_path_factory.mktemp("ocr") / "scan150.pdf"
    path, drawn = sr.scanned_pdf(docgen.load_gold(SMALL), out, 150, limit=1)
    calls: list[tuple[int, int]] = []
    doc = load_document(path, progress=lambda done, total: calls.append((done, total)))
    return doc, drawn, calls, path


def test_scanned_pdf_grid_shape_spans_and_cell_text(scan150):
    doc, drawn, _, _ = scan150
    assert doc.format == "pdf" and doc.status == "ok"
    assert [t.origin for t in doc.tables] == ["ocr-ruling"]
    ok, total = cell_scores(doc, drawn)
    assert ok / total >= 0.97, (ok, total)
    # text outside the table (title, unit line) stays as page lines in reading order, before the table
    loose = [ln.text for ln in doc.lines if ln.table is None]
    assert flat(loose[0]) == flat(f"1.{docgen.load_gold(SMALL).projects[0].name}绩效目标表")


def test_every_ocr_cell_keeps_page_box_and_confidence(scan150):
    doc, _, calls, _ = scan150
    page = doc.pages[0]
    filled = [c for c in doc.tables[0].cells if c.text.strip()]
    assert filled
    for c in filled:
        assert c.page == 1 and c.bbox is not None and 0 < c.confidence <= 1
        x0, y0, x1, y1 = c.bbox
        assert 0 <= x0 < x1 <= page.width and 0 <= y0 < y1 <= page.height
    for ln in doc.lines:
        assert ln.confidence is not None and ln.bbox is not None
        if ln.table is not None:  # a cell's line has its centre inside a cell holding that text
            cx, cy = (ln.bbox[0] + ln.bbox[2]) / 2, (ln.bbox[1] + ln.bbox[3]) / 2
            cell = next(c for c in doc.tables[ln.table].cells
                        if c.bbox[0] <= cx <= c.bbox[2] and c.bbox[1] <= cy <= c.bbox[3])
            assert ln.text in cell.text and cell.page == ln.page
    assert calls == [(1, 1)]


def test_blurred_digits_are_flagged_with_their_location(tmp_path):
    """A value cell smudged like a bad scan: its digits come back with low confidence and a located warning."""
    gold = docgen.load_gold(SMALL)
    img, drawn = sr.render_page(gold.projects[0], 150, 1)
    value = next(c for c in drawn.cells if (c.row, c.col) == (4, 4))  # first indicator row, 指标值 column
    box = tuple(v + d for v, d in zip(value.box, (4, 4, -4, -4)))
    img.paste(img.crop(box).filter(ImageFilter.GaussianBlur(2.2)), box)
    doc = load_document(sr.images_to_pdf([img], tmp_path / "smudged.pdf", 150))
    cell = doc.tables[0].cell_at(4, 4)
    assert cell.confidence < 0.9
    flagged = [w for w in doc.warnings if w.startswith("ocr: low-confidence digits")]
    assert any("page 1, table 1 row 5 col 5" in w for w in flagged), doc.warnings
    assert all("row 5 col 5" in w for w in flagged if "table" in w)


def test_png_image_is_read_like_a_scan(tmp_path):
    gold = docgen.load_gold(SMALL)
    img, drawn = sr.render_page(gold.projects[1], 150, 1)
    path = tmp_path / "table.png"
    img.save(path, dpi=(150, 150))
    doc = load_document(path)
    assert doc.format == "image" and doc.status == "ok"
    ok, total = cell_scores(doc, [drawn])
    assert ok / total >= 0.97, (ok, total)


def test_unruled_scan_falls_back_to_lines_in_reading_order(tmp_path):
    lines = ["关于2025年部门预算绩效目标的说明", "一、项目名称：医保专项业务费", "二、预算数：30.00万元"]
    path = tmp_path / "letter.pdf"
    sr.images_to_pdf([sr.unruled_page(lines, 150)], path, 150)
    doc = load_document(path)
    assert doc.status == "ok" and not doc.tables
    assert "ocr: no ruled table found; text lines reconstructed in reading order" in doc.warnings
    got = [flat(ln.text) for ln in doc.lines]
    assert len(got) == len(lines)  # one line each, in reading order; OCR may miss a character here or there
    for g, want in zip(got, lines):
        assert SequenceMatcher(None, g, flat(want)).ratio() >= 0.9, (g, want)


def test_image_without_text_has_a_clear_status(tmp_path):
    path = tmp_path / "blank.png"
    sr.unruled_page([], 150).save(path)
    doc = load_document(path)
    assert doc.status == "empty" and not doc.tables and not doc.lines
    assert "ocr: no text recognised on any page" in doc.warnings


def test_scanned_pdf_in_a_batch_of_good_files(tmp_path):
    from perfdraft.extraction.batch import BatchOptions, run_batch

    src = tmp_path / "in"
    src.mkdir()
    sr.scanned_pdf(docgen.load_gold(SMALL), src / "scan.pdf", 150, limit=1)
    for stem in STEMS[:2]:
        shutil.copy(docgen.ROOT / "eval" / "fixtures" / "corpus" / f"{stem}.txt", src / f"{stem}.txt")
    summary = run_batch([src], BatchOptions(out_dir=tmp_path / "out", jobs=1, timeout_s=600))
    by_name = {Path(o.source).name: o for o in summary.outcomes}
    assert set(by_name) == {"scan.pdf", f"{STEMS[0]}.txt", f"{STEMS[1]}.txt"}
    assert all(o.status == "ok" for o in by_name.values()), summary.outcomes
    assert by_name["scan.pdf"].projects == 1
    assert by_name["scan.pdf"].indicators == len(docgen.load_gold(SMALL).projects[0].indicators)


def test_cli_extract_shows_each_ocr_page(tmp_path, capsys):
    """`perfdraft extract` on a two-page scan: the OCR'd pages cross from the worker to the progress bar."""
    from perfdraft.cli import main

    src = tmp_path / "in"
    src.mkdir()
    pages = [sr.unruled_page(["关于2025年部门预算绩效目标的说明"], 150), sr.unruled_page(["二、预算数：30.00万元"], 150)]
    sr.images_to_pdf(pages, src / "letter.pdf", 150)
    main(["extract", str(src), "--out", str(tmp_path / "out"), "--timeout", "600"])
    err = capsys.readouterr().err
    assert "letter.pdf page 1/2" in err and "letter.pdf page 2/2" in err, err


@pytest.mark.slow
@pytest.mark.parametrize("dpi", [150, 300])
@pytest.mark.parametrize("stem", SWEEP)
def test_full_sweep_cell_accuracy_and_extraction(tmp_path, stem, dpi):
    """Every gold table at both resolutions: OCR cells against the drawn cells, then the issue's end-to-end floors."""
    scores = pytest.importorskip("perfdraft.eval.scores")
    from perfdraft.extraction.api import extract_loaded

    gold = docgen.load_gold(stem)
    path, drawn = sr.scanned_pdf(gold, tmp_path / f"{stem}.pdf", dpi)
    doc = load_document(path)
    ok, total = cell_scores(doc, drawn)
    assert ok / total >= 0.97, (ok, total)
    result = extract_loaded(doc)
    head = scores.score_document(stem, gold, result.document).headline()
    floors = {300: (0.95, 0.97), 150: (0.90, 0.93)}[dpi]
    assert head["row_f1"] >= floors[0] and head["field_value"] >= floors[1], head


def test_engines_registry_names_both_engines():
    from perfdraft.ingest.ocr_engines import ENGINES, OcrUnavailable, get_engine

    assert set(ENGINES) == {"rapidocr", "tesseract"}
    with pytest.raises(OcrUnavailable):
        get_engine("nope")


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract-ocr not installed")
def test_tesseract_engine_reads_a_cell_line():
    from perfdraft.ingest.ocr_engines import get_engine

    line = np.asarray(sr.unruled_page(["资金到位率"], 300))[300:420, 200:900]  # the one drawn line
    text, conf = get_engine("tesseract").read_line(line)
    assert flat(text) == "资金到位率" and 0 < conf <= 1


def test_misread_document_number_brackets_are_restored():
    from perfdraft.ingest.ocr import fix_doc_numbers

    assert fix_doc_numbers("唐财社〔2024）125号") == "唐财社〔2024〕125号"
    assert fix_doc_numbers("唐财社[2024〕125号") == "唐财社〔2024〕125号"
    assert fix_doc_numbers("（2024）年度") == "（2024）年度"  # no 〔 in sight: left as read


def test_ocr_options_reach_the_engine_and_bad_images_are_input_errors(tmp_path):
    from perfdraft.core.errors import CorruptDocument
    from perfdraft.ingest.ocr import OcrOptions
    from perfdraft.ingest.ocr_engines import OcrUnavailable

    png = tmp_path / "page.png"
    sr.unruled_page(["资金到位率"], 72).save(png)
    with pytest.raises(OcrUnavailable, match="unknown OCR engine 'nope'"):
        load_document(png, ocr=OcrOptions(engine="nope"))
    broken = tmp_path / "broken.png"
    broken.write_bytes(png.read_bytes()[:60])
    with pytest.raises(CorruptDocument):
        load_document(broken)


class _MisreadingEngine:
    """Reads every page as two lines: a confident name and a value whose digits came back as letters."""

    name = "misreading"

    def read(self, gray):
        from perfdraft.ingest.ocr_engines import OcrBox
        return [OcrBox("资金到位率", (100, 100, 400, 140), 0.99), OcrBox("Mo", (100, 200, 160, 240), 0.71)]

    def read_line(self, gray):
        return "", 0.0


def test_low_confidence_value_read_as_letters_is_flagged(tmp_path, monkeypatch):
    """A value like ≥0 misread as 'Mo' holds no digit, but it is still a low-confidence value: flagged, located."""
    from perfdraft.ingest import ocr_engines
    from perfdraft.ingest.ocr import OcrOptions

    monkeypatch.setitem(ocr_engines.ENGINES, "misreading", _MisreadingEngine)
    ocr_engines.get_engine.cache_clear()
    png = tmp_path / "page.png"
    sr.unruled_page([], 150).save(png)
    doc = load_document(png, ocr=OcrOptions(engine="misreading"))
    ocr_engines.get_engine.cache_clear()
    flagged = [w for w in doc.warnings if w.startswith("ocr: low-confidence digits")]
    assert len(flagged) == 1 and "'Mo' (0.71) on page 1" in flagged[0], doc.warnings


def test_a_lone_full_stop_wrapped_onto_its_own_line_is_read(tmp_path):
    """A cell whose text wraps so that its closing 。 stands alone on the last line keeps the 。 (the detector
    skips a lone mark): found in the drawn cells of the gold, not chosen by hand."""
    gold = docgen.load_gold("tianjin_ninghe_jiaoyu_2020_minbanyuanfangzu")
    img, drawn = sr.render_page(gold.projects[0], 150, 1)
    lone = [c for c in drawn.cells if len(c.lines) > 1 and c.lines[-1] == "。"]
    assert lone, "the fixture no longer has a cell ending in a lone 。"
    doc = load_document(sr.images_to_pdf([img], tmp_path / "scan.pdf", 150))
    for c in lone:
        assert flat(doc.tables[0].cell_at(c.row, c.col).text) == flat(c.text)


SIGNED = ["≥0", "≥1", "≥95%", "≤5%", "＞0", "≤0", ">0", "≥10"]  # a sign and one to three digits, some with %


def test_short_signed_values_are_read_as_drawn(tmp_path):
    """Sign + digit cells (the recogniser reads ≥0 as 'Mo', ＞0 as 'Vo', ≥10 as 'M10' from the page) at three
    font sizes come back as drawn; every value that had to be re-read says so, with its first reading and cell."""
    img, drawn = sr.value_grid(SIGNED, [7, 9, 11], 300)
    path = tmp_path / "values.png"
    img.save(path, dpi=(300, 300))
    doc = load_document(path)
    assert len(doc.tables) == 1
    got = {(c.row, c.col): c.text for c in doc.tables[0].cells}
    assert {(c.row, c.col): flat(c.text) for c in drawn} == {k: flat(v) for k, v in got.items()}
    for w in doc.warnings:
        if w.startswith("ocr: value re-read"):
            row, col = (int(v) - 1 for v in w.split(" row ")[1].split(",")[0].split(" col "))
            assert flat(got[(row, col)]) == flat(SIGNED[col]), w


class _RereadEngine:
    """Reads the page as one value cell 'Mo' (0.71), and any tight crop of it as the text it was built with."""

    name = "reread"
    crop_reading = ("≥0", 0.97)

    def read(self, gray):
        from perfdraft.ingest.ocr_engines import OcrBox
        return [OcrBox("Mo", (100, 100, 160, 140), 0.71)]

    def read_line(self, gray):
        return self.crop_reading


@pytest.mark.parametrize("crop_reading, kept", [(("≥0", 0.97), "≥0"), (("Mo", 0.99), "Mo"), (("", 0.0), "Mo")])
def test_a_reread_value_is_kept_only_when_value_shaped_and_is_reported(tmp_path, monkeypatch, crop_reading, kept):
    """The re-read replaces the first reading only with a value the engine read from the crop, and says so."""
    from PIL import ImageDraw

    from perfdraft.ingest import ocr_engines
    from perfdraft.ingest.ocr import OcrOptions

    monkeypatch.setattr(_RereadEngine, "crop_reading", crop_reading)
    monkeypatch.setitem(ocr_engines.ENGINES, "reread", _RereadEngine)
    ocr_engines.get_engine.cache_clear()
    img = sr.unruled_page([], 150)
    ImageDraw.Draw(img).rectangle([110, 110, 150, 130], fill=0)  # ink for the crop
    png = tmp_path / "page.png"
    img.save(png)
    doc = load_document(png, ocr=OcrOptions(engine="reread"))
    ocr_engines.get_engine.cache_clear()
    assert [ln.text for ln in doc.lines] == [kept]
    reread = [w for w in doc.warnings if w.startswith("ocr: value re-read")]
    assert len(reread) == (kept != "Mo")
    if reread:
        assert "'Mo' (0.71) kept as '≥0' on page 1" in reread[0]
    else:  # still doubtful: flagged with its first confidence
        assert any(w.startswith("ocr: low-confidence digits 'Mo' (0.71)") for w in doc.warnings), doc.warnings
