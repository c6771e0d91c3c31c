"""Rule extractor on the fixture corpus: per-document scores against the gold and median extraction time.

Usage: .venv/bin/python bench/extract_rules_bench.py [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from perfdraft.eval.scores import Scores, score_document  # noqa: E402
from perfdraft.extraction.rules import extract_rules  # noqa: E402
from perfdraft.ingest.text import load_text  # noqa: E402
from perfdraft.core.models import PerformanceDocument  # noqa: E402

KEYS = ["row_f1", "field_level3", "field_value", "field_description", "field_basis", "target_kind", "target_num",
        "field_name", "field_budget_wan", "field_goals"]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    fixtures = ROOT / "eval" / "fixtures"
    total = Scores()
    for path in sorted((fixtures / "corpus").glob("*.txt")):
        gold = PerformanceDocument.model_validate_json((fixtures / "gold" / f"{path.stem}.json").read_text("utf-8"))
        t0 = time.perf_counter()
        doc = load_text(path)
        load_ms = (time.perf_counter() - t0) * 1000
        times, cpu = [], []
        for _ in range(args.repeat):
            t, c = time.perf_counter(), time.process_time()
            pred = extract_rules(doc)
            times.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
        s = score_document(path.stem, gold, pred)
        total.add(s)
        h = s.headline()
        figs = " ".join(f"{k}={h[k]:.3f}" for k in KEYS if h.get(k) is not None)
        print(f"{path.stem}: tables={len(pred.projects)} rows={sum(len(p.indicators) for p in pred.projects)} "
              f"load={load_ms:.1f}ms extract_median={statistics.median(times):.1f}ms min={min(times):.1f}ms "
              f"cpu_median={statistics.median(cpu):.1f}ms {figs}")
    h = total.headline()
    print("ALL: " + " ".join(f"{k}={v:.4f}" for k, v in h.items() if v is not None))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
