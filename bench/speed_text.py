"""Text speed: document 003 load + extract, and rule extraction time as one document grows (1x/16x/64x of 003).

Part of bench/speed.py (`section(quick)`); alone: .venv/bin/python bench/speed_text.py [--quick]
"""

from __future__ import annotations

import gc
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from perfdraft.extraction.api import extract_file, extract_loaded  # noqa: E402
from perfdraft.extraction.rules import extract_rules  # noqa: E402
from perfdraft.ingest.load import load_document  # noqa: E402

DOC = next((ROOT / "eval" / "fixtures" / "corpus").glob("003_*.txt"))
TARGET_MS = 20.0  # 003 load + extract, median
# the issue's floor: read + split into lines + one regex pass over the text (2.95 ms on its machine, where the 20 ms
# target was 6.8x it); measured in the same run, so the ratio compares across machines
ISSUE_FLOOR_MS, ISSUE_TOTAL_MS = 2.95, 42.7
TARGET_RATIO = TARGET_MS / ISSUE_FLOOR_MS
_CELLS = re.compile(r"[^\t\n]+")
COPIES = (1, 16, 64)
LINEAR = 1.3  # ms per copy at 64x within 1.3x of 1x counts as linear growth


def _median_ms(fn, repeats: int, warmup: int = 1) -> tuple[float, float]:
    """Median wall and CPU milliseconds of fn (CPU time is what other jobs on a shared machine disturb least)."""
    for _ in range(warmup):
        fn()
    wall, cpu = [], []
    for _ in range(repeats):
        t, c = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def _floor() -> None:
    """What any reader of the file must do: read, decode, split into lines, one regex pass (the cells)."""
    text = DOC.read_bytes().decode("utf-8")
    text.split("\n")
    _CELLS.findall(text)


def _growth(copies: int, repeats: int, tmp: Path) -> dict:
    """Load and extract one document made of `copies` copies of 003, one after the other."""
    text = DOC.read_text(encoding="utf-8").rstrip("\n") + "\n"
    path = tmp / f"003x{copies}.txt"
    path.write_text(text * copies, encoding="utf-8")
    t = time.perf_counter()
    doc = load_document(path)
    load_ms = (time.perf_counter() - t) * 1000
    tables = len(extract_rules(doc).projects)
    gc.collect()  # garbage from loading is not charged to the extraction
    ms, cpu = _median_ms(lambda: extract_rules(doc), repeats, warmup=0)
    return {"copies": copies, "kb": path.stat().st_size / 1024, "lines": len(doc.lines), "grids": len(doc.tables),
            "tables": tables, "load_ms": load_ms, "ms": ms, "cpu": cpu}


def section(quick: bool) -> list[str]:
    repeats = 5 if quick else 21
    total, total_cpu = _median_ms(lambda: extract_file(DOC), repeats, warmup=2)
    floor, floor_cpu = _median_ms(_floor, max(repeats, 21), warmup=2)
    ratio_floor = total_cpu / floor_cpu
    doc = load_document(DOC)
    only, only_cpu = _median_ms(lambda: extract_loaded(doc), repeats, warmup=2)
    with tempfile.TemporaryDirectory() as tmp:
        rows = [_growth(c, {1: repeats, 16: 3 if quick else 5}.get(c, 1 if quick else 3), Path(tmp))
                for c in COPIES]
    ratio = (rows[-1]["ms"] / rows[-1]["copies"]) / rows[0]["ms"]
    ratio_cpu = (rows[-1]["cpu"] / rows[-1]["copies"]) / rows[0]["cpu"]
    tables_ok = all(r["tables"] == rows[0]["tables"] * r["copies"] for r in rows)
    verdict = (f"**003 load + extract {total:.1f} ms median (target <= {TARGET_MS:g} ms: "
               f"{'met' if total <= TARGET_MS else 'NOT met'}); {ratio_floor:.1f}x the floor of {floor_cpu:.2f} ms "
               f"(CPU; the target on the issue's machine was {TARGET_RATIO:.1f}x: "
               f"{'met' if ratio_floor <= TARGET_RATIO else 'NOT met'}); growth {COPIES[-1]}x/1x ms per copy "
               f"{ratio:.2f} wall, {ratio_cpu:.2f} CPU (linear, target <= {LINEAR:g}: "
               f"{'met' if ratio <= LINEAR else 'NOT met'})**"
               + ("" if tables_ok else "; WARNING: tables found per copy differ between sizes"))
    out = [verdict, "",
           f"Document `{DOC.name}` ({DOC.stat().st_size / 1024:.0f} KB, text): load + extract (`extract_file`, rules) "
           f"{total:.1f} ms (CPU {total_cpu:.1f} ms), extract only (`extract_loaded`) {only:.1f} ms "
           f"(CPU {only_cpu:.1f} ms); median of {repeats} after warm-up.", "",
           f"Floor (read + split into lines + one regex pass over the text, the issue's yardstick): {floor:.2f} ms "
           f"(CPU {floor_cpu:.2f} ms); load + extract is {ratio_floor:.1f}x it in CPU time. On the issue's machine: "
           f"{ISSUE_TOTAL_MS:g} / {ISSUE_FLOOR_MS:g} ms = {ISSUE_TOTAL_MS / ISSUE_FLOOR_MS:.1f}x, and the "
           f"{TARGET_MS:g} ms target {TARGET_RATIO:.1f}x; the ratio compares across machines, the milliseconds "
           "do not.", "",
           f"One document made of N copies of it, concatenated: `extract_rules` median "
           f"({'quick: fewer repeats' if quick else 'of 5 at 16x, 3 at 64x'}); load once, for reference.", "",
           "| copies | KB | lines | grids | tables found | load ms | extract ms | per copy | CPU ms | CPU per copy |",
           "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        out.append(f"| {r['copies']}x | {r['kb']:.0f} | {r['lines']} | {r['grids']} | {r['tables']} | "
                   f"{r['load_ms']:.0f} | {r['ms']:.1f} | {r['ms'] / r['copies']:.1f} | {r['cpu']:.1f} | "
                   f"{r['cpu'] / r['copies']:.1f} |")
    out += ["", f"Per copy at {COPIES[-1]}x / at 1x: {ratio:.2f} wall, {ratio_cpu:.2f} CPU. Load is reported, not "
                "targeted (ingest/layout.py belongs to another change)."]
    return out


if __name__ == "__main__":
    print("\n".join(section("--quick" in sys.argv)))
