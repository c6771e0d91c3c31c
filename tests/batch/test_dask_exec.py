"""`--executor dask`: the batch on a Dask cluster the test starts on 127.0.0.1, against the process pool."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from perfdraft.cli import main
from perfdraft.extraction import dask_exec
from perfdraft.extraction.batch import BatchOptions, run_batch
from tests.conftest import CORPUS, ROOT

FAKE = "tests.batch.fakes:extract_file"
DASK = Path(sys.executable).with_name("dask")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(proc: subprocess.Popen) -> None:
    """End a process group this test started."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """`dask scheduler` + `dask worker` (2 processes, 1 thread each) on 127.0.0.1, as README deploys them."""
    from distributed import Client

    port = free_port()
    address = f"127.0.0.1:{port}"
    logs = tmp_path_factory.mktemp("dask-logs")
    env = dict(os.environ, PYTHONPATH=str(ROOT), DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES="0")
    procs = []
    try:
        local = ["--host", "127.0.0.1", "--dashboard-address", "127.0.0.1:0"]  # every port on loopback
        for name, args in (("scheduler", ["--port", str(port)]),
                           ("worker", [f"tcp://{address}", "--nworkers", "2", "--nthreads", "1"])):
            procs.append(subprocess.Popen([str(DASK), name, *args, *local], env=env, cwd=ROOT,
                                          start_new_session=True, stdout=subprocess.DEVNULL,
                                          stderr=(logs / f"{name}.log").open("w")))
        deadline = time.monotonic() + 120
        while True:
            try:
                with Client(f"tcp://{address}", timeout=10) as client:
                    client.wait_for_workers(2, timeout=max(1, deadline - time.monotonic()))
                break
            except (OSError, TimeoutError):
                if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                    pytest.fail("the test's Dask cluster did not start:\n"
                                + (logs / "scheduler.log").read_text() + (logs / "worker.log").read_text())
                time.sleep(1)
        yield address
    finally:
        for p in reversed(procs):
            stop(p)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def outputs(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.glob("*.json"))}


def test_corpus_on_a_cluster_is_byte_identical_to_the_process_pool_and_resumes(cluster, tmp_path: Path):
    pool = run_batch([CORPUS], BatchOptions(out_dir=tmp_path / "pool", jobs=2))
    dask = run_batch([CORPUS], BatchOptions(out_dir=tmp_path / "dask", executor="dask", address=cluster))
    assert pool.count("ok") == dask.count("ok") == len(list(CORPUS.iterdir()))
    assert outputs(tmp_path / "dask") == outputs(tmp_path / "pool")
    assert [o.source for o in dask.outcomes] == [o.source for o in pool.outcomes]
    assert not [p for p in (tmp_path / "dask").iterdir() if p.name.startswith(".")]  # no temp files left
    again = run_batch([CORPUS], BatchOptions(out_dir=tmp_path / "dask", executor="dask", address=cluster))
    assert again.count("skipped") == len(again.outcomes)


@pytest.mark.slow
def test_timeout_memory_and_crash_fail_only_their_own_files(cluster, tmp_path: Path):
    src = tmp_path / "in"
    files = {"a.txt": "项目甲\n指标一", "b.txt": "项目乙\n指标二", "hang.txt": "HANG", "crash.txt": "CRASH",
             "bloat.txt": "BLOAT", "raise.txt": "RAISE", "zz.txt": "项目丙\n指标三"}  # zz runs after the failures
    for name, text in files.items():
        write(src / name, text)
    out = tmp_path / "out"
    summary = run_batch([src], BatchOptions(out_dir=out, executor="dask", address=cluster, extractor=FAKE,
                                            timeout_s=3, max_memory_mb=300))
    kinds = {Path(o.source).name: o.kind for o in summary.failed}
    assert kinds == {"hang.txt": "timeout", "crash.txt": "crash", "bloat.txt": "memory", "raise.txt": "internal"}
    assert sorted(outputs(out)) == ["a.json", "b.json", "zz.json"]
    listed = [json.loads(line) for line in (out / "failures.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {Path(r["file"]).name: r["kind"] for r in listed} == kinds
    assert summary.exit_code == 1


@pytest.mark.slow
def test_a_scan_gets_time_for_each_page_it_ocrs_on_the_cluster(cluster, tmp_path: Path):
    """The unit's watch and the driver's deadline both grow with the pages a file reports."""
    write(tmp_path / "in" / "long.txt", "PAGES 3 4\n指标")
    write(tmp_path / "in" / "stuck.txt", "PAGES 1 60\n指标")
    summary = run_batch([tmp_path / "in"], BatchOptions(out_dir=tmp_path / "out", executor="dask", address=cluster,
                                                        extractor="tests.batch.fakes:extract_paged", timeout_s=2,
                                                        ocr_page_s=3))
    status = {Path(o.source).name: o for o in summary.outcomes}
    assert status["long.txt"].status == "ok"
    assert status["stuck.txt"].kind == "timeout"
    assert status["stuck.txt"].message.startswith("gave up after 5 s (2 s + 1 OCR page(s) x 3 s)")


@pytest.mark.slow
def test_without_an_address_the_cli_starts_a_local_cluster(tmp_path: Path, capsys):
    write(tmp_path / "in" / "a.txt", "项目甲\n指标一")
    write(tmp_path / "in" / "b.txt", "项目乙\n指标二")
    rc = main(["extract", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "-q", "--executor", "dask",
               "--jobs", "2", "--extractor", FAKE])
    assert rc == 0
    assert sorted(outputs(tmp_path / "out")) == ["a.json", "b.json"]
    assert "2 extracted" in capsys.readouterr().out


def test_an_unreachable_scheduler_is_one_line_and_exit_2(tmp_path: Path, capsys, monkeypatch):
    monkeypatch.setattr(dask_exec, "CONNECT_TIMEOUT_S", 2.0)
    write(tmp_path / "in" / "a.txt", "项目甲\n指标一")
    rc = main(["extract", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "-q", "--executor", "dask",
               "--address", f"127.0.0.1:{free_port()}", "--extractor", FAKE])
    err = capsys.readouterr().err
    assert rc == 2
    assert "cannot use the Dask cluster at 127.0.0.1:" in err and len(err.strip().splitlines()) == 1


def test_executors_are_checked_by_name_and_address_needs_an_engine(tmp_path: Path, capsys):
    with pytest.raises(ValueError, match="unknown executor 'nope'"):
        BatchOptions(out_dir=tmp_path, executor="nope")
    write(tmp_path / "in" / "a.txt", "项目甲\n指标一")
    rc = main(["extract", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "-q", "--address", "127.0.0.1:1"])
    assert rc == 2 and "--address needs --executor dask" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
