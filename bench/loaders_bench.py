"""Loader speed: the gold fixtures rendered as PDF (plain and with a page break in every table), DOCX and XLSX,
then loaded with ingest.load.load_document; prints median time per document, per page and per table.

Run: .venv/bin/python bench/loaders_bench.py [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from perfdraft.drafting.export import ExportOptions  # noqa: E402
from perfdraft.ingest.load import load_document  # noqa: E402
from tests.docgen import gold_paths, load_gold, render  # noqa: E402

KINDS = {"pdf": ExportOptions(), "split.pdf": ExportOptions(page_break_after=3, split_cell=True),
         "docx": ExportOptions(), "xlsx": ExportOptions()}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    print(f"{'document':42s} {'render s':>8s} {'load ms':>8s} {'pages':>5s} {'tables':>6s} {'ms/page':>8s} "
          f"{'ms/table':>8s}")
    with tempfile.TemporaryDirectory() as tmp:
        for gp in gold_paths():
            gold = load_gold(gp)
            for kind, opts in KINDS.items():
                path = Path(tmp) / f"{gp.stem}.{kind}"
                t = time.perf_counter()
                render(gold, path, opts)
                rendered = time.perf_counter() - t
                load_document(path)  # warm-up: imports, font and MuPDF start-up
                times = []
                for _ in range(args.repeat):
                    t = time.perf_counter()
                    doc = load_document(path)
                    times.append(time.perf_counter() - t)
                ms = statistics.median(times) * 1000
                pages, tables = max(1, len(doc.pages)), max(1, len(doc.tables))
                print(f"{path.name:42s} {rendered:8.2f} {ms:8.1f} {len(doc.pages):5d} {len(doc.tables):6d} "
                      f"{ms / pages:8.1f} {ms / tables:8.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
