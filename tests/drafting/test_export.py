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


# ------------------------------------------------------------------------------------------ hostile content

INJECTIONS = ["=HYPERLINK(\"http://evil.example/x\",\"点我\")", "=cmd|' /C calc'!A0", "+1+2", "-2+3", "@SUM(A1:A2)",
              "\tTAB开头", "\r回车开头", "=100%"]


def _hostile(project: Project) -> Project:
    """Every text field the exports write starts with a formula trigger."""
    p = project.model_copy(deep=True)
    p.name, p.code, p.unit, p.purpose = INJECTIONS[0], INJECTIONS[1], INJECTIONS[4], INJECTIONS[2]
    p.goals = [INJECTIONS[3], INJECTIONS[5]]
    for i, ind in enumerate(p.indicators):
        ind.level3 = INJECTIONS[i % len(INJECTIONS)]
        ind.value = INJECTIONS[(i + 1) % len(INJECTIONS)]
        ind.basis = INJECTIONS[(i + 2) % len(INJECTIONS)]
        ind.sources = [Citation(document=INJECTIONS[i % len(INJECTIONS)], project=INJECTIONS[1], row=0,
                                level3=INJECTIONS[2], value=INJECTIONS[6], department=INJECTIONS[4])]
    return p


def test_no_exported_cell_is_a_formula(tmp_path, project):
    from perfdraft.core.models import PerformanceDocument
    doc = PerformanceDocument(department=INJECTIONS[0], year=2026, projects=[_hostile(project), _hostile(project)])
    path = export_xlsx(doc, tmp_path / "h.xlsx")
    with zipfile.ZipFile(path) as zf:
        sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/sheet")]
        assert len(sheets) == 3  # two tables and 来源
        assert not any("<f>" in zf.read(n).decode() or "<f " in zf.read(n).decode() for n in sheets)
    wb = openpyxl.load_workbook(path)
    triggered = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
                if isinstance(c.value, str) and c.value.startswith(("=", "+", "-", "@", "\t", "\r")):
                    assert c.quotePrefix, (ws.title, c.coordinate, c.value)
                    triggered += 1
    assert triggered > 3 * len(project.indicators)  # the corpus really reached title, grid and 来源 cells
    assert wb.worksheets[0]["A1"].quotePrefix  # the department heading
    # a single table: its title is A1 and the unit line (starting with the unit) A2
    single = openpyxl.load_workbook(export_xlsx(_hostile(project), tmp_path / "s.xlsx")).worksheets[0]
    assert single["A1"].value.startswith("=HYPERLINK") and single["A2"].value.startswith("@SUM")
    assert single["A1"].data_type == "s" and single["A1"].quotePrefix and single["A2"].quotePrefix


def test_control_characters_are_dropped_from_every_export(tmp_path, project):
    p = project.model_copy(deep=True)
    p.name = "印刷\x00费\x1b[31m"
    p.purpose = "用途\x07说明\x0b"
    p.indicators[0].value = "≥95%\x08"
    p.indicators[0].sources = [Citation(document="a\x01.txt", project="宣\x02传", row=0)]
    xlsx = export_xlsx(p, tmp_path / "c.xlsx")
    wb = openpyxl.load_workbook(xlsx)
    text = "".join(str(c.value) for ws in wb.worksheets for r in ws.iter_rows() for c in r if c.value is not None)
    assert "印刷费[31m绩效目标表" in text and "用途说明" in text and "≥95%" in text and "a.txt" in text
    assert not any(ord(ch) < 32 and ch not in "\n" for ch in text)
    body = "".join(t.text for t in docx.Document(str(export_docx(p, tmp_path / "c.docx"))).element.body.iter(f"{W}t"))
    assert "印刷费[31m" in body and "用途说明" in body
    assert export_pdf(p, tmp_path / "c.pdf").stat().st_size > 0


def test_budget_is_a_number_and_the_sheet_is_set_up_for_a4_landscape(tmp_path, project):
    ws = openpyxl.load_workbook(export_xlsx(project, tmp_path / "n.xlsx")).worksheets[0]
    budget = next(ws.cell(r.row, 2) for r in ws["A"] if r.value == "预算数")
    assert isinstance(budget.value, (int, float)) and budget.value == pytest.approx(project.budget_wan)
    assert budget.data_type == "n" and budget.number_format == "0.00"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
    assert ws.sheet_properties.pageSetUpPr.fitToPage and int(ws.page_setup.fitToWidth) == 1
    header_row = next(r.row for r in ws["A"] if r.value == "一级指标")
    assert ws.print_title_rows.replace("$", "") == f"{header_row}:{header_row}"


def test_word_repeats_the_header_rows_from_the_top(tmp_path, project):
    table = docx.Document(str(export_docx(project, tmp_path / "h.docx"))).tables[0]
    flags = [tr.find(f"{W}trPr") is not None and tr.find(f"{W}trPr").find(f"{W}tblHeader") is not None
             for tr in table._tbl.tr_lst]
    header = next(i for i, row in enumerate(table.rows) if row.cells[0].text == "一级指标")
    assert flags[: header + 1] == [True] * (header + 1) and not any(flags[header + 1:])


def _long_project(project: Project, rows: int = 30) -> Project:
    p = project.model_copy(deep=True)
    p.purpose = "用于保障本部门日常宣传、政策解读材料印制、培训资料印刷及各类公文印制等工作。" * 4
    base = p.indicators
    p.indicators = []
    for i in range(rows):
        ind = base[i % len(base)].model_copy(deep=True)
        ind.level3 = f"{ind.level3}（含政策解读、宣传册、培训资料等各类材料的按时交付与质量）第{i + 1}项"
        ind.basis = "依据年度工作计划、上年度完成情况及行业标准综合确定，" * 2
        p.indicators.append(ind)
    return p


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_libreoffice_prints_the_excel_one_page_wide_with_repeated_header(tmp_path, project):
    import pymupdf

    p = _long_project(project)
    path = export_xlsx(p, tmp_path / "long.xlsx")
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(path)], check=True, timeout=180, capture_output=True)
    with pymupdf.open(str(tmp_path / "long.pdf")) as pdf:
        pages = [page.get_text() for page in pdf]
        sizes = {(round(page.rect.width), round(page.rect.height)) for page in pdf}
        pdf[0].get_pixmap(dpi=80).save(str(tmp_path / "page1.png"))
    assert sizes == {(842, 595)}, "A4 landscape"
    # fitted to one page width: every page carries the full header row, first and last column (a sheet
    # printed without fit-to-width puts the right-hand columns on pages of their own, without 一级指标)
    assert 1 < len(pages) <= len(p.indicators) // 4 + 1
    assert all("一级指标" in t and "指标值确定依据" in t for t in pages)
    flat = _flat("".join(pages))
    for ind in p.indicators:  # rows tall enough: every wrapped name is printed in full
        assert _flat(ind.level3) in flat
    assert _flat(p.purpose) in flat
