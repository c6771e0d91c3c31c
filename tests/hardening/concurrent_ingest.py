"""Fault trials: N concurrent `perfdraft ingest --force` processes with random SIGKILLs, then a consistency check.

Used by tests/hardening/test_concurrent_ingest.py and bench/fault_bench.py (which writes the figures).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "eval" / "fixtures" / "corpus"

# Run in a fresh process, so nothing cached in the caller's Chroma client hides a broken store.
CHECK = r"""
import json, sys
from pathlib import Path
from perfdraft.core.settings import Settings
from perfdraft.ingest.store import Store
from perfdraft.drafting.drafter import draft
from perfdraft.core.models import ProjectBrief
store = Store(Settings(_env_file=None), path=Path(sys.argv[1]))
projects, rows = store.count()
docs = store.documents()
ids = sorted(p.id for p in store.projects())
hits = store.search_projects("会议费", 5)
row_hits = store.search_rows("满意度", 5)
result = draft(ProjectBrief(name="印刷费", budget_wan=12, year=2026, department="唐山市医疗保障局"), store)
print(json.dumps({"projects": projects, "rows": rows, "documents": sorted((d.source, d.rows) for d in docs),
                  "ids": ids, "search": len(hits), "search_rows": len(row_hits),
                  "draft_rows": len(result.project.indicators)}))
"""


@dataclass
class TrialResult:
    """One trial: what was killed, how the others ended, and whether the store afterwards equals a clean one."""

    kills: int
    exits: list[int]
    opened: bool = False
    consistent: bool = False
    lost_rows: int = 0
    problem: str = ""
    state: dict = field(default_factory=dict)


def _env(store_dir: Path) -> dict[str, str]:
    # a generous lock wait: three writers queue for each other on a loaded 2-core machine
    return dict(os.environ, PYTHONPATH=str(ROOT), PERFDRAFT_DATA_DIR=str(store_dir.parent),
                PERFDRAFT_STORE_LOCK_TIMEOUT="300")


def ingest(store_dir: Path, *extra: str, corpus: Path = CORPUS) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "perfdraft.cli", "ingest", str(corpus), "--store", str(store_dir),
                             "-q", *extra], cwd=ROOT, env=_env(store_dir), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)


def store_state(store_dir: Path) -> dict:
    """Counts, documents, project ids, and whether search and draft work, read by a fresh process."""
    res = subprocess.run([sys.executable, "-c", CHECK, str(store_dir)], cwd=ROOT, env=_env(store_dir),
                         capture_output=True, text=True, timeout=300)
    if res.returncode != 0:
        raise RuntimeError(f"store check exited {res.returncode}: {res.stderr.strip()[-600:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def clean_state(store_dir: Path) -> dict:
    """The reference: one uninterrupted ingest into a new store."""
    proc = ingest(store_dir)
    _, err = proc.communicate(timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"clean ingest exited {proc.returncode}: {err[-600:]}")
    return store_state(store_dir)


def run_trial(store_dir: Path, reference: dict, rng: random.Random, *, writers: int = 3,
              kill_p: float = 0.5, max_kill_s: float = 8.0) -> TrialResult:
    """Start `writers` concurrent `ingest --force` runs, SIGKILL each with probability kill_p at a random moment,
    wait for the rest, then compare the store with the reference."""
    procs = [ingest(store_dir, "--force") for _ in range(writers)]
    start = time.monotonic()
    plan = sorted((rng.uniform(0.3, max_kill_s), i) for i in range(writers) if rng.random() < kill_p)
    kills = 0
    for at, i in plan:
        time.sleep(max(0.0, start + at - time.monotonic()))
        if procs[i].poll() is None:
            procs[i].send_signal(signal.SIGKILL)
            kills += 1
    exits = []
    for p in procs:
        try:
            p.communicate(timeout=600)
        except subprocess.TimeoutExpired:
            p.kill()
            p.communicate()
        exits.append(p.returncode)
    result = TrialResult(kills=kills, exits=exits)
    survivors_failed = [c for c in exits if c not in (0, -signal.SIGKILL)]
    try:
        state = store_state(store_dir)
    except (RuntimeError, subprocess.TimeoutExpired, ValueError) as exc:
        result.problem = f"store broken: {exc}"
        result.lost_rows = reference["rows"]
        return result
    result.opened, result.state = True, state
    result.lost_rows = max(0, reference["rows"] - state["rows"])
    same = all(state[k] == reference[k] for k in ("projects", "rows", "documents", "ids"))
    works = state["search"] > 0 and state["search_rows"] > 0 and state["draft_rows"] > 0
    result.consistent = same and works and not survivors_failed
    if not result.consistent:
        result.problem = (f"exits {exits}; " if survivors_failed else "") + (
            "" if same else f"counts {state['projects']}/{state['rows']} vs {reference['projects']}/"
                            f"{reference['rows']}; ") + ("" if works else "search or draft returned nothing")
    return result


def fault_trials(workdir: Path, trials: int, *, seed: int = 16, writers: int = 3,
                 on_trial=None) -> tuple[dict, list[TrialResult]]:
    """The reference and `trials` trials on one store (damage from a trial would carry over to the next);
    on_trial(reference, results so far) is called after each trial."""
    reference = clean_state(workdir / "reference" / "store")
    rng = random.Random(seed)
    store_dir = workdir / "chaos" / "store"
    if clean_state(store_dir) != reference:  # the trials re-ingest (--force) a store that already holds the corpus
        raise RuntimeError("two clean ingests of the same corpus differ")
    results: list[TrialResult] = []
    for _ in range(trials):
        results.append(run_trial(store_dir, reference, rng, writers=writers))
        if on_trial:
            on_trial(reference, results)
    return reference, results
