"""`perfdraft lint` and `perfdraft draft` at the edge: exit codes, shapes, no tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from perfdraft.cli import main
from perfdraft.core.models import DraftResult, PerformanceDocument, Project
from tests.conftest import GOLD

GOOD = {
    "name": "印刷费", "budget_wan": 12, "goals": ["保障印刷业务"],
    "indicators": [
        {"level1": "产出指标", "level2": "数量指标", "level3": "印刷数量", "value": "≥1000份", "basis": "计划标准",
         "description": "印刷数量", "target": {"kind": "number", "op": "≥", "num": 1000, "unit": "份"}},
        {"level1": "效益指标", "level2": "社会效益指标", "level3": "政策知晓率", "value": "≥90%", "basis": "计划标准",
         "description": "知晓率", "target": {"kind": "number", "op": "≥", "num": 90, "unit": "%"}},
    ],
}


def write(tmp_path: Path, name: str, data) -> Path:
    p = tmp_path / name
    p.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return p


def test_lint_exit_codes(tmp_path, capsys):
    assert main(["lint", str(write(tmp_path, "ok.json", GOOD))]) == 0
    bad = json.loads(json.dumps(GOOD))
    bad["indicators"][1]["level3"] = "印刷数量"  # duplicate name: an error
    assert main(["lint", str(write(tmp_path, "bad.json", bad))]) == 1
    out = capsys.readouterr().out
    assert "L12-duplicate" in out and "重复" in out


def test_lint_reads_documents_and_drafts(tmp_path, capsys):
    gold = sorted(GOLD.glob("*.json"))[1]
    doc = PerformanceDocument.model_validate_json(gold.read_text(encoding="utf-8"))
    assert main(["lint", str(gold)]) == 1  # real published tables trip errors (e.g. 满意度 written as >90%)
    assert doc.projects[0].name in capsys.readouterr().out
    from perfdraft.drafting.drafter import draft
    from perfdraft.drafting.memory_store import MemoryStore
    from perfdraft.core.models import ProjectBrief
    result = draft(ProjectBrief(name="宣传费", budget_wan=8, year=2026), MemoryStore.from_dir(GOLD))
    path = tmp_path / "d.json"
    path.write_text(result.model_dump_json(), encoding="utf-8")
    assert main(["lint", str(path), "--json"]) == 0


@pytest.mark.parametrize("content", ["not json", "[1, 2]", '{"foo": 1}', '{"name": "x", "indicators": [{"level1": 1}]}'])
def test_lint_bad_files_give_a_one_line_error(tmp_path, capsys, content):
    p = tmp_path / "x.json"
    p.write_text(content, encoding="utf-8")
    assert main(["lint", str(p)]) == 2
    err = capsys.readouterr().err
    assert "x.json" in err and "Traceback" not in err


def test_draft_command_with_a_chroma_store(tmp_path, capsys, monkeypatch):
    pytest.importorskip("chromadb")
    monkeypatch.setenv("PERFDRAFT_DATA_DIR", str(tmp_path / "data"))
    from perfdraft.ingest.store import Store
    store = Store(path=tmp_path / "store")
    for f in sorted(GOLD.glob("*.json")):
        doc = PerformanceDocument.model_validate_json(f.read_text(encoding="utf-8"))
        store.add_document(doc, source=doc.source)
    out = tmp_path / "d.json"
    rc = main(["draft", "--name", "印刷费", "--budget", "12", "--year", "2026", "--department", "唐山市医疗保障局",
               "--store", str(tmp_path / "store"), "--out", str(out)])
    assert rc == 0, capsys.readouterr().err
    result = DraftResult.model_validate_json(out.read_text(encoding="utf-8"))
    assert result.project.backend == "rules" and result.project.indicators
    assert all(r.sources for r in result.project.indicators)
    assert any("印刷" in r.level3 for r in result.project.indicators)
    assert main(["lint", str(out)]) == 0


def test_draft_rejects_bad_briefs(tmp_path, capsys):
    assert main(["draft", "--name", "x", "--budget", "-1", "--year", "2026", "--store", str(tmp_path)]) == 2
    assert "budget_wan" in capsys.readouterr().err
    assert main(["draft", "--name", "x", "--budget", "1", "--year", "2026", "--out", "d.pdf"]) == 2


def test_draft_from_last_years_document_alone(tmp_path, capsys, monkeypatch):
    pytest.importorskip("chromadb")
    from tests.conftest import CORPUS
    monkeypatch.setenv("PERFDRAFT_DATA_DIR", str(tmp_path / "data"))
    src = CORPUS / "000_bcf204015f35a258.txt"
    out = tmp_path / "d.json"
    rc = main(["draft", "--name", "医保专项业务费", "--budget", "28", "--year", "2026", "--last-year", str(src),
               "--store", str(tmp_path / "empty"), "--k", "0", "--out", str(out)])
    assert rc == 0, capsys.readouterr().err
    result = DraftResult.model_validate_json(out.read_text(encoding="utf-8"))
    cited = [r for r in result.project.indicators if r.sources]
    assert len(cited) >= 4
    assert all(c.document.endswith("000_bcf204015f35a258.txt") for r in cited for c in r.sources)
    deadline = next(r for r in result.project.indicators if r.target.kind == "date")
    assert int(deadline.target.num) // 10000 == 2026 and "2026" in deadline.value
