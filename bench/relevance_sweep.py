"""How the drafting guard's relevance threshold and the store's head-noun weight were chosen (README, Drafting).

Runs the drafting backtest (whole document hidden + no-counterpart briefs) for several relevance thresholds and
the retrieval backtest for several head-noun weights, on the real Store with the gold corpus, and prints tables.
Run: .venv/bin/python bench/relevance_sweep.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import perfdraft.ingest.store as store_module  # noqa: E402
from perfdraft.core.settings import get_settings  # noqa: E402
from perfdraft.drafting.drafter import draft, draft_rules  # noqa: E402
from perfdraft.eval.backtest import open_store, run_cases  # noqa: E402
from perfdraft.eval.data import load_dir  # noqa: E402

THRESHOLDS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7)
HEAD_WEIGHTS = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0)
PUBLICITY = "城乡居民医保宣传经费 城乡居民医保政策宣传"


def _f1(p: float | None, r: float | None) -> float:
    return 2 * p * r / (p + r) if p and r else 0.0


def _at(threshold: float):
    """The rules drafter with another relevance threshold, in the backtest's drafter signature."""
    def drafter(brief, store, backend="rules", exclude_ids=None):
        return draft_rules(brief, store, exclude_ids=exclude_ids, relevance_threshold=threshold)
    return drafter


def main() -> int:
    gold = load_dir(ROOT / "eval" / "fixtures" / "gold")
    with tempfile.TemporaryDirectory(prefix="perfdraft-sweep-") as tmp:
        store, id_of = open_store(gold, get_settings(), tmp)
        print("| threshold | level3 P | level3 R | level3 F1 | value agr. | no-precedent drafts | unrelated-copy rate |")
        print("|---|---|---|---|---|---|---|")
        for t in THRESHOLDS:
            s = run_cases("drafting", gold, store, id_of, drafter=_at(t)).summary
            print(f"| {t:.1f} | {s['level3_precision']:.3f} | {s['level3_recall']:.3f} | "
                  f"{_f1(s['level3_precision'], s['level3_recall']):.3f} | {s['value_agreement'] or 0:.3f} | "
                  f"{s['no_precedent_share']:.3f} | {s['unrelated_copy_rate']:.3f} |")
        print()
        print("| head-noun weight | recall@5 | MRR | drafting level3 F1 | value agr. | rank of 宣传费 for "
              "城乡居民医保宣传经费: name + purpose / name only |")
        print("|---|---|---|---|---|---|")
        for w in HEAD_WEIGHTS:
            store_module.W_HEAD = w  # the store reads the module constant at search time
            s = run_cases("retrieval", gold, store, id_of).summary
            d = run_cases("drafting", gold, store, id_of, drafter=draft).summary
            ranks = []
            for query in (PUBLICITY, "城乡居民医保宣传经费"):
                names = [h.project.name for h in store.search_projects(query, 10, name="城乡居民医保宣传经费")]
                ranks.append(str(names.index("宣传费") + 1) if "宣传费" in names else "-")
            rank = " / ".join(ranks)
            print(f"| {w:.1f} | {s['recall_at_k']:.3f} | {s['mrr']:.3f} | "
                  f"{_f1(d['level3_precision'], d['level3_recall']):.3f} | {d['value_agreement'] or 0:.3f} | {rank} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
