"""Batch extraction: outputs, names, resumability, isolation of failures, exit status."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from perfdraft.extraction.batch import (BatchOptions, BatchUsageError, collect_inputs, output_names, run_batch)
from perfdraft.cli import main
from perfdraft.core.models import PerformanceDocument

FAKE = "tests.batch.fakes:extract_file"
PAGED = "tests.batch.fakes:extract_paged"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def opts(out: Path, **kw) -> BatchOptions:
    return BatchOptions(out_dir=out, extractor=FAKE, **kw)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "in"
    write(root / "a.txt", "项目甲\n指标一\n指标二")
    write(root / "sub" / "b.md", "项目乙\n指标三")
    write(root / "sub" / "deeper" / "a.txt", "项目丙\n指标四")  # same stem as root/a.txt
    write(root / "notes.pptx", "ignored")
    write(root / ".hidden" / "x.txt", "ignored")
    return root


def test_folders_are_walked_recursively_for_supported_types(tree: Path):
    found = {p.relative_to(tree).as_posix() for p in collect_inputs([tree])}
    assert found == {"a.txt", "sub/b.md", "sub/deeper/a.txt"}


def test_equal_stems_get_distinct_names_and_unique_stems_keep_theirs(tree: Path, tmp_path: Path):
    inputs = collect_inputs([tree])
    names = output_names(inputs)
    assert len(set(names.values())) == len(inputs)
    assert names[tree / "sub" / "b.md"] == "b.json"
    same_folder = [write(tmp_path / "c" / "x.txt", "p"), write(tmp_path / "c" / "x.md", "p")]
    assert len(set(output_names(same_folder).values())) == 2


def test_one_gold_shape_json_per_input(tree: Path, tmp_path: Path):
    out = tmp_path / "out"
    summary = run_batch([tree], opts(out))
    assert summary.exit_code == 0 and summary.count("ok") == 3
    for o in summary.outcomes:
        doc = PerformanceDocument.model_validate_json(Path(o.output).read_text(encoding="utf-8"))
        assert json.loads(Path(o.output).read_text(encoding="utf-8"))["schema"] == "perf-targets-gold/1"
        assert doc.projects[0].indicators
    names = {Path(o.output).parent for o in summary.outcomes}
    assert names == {out}
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temp files left


def test_second_run_skips_finished_files_and_force_redoes_them(tree: Path, tmp_path: Path):
    out = tmp_path / "out"
    run_batch([tree], opts(out))
    again = run_batch([tree], opts(out))
    assert again.count("skipped") == 3
    write(tree / "sub" / "b.md", "项目乙\n指标三\n指标五")  # changed content -> redone
    changed = run_batch([tree], opts(out))
    assert [Path(o.source).name for o in changed.outcomes if o.status == "ok"] == ["b.md"]
    assert run_batch([tree], opts(out, force=True)).count("ok") == 3


def test_a_damaged_output_is_redone(tree: Path, tmp_path: Path):
    out = tmp_path / "out"
    first = run_batch([tree], opts(out))
    target = Path(first.outcomes[0].output)
    target.write_text('{"schema": "perf-tar', encoding="utf-8")  # e.g. edited or truncated by hand
    second = run_batch([tree], opts(out))
    assert second.outcomes[0].status == "ok"
    PerformanceDocument.model_validate_json(target.read_text(encoding="utf-8"))


def test_failures_are_isolated_logged_and_set_the_exit_status(tmp_path: Path):
    root = tmp_path / "in"
    write(root / "good1.txt", "项目\n指标")
    write(root / "crash.txt", "CRASH")
    write(root / "hang.txt", "HANG")
    write(root / "raise.txt", "RAISE")
    write(root / "fail.txt", "FAIL")
    write(root / "none.txt", "NOTABLES")
    write(root / "good2.txt", "项目\n指标")
    out = tmp_path / "out"
    # generous: a replacement worker re-imports everything, which is slow on a loaded 2-core machine
    summary = run_batch([root], opts(out, jobs=2, timeout_s=15))
    status = {Path(o.source).name: (o.status, o.kind) for o in summary.outcomes}
    assert status["good1.txt"] == ("ok", None) and status["good2.txt"] == ("ok", None)
    assert status["crash.txt"] == ("failed", "crash")
    assert status["hang.txt"] == ("failed", "timeout")
    assert status["raise.txt"][0] == "failed" and status["fail.txt"] == ("failed", "corrupt")
    assert status["none.txt"] == ("partial", "no-tables")
    assert summary.exit_code == 1
    messages = {Path(o.source).name: o.message for o in summary.outcomes}
    assert "hint:" in messages["crash.txt"] and "hint:" in messages["hang.txt"]  # crash-class: what to do next
    assert "hint:" not in messages["fail.txt"]  # a corrupt file's own message says it all
    logged = [json.loads(line) for line in (out / "failures.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {Path(r["file"]).name for r in logged} == {"crash.txt", "hang.txt", "raise.txt", "fail.txt", "none.txt"}
    assert all(r["kind"] and r["message"] for r in logged)
    assert "Traceback" not in json.dumps(logged)
    assert (out / "good1.json").exists() and not (out / "crash.json").exists()


def test_failures_log_has_one_line_per_file_after_reruns(tmp_path: Path):
    root = tmp_path / "in"
    write(root / "bad.txt", "FAIL")
    write(root / "good.txt", "项目\n指标")
    out = tmp_path / "out"
    for _ in range(3):
        run_batch([root], opts(out))
    lines = (out / "failures.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 and "bad.txt" in lines[0]
    write(root / "bad.txt", "修好了\n指标")
    run_batch([root], opts(out))
    assert (out / "failures.jsonl").read_text(encoding="utf-8") == ""


def test_memory_hog_is_stopped_and_reported(tmp_path: Path):
    write(tmp_path / "in" / "hog.txt", "BLOAT")
    write(tmp_path / "in" / "ok.txt", "项目\n指标")
    summary = run_batch([tmp_path / "in"], opts(tmp_path / "out", max_memory_mb=400, timeout_s=60))
    status = {Path(o.source).name: (o.status, o.kind) for o in summary.outcomes}
    assert status == {"hog.txt": ("failed", "memory"), "ok.txt": ("ok", None)}


def test_parallel_and_serial_runs_write_the_same_files(tree: Path, tmp_path: Path):
    run_batch([tree], opts(tmp_path / "serial", jobs=1))
    run_batch([tree], opts(tmp_path / "parallel", jobs=2))
    run_batch([tree], opts(tmp_path / "inproc", isolate=False))
    def outputs(d: Path) -> dict[str, str]:
        return {p.name: p.read_text(encoding="utf-8") for p in d.glob("*.json")}
    assert outputs(tmp_path / "serial") == outputs(tmp_path / "parallel") == outputs(tmp_path / "inproc")
    assert len(outputs(tmp_path / "serial")) == 3


def test_missing_path_is_a_usage_error(tmp_path: Path):
    with pytest.raises(BatchUsageError):
        run_batch([tmp_path / "nope"], opts(tmp_path / "out"))


@pytest.mark.parametrize("content, code", [("项目\n指标", 0), ("FAIL", 1)])
def test_cli_exit_status(tmp_path: Path, content: str, code: int, capsys):
    write(tmp_path / "in" / "x.txt", content)
    rc = main(["extract", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "-q", "--extractor", FAKE])
    captured = capsys.readouterr()
    assert rc == code
    assert "Traceback" not in captured.out + captured.err
    if code:
        assert "x.txt" in captured.out and "failures.jsonl" in captured.out


def test_cli_usage_errors_exit_2(tmp_path: Path, capsys):
    assert main(["extract", str(tmp_path / "missing"), "--out", str(tmp_path / "out")]) == 2
    (tmp_path / "empty").mkdir()
    assert main(["extract", str(tmp_path / "empty"), "--out", str(tmp_path / "out")]) == 2
    assert main(["extract", str(tmp_path / "empty"), "--out", str(tmp_path / "o"), "--jobs", "0"]) == 2
    with pytest.raises(SystemExit) as exc:
        main(["extract", str(tmp_path)])  # --out missing
    assert exc.value.code == 2
    assert "Traceback" not in capsys.readouterr().err


def _pids(out: Path) -> set[str]:
    """The processes that extracted the files (the fake names each project after its process)."""
    return {json.loads(p.read_text(encoding="utf-8"))["projects"][0]["name"] for p in out.glob("*.json")}


def test_in_process_runs_keep_the_timeout_the_logs_and_the_exit_status(tmp_path: Path):
    import signal
    root = tmp_path / "in"
    write(root / "good.txt", "项目\n指标")
    write(root / "hang.txt", "HANG")
    write(root / "fail.txt", "FAIL")
    out = tmp_path / "out"
    before = signal.getsignal(signal.SIGALRM)
    summary = run_batch([root], opts(out, isolate=False, timeout_s=1))
    status = {Path(o.source).name: (o.status, o.kind) for o in summary.outcomes}
    assert status == {"good.txt": ("ok", None), "hang.txt": ("failed", "timeout"), "fail.txt": ("failed", "corrupt")}
    assert summary.exit_code == 1 and signal.getsignal(signal.SIGALRM) is before
    hang = next(o for o in summary.outcomes if o.kind == "timeout")
    assert "gave up after 1 s" in hang.message and "hint:" in hang.message and hang.seconds < 10
    logged = {Path(json.loads(line)["file"]).name for line in (out / "failures.jsonl").read_text().splitlines()}
    assert logged == {"hang.txt", "fail.txt"}
    assert run_batch([root], opts(out, isolate=False, timeout_s=1)).count("skipped") == 1  # resumes
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_auto_isolation_uses_workers_only_when_more_than_one_would_run(tmp_path: Path):
    import os
    here = {f"pid {os.getpid()}"}
    write(tmp_path / "one" / "a.txt", "PID\n指标")
    write(tmp_path / "two" / "a.txt", "PID\n指标")
    write(tmp_path / "two" / "b.txt", "PID\n指标")
    run_batch([tmp_path / "one"], opts(tmp_path / "o1", jobs=2, isolate="auto"))
    run_batch([tmp_path / "two"], opts(tmp_path / "o2", jobs=1, isolate="auto"))
    run_batch([tmp_path / "two"], opts(tmp_path / "o3", jobs=2, isolate="auto"))
    assert _pids(tmp_path / "o1") == _pids(tmp_path / "o2") == here
    assert len(_pids(tmp_path / "o3")) == 2 and not _pids(tmp_path / "o3") & here


@pytest.mark.parametrize("extra, here", [([], True), (["--jobs", "2"], True), (["--max-memory", "1024"], False),
                                         (["--backend", "hybrid"], False)])
def test_cli_extracts_one_file_in_process_unless_a_memory_limit_or_an_llm_is_asked_for(tmp_path: Path, extra, here):
    import os
    src = write(tmp_path / "in" / "x.txt", "PID\n指标")
    rc = main(["extract", str(src), "--out", str(tmp_path / "out"), "-q", "--extractor", FAKE, *extra])
    assert rc == 0
    assert (_pids(tmp_path / "out") == {f"pid {os.getpid()}"}) is here


def test_cli_in_process_timeout_fails_the_file_with_exit_status_1(tmp_path: Path, capsys):
    src = write(tmp_path / "in" / "hang.txt", "HANG")
    rc = main(["extract", str(src), "--out", str(tmp_path / "out"), "-q", "--extractor", FAKE, "--timeout", "1"])
    out = capsys.readouterr().out
    assert rc == 1 and "[timeout] gave up after 1 s" in out and "failures.jsonl" in out


@pytest.mark.parametrize("isolate", [True, False])
def test_pages_of_a_file_are_reported_across_the_worker_boundary(tmp_path: Path, isolate: bool):
    src = write(tmp_path / "in" / "scan.txt", "PAGES 3\n指标")
    write(tmp_path / "in" / "plain.txt", "项目\n指标")
    events: list[tuple] = []
    summary = run_batch([tmp_path / "in"], BatchOptions(out_dir=tmp_path / "out", extractor=PAGED, isolate=isolate),
                        on_page=lambda f, k, n: events.append(("page", f, k, n)),
                        on_outcome=lambda o: events.append(("file", o.source)))
    assert summary.all_ok
    scan = str(src)
    # pages come in order, before the outcome of their own file; the file without pages reports none
    assert [e for e in events if e[0] == "page"] == [("page", scan, k, 3) for k in (1, 2, 3)]
    assert events.index(("page", scan, 3, 3)) < events.index(("file", scan))


@pytest.mark.parametrize("isolate, limit", [pytest.param(True, 20, marks=pytest.mark.slow), (False, 3)])
def test_a_scan_gets_time_for_each_page_it_ocrs(tmp_path: Path, isolate: bool, limit: int):
    """The per-file limit grows with the pages a file reports: a 3-page file outlasts the per-file limit; a
    one-page file that takes longer than its grown limit still fails, and its message says how it was made.
    (A worker's start-up counts against its file: the pool's case has a limit well above it.)"""
    write(tmp_path / "in" / "long.txt", f"PAGES 3 {limit + 1}\n指标")
    write(tmp_path / "in" / "stuck.txt", "PAGES 1 90\n指标")
    summary = run_batch([tmp_path / "in"], BatchOptions(out_dir=tmp_path / "out", extractor=PAGED, isolate=isolate,
                                                        timeout_s=limit, ocr_page_s=5))
    status = {Path(o.source).name: o for o in summary.outcomes}
    assert status["long.txt"].status == "ok"
    stuck = status["stuck.txt"]
    assert (stuck.status, stuck.kind) == ("failed", "timeout")
    assert f"gave up after {limit + 5} s ({limit} s + 1 OCR page(s) x 5 s)" in stuck.message
    assert stuck.seconds < 60


def test_cli_shows_the_page_of_a_scanned_file(tmp_path: Path, capsys):
    write(tmp_path / "in" / "scan.txt", "PAGES 2\n指标")
    rc = main(["extract", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--extractor", PAGED])
    err = capsys.readouterr().err
    assert rc == 0
    assert "scan.txt page 1/2" in err and "scan.txt page 2/2" in err, err
