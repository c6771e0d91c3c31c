"""Uploads extracted off the server process: a job process runs extraction.batch's worker pool (time and
memory limits per file); cancelling kills the job, and its workers die with it (PR_SET_PDEATHSIG)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from pathlib import Path

from pydantic import BaseModel

from perfdraft.core.models import ErrorInfo, ExtractionResult, PerformanceDocument
from perfdraft.core.settings import Settings
from perfdraft.extraction.batch import BatchOptions, BatchSummary, FileOutcome

PAGE_TIMEOUT_S = 120.0
PAGE_MAX_MEMORY_MB = 1024
PROGRESS = "progress.jsonl"
SUMMARY = "summary.json"
PAGES = "pages.json"  # the OCR'd page of the file being read: {"source", "done", "total"}

# what a failed file's kind means to budget staff (the extractor's own text is English and may hold paths)
KIND_ZH = {
    "unsupported-format": "不支持的文件类型，请上传 PDF、DOCX、XLSX 或 TXT 文件",
    "corrupt": "文件已损坏或内容与扩展名不符，无法打开",
    "encrypted": "文件有密码保护，请先解除密码再上传",
    "scanned": "PDF 中没有文字（扫描件），请先做文字识别（OCR）",
    "empty": "文件为空或没有可读的文字",
    "too-large": "文件过大",
    "no-tables": "文件中没有找到绩效目标表",
    "timeout": f"处理超过 {PAGE_TIMEOUT_S:g} 秒，已停止（文件可能过于复杂）",
    "memory": f"处理时占用内存超过 {PAGE_MAX_MEMORY_MB} MB，已停止（文件可能过于复杂）",
    "crash": "处理进程意外退出，文件可能已损坏",
    "io": "无法读取文件",
    "llm": "大模型调用失败",
    "llm-unavailable": "大模型服务不可用",
    "budget-exceeded": "超出大模型 token 预算",
}
DEFAULT_ZH = "无法处理这个文件"
STATUS = {"ok": "success", "partial": "partial_success", "failed": "failure", "skipped": "success"}


def _run(paths: list[str], opts_json: str) -> None:
    """Job process body: the batch with a progress line per finished file (and the OCR'd page), then the summary."""
    from perfdraft.extraction.batch import atomic_write_bytes, run_batch

    opts = BatchOptions.model_validate_json(opts_json)
    log = opts.out_dir / PROGRESS

    def progress(o: FileOutcome) -> None:
        with log.open("a", encoding="utf-8") as fh:
            fh.write(o.model_dump_json() + "\n")

    def page(source: str, done: int, total: int) -> None:
        record = {"source": source, "done": done, "total": total}
        atomic_write_bytes(opts.out_dir / PAGES, json.dumps(record).encode("utf-8"))

    summary = run_batch(paths, opts, on_outcome=progress, on_page=page)
    atomic_write_bytes(opts.out_dir / SUMMARY, summary.model_dump_json().encode("utf-8"))


def result_of(outcome: FileOutcome, name: str) -> ExtractionResult:
    """A batch outcome as the page's ExtractionResult, with a Chinese message and no server path."""
    doc = None
    if outcome.output and Path(outcome.output).is_file():
        doc = PerformanceDocument.model_validate_json(Path(outcome.output).read_text(encoding="utf-8"))
        doc.source = name
    errors = []
    if outcome.status == "failed":
        errors.append(ErrorInfo(kind=outcome.kind or "internal", message=KIND_ZH.get(outcome.kind or "", DEFAULT_ZH),
                                file=name))
    return ExtractionResult(source=name, status=STATUS[outcome.status], document=doc, errors=errors,
                            warnings=[w for w in outcome.warnings if "/" not in w], seconds=outcome.seconds)


class ExtractJob:
    """One extraction job for saved uploads; poll `state()`, then `results()`; `cancel()` stops it at once."""

    def __init__(self, paths: list[Path], settings: Settings, backend: str = "rules", *,
                 timeout_s: float = PAGE_TIMEOUT_S, max_memory_mb: int = PAGE_MAX_MEMORY_MB):
        self.paths = [Path(p) for p in paths]
        self.out_dir = Path(settings.data_dir) / "extracted" / uuid.uuid4().hex[:12]
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.opts = BatchOptions(out_dir=self.out_dir, jobs=1, force=True, backend=backend, timeout_s=timeout_s,
                                 max_memory_mb=max_memory_mb, isolate=True)
        self.proc = None
        self.cancelled = False
        self.started = 0.0

    def start(self) -> "ExtractJob":
        # a fresh interpreter, not multiprocessing from the server: Streamlit runs app.py as __main__, which a
        # spawned child would re-import; `python -m` gives the job (and its workers) a clean main module
        args = {"paths": [str(p) for p in self.paths], "opts": self.opts.model_dump_json()}
        (self.out_dir / "job.json").write_text(json.dumps(args), encoding="utf-8")
        self.proc = subprocess.Popen([sys.executable, "-m", "perfdraft.ui.jobs", str(self.out_dir / "job.json")],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=(self.out_dir / "job.log").open("wb"))
        self.started = time.monotonic()
        return self

    def _progress(self) -> list[FileOutcome]:
        log = self.out_dir / PROGRESS
        if not log.exists():
            return []
        out = []
        for line in log.read_text(encoding="utf-8").splitlines():
            try:
                out.append(FileOutcome.model_validate_json(line))
            except ValueError:
                continue  # the line being written right now
        return out

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def finished(self) -> int:
        return len(self._progress())

    def page(self) -> tuple[str, int, int] | None:
        """(upload name, pages done, pages) of the file being OCR'd now, None when no unfinished file is."""
        try:
            rec = json.loads((self.out_dir / PAGES).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if rec["source"] in {o.source for o in self._progress()}:
            return None  # that file is finished; the next one has not reported a page yet
        return display_name(Path(rec["source"])), int(rec["done"]), int(rec["total"])

    def cancel(self) -> None:
        """Kill the job process now; its worker gets SIGKILL from the kernel with it."""
        self.cancelled = True
        if self.running:
            self.proc.kill()
        if self.proc is not None:
            self.proc.wait(5)

    def wait(self, timeout: float | None = None) -> bool:
        if self.proc is not None:
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        return not self.running

    def results(self) -> list[ExtractionResult]:
        """One result per input in input order; files the job never reached (cancel, crash) say so."""
        summary_path = self.out_dir / SUMMARY
        if summary_path.exists():
            outcomes = BatchSummary.model_validate_json(summary_path.read_text(encoding="utf-8")).outcomes
        else:
            outcomes = self._progress()
        by_src = {o.source: o for o in outcomes}
        results = []
        for p in self.paths:
            name = display_name(p)
            o = by_src.get(str(p))
            if o is None:
                msg = "已取消" if self.cancelled else "处理进程意外退出"
                results.append(ExtractionResult(source=name, status="failure", errors=[
                    ErrorInfo(kind="cancelled" if self.cancelled else "crash", message=msg, file=name)]))
            else:
                results.append(result_of(o, name))
        return results


def display_name(path: Path) -> str:
    """The upload's own name (saved files carry a content-hash prefix)."""
    return path.name.split("_", 1)[1] if "_" in path.name else path.name


if __name__ == "__main__":  # the job process: python -m perfdraft.ui.jobs <job.json>
    _args = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    _run(_args["paths"], _args["opts"])
