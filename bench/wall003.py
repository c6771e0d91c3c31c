"""Median wall ms of document 003 load + extract over N runs (after one warm-up)."""
import statistics, sys, time
from pathlib import Path
sys.path.insert(0, '.')
from perfdraft.extraction.api import extract_file
DOC = next(Path('eval/fixtures/corpus').glob('003_*.txt'))
extract_file(DOC)
ts = []
for _ in range(int(sys.argv[1]) if len(sys.argv) > 1 else 30):
    t = time.perf_counter(); extract_file(DOC); ts.append((time.perf_counter() - t) * 1000)
print(f"median {statistics.median(ts):.1f} ms  min {min(ts):.1f} ms")
