"""CPU ms medians of document 003's stages: load, find_sections, extract_rules (after load)."""
import statistics, sys, time
from pathlib import Path
sys.path.insert(0, '.')
from perfdraft.ingest.load import load_document
from perfdraft.extraction.segment import find_sections
from perfdraft.extraction.rules import extract_rules
from perfdraft.ingest import text as T
DOC = next(Path('eval/fixtures/corpus').glob('003_*.txt'))
def med(fn, n):
    fn(); ts = []
    for _ in range(n):
        t = time.process_time(); fn(); ts.append((time.process_time() - t) * 1000)
    return statistics.median(ts)
n = int(sys.argv[1]) if len(sys.argv) > 1 else 20
from perfdraft.extraction.api import extract_file
print(f"total {med(lambda: extract_file(DOC), n):.1f}")
doc = T.load_text_light(DOC)
print(f"load_light {med(lambda: T.load_text_light(DOC), n):.1f}")
print(f"load_document {med(lambda: load_document(DOC, light=True), n):.1f}")
d2 = load_document(DOC, light=True)
print(f"find_sections {med(lambda: find_sections(d2), n):.1f}")
print(f"extract_rules {med(lambda: extract_rules(d2), n):.1f}")
