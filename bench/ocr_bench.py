"""OCR benchmark: gold tables drawn as image-only PDFs (tests/ingest/scanrender.py) at 150 and 300 dpi, read by
each OCR engine; seconds per page, peak memory, cell text accuracy and end-to-end extraction scores.

Run: .venv/bin/python bench/ocr_bench.py [--pages 3] [--engines rapidocr tesseract] [--write BENCHMARKS.md]
Each engine x dpi runs in its own process, so the peak RSS is that configuration's alone.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

STEMS = ["000_bcf204015f35a258", "002_9d927ef525b240df"]
TITLE = "## OCR: scanned tables, engine comparison"


def _flat(s: str) -> str:
    return "".join(s.split())


def one(engine: str, dpi: int, pages: int) -> dict:
    """Measure one configuration in this process."""
    import resource

    from perfdraft.eval import scores
    from perfdraft.extraction.api import extract_loaded
    from perfdraft.ingest.ocr import OcrOptions, ocr_pdf
    from perfdraft.ingest.ocr_engines import get_engine
    from tests.docgen import load_gold
    from tests.ingest import scanrender as sr

    get_engine(engine)  # model loading is start-up, not per page
    per_page, ok, total, rows, values = [], 0, 0, [], []
    with tempfile.TemporaryDirectory() as tmp:
        for stem in STEMS:
            gold = load_gold(stem)
            gold = gold.model_copy(update={"projects": gold.projects[:pages]})
            path, drawn = sr.scanned_pdf(gold, Path(tmp) / f"{stem}.pdf", dpi)
            stamps = [time.perf_counter()]
            doc = ocr_pdf(path, options=OcrOptions(engine=engine, dpi=dpi),
                          progress=lambda done, n: stamps.append(time.perf_counter()))
            per_page += [b - a for a, b in zip(stamps, stamps[1:])]
            for want in drawn:
                grid = next((t for t in doc.tables if t.page == want.page), None)
                cells = {(c.row, c.col): c.text for c in grid.cells} if grid else {}
                total += len(want.cells)
                ok += sum(_flat(cells.get((w.row, w.col), "")) == _flat(w.text) for w in want.cells)
            head = scores.score_document(stem, gold, extract_loaded(doc).document).headline()
            rows.append(head["row_f1"] or 0.0)
            values.append(head["field_value"] or 0.0)
    return {"engine": engine, "dpi": dpi, "pages": len(per_page), "s_page": statistics.median(per_page),
            "cells": ok / total, "row_f1": statistics.mean(rows), "value": statistics.mean(values),
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def section(engines: list[str], dpis: list[int], pages: int) -> list[str]:
    """The BENCHMARKS.md section: one row per engine and dpi, each measured in a fresh process."""
    out = ["| engine | dpi | pages | s/page (median) | peak RSS MB | cell text exact | row F1 | value acc. |",
           "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for engine in engines:
        for dpi in dpis:
            proc = subprocess.run([sys.executable, __file__, "--one", engine, str(dpi), "--pages", str(pages)],
                                  capture_output=True, text=True, cwd=ROOT)
            if proc.returncode:
                out.append(f"| {engine} | {dpi} | not measured: {proc.stderr.strip().splitlines()[-1:]} |")
                continue
            r = json.loads(proc.stdout.strip().splitlines()[-1])
            out.append(f"| {engine} | {dpi} | {r['pages']} | {r['s_page']:.1f} | {r['peak_mb']:.0f} | "
                       f"{r['cells']:.3f} | {r['row_f1']:.3f} | {r['value']:.3f} |")
            print(out[-1], flush=True)
    return out + ["", f"Gold documents {', '.join(s[:3] for s in STEMS)}, first {pages} tables each, one table per "
                  "A4 page drawn with Pillow (not the exporter) into image-only PDFs. Cell text exact: OCR'd cells "
                  "equal to the drawn cells (whitespace ignored); row F1 / value accuracy: rules extraction scored "
                  "by perfdraft.eval. s/page covers rendering, rulings, OCR and grid building; the machine is "
                  "shared, so compare engines within one run; load average at the end of this run: "
                  f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs."]


def write(path: Path, lines: list[str]) -> None:
    """Replace (or append) the OCR section of BENCHMARKS.md."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    block = "\n".join([TITLE, "", *lines, ""]) + "\n"
    pattern = re.compile(re.escape(TITLE) + r".*?(?=^## |\Z)", re.S | re.M)
    text = pattern.sub(lambda _: block, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + block
    path.write_text(text, encoding="utf-8")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--one", nargs=2, metavar=("ENGINE", "DPI"), help=argparse.SUPPRESS)
    ap.add_argument("--pages", type=int, default=3, help="tables (pages) per gold document")
    ap.add_argument("--engines", nargs="+", default=["rapidocr", "tesseract"])
    ap.add_argument("--dpi", type=int, nargs="+", default=[150, 300])
    ap.add_argument("--write", type=Path, help="update this BENCHMARKS.md's OCR section")
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one(args.one[0], int(args.one[1]), args.pages)))
        return 0
    lines = section(args.engines, args.dpi, args.pages)
    if args.write:
        write(args.write, lines)
    else:
        print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
