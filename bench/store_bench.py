"""Store benchmark: ingest rate and search latency (p50/p95) at 1k, 10k and 100k stored indicator rows.

Rows are generated from the gold fixtures (copies with other departments, regions and years).
Run: .venv/bin/python bench/store_bench.py [--sizes 1000 10000 100000] [--queries 200] [--embeddings hash|e5]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from perfdraft.ingest.store import NewDocument, Store, load_performance_json  # noqa: E402
from perfdraft.pipeline.store_ingest import BATCH_ROWS  # noqa: E402
from perfdraft.core.models import PerformanceDocument  # noqa: E402
from perfdraft.core.settings import Settings  # noqa: E402

GOLD = ROOT / "eval" / "fixtures" / "gold"
CITIES = ["唐山市", "承德市", "邢台市", "保定市", "沧州市", "廊坊市", "衡水市", "邯郸市", "张家口市", "秦皇岛市"]
COUNTIES = ["", "乐亭县", "平乡县", "滦南县", "迁西县", "丰宁县", "围场县", "内丘县"]
_PREFIX = ["", "{region}", "{year}年", "", "城乡", "基层"]
_SUFFIX = ["", "", "（第二批）", "（续建）"]


def variants(golds: list[PerformanceDocument]):
    """An endless stream of (source, document): the gold documents under other departments, years and project
    names (a region or year before the name, a batch or phase mark after it, in turn)."""
    n = 0
    while True:
        for g in golds:
            city, county = CITIES[n % len(CITIES)], COUNTIES[(n // len(CITIES)) % len(COUNTIES)]
            region, year = county or city, 2019 + n % 7
            names = [f"{_PREFIX[(n + i) % len(_PREFIX)].format(region=region, year=year)}{p.name}"
                     f"{_SUFFIX[(n // 3 + i) % len(_SUFFIX)]}" for i, p in enumerate(g.projects)]
            projects = [p.model_copy(update={"name": nm}) for p, nm in zip(g.projects, names)]
            yield f"bench-{n:05d}-{g.source}", g.model_copy(update={"department": f"{region}医疗保障局",
                                                                    "year": year, "projects": projects})
            n += 1


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def timed(fn, queries: list[str]) -> tuple[float, float]:
    lat = []
    for q in queries:
        t = time.perf_counter()
        fn(q)
        lat.append((time.perf_counter() - t) * 1000)
    return statistics.median(lat), pct(lat, 95)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--embeddings", choices=["hash", "e5"], default="hash")
    args = ap.parse_args()
    golds = [load_performance_json(f) for f in sorted(GOLD.glob("*.json"))]
    rng = random.Random(7)
    pool = [(p.name + " " + (p.purpose or "")).strip() for g in golds for p in g.projects]
    row_pool = [i.level3 for g in golds for p in g.projects for i in p.indicators]
    queries = [rng.choice(pool) for _ in range(args.queries)]
    row_queries = [rng.choice(row_pool) for _ in range(args.queries)]
    print(f"embeddings={args.embeddings}  queries={args.queries}")
    print(f"{'rows':>8} {'projects':>9} {'ingest rows/s':>14} {'1st search ms':>14} "
          f"{'proj p50 ms':>12} {'proj p95 ms':>12} {'rows p50 ms':>12} {'rows p95 ms':>12} {'open s':>7}")
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), embeddings=args.embeddings, _env_file=None)
        store = Store(settings)
        stream = variants(golds)
        stored = 0
        for size in sorted(args.sizes):
            t0, added = time.perf_counter(), 0
            while stored < size:  # in batches of about BATCH_ROWS records, as `perfdraft ingest` writes them
                batch, records = [], 0
                while stored + records < size and records < BATCH_ROWS:
                    source, doc = next(stream)
                    batch.append(NewDocument(doc, source))
                    records += sum(len(p.indicators) for p in doc.projects)
                n = sum(store.add_documents(batch))
                stored += n
                added += n
            rate = added / (time.perf_counter() - t0)
            t = time.perf_counter()
            store.search_projects(queries[0], k=5)  # the first search after the writes
            first = (time.perf_counter() - t) * 1000
            p50, p95 = timed(lambda q: store.search_projects(q, k=5), queries)
            r50, r95 = timed(lambda q: store.search_rows(q, k=10), row_queries)
            t = time.perf_counter()
            Store(settings).count()  # re-opening the persisted store, as a new CLI process would
            reopen = time.perf_counter() - t
            projects, rows = store.count()
            print(f"{rows:>8} {projects:>9} {rate:>14.0f} {first:>14.1f} {p50:>12.1f} {p95:>12.1f} "
                  f"{r50:>12.1f} {r95:>12.1f} {reopen:>7.2f}", flush=True)


if __name__ == "__main__":
    main()
