"""Fault figures: concurrent `perfdraft ingest --force` with random SIGKILLs; writes its section of BENCHMARKS.md.

Run: .venv/bin/python bench/fault_bench.py [--trials 20] [--writers 3] [--seed 16] [--out BENCHMARKS.md]
Each trial starts the writers on one store that already holds the corpus, SIGKILLs each with probability 1/2
at a random moment, waits for the rest, then a fresh process opens the store, searches, drafts and compares
counts, documents and ids with a clean ingest. The section between the markers is replaced; the rest is kept.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.hardening.concurrent_ingest import fault_trials  # noqa: E402

# The heading opens the section (other generators' sections also end at the next "## "), a comment closes it.
BEGIN, END = "## Fault figures: concurrent ingests with SIGKILL", "<!-- fault-bench:end -->"


def section(reference: dict, results: list, writers: int, seed: int, seconds: float, planned: int) -> str:
    survived = sum(r.consistent for r in results)
    opened = sum(r.opened for r in results)
    kills = sum(r.kills for r in results)
    lost = sum(r.lost_rows for r in results)
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        BEGIN,
        "",
        f"`bench/fault_bench.py`, {when}: {len(results)} trials of {writers} concurrent "
        f"`perfdraft ingest --force` on one local store holding the corpus ({reference['rows']} rows, "
        f"{reference['projects']} projects), each writer SIGKILLed with probability 1/2 (seed {seed}); then a fresh "
        f"process opens the store, searches and drafts, and compares with a clean ingest. {seconds:.0f} s in all"
        + ("." if len(results) == planned else f"; run stopped after {len(results)} of {planned} trials."),
        "",
        "| trials | writers killed | store opened | survived (equal to a clean ingest, search and draft work) "
        "| rows lost |",
        "|---:|---:|---:|---:|---:|",
        f"| {len(results)} | {kills} | {opened} | {survived} | {lost} |",
    ]
    bad = [f"- trial {i + 1}: {r.problem}" for i, r in enumerate(results) if not r.consistent]
    if bad:
        lines += ["", "Failed trials:", *bad]
    lines.append(END)
    return "\n".join(lines) + "\n"


def write_section(path: Path, text: str) -> None:
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if BEGIN in old and END in old:
        head, rest = old.split(BEGIN, 1)
        new = head + text + rest.split(END, 1)[1].lstrip("\n")
    else:
        new = old.rstrip("\n") + "\n\n" + text
    path.write_text(new, encoding="utf-8")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=20)
    ap.add_argument("--writers", type=int, default=3)
    ap.add_argument("--seed", type=int, default=16)
    ap.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md")
    args = ap.parse_args()
    start = time.monotonic()

    def progress(reference: dict, results: list) -> None:  # figures so far survive an interrupted run
        write_section(args.out, section(reference, results, args.writers, args.seed, time.monotonic() - start,
                                        planned=args.trials))
        print(f"trial {len(results)}/{args.trials}: {'ok' if results[-1].consistent else results[-1].problem}",
              flush=True)

    with tempfile.TemporaryDirectory(prefix="perfdraft-faults-") as tmp:
        reference, results = fault_trials(Path(tmp), args.trials, seed=args.seed, writers=args.writers,
                                          on_trial=progress)
    text = section(reference, results, args.writers, args.seed, time.monotonic() - start, planned=args.trials)
    write_section(args.out, text)
    print(text)
    return 0 if all(r.consistent for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
