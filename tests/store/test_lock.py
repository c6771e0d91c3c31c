"""One writer at a time on a local store, across processes; documents keyed by path, not by bare file name."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from perfdraft.cli import main
from perfdraft.core.errors import StoreBusy
from perfdraft.core.settings import Settings
from perfdraft.ingest.embed import HashEmbedder
from perfdraft.ingest.store import Store
from perfdraft.ingest.store_lock import LOCK_NAME

from .conftest import GOLD, gold_docs

ROOT = Path(__file__).resolve().parents[2]
HOLD = ("import sys, time; from pathlib import Path; from perfdraft.ingest.store_lock import StoreLock\n"
        "with StoreLock(Path(sys.argv[1])).exclusive():\n"
        "    print('held', flush=True); time.sleep(float(sys.argv[2]))\n")


def hold_lock(folder: Path, seconds: float) -> subprocess.Popen:
    """Another process holding the store's write lock for `seconds`."""
    folder.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(folder), str(seconds)], cwd=ROOT, text=True,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)), stdout=subprocess.PIPE)
    assert proc.stdout.readline().strip() == "held"
    return proc


def settings_for(tmp_path: Path, timeout: float) -> Settings:
    return Settings(data_dir=tmp_path / "data", store_lock_timeout=timeout, _env_file=None)


def test_a_second_writer_gets_a_clear_error_naming_the_holder(tmp_path: Path):
    store = Store(settings_for(tmp_path, 0.3), embedder=HashEmbedder())
    holder = hold_lock(Path(store.location), 30)
    try:
        perf = gold_docs()[0]
        with pytest.raises(StoreBusy) as exc:
            store.add_document(perf, source=perf.source)
        assert f"pid {holder.pid}" in exc.value.message and exc.value.data["holder"] == holder.pid
    finally:
        holder.kill()
        holder.wait()
    assert store.add_document(perf, source=perf.source) > 0  # the kernel released the killed holder's lock
    assert store.count()[1] == sum(len(p.indicators) for p in perf.projects)


def test_a_writer_waits_for_a_short_holder_instead_of_failing(tmp_path: Path):
    store = Store(settings_for(tmp_path, 30), embedder=HashEmbedder())
    holder = hold_lock(Path(store.location), 1.0)
    start = time.monotonic()
    perf = gold_docs()[1]
    store.add_document(perf, source=perf.source)
    assert time.monotonic() - start >= 0.5  # it really waited for the holder
    holder.wait(10)


def test_reads_wait_for_a_writer_too(tmp_path: Path):
    store = Store(settings_for(tmp_path, 0.3), embedder=HashEmbedder())
    holder = hold_lock(Path(store.location), 30)
    try:
        with pytest.raises(StoreBusy):
            store.search_projects("会议费")
    finally:
        holder.kill()
        holder.wait()


def test_cli_ingest_into_a_locked_store_exits_2_with_one_line(tmp_path: Path, monkeypatch, capsys):
    store_dir = tmp_path / "store"
    holder = hold_lock(store_dir, 30)
    monkeypatch.setenv("PERFDRAFT_STORE_LOCK_TIMEOUT", "0.3")
    from perfdraft.core import settings as settings_mod
    settings_mod.get_settings.cache_clear()
    try:
        rc = main(["ingest", str(sorted(GOLD.glob("*.json"))[0]), "--store", str(store_dir), "-q"])
    finally:
        holder.kill()
        holder.wait()
        settings_mod.get_settings.cache_clear()
    err = capsys.readouterr().err
    assert rc == 2
    assert "locked by another process" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


OPEN = ("import sys, time; from pathlib import Path\n"
        "from perfdraft.ingest.store import Store; from perfdraft.core.settings import Settings\n"
        "t = float(sys.argv[2])\n"
        "time.sleep(max(0.0, t - time.time()))\n"
        "s = Store(Settings(_env_file=None), path=Path(sys.argv[1])); print(s.count())\n")


@pytest.mark.parametrize("trial", range(2))
def test_processes_opening_a_new_store_at_once_all_succeed(tmp_path: Path, trial: int):
    store_dir = tmp_path / "new" / "store"
    go = time.time() + 4  # every process is imported and spinning before the first one opens
    procs = [subprocess.Popen([sys.executable, "-c", OPEN, str(store_dir), str(go)], cwd=ROOT, text=True,
                              env=dict(os.environ, PYTHONPATH=str(ROOT)), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE) for _ in range(3)]
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [err[-500:] for _, err in results]
    assert all(out.strip() == "(0, 0)" for out, _ in results)


CORPUS = sorted((GOLD.parent / "corpus").glob("*.txt"))


def rows_of_clean_ingest(src: Path, tmp_path: Path, name: str) -> int:
    """Rows one file gives when ingested alone into a fresh store."""
    store_dir = tmp_path / "ref" / name
    assert main(["ingest", str(src), "--store", str(store_dir), "-q"]) == 0
    return Store(Settings(_env_file=None), path=store_dir).count()[1]


def test_same_named_files_in_different_folders_are_two_documents(tmp_path: Path, capsys):
    for folder, f in (("a", CORPUS[0]), ("b", CORPUS[1])):
        (tmp_path / "in" / folder).mkdir(parents=True)
        shutil.copy(f, tmp_path / "in" / folder / "预算.txt")
    expected = rows_of_clean_ingest(CORPUS[0], tmp_path, "0") + rows_of_clean_ingest(CORPUS[1], tmp_path, "1")
    capsys.readouterr()
    store_dir = tmp_path / "store"
    assert main(["ingest", str(tmp_path / "in"), "--store", str(store_dir), "-q"]) == 0
    first = capsys.readouterr().out
    store = Store(Settings(_env_file=None), path=store_dir)
    assert "2 stored" in first and store.count()[1] == expected
    assert [d.source for d in store.documents()] == ["预算.txt", "预算.txt"]  # citations still show the name
    assert main(["ingest", str(tmp_path / "in"), "--store", str(store_dir), "-q"]) == 0
    again = capsys.readouterr().out
    assert "0 stored" in again and "2 skipped" in again  # unchanged files are not ingested again
    assert store.count()[1] == expected


def test_an_edited_file_replaces_its_own_document_only(tmp_path: Path, capsys):
    for folder, f in (("a", CORPUS[0]), ("b", CORPUS[2])):
        (tmp_path / "in" / folder).mkdir(parents=True)
        shutil.copy(f, tmp_path / "in" / folder / "x.txt")
    store_dir = tmp_path / "store"
    assert main(["ingest", str(tmp_path / "in"), "--store", str(store_dir), "-q"]) == 0
    shutil.copy(CORPUS[1], tmp_path / "in" / "b" / "x.txt")  # b/x.txt edited: now another document
    assert main(["ingest", str(tmp_path / "in"), "--store", str(store_dir), "-q"]) == 0
    rows = sorted(d.rows for d in Store(Settings(_env_file=None), path=store_dir).documents())
    assert rows == sorted([rows_of_clean_ingest(CORPUS[0], tmp_path, "0"),
                           rows_of_clean_ingest(CORPUS[1], tmp_path, "1")])
    assert (store_dir / LOCK_NAME).exists()


def test_killed_writer_leaves_the_store_writable(tmp_path: Path):
    store_dir = tmp_path / "store"
    holder = hold_lock(store_dir, 60)
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    store = Store(Settings(data_dir=tmp_path, store_lock_timeout=0.2, _env_file=None), path=store_dir,
                  embedder=HashEmbedder())
    perf = gold_docs()[0]
    assert store.add_document(perf, source=perf.source) > 0
