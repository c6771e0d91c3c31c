"""Exports in the standard 绩效目标表 layout: structure, options, citations and the extraction round trip."""

from __future__ import annotations

import shutil
import subprocess
import zipfile

import docx
import openpyxl
import pytest

from perfdraft.drafting.export import ExportOptions, export, export_docx, export_pdf, export_xlsx, layout_project
from perfdraft.ingest.load import load_document
from perfdraft.core.models import Citation, Project
from tests import docgen

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def project() -> Project:
    return docgen.load_gold("000_bcf204015f35a258").projects[0]


def _flat(s) -> str:
    return "".join(str(s or "").split())


def test_layout_merges_level_runs(project):
    lay = layout_project(project)
    level1 = [(c.row, c.rowspan, c.text) for c in lay.cells if c.col == 0 and c.row > lay.header_row]
    assert sum(span for _, span, _ in level1) == len(project.indicators)
    assert [t for _, _, t in level1] == [k for i, k in enumerate(ind.level1 for ind in project.indicators)
                                         if i == 0 or project.indicators[i - 1].level1 != k]
    assert lay.title == f"{project.name}绩效目标表" and lay.unit_line.endswith("单位：万元")


def test_xlsx_has_title_unit_header_and_merged_cells(tmp_path, project):
    path = export_xlsx(project, tmp_path / "p.xlsx")
    ws = openpyxl.load_workbook(path).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0][0] == f"{project.name}绩效目标表"
    assert project.unit in values[1][0] and "单位：万元" in values[1][0]
    header = next(r for r in values if r[0] == "一级指标")
    assert header == ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据"]
    vertical = [r for r in ws.merged_cells.ranges if r.min_col == 1 and r.max_row > r.min_row]
    assert vertical, "level1 cells are merged vertically"
    assert sum(r.max_row - r.min_row + 1 for r in vertical) <= len(project.indicators)


def test_docx_uses_real_merges(tmp_path, project):
    path = export_docx(project, tmp_path / "p.docx")
    body = docx.Document(str(path)).element.body
    assert body.findall(f".//{W}vMerge") and body.findall(f".//{W}gridSpan")
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None


def test_amounts_in_yuan_and_period_column(tmp_path, project):
    p = project.model_copy(deep=True)
    p.indicators[0].period_value = "≥95 百分比"
    doc = load_document(export_pdf(p, tmp_path / "y.pdf", ExportOptions(amounts_in_yuan=True, period_column=True)))
    assert any("单位：元" in ln.text for ln in doc.lines)
    t = doc.tables[0]
    m = t.matrix(fill_merged=True)
    assert _flat(m[1][1]) == f"{project.budget_wan * 10000:.2f}"
    header = next(r for r in m if r[0] == "一级指标")
    assert [_flat(x) for x in header][4:6] == ["实施周期指标值", "年度指标值"]
    first = m[m.index(header) + 1]
    assert _flat(first[4]) == _flat("≥95 百分比") and _flat(first[5]) == _flat(project.indicators[0].value)


def test_forced_page_break_repeats_the_header(tmp_path, project):
    import pymupdf

    path = export_pdf(project, tmp_path / "b.pdf", ExportOptions(page_break_after=2))
    with pymupdf.open(str(path)) as pdf:
        assert pdf.page_count == 2
        assert all("一级指标" in page.get_text() for page in pdf)


def test_citations_go_to_a_separate_sheet(tmp_path, project):
    p = project.model_copy(deep=True)
    p.indicators[0].sources = [Citation(document="003_c5a160bc6509b21b.txt", project="宣传费", row=2, value="≥90%")]
    path = export_xlsx(p, tmp_path / "c.xlsx")
    wb = openpyxl.load_workbook(path)
    assert "来源" in wb.sheetnames
    main = wb.worksheets[0]
    header = next(r for r in main.iter_rows(values_only=True) if r[0] == "一级指标")
    assert len([h for h in header if h]) == 6  # the main grid stays standard
    cites = list(wb["来源"].iter_rows(values_only=True))
    assert cites[1][3] == "003_c5a160bc6509b21b.txt" and cites[1][4] == "宣传费"


def test_export_dispatch_rejects_unknown_suffix(tmp_path, project):
    with pytest.raises(ValueError):
        export(project, tmp_path / "p.csv")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
@pytest.mark.parametrize("suffix", [".xlsx", ".docx"])
def test_libreoffice_opens_the_export(tmp_path, project, suffix):
    path = export(project, tmp_path / f"p{suffix}")
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   check=True, timeout=120, capture_output=True)
    assert (tmp_path / "p.pdf").stat().st_size > 0


# ------------------------------------------------------------------------------------------ round trip

from perfdraft.extraction import api as extraction  # noqa: E402  (used by the round trip below)

ROW_FIELDS = ["level1", "level2", "level3", "description", "value", "period_value", "basis", "target"]
HEAD_FIELDS = ["name", "code", "unit", "budget_wan", "purpose", "goals"]


@pytest.mark.parametrize("suffix", [".xlsx", ".docx"])
@pytest.mark.parametrize("stem,index", [("000_bcf204015f35a258", 0), ("001_6fdd445ec51644fc", 2),
                                        ("003_c5a160bc6509b21b", 10)])
def test_export_then_extract_gives_the_same_table(tmp_path, suffix, stem, index):
    p = docgen.load_gold(stem).projects[index]
    p.indicators[0].sources = [Citation(document="x.txt", project="y", row=0)]  # citations must not leak in
    result = extraction.extract_file(export(p, tmp_path / f"rt{suffix}"))
    assert result.status == "success", result.errors
    assert len(result.document.projects) == 1
    got = result.document.projects[0]
    for f in HEAD_FIELDS:
        assert getattr(got, f) == getattr(p, f), f
    assert len(got.indicators) == len(p.indicators)
    for a, b in zip(got.indicators, p.indicators):
        assert a.model_dump(include=set(ROW_FIELDS)) == b.model_dump(include=set(ROW_FIELDS))
