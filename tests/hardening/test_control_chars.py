"""Control characters in documents are stripped at load time (with a warning) and never reach store, exports or terminal."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from perfdraft.cli import main
from perfdraft.core.settings import Settings
from perfdraft.extraction.api import extract_file
from perfdraft.ingest.embed import HashEmbedder
from perfdraft.ingest.sanitize import clean_text, terminal_safe
from perfdraft.ingest.store import Store

ROOT = Path(__file__).resolve().parents[2]
CLEAN = ROOT / "eval" / "fixtures" / "corpus" / "003_c5a160bc6509b21b.txt"
GOLD_003 = ROOT / "eval" / "fixtures" / "gold" / "003_c5a160bc6509b21b.json"
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# what a hostile or broken source puts into a document: colour codes, a terminal title, NUL, BEL, backspace
INJECTIONS = {"\t印刷费\n": "\t\x1b[31m印刷\x00费\x1b[0m\n",
              "月均印刷费支出": "月均印刷\x1b]0;pwned\x07费\x08支出",
              "项目名称": "项目\x07名称"}


def dirty_copy(folder: Path) -> Path:
    text = CLEAN.read_text(encoding="utf-8")
    for old, new in INJECTIONS.items():
        assert old in text
        text = text.replace(old, new)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "dirty.txt"
    path.write_text(text, encoding="utf-8")
    return path


def strings(obj) -> list[str]:
    if isinstance(obj, str):
        return [obj]
    if isinstance(obj, dict):
        return [s for v in obj.values() for s in strings(v)]
    if isinstance(obj, list):
        return [s for v in obj for s in strings(v)]
    return []


def test_clean_text_removes_whole_escape_sequences_and_keeps_text():
    removed: Counter = Counter()
    assert clean_text("\x1b[1;31m满意度\x1b[0m\t≥90%\n\x00", removed) == "满意度\t≥90%\n"
    assert removed == Counter({"ANSI escape": 2, "NUL": 1})
    assert clean_text("页\x0c码\x7f\u0085") == "页码"
    assert clean_text("普通文本 100%") == "普通文本 100%"


def test_terminal_safe_shows_controls_and_raw_file_name_bytes_escaped():
    assert terminal_safe("a\x1b[2Jb") == "a\\x1b[2Jb"
    gbk_name = "绩效.txt".encode("gbk").decode("utf-8", "surrogateescape")  # b"\xbc\xa8\xd0\xa7.txt"
    shown = terminal_safe(gbk_name)
    assert shown.startswith("\\xbc\\xa8") and shown.endswith(".txt")
    shown.encode("utf-8")  # printable on any UTF-8 terminal (the raw name would raise UnicodeEncodeError)


def test_extraction_of_a_dirty_document_equals_the_clean_one_plus_a_warning(tmp_path: Path):
    clean = extract_file(CLEAN)
    dirty = extract_file(dirty_copy(tmp_path))
    assert dirty.status == clean.status == "success"
    assert any("control character" in w and "ESC" not in w and "ANSI escape" in w for w in dirty.warnings)
    assert not any("control character" in w for w in clean.warnings)
    data = json.loads(dirty.document.to_json())
    assert not [s for s in strings(data) if CONTROL.search(s)]
    gold_names = [p["name"] for p in json.loads(GOLD_003.read_text(encoding="utf-8"))["projects"]]
    assert [p.name for p in dirty.document.projects] == gold_names  # 印刷费 is itself again, no residue
    rows = lambda r: [(i.level3, i.value) for p in r.document.projects for i in p.indicators]  # noqa: E731
    assert rows(dirty) == rows(clean)


def test_control_characters_in_a_json_table_are_stripped_on_ingest(tmp_path: Path, capsys):
    data = json.loads(GOLD_003.read_text(encoding="utf-8"))
    data["projects"][0]["name"] = "\x1b[5m" + data["projects"][0]["name"] + "\x00"
    src = tmp_path / "in" / "t.json"
    src.parent.mkdir()
    src.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert main(["ingest", str(src), "--store", str(tmp_path / "store"), "-q"]) == 0
    capsys.readouterr()
    store = Store(Settings(_env_file=None), path=tmp_path / "store")
    names = [p.project.name for p in store.projects()]
    assert json.loads(GOLD_003.read_text(encoding="utf-8"))["projects"][0]["name"] in names
    assert not [n for n in names if CONTROL.search(n)]


@pytest.mark.parametrize("suffix", [".xlsx", ".docx"])
def test_dirty_document_through_extract_store_draft_exports_cleanly(tmp_path: Path, suffix: str, capsys):
    store_dir = tmp_path / "store"
    assert main(["ingest", str(dirty_copy(tmp_path / "in")), "--store", str(store_dir), "-q"]) == 0
    out = tmp_path / f"d{suffix}"
    rc = main(["draft", "--name", "印刷费", "--budget", "12", "--year", "2026", "--department", "唐山市医疗保障局",
               "--store", str(store_dir), "--out", str(out)])
    assert rc in (0, 1) and out.stat().st_size > 0  # 1 = lint errors, a legitimate draft outcome
    assert "Traceback" not in capsys.readouterr().err
    if suffix == ".xlsx":
        from openpyxl import load_workbook
        wb = load_workbook(out)
        cells = [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value]
    else:
        from docx import Document
        doc = Document(str(out))
        cells = [c.text for t in doc.tables for row in t.rows for c in row.cells] + [p.text for p in doc.paragraphs]
    assert any("印刷费" in c for c in cells)  # the cited past project arrived intact
    assert not [c for c in cells if CONTROL.search(c)]


def test_search_never_sends_escape_sequences_to_the_terminal(tmp_path: Path, capsys):
    """Even a store written before sanitising (or by another tool) prints escaped text."""
    from perfdraft.ingest.store import load_performance_json
    perf = load_performance_json(GOLD_003)
    perf.projects[10].name = "\x1b]0;owned\x07\x1b[2J" + perf.projects[10].name
    perf.projects[10].indicators[0].level3 = "\x1b[31m" + perf.projects[10].indicators[0].level3
    store = Store(Settings(_env_file=None), path=tmp_path / "store", embedder=HashEmbedder())
    store.add_document(perf, source="old\x1b[1m.json")
    for extra in ([], ["--rows"]):
        assert main(["search", "印刷费", "--k", "20", "--store", str(tmp_path / "store"), *extra]) == 0
        shown = capsys.readouterr().out
        assert "\x1b" not in shown and "\x07" not in shown
        assert "\\x1b" in shown  # shown escaped, not silently hidden
