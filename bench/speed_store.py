"""Store at 100k rows: first search after a write, `perfdraft search` / `perfdraft draft` wall time, ingest rate.

Part of bench/speed.py (`section(quick)`); alone: .venv/bin/python bench/speed_store.py [--quick]
The store is made once by `perfdraft ingest` from gold-shape JSON documents synthesised out of the gold fixtures
(bench/store_bench.py `variants`: other departments, years and project names) and cached under
<tmp>/perfdraft-bench-cache/store-<rows>-v<LAYOUT>-<hash of the store code>, so a change to the code that writes
stores makes it again (and its ingest rate is the current code's); each run works on a copy. --quick: 10k rows.
Commands run as a user runs them (a fresh process, the default settings, bytecode cached in a folder of the
bench cache as after a normal install: this machine sets PYTHONDONTWRITEBYTECODE).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from store_bench import GOLD, variants  # noqa: E402

from perfdraft.core.settings import Settings  # noqa: E402
from perfdraft.ingest.store import Store, load_performance_json  # noqa: E402

CLI = ROOT / ".venv" / "bin" / "perfdraft"
CACHE = Path(tempfile.gettempdir()) / "perfdraft-bench-cache"
LAYOUT = 5  # bump when stored records change shape: a cached store of another layout is made again
WRITERS = ["ingest/store.py", "ingest/store_lexical.py", "ingest/store_keywords.py", "ingest/store_lexfile.py",
           "ingest/embed.py", "perfdraft/pipeline/store_ingest.py", "perfdraft/core/lexicon.py"]
ROWS = {False: 100_000, True: 10_000}
EXTRA_ROWS = {False: 10_000, True: 3_000}  # rows ingested into the copy: the ingest rate at that store size
FIRST_SEARCH_MS, CLI_S, INGEST_RPS = 100.0, 1.5, 500.0
QUERY = "印刷费 用于印刷各类宣传资料"
DRAFT = ["--name", "印刷费", "--budget", "12", "--year", "2026", "--department", "唐山市医疗保障局"]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PERFDRAFT_")}  # the defaults, not this shell's
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(CACHE / "pyc")
    return env


def _run(args: list[str], tmp: Path) -> tuple[float, float, str]:
    """(wall s, peak RSS MB, stdout) of one perfdraft command in a fresh process."""
    out, err = tmp / "cmd.out", tmp / "cmd.err"
    with open(out, "wb") as o, open(err, "wb") as e:
        t = time.perf_counter()
        proc = subprocess.Popen([str(CLI), *args], cwd=tmp, env=_env(), stdout=o, stderr=e)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):  # 1: draft lint errors (template placeholders) or some files failed
        raise RuntimeError(f"perfdraft {args[0]} exit {proc.returncode}: {err.read_text()[-400:]}")
    return wall, usage.ru_maxrss / 1024, out.read_text(encoding="utf-8", errors="replace")


def _write_docs(folder: Path, skip_rows: int, rows: int) -> int:
    """The synthesised documents after the first `skip_rows` rows' worth, `rows` rows of them; rows written."""
    golds = [load_performance_json(f) for f in sorted(GOLD.glob("*.json"))]
    folder.mkdir(parents=True, exist_ok=True)
    seen = written = 0
    for source, doc in variants(golds):
        n = sum(len(p.indicators) for p in doc.projects)
        if seen >= skip_rows:
            if written >= rows:
                return written
            path = folder / f"{source.rsplit('.', 1)[0]}.json"
            path.write_text(doc.model_copy(update={"source": source}).model_dump_json(), encoding="utf-8")
            written += n
        seen += n
    return written


def _stored_rows(stdout: str) -> int:
    m = re.search(r"(\d+) stored \((\d+) rows\)", stdout)
    if not m:
        raise RuntimeError(f"unexpected ingest output: {stdout[-300:]}")
    return int(m.group(2))


def cached_store(rows: int, tmp: Path) -> tuple[Path, dict]:
    """The cached store of `rows` rows, made by `perfdraft ingest` when missing; and how making it went."""
    code = hashlib.sha1(b"".join((ROOT / f).read_bytes() for f in WRITERS)).hexdigest()[:10]
    path = CACHE / f"store-{rows}-v{LAYOUT}-{code}"
    info = path / "bench-made.json"
    if info.exists():
        return path / "store", json.loads(info.read_text())
    for old in CACHE.glob(f"store-{rows}-v*"):  # made by other code: ~1 GB each at 100k rows
        shutil.rmtree(old, ignore_errors=True)
    docs = tmp / "docs"
    _write_docs(docs, 0, rows)
    wall, rss, out = _run(["ingest", str(docs), "--store", str(path / "store"), "-q"], tmp)
    made = {"rows": _stored_rows(out), "seconds": wall, "rss_mb": rss,
            "date": time.strftime("%Y-%m-%d %H:%M", time.gmtime())}
    info.write_text(json.dumps(made))
    shutil.rmtree(docs)
    return path / "store", made


def _median_cli(args: list[str], tmp: Path, runs: int) -> tuple[float, float]:
    _run(args, tmp)  # warm: bytecode and page cache, as a user's second command
    got = [_run(args, tmp) for _ in range(runs)]
    return statistics.median(w for w, _, _ in got), max(r for _, r, _ in got)


def _after_writes(store_dir: Path, tmp: Path, skip_rows: int, writes: int) -> dict[str, float]:
    """In one process: the first search (index from the files), then a search right after each of `writes`
    one-document writes; and a search right after another process's write."""
    store = Store(Settings(_env_file=None), path=store_dir)
    golds = [load_performance_json(f) for f in sorted(GOLD.glob("*.json"))]
    names = [p.name for g in golds for p in g.projects]
    t = time.perf_counter()
    store.search_projects(QUERY, k=5, name="印刷费")
    first = (time.perf_counter() - t) * 1000
    docs = itertools.islice(((s, d) for s, d in variants(golds)), skip_rows // 50, None)
    after = []
    for i in range(writes):
        source, doc = next(docs)
        store.add_document(doc, source=f"after-write-{i}-{source}")
        t = time.perf_counter()
        store.search_projects(f"{names[i % len(names)]} 保障工作开展", k=5, name=names[i % len(names)])
        after.append((time.perf_counter() - t) * 1000)
    one = tmp / "one"
    _write_docs(one, skip_rows + 50_000, 1)
    _run(["ingest", str(one), "--store", str(store_dir), "-q"], tmp)
    t = time.perf_counter()
    store.search_projects(QUERY, k=5, name="印刷费")
    other = (time.perf_counter() - t) * 1000
    steady = []
    for name in names[:40]:
        t = time.perf_counter()
        store.search_projects(name, k=5, name=name)
        steady.append((time.perf_counter() - t) * 1000)
    t = time.perf_counter()
    store._keywords.rebuild()  # what a process does when the index files are missing, damaged or stale
    rebuild = time.perf_counter() - t
    return {"first": first, "after_median": statistics.median(after), "after_max": max(after),
            "after_other": other, "steady_p50": statistics.median(steady), "rebuild": rebuild,
            "count": store.count()}


def section(quick: bool) -> list[str]:
    rows, extra = ROWS[quick], EXTRA_ROWS[quick]
    runs = 3 if quick else 5
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        cached, made = cached_store(rows, tmp)
        store_dir = tmp / "store"
        shutil.copytree(cached, store_dir)
        more = tmp / "more"
        _write_docs(more, rows, extra)
        wall, ingest_rss, out = _run(["ingest", str(more), "--store", str(store_dir), "-q"], tmp)
        rate = _stored_rows(out) / wall
        search_s, search_rss = _median_cli(["search", QUERY, "--store", str(store_dir)], tmp, runs)
        draft_s, draft_rss = _median_cli(["draft", *DRAFT, "--store", str(store_dir), "--out", str(tmp / "d.json")],
                                         tmp, runs)
        w = _after_writes(store_dir, tmp, rows + extra, 5 if quick else 10)
    projects, stored = w["count"]
    size = f"{stored / 1000:.0f}k" if stored >= 1000 else str(stored)
    built = made["rows"] / made["seconds"]
    ok = {"first": w["after_max"] <= FIRST_SEARCH_MS, "cli": max(search_s, draft_s) <= CLI_S,
          "ingest": built >= INGEST_RPS}
    mark = {True: "met", False: "NOT met"}
    verdict = (f"**Store at {size} rows: first search after a write {w['after_median']:.0f} ms median, "
               f"{w['after_max']:.0f} ms worst (target <= {FIRST_SEARCH_MS:g} ms: {mark[ok['first']]}); "
               f"`perfdraft search` {search_s:.2f} s and `perfdraft draft` {draft_s:.2f} s wall (target <= "
               f"{CLI_S:g} s: {mark[ok['cli']]}); `perfdraft ingest` of the {made['rows'] // 1000}k rows "
               f"{built:.0f} rows/s (target >= {INGEST_RPS:g}: {mark[ok['ingest']]}), {rate:.0f} rows/s for "
               f"{extra // 1000}k more into it, process start-up included**"
               + (" (--quick: a 10k-row store, not the 100k target size)" if quick else ""))
    return [
        verdict, "",
        f"{stored} rows in {projects} projects, synthesised from the gold fixtures (bench/store_bench.py). "
        f"The store was made by one `perfdraft ingest` of {made['rows']} rows in {made['seconds']:.0f} s "
        f"({built:.0f} rows/s from empty, peak RSS {made['rss_mb']:.0f} MB, {made['date']} UTC, by the code "
        f"measured here: the cache is keyed by it) and is cached; this run works on a copy. Load average at the "
        f"start of this run {load:.1f} on {os.cpu_count()} cores shared with other jobs (wall times stretch "
        "with it).", "",
        "| figure | value |", "|---|---:|",
        f"| `perfdraft ingest` of {extra} more rows into the {rows // 1000}k store: rows/s (peak RSS) | "
        f"{rate:.0f} ({ingest_rss:.0f} MB) |",
        f"| `perfdraft search \"{QUERY}\"`: median wall s of {runs} (peak RSS) | "
        f"{search_s:.2f} ({search_rss:.0f} MB) |",
        f"| `perfdraft draft {' '.join(DRAFT)}`: median wall s of {runs} (peak RSS) | "
        f"{draft_s:.2f} ({draft_rss:.0f} MB) |",
        f"| first search of a process (lexical index loaded from its files), ms | {w['first']:.0f} |",
        f"| search right after a one-document write in the same process: median / worst ms | "
        f"{w['after_median']:.0f} / {w['after_max']:.0f} |",
        f"| search right after another process's write (index reloaded from the files), ms | "
        f"{w['after_other']:.0f} |",
        f"| project search, steady state, p50 ms (40 gold names) | {w['steady_p50']:.1f} |",
        f"| lexical index rebuilt from the compact records (files missing, damaged or stale), s | "
        f"{w['rebuild']:.2f} |",
    ]


if __name__ == "__main__":
    print("\n".join(section("--quick" in sys.argv)))
