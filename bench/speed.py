"""Speed targets in one run: writes the "Speed targets" section of BENCHMARKS.md.

Run: .venv/bin/python bench/speed.py [--quick] [--only text startup ...] [--out BENCHMARKS.md]
Each part is a module bench/speed_<name>.py with `section(quick: bool) -> list[str]` (markdown lines, the
first a one-line verdict per target). Parts run in a fixed order in the same run; a part that fails or is
missing is reported as not measured, the others still run.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

PARTS = {  # name -> heading; module bench/speed_<name>.py
    "pdf": "PDF tables: perfdraft vs pdfplumber (ms/page, row F1)",
    "text": "Text: document 003 load + extract, and growth with document size",
    "startup": "Start-up: `perfdraft extract` of one small file",
    "store": "Store at 100k rows: first search after a write, CLI search/draft, ingest rate",
    "executor": "Batch on a distributed engine vs the process pool",
}
BEGIN, END = "<!-- speed: begin -->", "<!-- speed: end -->"


def run_part(name: str, quick: bool) -> list[str]:
    """One part's lines, or why it was not measured."""
    print(f"== {name}", flush=True)
    try:
        mod = importlib.import_module(f"speed_{name}")
    except ModuleNotFoundError as exc:
        return [f"**not measured**: bench/speed_{name}.py is missing ({exc})."]
    try:
        return mod.section(quick)
    except Exception as exc:  # a benchmark must not hide the other parts
        return [f"**not measured**: {type(exc).__name__}: {exc}"]


def _kept_parts(out: Path) -> dict[str, list[str]]:
    """The parts of the existing section, by heading (with --only, the others are kept as they are)."""
    old = out.read_text(encoding="utf-8") if out.exists() else ""
    if BEGIN not in old or END not in old:
        return {}
    parts: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in old[old.index(BEGIN) + len(BEGIN):old.index(END)].split("\n"):
        if line.startswith("### "):
            current = parts.setdefault(line[4:].strip(), [])
        if current is not None:
            current.append(line)
    return parts


def write_section(out: Path, text: str) -> None:
    """Replace the marked section of BENCHMARKS.md, or append it."""
    old = out.read_text(encoding="utf-8") if out.exists() else "# Benchmarks\n"
    block = f"{BEGIN}\n{text.rstrip()}\n{END}"
    if BEGIN in old and END in old:
        new = old[:old.index(BEGIN)] + block + old[old.index(END) + len(END):]
    else:
        new = old.rstrip() + "\n\n" + block + "\n"
    out.write_text(new, encoding="utf-8")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="fewer repeats and smaller sizes (a smoke run)")
    ap.add_argument("--only", nargs="+", choices=list(PARTS), help="run these parts only")
    ap.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md")
    args = ap.parse_args()
    from run import machine
    started = time.perf_counter()
    kept = _kept_parts(args.out) if args.only else {}
    body = []
    for name, heading in PARTS.items():
        if args.only and name not in args.only:
            body += kept.get(heading, [])  # a part not run this time keeps its last figures
            continue
        lines = run_part(name, args.quick)
        body += [f"### {heading}", "", *lines[:1], "", f"_Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC"
                 f"{' (--quick)' if args.quick else ''}._", "", *lines[1:], ""]
    cmd = " ".join(["bench/speed.py", *sys.argv[1:]])
    head = ["## Speed targets (issue 17)", "",
            f"Generated in one run by `.venv/bin/python {cmd}` on {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; "
            f"{machine()}; total {time.perf_counter() - started:.0f} s."
            + (" Parts not named in --only are kept from their last run (dated in each part)." if args.only else ""),
            ""]
    write_section(args.out, "\n".join(head + body))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
