"""The layout zoo: its renderings read back (by readers of their own) to the gold they claim, and the eval task."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest

from perfdraft.cli import main
from perfdraft.core.models import Indicator, Project, Target
from perfdraft.eval.data import load_dir
from perfdraft.eval.layouts_report import kept_section
from perfdraft.eval.zoo.generate import build, cases, render
from perfdraft.eval.zoo.sheet import baseline_sheet
from perfdraft.eval.zoo.transforms import TRANSFORMS, WRAP_WIDTH
from perfdraft.eval.zoo.variants import VARIANTS
from tests.conftest import GOLD
from tests.eval.zoo_readers import as_gold, docx_rows, parse_tables, pdf_rows, squash, text_rows, xlsx_rows

SMALL = "000_bcf204015f35a258"  # 3 tables, 19 rows: every variant renders in a fraction of a second
ROW_FIELDS = ("level1", "level2", "level3", "description", "value", "period_value", "basis")
FULL_ROW_TEXT = {"tabs": "tabs", "pipe": "pipe"}  # text styles whose every row carries every cell
READERS = {"xlsx": xlsx_rows, "docx": docx_rows, "pdf": pdf_rows}
WRAPPING = {"wrapped-cells"}  # cells over several lines: compared without whitespace


@pytest.fixture(scope="module")
def gold():
    return load_dir(GOLD)


def _assert_reads_back(tables: list[dict], expected, variant: str, fmt: str = "text") -> None:
    """Every parsed table equals the expected gold project: header fields and every row field, in order."""
    assert len(tables) == len(expected.projects), variant
    for table, project in zip(tables, expected.projects):
        got = as_gold(table)
        assert squash(got["name"]) == squash(project.name)
        assert squash(got.get("code")) == squash(project.code)
        assert squash(got.get("purpose")) == squash(project.purpose)
        assert squash(got.get("goals")) == squash("".join(f"{i}.{g}" for i, g in enumerate(project.goals, 1)))
        if project.budget_wan is not None:
            assert got["budget_wan"] == pytest.approx(project.budget_wan)
        want = [{f: getattr(i, f) or "" for f in ROW_FIELDS} for i in project.indicators]
        rows = [{f: r.get(f, "") for f in ROW_FIELDS} for r in got["indicators"]]
        if variant in WRAPPING or fmt == "pdf":  # a PDF wraps long cells to the column width
            want = [{f: squash(v) for f, v in r.items()} for r in want]
            rows = [{f: squash(v) for f, v in r.items()} for r in rows]
        assert rows == want, f"{variant}: {project.name}"


GRID_TEXT_CASES = [v for v, s in VARIANTS.items() if s.style in FULL_ROW_TEXT and "header-lines" not in s.transforms]
# styles that print a wrapped row's tails on shared lines, interleaved: their own test below
INTERLEAVED = ["wrapped-spaces", "wrapped-pipes", "wrapped-columns", "wrapped-indented", "wrapped-run-together",
               "serial-pipes", "serial-wrapped-spaces"]
# merged cells omitted, no row markers ...
LINEARISED = [v for v in VARIANTS if v not in GRID_TEXT_CASES and v not in INTERLEAVED]
HTML = [v for v, s in VARIANTS.items() if "html" in s.formats]


@pytest.mark.parametrize("variant", GRID_TEXT_CASES)
def test_tab_and_pipe_text_reads_back_to_expected_gold(gold, tmp_path, variant):
    spec = VARIANTS[variant]
    r = render(SMALL, gold[SMALL], variant, "text", tmp_path)
    text = r.path.read_bytes().decode(spec.text_encoding)
    _assert_reads_back(parse_tables(text_rows(text, spec.style)), r.expected, variant)


STRUCTURED = [(v, f) for v, f in cases() if f in READERS]


@pytest.mark.parametrize("variant,fmt", [c for c in STRUCTURED if c[0] in ("merged-cells", "page-breaks")])
def test_structured_formats_read_back_to_expected_gold(gold, tmp_path, variant, fmt):
    r = render(SMALL, gold[SMALL], variant, fmt, tmp_path)
    _assert_reads_back(parse_tables(READERS[fmt](r.path)), r.expected, variant, fmt)


@pytest.mark.slow
@pytest.mark.parametrize("variant,fmt", STRUCTURED)
def test_every_structured_rendering_reads_back_to_expected_gold(gold, tmp_path, variant, fmt):
    r = render(SMALL, gold[SMALL], variant, fmt, tmp_path)
    _assert_reads_back(parse_tables(READERS[fmt](r.path)), r.expected, variant, fmt)


def _in_order(text: str, tokens: list[str]) -> None:
    pos = 0
    flat = squash(text)
    for t in tokens:
        k = flat.find(squash(t), pos)
        assert k >= 0, f"{t!r} missing or out of order"
        pos = k + len(squash(t))


@pytest.mark.parametrize("variant", LINEARISED)
def test_linearised_text_holds_every_cell_in_row_order(gold, tmp_path, variant):
    """Families that omit merged cells or row markers: every name and value appears, in the table's order."""
    r = render(SMALL, gold[SMALL], variant, "text", tmp_path)
    text = r.path.read_text(encoding=VARIANTS[variant].text_encoding)
    for p in r.expected.projects:
        _in_order(text, [p.name] + [x for i in p.indicators for x in (i.level3, i.value)])


@pytest.mark.parametrize("variant", INTERLEAVED)
def test_interleaved_wraps_cut_long_cells_at_the_width_and_print_their_tails_below(gold, tmp_path, variant):
    r = render(SMALL, gold[SMALL], variant, "text", tmp_path)
    text = r.path.read_text(encoding="utf-8")
    long_names = [i.level3 for p in r.expected.projects for i in p.indicators if len(i.level3) > WRAP_WIDTH]
    assert long_names and all(squash(n) not in squash(text) for n in long_names)  # no long name on one line
    for p in r.expected.projects:  # every name's first line and every value, in the table's order
        _in_order(text, [p.name] + [x for i in p.indicators for x in (i.level3[:WRAP_WIDTH], i.value)])


def _omitted_runs(project: Project) -> int:
    """How many level1 cells a rendering that prints each merged run once shows."""
    return sum(1 for k, i in enumerate(project.indicators) if k == 0 or project.indicators[k - 1].level1 != i.level1)


@pytest.mark.parametrize("variant", ["cell-lines", "pipe-bare", "web-dump", "merged-cells", "indented"])
def test_merged_cells_are_printed_once_per_run(gold, tmp_path, variant):
    r = render(SMALL, gold[SMALL], variant, "text", tmp_path)
    text = r.path.read_text(encoding="utf-8")
    shown = sum(len(re.findall(rf"(?m)^\s*\|?\s*{re.escape(name)}(?:\s|\||$)", text))
                for name in {i.level1 for p in r.expected.projects for i in p.indicators})
    assert shown == sum(_omitted_runs(p) for p in r.expected.projects)


def test_indentation_alone_tells_the_levels_apart(gold, tmp_path):
    r = render(SMALL, gold[SMALL], "indented", "text", tmp_path)
    lines = r.path.read_text(encoding="utf-8").split("\n")
    p = r.expected.projects[0]
    ind = p.indicators[0]
    k = lines.index(ind.level1)
    assert lines[k + 1] == " " * 4 + ind.level2
    assert lines[k + 2].startswith(" " * 8 + ind.level3)


def test_run_together_rows_have_no_separator(gold, tmp_path):
    r = render(SMALL, gold[SMALL], "run-together", "text", tmp_path)
    lines = r.path.read_text(encoding="utf-8").split("\n")
    for ind in r.expected.projects[0].indicators:
        assert ind.level1 + ind.level2 + ind.level3 in "\n".join(lines)
    assert not any("\t" in line or " | " in line for line in lines)


def _html_grid_ok(table: ET.Element) -> int:
    """Rows of an HTML table, checking every row covers the same number of grid columns once spans count."""
    width, pending = None, {}
    rows = table.findall("tr")
    for r, tr in enumerate(rows):
        col, filled = 0, 0
        for td in tr.findall("td"):
            while pending.get((r, col)):
                col, filled = col + 1, filled + 1
            rs, cs = int(td.get("rowspan", 1)), int(td.get("colspan", 1))
            for dr in range(1, rs):
                for dc in range(cs):
                    pending[(r + dr, col + dc)] = True
            col, filled = col + cs, filled + cs
        while pending.get((r, col)):
            col, filled = col + 1, filled + 1
        width = width or filled
        assert filled == width, f"row {r} covers {filled} columns, not {width}"
    return len(rows)


@pytest.mark.parametrize("variant", HTML)
def test_html_is_well_formed_with_consistent_spans_and_charset(gold, tmp_path, variant):
    spec = VARIANTS[variant]
    r = render(SMALL, gold[SMALL], variant, "html", tmp_path)
    raw = r.path.read_bytes()
    assert f"charset={spec.html_charset}".encode() in raw[:300]
    text = raw.decode("gb18030" if spec.html_charset == "gb2312" else "utf-8")
    root = ET.fromstring(text.split("\n", 1)[1])
    tables = root.findall(".//table")
    assert len(tables) == len(r.expected.projects)
    for table, p in zip(tables, r.expected.projects):
        assert _html_grid_ok(table) >= len(p.indicators) + 1
        _in_order("".join(table.itertext()), [x for i in p.indicators for x in (i.level3, i.value)])
    if "merged-cells" in spec.transforms:
        assert b'rowspan="' in raw


def test_every_claimed_variant_and_format_is_read_back_by_some_test():
    covered = {(v, "text") for v in GRID_TEXT_CASES + LINEARISED + INTERLEAVED} | {(v, "html") for v in HTML} \
        | set(STRUCTURED)
    assert covered == set(cases())


def test_at_least_twelve_variants_and_every_family_of_the_issue():
    assert len(VARIANTS) >= 12
    assert {"tabs", "pipe", "pipe-bare", "cell-lines", "web-dump", "merged-cells", "indented", "run-together",
            "title-apply", "title-approved", "title-project", "untitled", "title-in-row", "long-annual",
            "period-annual", "extra-columns", "level-names", "wrapped-cells", "page-breaks", "reordered",
            "yuan", "header-lines"} <= set(VARIANTS)


GOLD_CHANGING = {"unit-column", "level-names", "reordered", "long-annual", "period-annual", "values-only",
                 "comparison-column", "outline-numbers"}


@pytest.mark.parametrize("variant", [v for v, s in VARIANTS.items() if not GOLD_CHANGING & set(s.transforms)])
def test_layout_only_variants_expect_the_gold_itself(gold, variant):
    """So reading such a rendering back checks it against the hand-labelled gold, not the zoo's own output."""
    _, expected = build(gold[SMALL], VARIANTS[variant])
    assert expected.model_dump() == gold[SMALL].model_dump()


def _project(value: str, unit: str | None, kind: str = "number") -> Project:
    target = Target(kind=kind, op=None, num=470 if kind == "number" else None, unit=unit)
    rows = [Indicator(level1="产出指标", level2="成本指标", level3="检查差旅费", value=value, target=target),
            Indicator(level1="满意度指标", level2="服务对象满意度指标", level3="公众满意度", value="较高",
                      target=Target(kind="text"))]
    return Project(name="食品安全", budget_wan=30.0, goals=["组织协调"], indicators=rows)


def test_unit_column_joins_number_and_unit_with_one_space():
    p = _project("470人/天", "人/天")
    sheet = baseline_sheet(p, 1)
    TRANSFORMS["unit-column"](sheet, p)
    at = sheet.columns.index("度量单位")
    assert sheet.columns[at - 1] == "指标值" and [r[at - 1:at + 1] for r in sheet.rows] == [["470", "人/天"], ["较高", ""]]
    assert [i.value for i in p.indicators] == ["470 人/天", "较高"]


def test_yuan_note_prints_yuan_and_keeps_budget_in_wan():
    p = _project("470人/天", "人/天")
    sheet = baseline_sheet(p, 1)
    TRANSFORMS["yuan"](sheet, p)
    assert sheet.money_note == "单位:元" and ("预算数", "300000") in sheet.fields and p.budget_wan == 30.0


def test_level_names_and_order_variants_change_the_expected_gold(gold):
    sheets, expected = build(gold[SMALL], VARIANTS["level-names"])
    first = expected.projects[0].indicators[0]
    assert (first.level1, first.level2) == ("产出值", "数量值")
    assert any(i.level2 == "成本指标(必填硬性指标)" for i in expected.projects[0].indicators)
    _, reordered = build(gold[SMALL], VARIANTS["reordered"])
    assert reordered.projects[0].indicators[0].level1 == "满意度指标"
    assert sorted(i.level3 for i in reordered.projects[0].indicators) == sorted(
        i.level3 for i in gold[SMALL].projects[0].indicators)


def test_long_annual_expects_both_values(gold):
    _, expected = build(gold[SMALL], VARIANTS["long-annual"])
    rows = expected.projects[1].indicators
    assert rows[0].value == "≥2 次" and rows[0].period_value == "≥6 次"  # a count: three times over the period
    assert all(i.period_value == i.value for i in rows if i.target.unit == "%")


def _run(tmp_path, *extra):
    report = tmp_path / "layouts.md"
    code = main(["eval", "--task", "layouts", "--variants", "tabs", "pipe", "--formats", "text", "docx",
                 "--quick", "--report", str(report), "--quiet", *extra])
    return code, report, report.with_suffix(".json")


def test_cli_task_writes_report_json_and_benchmarks_section(tmp_path):
    bench = tmp_path / "BENCHMARKS.md"
    bench.write_text("# Benchmarks\n\n## Draft latency\n\nkept\n", encoding="utf-8")
    code, report, js = _run(tmp_path, "--benchmarks", str(bench))
    assert code == 0
    md = report.read_text(encoding="utf-8")
    assert "| variant | text | docx | all formats |" in md and "| tabs |" in md and "| pipe | " in md
    data = json.loads(js.read_text(encoding="utf-8"))
    assert data["task"] == "layouts" and {c["variant"] + "." + c["format"] for c in data["cells"]} == {
        "tabs.text", "tabs.docx", "pipe.text"}
    assert {"tabs.text.row_f1", "pipe.text.field_accuracy", "row_f1", "docx.row_f1"} <= set(data["summary"])
    text = bench.read_text(encoding="utf-8")
    assert "## Draft latency\n\nkept" in text and "## Layout zoo" in text and "| tabs |" in text
    _run(tmp_path, "--benchmarks", str(bench))
    assert bench.read_text(encoding="utf-8").count("## Layout zoo") == 1
    kept = kept_section(bench)  # what bench/run.py carries over when it rewrites the file
    assert kept[0] == "## Layout zoo" and "| tabs |" in "\n".join(kept) and "kept" not in kept


def test_gate_passes_on_its_own_run_and_fails_on_a_drop(tmp_path, capsys):
    code, _, js = _run(tmp_path)
    assert code == 0
    data = json.loads(js.read_text(encoding="utf-8"))
    same = tmp_path / "same.json"
    same.write_text(json.dumps(data), encoding="utf-8")
    assert _run(tmp_path, "--baseline", str(same))[0] == 0
    metric = data["summary"]["tabs.text.row_f1"]
    metric["mean"] = metric["mean"] + 0.05  # the baseline was better than this run by more than the tolerance
    higher = tmp_path / "higher.json"
    higher.write_text(json.dumps(data), encoding="utf-8")
    assert _run(tmp_path, "--baseline", str(higher))[0] == 1
    assert "REGRESSION tabs.text.row_f1" in capsys.readouterr().err


def test_unknown_variant_is_a_one_line_error(tmp_path, capsys):
    code = main(["eval", "--task", "layouts", "--variants", "nope", "--report", str(tmp_path / "r.md")])
    assert code != 0 and "unknown variant" in capsys.readouterr().err


def test_inline_paths_print_levels_name_and_value_and_expect_no_other_field(gold, tmp_path):
    r = render(SMALL, gold[SMALL], "inline-path", "text", tmp_path)
    lines = r.path.read_text(encoding="utf-8").split("\n")
    for p in r.expected.projects:
        for i in p.indicators:
            assert (i.description, i.period_value, i.basis) == (None, None, None)
            assert squash(f"{i.level1}—{i.level2}—{i.level3}：{i.value}") in map(squash, lines)
    stem = "001_6fdd445ec51644fc"  # level2 runs of several rows
    h = render(stem, gold[stem], "inline-hyphen", "text", tmp_path)
    text = h.path.read_text(encoding="utf-8")
    runs = sum(1 for p in h.expected.projects for k, i in enumerate(p.indicators)
               if k == 0 or (p.indicators[k - 1].level1, p.indicators[k - 1].level2) != (i.level1, i.level2))
    path_lines = [ln for ln in text.split("\n") if re.match(r"^\S+指标-[^-：:]+-", ln)]
    assert len(path_lines) == runs < sum(len(p.indicators) for p in h.expected.projects)
    assert any("；" in ln for ln in path_lines)  # a run's later rows after `；`, their levels left out
