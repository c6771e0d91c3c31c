"""Batch on a distributed engine: `perfdraft extract --executor dask` against the process pool, same inputs.

Part of bench/speed.py (`section(quick)`); alone: .venv/bin/python bench/speed_executor.py [--quick]
Files/s of the real command with the process pool (--jobs 1, 2) and with Dask, 1 and 2 local workers, both as
one command that starts its own cluster and on a cluster already running (how a real one is used); every
output is compared byte for byte with the pool's.
"""

from __future__ import annotations

import importlib
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from run import _cli_peak  # noqa: E402

from distributed import Client  # noqa: E402

from perfdraft.extraction.dask_exec import local_cluster  # noqa: E402

CORPUS = ROOT / "eval" / "fixtures" / "corpus"
MAX_MEMORY_MB = 2048


def _inputs(folder: Path, copies: int) -> int:
    """`copies` copies of every corpus document (each its own input file); returns the number of files."""
    folder.mkdir()
    sources = sorted(CORPUS.iterdir())
    for i in range(copies):
        for s in sources:
            dst = folder / f"{s.stem}-{i:03d}{s.suffix}"
            try:
                os.link(s, dst)
            except OSError:
                shutil.copy(s, dst)
    return copies * len(sources)


def _outputs(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in out.glob("*.json")}


def _run(src: Path, out: Path, args: list[str], repeats: int) -> tuple[float, float, dict[str, bytes], str]:
    """Best wall seconds of `repeats` fresh runs, peak RSS (MB, largest process), outputs, error text if any."""
    best, peak, err = float("inf"), 0.0, ""
    for _ in range(repeats):
        shutil.rmtree(out, ignore_errors=True)
        t = time.perf_counter()
        proc, rss = _cli_peak(["extract", str(src), "--out", str(out), "-q", *args])
        wall = time.perf_counter() - t
        if proc.returncode != 0:
            err = (proc.stderr.strip().splitlines() or proc.stdout.strip().splitlines() or ["?"])[-1]
        best, peak = min(best, wall), max(peak, rss)
    return best, peak, _outputs(out), err


def section(quick: bool) -> list[str]:
    copies, repeats = (4, 1) if quick else (20, 2)
    rows, starts = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in"
        n = _inputs(src, copies)
        out = Path(tmp) / "out"
        reference: dict[str, bytes] = {}

        def measure(label: str, workers: int, how: str, args: list[str]) -> None:
            wall, peak, got, err = _run(src, out, args, repeats)
            if not reference:
                reference.update(got)
            same = "yes" if got == reference and len(got) == n else f"**no** ({len(got)} of {n} files) {err}"
            rows.append((label, workers, how, wall, n / wall, peak, same))
            print(f"  {label} x{workers} {how}: {n / wall:.1f} files/s", flush=True)

        for jobs in (1, 2):
            measure("process pool", jobs, "this machine", ["--jobs", str(jobs)])
        for workers in (1, 2):
            measure("dask", workers, "starts its own local cluster", ["--executor", "dask", "--jobs", str(workers)])
        for workers in (1, 2):
            t = time.perf_counter()
            cluster = local_cluster(workers, MAX_MEMORY_MB)
            starts[workers] = time.perf_counter() - t
            try:
                with Client(cluster) as client:  # a running cluster has done work before: perfdraft is imported
                    client.run(importlib.import_module, "perfdraft.extraction.api")
                measure("dask", workers, "running local cluster (`--address`)",
                        ["--executor", "dask", "--address", cluster.scheduler_address])
            finally:
                cluster.close()
    pool = {r[1]: r[4] for r in rows if r[0] == "process pool"}
    warm = {r[1]: r[4] for r in rows if r[2].startswith("running")}
    cold = {r[1]: r[4] for r in rows if r[2].startswith("starts")}
    identical = all(r[6] == "yes" for r in rows)
    verdict = (f"**Dask executor**: on a running cluster {warm[1]:.1f} / {warm[2]:.1f} files/s with 1 / 2 workers "
               f"against the process pool's {pool[1]:.1f} / {pool[2]:.1f} (--jobs 1 / 2), {warm[2] / pool[2]:.2f}x "
               f"at 2; a command that starts its own cluster {cold[1]:.1f} / {cold[2]:.1f} files/s "
               f"(local cluster start {starts[1]:.1f} / {starts[2]:.1f} s); outputs "
               + ("byte-identical to the pool's on every file." if identical else "**differ** from the pool's."))
    lines = [verdict, "",
             f"{n} text files ({copies} copies of the {n // copies} corpus documents), "
             f"`perfdraft extract IN --out OUT` in a fresh output folder (CLI start-up included), best of {repeats}; "
             "a running cluster has imported perfdraft in its workers; peak RSS is the largest single process "
             "(CLI, worker, Dask nanny). The 2-core machine is shared with other jobs.", "",
             "| executor | workers | cluster | wall s | files/s | peak RSS MB | outputs identical to the pool's |",
             "|---|---:|---|---:|---:|---:|---|"]
    lines += [f"| {a} | {w} | {h} | {wall:.1f} | {fps:.1f} | {peak:.0f} | {same} |"
              for a, w, h, wall, fps, peak, same in rows]
    return lines


if __name__ == "__main__":
    print("\n".join(section("--quick" in sys.argv)))
