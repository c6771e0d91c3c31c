import sys
from pathlib import Path
sys.path.insert(0,'.')
from perfdraft.extraction.api import extract_file
DOC=next(Path('eval/fixtures/corpus').glob('003_*.txt'))
n=int(sys.argv[1])
extract_file(DOC)
for _ in range(n): extract_file(DOC)
