"""Bad input: every file gets a clear status, no traceback reaches the user, good files still come out."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from perfdraft.extraction.batch import BatchOptions, run_batch
from perfdraft.core.models import PerformanceDocument
from tests.hardening.badcorpus import CORPUS, INJECTION

ROOT = Path(__file__).resolve().parents[2]

# file -> (allowed statuses, allowed error kinds); kinds are the perfdraft.core.errors kinds
EXPECTED = {
    "empty.txt": ({"failed"}, {"empty"}),
    "random_bytes.pdf": ({"failed"}, {"corrupt"}),
    "truncated.pdf": ({"failed"}, {"corrupt"}),
    "encrypted.pdf": ({"failed"}, {"encrypted"}),
    "image_only.pdf": ({"failed"}, {"scanned"}),
    "malformed.docx": ({"failed"}, {"corrupt"}),
    "no_tables.txt": ({"partial"}, {"no-tables"}),
    "gbk_000.txt": ({"ok"}, {None}),
    "injection_000.txt": ({"ok"}, {None}),
    # a table without value columns: extracted with warnings, or flagged partial; never a crash
    "missing_columns.txt": ({"ok", "partial"}, {None, "partial", "no-tables"}),
}


@pytest.fixture(scope="module")
def batch(bad_files, tmp_path_factory):
    """One batch over the bad corpus mixed with the four good documents."""
    src = tmp_path_factory.mktemp("mixed")
    for p in bad_files.values():
        shutil.copy(p, src / p.name)
    for p in CORPUS.glob("*.txt"):
        shutil.copy(p, src / p.name)
    out = tmp_path_factory.mktemp("out")
    summary = run_batch([src], BatchOptions(out_dir=out, jobs=2, timeout_s=120))
    return summary, out


def _by_name(summary) -> dict:
    return {Path(o.source).name: o for o in summary.outcomes}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_bad_file_gets_a_clear_status(batch, name):
    outcome = _by_name(batch[0])[name]
    statuses, kinds = EXPECTED[name]
    assert outcome.status in statuses and outcome.kind in kinds, outcome
    if outcome.status == "failed":
        assert outcome.message and "Traceback" not in outcome.message
        assert outcome.kind not in ("internal", "crash", "timeout", "memory"), outcome


def test_every_good_file_in_the_same_batch_is_extracted(batch):
    summary, out = batch
    outcomes = _by_name(summary)
    for p in CORPUS.glob("*.txt"):
        o = outcomes[p.name]
        assert o.status == "ok", o
        assert PerformanceDocument.model_validate_json(Path(o.output).read_text(encoding="utf-8")).projects


def test_failures_jsonl_lists_each_bad_file_once(batch):
    summary, out = batch
    rows = [json.loads(x) for x in (out / "failures.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted(Path(r["file"]).name for r in rows) == sorted(
        o_name for o_name, o in _by_name(summary).items() if o.status in ("failed", "partial"))
    for r in rows:
        assert set(r) >= {"file", "kind", "message"} and r["message"]


def _table_rows(doc: PerformanceDocument) -> list:
    return [(p.name, [(i.level1, i.level2, i.level3, i.value, i.target) for i in p.indicators])
            for p in doc.projects]


def _doc(out_json: str) -> PerformanceDocument:
    return PerformanceDocument.model_validate_json(Path(out_json).read_text(encoding="utf-8"))


def test_gbk_text_extracts_like_its_utf8_original(batch):
    o = _by_name(batch[0])
    assert _table_rows(_doc(o["gbk_000.txt"].output)) == _table_rows(_doc(o["000_bcf204015f35a258.txt"].output))


def test_prompt_injection_text_does_not_change_the_indicators(batch):
    """Injected instructions are only text: same rows and targets; they never become a value."""
    o = _by_name(batch[0])
    injected = _doc(o["injection_000.txt"].output)
    clean = _doc(o["000_bcf204015f35a258.txt"].output)
    assert [rows for _, rows in _table_rows(injected)] == [rows for _, rows in _table_rows(clean)]
    values = json.dumps([[i.level3, i.value, i.target.model_dump()] for p in injected.projects for i in p.indicators],
                        ensure_ascii=False)
    assert INJECTION[:6] not in values and "IGNORE ALL" not in values


def _cli_with_peak_rss(args: list[str]) -> tuple[subprocess.CompletedProcess, float]:
    """Run the CLI in a child and return its result and the peak RSS (MB) of the child and its workers."""
    wrapper = ("import resource, subprocess, sys\n"
               "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
               "sys.stdout.write(p.stdout); sys.stderr.write(p.stderr)\n"
               "print('PEAK_RSS_KB', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
               "sys.exit(p.returncode)\n")
    proc = subprocess.run([sys.executable, "-c", wrapper, sys.executable, "-m", "perfdraft.cli", *args],
                          cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True, text=True,
                          timeout=600)
    peak_kb = int(proc.stdout.rsplit("PEAK_RSS_KB", 1)[1].split()[0])
    return proc, peak_kb / 1024


@pytest.mark.slow
def test_huge_and_bomb_files_keep_memory_bounded(big_files, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for p in big_files.values():
        os.link(p, src / p.name) if p.stat().st_dev == src.stat().st_dev else shutil.copy(p, src / p.name)
    shutil.copy(CORPUS / "000_bcf204015f35a258.txt", src / "good.txt")
    limit_mb = 1200
    proc, peak_mb = _cli_with_peak_rss(["extract", str(src), "--out", str(tmp_path / "out"), "--jobs", "2",
                                        "-q", "--max-memory", str(limit_mb), "--timeout", "120"])
    print(f"peak RSS of the batch's processes: {peak_mb:.0f} MB")
    assert "Traceback" not in proc.stdout + proc.stderr
    assert proc.returncode in (0, 1), proc.stderr
    # the memory watch polls every 0.25 s, so allow some growth past the limit before the kill lands
    assert peak_mb < limit_mb * 1.5, f"peak RSS {peak_mb:.0f} MB"
    rows = {Path(json.loads(x)["file"]).name: json.loads(x)
            for x in (tmp_path / "out" / "failures.jsonl").read_text(encoding="utf-8").splitlines()}
    bomb = rows.get("zipbomb.docx")
    assert bomb is not None and bomb["kind"] in ("too-large", "zip-bomb", "corrupt"), bomb
    # the huge file is either extracted or refused with a clear kind, never a crash of the batch
    huge = rows.get("huge.txt")
    assert huge is None or huge["kind"] in ("too-large", "timeout", "memory"), huge
    assert (tmp_path / "out" / "good.json").exists() and "good.txt" not in rows
