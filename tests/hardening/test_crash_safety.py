"""A batch killed with SIGKILL part-way and run again ends with exactly the outputs of an uninterrupted run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FAKE = "tests.batch.fakes:extract_file"


def corpus(folder: Path, n: int = 40) -> Path:
    for i in range(n):
        sub = folder / f"part{i % 3}"
        sub.mkdir(parents=True, exist_ok=True)
        body = "\n".join(f"指标{i}-{k} ≥{k}0%" for k in range(1 + i % 5))
        (sub / f"doc{i:03d}.txt").write_text(f"项目{i}\n{body}", encoding="utf-8")
    (folder / "part0" / "broken.txt").write_text("FAIL", encoding="utf-8")
    (folder / "part1" / "doc000.txt").write_text("同名\n指标", encoding="utf-8")  # equal stem, other folder
    return folder


def cli(src: Path, out: Path, sleep: float = 0.0, jobs: int = 2, new_session: bool = False) -> subprocess.Popen:
    """The real command line in a child process; the fake extractor sleeps `sleep` s per file."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), PERFDRAFT_TEST_FAKE_SLEEP=str(sleep))
    return subprocess.Popen([sys.executable, "-m", "perfdraft.cli", "extract", str(src), "--out", str(out),
                             "--jobs", str(jobs), "-q", "--extractor", FAKE], start_new_session=new_session,
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def snapshot(out: Path) -> dict[str, str]:
    """Everything a user sees in the output folder (the JSONs and both logs)."""
    files = {p.name: p.read_text(encoding="utf-8") for p in out.iterdir() if p.is_file()}
    manifest = [json.loads(x) for x in files.pop("manifest.jsonl").splitlines()]
    files["manifest.jsonl"] = json.dumps(sorted((m["source"], m["output_sha256"]) for m in manifest))
    return files


@pytest.mark.slow
@pytest.mark.parametrize("kill_group", [False, True], ids=["kill-parent", "kill-process-group"])
def test_sigkill_then_rerun_equals_an_uninterrupted_run(tmp_path: Path, kill_group: bool):
    src = corpus(tmp_path / "src")
    reference = cli(src, tmp_path / "ref")
    out_ref, err_ref = reference.communicate(timeout=120)
    assert reference.returncode == 1, err_ref  # broken.txt fails; everything else succeeds

    out = tmp_path / "out"
    victim = cli(src, out, sleep=0.15, new_session=kill_group)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(out.glob("*.json"))) < 8:
        time.sleep(0.05)
    if kill_group:
        os.killpg(victim.pid, signal.SIGKILL)
    else:
        victim.send_signal(signal.SIGKILL)
    victim.communicate(timeout=30)
    time.sleep(0.5)  # let the kernel reap orphaned workers (they die with their parent)
    written = list(out.glob("*.json"))
    assert 8 <= len(written) < len(list(src.rglob("*.txt")))  # really killed part-way
    for p in written:  # every JSON visible after the kill is complete
        json.loads(p.read_text(encoding="utf-8"))

    rerun = cli(src, out)
    stdout, stderr = rerun.communicate(timeout=120)
    assert rerun.returncode == 1, stderr
    assert "unchanged (skipped)" in stdout and " 0 unchanged" not in stdout  # the finished part was kept
    assert snapshot(out) == snapshot(tmp_path / "ref") or _diff(out, tmp_path / "ref")
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def _diff(a: Path, b: Path) -> bool:
    sa, sb = snapshot(a), snapshot(b)
    raise AssertionError({k: (sa.get(k, "<missing>")[:200], sb.get(k, "<missing>")[:200])
                          for k in set(sa) | set(sb) if sa.get(k) != sb.get(k)})


def _ingest(src: Path, store_dir: Path, quiet: bool) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT), PERFDRAFT_DATA_DIR=str(store_dir.parent))
    return subprocess.Popen([sys.executable, "-m", "perfdraft.cli", "ingest", str(src), "--store", str(store_dir),
                             *(["-q"] if quiet else [])], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _store_state(store_dir: Path) -> tuple:
    from perfdraft.ingest.store import Store
    from perfdraft.core.settings import Settings
    st = Store(Settings(data_dir=store_dir.parent, _env_file=None), path=store_dir)
    stats = st.stats()
    return st.count(), stats.documents, sorted(p.id for p in st.projects())


@pytest.mark.slow
def test_ingest_killed_and_rerun_stores_no_duplicates(tmp_path: Path):
    """perfdraft ingest killed part-way, run again: the store holds exactly what one clean run stores."""
    src = tmp_path / "src"
    src.mkdir()
    base = (ROOT / "eval" / "fixtures" / "corpus" / "000_bcf204015f35a258.txt").read_text(encoding="utf-8")
    n = 80  # several of ingest's write batches (about 1000 records each), so a kill can fall between two
    for i in range(n):  # distinct content, so the content-hash skip does not merge them
        (src / f"doc{i:03d}.txt").write_text(base + f"\n（副本 {i}）\n", encoding="utf-8")

    ref = _ingest(src, tmp_path / "ref" / "store", quiet=True)
    _, err = ref.communicate(timeout=300)
    assert ref.returncode == 0, err

    victim = _ingest(src, tmp_path / "run" / "store", quiet=False)
    seen, buf = 0, ""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and seen < 5:
        ch = victim.stderr.read(1)  # tqdm progress "k/n" on stderr
        if not ch:
            break
        buf = (buf + ch)[-200:]
        marks = [int(m.split("/")[0]) for m in buf.replace("\r", " ").split() if m.endswith(f"/{n}")
                 and m.split("/")[0].isdigit()]
        seen = max(marks, default=0)
    victim.send_signal(signal.SIGKILL)
    victim.communicate(timeout=30)
    assert 5 <= seen < n, f"not killed part-way (progress {seen}/{n})"

    rerun = _ingest(src, tmp_path / "run" / "store", quiet=True)
    out, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err
    assert "skipped" in out
    assert _store_state(tmp_path / "run" / "store") == _store_state(tmp_path / "ref" / "store")
