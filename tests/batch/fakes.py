"""A stand-in extractor for batch tests: behaviour chosen by the first line of a text file."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from perfdraft.core.models import ErrorInfo, ExtractionResult, Indicator, PerformanceDocument, Project


def extract_file(path, backend: str = "rules") -> ExtractionResult:
    """HANG, CRASH, RAISE, FAIL, NOTABLES, BLOAT as first line; otherwise one project per file (PID: named after
    the process that extracted it)."""
    text = Path(path).read_text(encoding="utf-8", errors="replace")
    first = text.splitlines()[0] if text else ""
    delay = float(os.environ.get("PERFDRAFT_TEST_FAKE_SLEEP", "0"))
    if delay:
        time.sleep(delay)
    if first == "HANG":
        time.sleep(3600)
    if first == "CRASH":
        os.kill(os.getpid(), signal.SIGKILL)
    if first == "RAISE":
        raise RuntimeError("boom in extractor")
    if first == "BLOAT":
        hog = []
        while True:  # grows until the batch's memory watch kills the worker
            hog.append(bytearray(50_000_000))
            time.sleep(0.05)
    if first == "FAIL":
        return ExtractionResult(source=str(path), status="failure",
                                errors=[ErrorInfo(kind="corrupt", message="cannot parse", file=str(path))])
    if first == "NOTABLES":
        return ExtractionResult(source=str(path), status="partial_success", document=PerformanceDocument(),
                                warnings=["no 绩效目标表 found in the document"])
    if first == "PID":
        first = f"pid {os.getpid()}"
    lines = [ln for ln in text.splitlines()[1:] if ln.strip()]
    project = Project(name=first or Path(path).stem,
                      indicators=[Indicator(level1="产出指标", level2="数量指标", level3=ln, value=ln) for ln in lines])
    return ExtractionResult(source=str(path), status="success",
                            document=PerformanceDocument(source=Path(path).name, projects=[project]))


def extract_paged(path, backend: str = "rules", progress=None) -> ExtractionResult:
    """Like extract_file, reporting the pages a first line 'PAGES n' names, as an OCR'd file does; 'PAGES n s'
    takes s seconds after the first page (a slow OCR)."""
    first = Path(path).read_text(encoding="utf-8").splitlines()[0]
    if first.startswith("PAGES ") and progress is not None:
        words = first.split()
        n = int(words[1])
        for k in range(1, n + 1):
            progress(k, n)
            if k == 1 and len(words) > 2:
                time.sleep(float(words[2]))
    return extract_file(path, backend)
