"""Batch extraction: many files -> one gold-shape JSON each, resumable, atomic, isolated per file."""

# Start-up: no `from __future__ import annotations`, so the models' field annotations are objects pydantic need
# not evaluate from strings (each a ForwardRef compiled and eval'd at every start); names defined later are quoted.
import hashlib
import importlib
import inspect
import os
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from perfdraft.core.models import Rejection
from perfdraft.ingest.digest import sha256_of
from perfdraft.ingest.load import describe_supported, supported_suffixes
from perfdraft.ingest.sanitize import clean_text, readable_name

if TYPE_CHECKING:  # the worker pool imports multiprocessing itself (in-process runs never do)
    from multiprocessing.connection import Connection

MANIFEST = "manifest.jsonl"
FAILURES = "failures.jsonl"
DEFAULT_EXTRACTOR = "perfdraft.extraction.api:extract_file"
TMP_MARK = ".tmp-"
# Batch executors besides "process" (this machine's worker pool, built in): name -> "module:function(tasks, opts,
# done)" running the same per-file unit on a distributed engine; loaded only when chosen (heavy imports).
EXECUTORS = {"dask": "perfdraft.extraction.dask_exec:run"}
# Output names stay well under the 255-byte NAME_MAX even with the temp-file dot, mark and pid around them.
MAX_NAME_BYTES = 160
# What a user can do about a crash-class failure; appended to its message.
HINTS = {
    "crash": "the file makes a parsing library crash; try re-saving it (Word/Excel: Save As, PDF: print to PDF)",
    "internal": "a bug in perfdraft: run this file again with --jobs 1 and PERFDRAFT_DEBUG=1 and report it",
    "memory": "raise --max-memory if the machine has room, or split the file",
    "timeout": "raise --timeout for very large files (--page-timeout for long scans)",
}

OutcomeStatus = Literal["ok", "partial", "failed", "skipped"]


PageProgress = Callable[[str, int, int], None]  # (file, pages done, pages in the file) while a file is OCR'd


def time_limit(opts: "BatchOptions", ocr_pages: int = 0) -> float:
    """A file's wall-clock limit: the per-file one, plus the per-page one for each page it OCRs."""
    return opts.timeout_s + ocr_pages * opts.ocr_page_s


def timeout_message(opts: "BatchOptions", ocr_pages: int = 0) -> str:
    """What a file that ran out of time is told: the limit, and how its OCR pages grew it."""
    if not ocr_pages:
        return f"gave up after {opts.timeout_s:g} s"
    return (f"gave up after {time_limit(opts, ocr_pages):g} s ({opts.timeout_s:g} s + {ocr_pages} OCR page(s) x "
            f"{opts.ocr_page_s:g} s)")


class BatchUsageError(ValueError):
    """The batch cannot start (no such path, nothing to extract): exit status 2 at the CLI."""


class BatchOptions(BaseModel):
    """How to run a batch."""

    out_dir: Path
    jobs: int = Field(1, ge=1, description="parallel worker processes")
    force: bool = Field(False, description="re-extract files already finished")
    backend: str = "rules"
    timeout_s: float = Field(120.0, gt=0, description="per-file wall-clock limit; the worker is killed after it "
                                                      "(in this process: the extraction is interrupted)")
    ocr_page_s: float = Field(60.0, ge=0, description="added to the per-file limit for every page a file OCRs, once "
                                                      "it reports its page count (a long scan is not cut at 120 s)")
    max_memory_mb: int = Field(2048, ge=64, description="per-worker RSS limit; the worker is killed above it "
                                                        "(not enforced in this process)")
    isolate: bool | Literal["auto"] = Field(
        True, description="True: files run in worker processes; False: in this process (see _run_in_process for "
                          "what differs); auto: in this process when one worker would do (jobs=1 or one file)")
    extractor: str = Field(DEFAULT_EXTRACTOR, description="module:function(path, backend=) -> ExtractionResult")
    executor: str = Field("process", description="where the per-file unit runs: process, or a name in EXECUTORS")
    address: str | None = Field(None, description="engine scheduler HOST:PORT; None starts a local cluster")

    @field_validator("executor")
    @classmethod
    def _known_executor(cls, name: str) -> str:
        if name != "process" and name not in EXECUTORS:
            raise ValueError(f"unknown executor {name!r}; one of process, {', '.join(EXECUTORS)}")
        return name


class FileTask(BaseModel):
    """One input file and where its JSON goes."""

    source: Path
    output: Path
    backend: str
    extractor: str = DEFAULT_EXTRACTOR


class FileOutcome(BaseModel):
    """What happened to one input file."""

    source: str
    output: str | None = Field(None, description="JSON written (ok, partial) or kept from an earlier run (skipped)")
    status: OutcomeStatus
    kind: str | None = Field(None, description="error kind for failed/partial files (corrupt, encrypted, timeout ...)")
    message: str | None = None
    sha256: str | None = Field(None, description="content hash of the input")
    output_sha256: str | None = None
    projects: int = 0
    indicators: int = 0
    warnings: list[str] = []
    seconds: float = 0.0
    rejected: list[Rejection] = Field([], description="LLM values the source does not contain")


class InputProblem(BaseModel):
    """A path met while collecting inputs that is not extracted: a symlink leaving the tree, an unreadable folder."""

    path: str
    kind: Literal["symlink-outside", "unreadable-folder"]
    message: str

    @property
    def is_failure(self) -> bool:
        """An unreadable folder may hide documents: the batch did not do all it was asked (exit status 1)."""
        return self.kind == "unreadable-folder"


class InputScan(BaseModel):
    """Supported files found under the given paths, and what was left out and why."""

    files: list[Path] = []
    problems: list[InputProblem] = []


class BatchSummary(BaseModel):
    """The result of a batch: one outcome per input, in input order, plus the paths left out."""

    out_dir: str
    outcomes: list[FileOutcome] = []
    problems: list[InputProblem] = []
    seconds: float = 0.0

    def count(self, status: OutcomeStatus) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def rejected(self) -> int:
        """LLM values rejected in this batch (all files)."""
        return sum(len(o.rejected) for o in self.outcomes)

    @property
    def failed(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def all_ok(self) -> bool:
        return not self.failed and not any(p.is_failure for p in self.problems)

    @property
    def exit_code(self) -> int:
        """0 when every file was extracted (or already was), 1 when any failed or a folder could not be read."""
        return 0 if self.all_ok else 1


# ------------------------------------------------------------------------------------------------
# inputs and output names
# ------------------------------------------------------------------------------------------------


def collect_inputs(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given plus supported files found recursively in folders; sorted, without duplicates."""
    return scan_inputs(paths).files


def _label(path: Path | str) -> str:
    """A path as text that JSON and terminals can hold (non-UTF-8 name bytes decoded or escaped)."""
    return readable_name(str(path))


def _key(path: Path) -> str:
    """The manifest key of an input: its resolved path, raw name bytes escaped (unique, unlike a decoded label)."""
    return os.fsencode(str(path.resolve())).decode("utf-8", "backslashreplace")


def _walk(root: Path, problems: list[InputProblem]) -> list[Path]:
    """Supported files under root; unreadable folders and symlinks leading out of root become problems."""
    inside = root.resolve()
    found: list[Path] = []

    def unreadable(err: OSError) -> None:
        problems.append(InputProblem(path=_label(err.filename), kind="unreadable-folder",
                                     message=f"cannot read the folder ({err.strerror or err}); its files were "
                                             "not extracted"))

    def outside(path: Path) -> bool:
        return not path.resolve().is_relative_to(inside)

    for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable):
        folder = Path(dirpath)
        # hidden files/folders and Office lock files (~$x.docx) are never documents
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "~$")))
        for d in dirnames:
            if (folder / d).is_symlink() and outside(folder / d):  # os.walk does not follow it; say so
                problems.append(InputProblem(path=_label(folder / d), kind="symlink-outside",
                                             message="symlinked folder outside the input folder: not followed"))
        for name in filenames:
            f = folder / name
            if name.startswith((".", "~$")) or f.suffix.lower() not in supported_suffixes():
                continue
            if f.is_symlink() and outside(f):
                problems.append(InputProblem(path=_label(f), kind="symlink-outside",
                                             message=f"symlink to {_label(f.resolve())}, outside the input "
                                                     "folder: skipped"))
            elif f.is_file():
                found.append(f)
    return sorted(found)


def scan_inputs(paths: Iterable[str | Path]) -> InputScan:
    """Files as given plus supported files found recursively in folders, sorted, without duplicates; and the
    paths left out (symlinks leaving a folder, unreadable folders)."""
    found: list[Path] = []
    problems: list[InputProblem] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found.extend(_walk(p, problems))
        elif p.is_file():
            found.append(p)  # given explicitly: unsupported types get a per-file status, not a skip
        else:
            raise BatchUsageError(f"{_label(p)}: no such file or folder")
    seen: set[Path] = set()
    unique = []
    for f in found:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return InputScan(files=unique, problems=problems)


def _short_hash(path: Path) -> str:
    return hashlib.sha1(os.fsencode(str(path.resolve()))).hexdigest()[:8]


def _fit(base: str, tag: str = "") -> str:
    """base + tag + ".json", base cut (on a character boundary) so the name is at most MAX_NAME_BYTES."""
    budget = MAX_NAME_BYTES - len(tag.encode()) - len(".json")
    return base.encode("utf-8")[:budget].decode("utf-8", "ignore") + tag + ".json"


def _safe_base(base: str) -> str:
    """A name part without undecodable bytes, control characters or path separators."""
    return clean_text(readable_name(base)).replace(os.sep, "_").strip() or "document"


def output_names(inputs: list[Path]) -> dict[Path, str]:
    """`<stem>.json` per input, safe and short; equal names are told apart by folders, suffix, then a path hash.

    A name that is not UTF-8 is decoded (GB18030) or escaped; one over MAX_NAME_BYTES is cut and given a hash
    of its path, so distinct inputs never share an output.
    """
    names = _plain_names(inputs)
    for f, name in names.items():
        base = _safe_base(name[:-len(".json")])
        names[f] = _fit(base) if len(base.encode()) + 5 <= MAX_NAME_BYTES else _fit(base, "-" + _short_hash(f))
    taken = Counter(n.lower() for n in names.values())  # lower(): case-insensitive file systems too
    for f, name in names.items():
        if taken[name.lower()] > 1:
            names[f] = _fit(name[:-len(".json")], "-" + _short_hash(f))
    return names


def _plain_names(inputs: list[Path]) -> dict[Path, str]:
    """`<stem>.json` per input; equal stems are told apart by their folders, then by their suffix."""
    by_stem: dict[str, list[Path]] = {}
    for f in inputs:
        by_stem.setdefault(f.stem, []).append(f)
    names: dict[Path, str] = {}
    for stem, group in by_stem.items():
        if len(group) == 1:
            names[group[0]] = f"{stem}.json"
            continue
        resolved = [g.resolve() for g in group]
        common = Path(os.path.commonpath([str(r.parent) for r in resolved]))
        for f, r in zip(group, resolved):
            folder = "__".join(r.parent.relative_to(common).parts)
            names[f] = f"{folder}__{stem}" if folder else stem
        # same folder and stem, different type (a.txt, a.pdf): add the type
        counts: dict[str, int] = {}
        for f in group:
            counts[names[f]] = counts.get(names[f], 0) + 1
        for f in group:
            base = names[f]
            names[f] = (f"{base}.{f.suffix.lstrip('.').lower()}" if counts[base] > 1 else base) + ".json"
    return names


# ------------------------------------------------------------------------------------------------
# atomic files, manifest, failures log
# ------------------------------------------------------------------------------------------------


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write via a temp file in the same folder + fsync + os.replace: readers see old or new, never half."""
    tmp = path.with_name(f".{path.name}{TMP_MARK}{os.getpid()}")
    with tmp.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _append_line(path: Path, record: BaseModel) -> None:
    """Append one JSON line and fsync it (a kill mid-write leaves at most one torn last line)."""
    with path.open("a", encoding="utf-8") as fh:
        fh.write(record.model_dump_json() + "\n")
        fh.flush()
        os.fsync(fh.fileno())


class ManifestEntry(BaseModel):
    """A finished file: its content hash and the hash of the JSON written for it."""

    source: str
    sha256: str
    backend: str
    output: str
    output_sha256: str
    status: OutcomeStatus


class FailureRecord(BaseModel):
    """One line of failures.jsonl."""

    model_config = ConfigDict(defer_build=True)  # built with the first failure read or written, not at import

    file: str
    kind: str
    message: str
    status: OutcomeStatus = "failed"
    rejected: list[Rejection] = Field([], description="each rejected LLM value, as claimed")


def _read_jsonl(path: Path, model: type[BaseModel]) -> list:
    if not path.exists():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            rows.append(model.model_validate_json(line))
        except ValueError:
            continue  # a torn last line from a killed run
    return rows


def _rewrite_jsonl(path: Path, rows: list[BaseModel]) -> None:
    """Compact a log to `rows`; one that already holds exactly these bytes is left alone (its two fsyncs are a
    good part of a one-file run's wall time)."""
    data = "".join(r.model_dump_json() + "\n" for r in rows).encode("utf-8")
    try:
        if path.read_bytes() == data:
            return
    except OSError:
        pass
    atomic_write_bytes(path, data)


def _clean_temp_files(out_dir: Path) -> None:
    """Remove temp files a killed run left behind (never visible as outputs: they start with a dot)."""
    for tmp in out_dir.glob(f".*{TMP_MARK}*"):
        try:
            tmp.unlink()
        except OSError:
            pass


# ------------------------------------------------------------------------------------------------
# one file (runs in a worker process, or in this process: see _run_in_process)
# ------------------------------------------------------------------------------------------------


def _load_extractor(spec: str) -> Callable:
    module, _, func = spec.partition(":")
    return getattr(importlib.import_module(module), func)


def _takes_progress(extractor: Callable) -> bool:
    try:
        return "progress" in inspect.signature(extractor).parameters
    except (TypeError, ValueError):
        return False


def process_file(task: FileTask, pages: Callable[[int, int], None] | None = None) -> FileOutcome:
    """Extract one file and write its JSON atomically; every failure becomes an outcome, never an exception.

    pages(done, total) is called per OCR'd page when the extractor takes a progress= argument."""
    start = time.perf_counter()
    src = str(task.source)

    def failed(kind: str, message: str, sha: str | None = None) -> FileOutcome:
        return FileOutcome(source=src, status="failed", kind=kind, message=message, sha256=sha,
                           seconds=time.perf_counter() - start)

    try:
        sha = sha256_of(task.source)
    except OSError as exc:
        return failed("io", f"cannot read file: {exc.strerror or exc}")
    try:
        extractor = _load_extractor(task.extractor)
        extra = {"progress": pages} if pages is not None and _takes_progress(extractor) else {}
        result = extractor(task.source, backend=task.backend, **extra)
    except MemoryError:
        return failed("memory", "ran out of memory while extracting", sha)
    except Exception as exc:  # a bug or an unexpected library error: a status, not a traceback
        kind = getattr(exc, "kind", "internal")
        message = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
        return failed(kind, message, sha)
    if result.status == "failure" or result.document is None:
        err = result.errors[0] if result.errors else None
        return failed(err.kind if err else "extraction", err.message if err else "extraction produced no document",
                      sha)
    doc = result.document
    data = doc.to_json().encode("utf-8")
    try:
        atomic_write_bytes(task.output, data)
    except OSError as exc:
        return failed("io", f"cannot write {task.output}: {exc.strerror or exc}", sha)
    warnings = list(result.warnings)
    partial = result.status == "partial_success"
    kind = message = None
    if partial:
        kind = "no-tables" if not doc.projects else "partial"
        if result.rejections:
            kind = "llm-rejected"
        if result.backend == "rules" and task.backend != "rules" and result.errors:
            kind = "llm-fallback"  # the endpoint was unavailable: the file ran as rules
        message = "; ".join(warnings) or "extracted with problems"
    return FileOutcome(
        source=src, output=str(task.output), status="partial" if partial else "ok", kind=kind, message=message,
        sha256=sha, output_sha256=hashlib.sha256(data).hexdigest(), projects=len(doc.projects),
        indicators=sum(len(p.indicators) for p in doc.projects), warnings=warnings,
        seconds=time.perf_counter() - start, rejected=list(result.rejections))


# ------------------------------------------------------------------------------------------------
# worker pool: long-lived processes, each watched for time, memory and death
# ------------------------------------------------------------------------------------------------


def _die_with_parent() -> None:
    """Linux: have the kernel SIGKILL this worker when the batch process dies (e.g. kill -9)."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass


def _worker_main(conn: "Connection") -> None:
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is handled by the parent
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        try:
            conn.send(process_file(task, pages=partial(_send_page, conn)))
        except (BrokenPipeError, OSError):
            return


def _send_page(conn: "Connection", done: int, total: int) -> None:
    """A page of the running file is done: a ("page", done, total) message before the file's outcome."""
    conn.send(("page", done, total))


class _Worker:
    def __init__(self, ctx) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child,), daemon=True)
        self.proc.start()
        child.close()
        self.task: FileTask | None = None
        self.started = 0.0
        self.pages = 0  # pages the running file OCRs, once it reports them: its time limit grows with them

    def give(self, task: FileTask) -> None:
        self.task, self.started, self.pages = task, time.monotonic(), 0
        try:
            self.conn.send(task)
        except OSError:  # the worker died before it could take the task: the watch loop reports it as a crash
            pass

    def rss_mb(self) -> float:
        try:
            import psutil
            return psutil.Process(self.proc.pid).memory_info().rss / 1e6
        except Exception:
            return 0.0

    def kill(self) -> None:
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(5)
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except (BrokenPipeError, OSError):
            pass
        self.proc.join(2)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(2)
        self.conn.close()


def _run_isolated(tasks: list[FileTask], opts: BatchOptions, done: Callable[[FileOutcome], None],
                  on_page: PageProgress | None = None) -> None:
    """Run tasks in opts.jobs worker processes; a hang, crash or memory blow-up fails only its own file."""
    # multiprocessing (sockets, pickle, selectors) is imported with the first pool, not by in-process runs
    import multiprocessing
    from multiprocessing.connection import wait
    ctx = multiprocessing.get_context("spawn")  # no inherited threads/locks from the caller (tqdm, Streamlit)
    pending = list(reversed(tasks))
    workers = [_Worker(ctx) for _ in range(min(opts.jobs, len(tasks)))]
    try:
        for w in workers:
            if pending:
                w.give(pending.pop())
        while any(w.task for w in workers):
            busy = [w for w in workers if w.task]
            ready = wait([w.conn for w in busy] + [w.proc.sentinel for w in busy], timeout=0.25)
            for i, w in enumerate(workers):
                if w.task is None:
                    continue
                outcome = None
                if w.conn in ready:
                    try:
                        outcome = w.conn.recv()
                    except (EOFError, OSError):
                        outcome = None
                    if isinstance(outcome, tuple):  # a page of the file, not its end
                        w.pages = outcome[2]
                        if on_page is not None:
                            on_page(str(w.task.source), outcome[1], outcome[2])
                        continue
                if outcome is None:
                    elapsed = time.monotonic() - w.started
                    src = str(w.task.source)
                    if not w.proc.is_alive() or (w.proc.sentinel in ready and w.conn not in ready):
                        code = w.proc.exitcode
                        how = f"signal {-code}" if code is not None and code < 0 else f"exit status {code}"
                        outcome = FileOutcome(source=src, status="failed", kind="crash",
                                              message=f"the extractor process died ({how})", seconds=elapsed)
                    elif elapsed > time_limit(opts, w.pages):
                        outcome = FileOutcome(source=src, status="failed", kind="timeout",
                                              message=timeout_message(opts, w.pages), seconds=elapsed)
                    elif (rss := w.rss_mb()) > opts.max_memory_mb:
                        outcome = FileOutcome(source=src, status="failed", kind="memory",
                                              message=f"used {rss:.0f} MB, over the {opts.max_memory_mb} MB limit",
                                              seconds=elapsed)
                    else:
                        continue
                    w.kill()
                    workers[i] = w = _Worker(ctx)
                w.task = None
                done(outcome)
                if pending:
                    w.give(pending.pop())
    finally:
        for w in workers:
            if w.task is not None:
                w.kill()
            else:
                w.stop()


# ------------------------------------------------------------------------------------------------
# in this process: no worker start-up, the timeout by SIGALRM
# ------------------------------------------------------------------------------------------------


class ExtractionTimeout(BaseException):
    """Raised by SIGALRM in the main thread when an in-process file runs over its time limit.

    A BaseException, so that the extractors' own `except Exception` (one bad table must not lose the rest of a
    document) cannot swallow it.
    """


def _expire(signum, frame) -> None:
    raise ExtractionTimeout


def _in_process(task: FileTask, opts: BatchOptions, pages: Callable[[int, int], None] | None = None) -> FileOutcome:
    """process_file under a SIGALRM timer (main thread only: elsewhere no timer can interrupt the call); the timer
    is pushed back when the file reports how many pages it OCRs."""
    if threading.current_thread() is not threading.main_thread():
        return process_file(task, pages=pages)
    start = time.perf_counter()
    seen = [0]

    def page(done: int, total: int) -> None:
        if total != seen[0]:
            seen[0] = total
            signal.setitimer(signal.ITIMER_REAL, max(0.001, time_limit(opts, total) - (time.perf_counter() - start)))
        if pages is not None:
            pages(done, total)

    previous = signal.signal(signal.SIGALRM, _expire)
    try:
        signal.setitimer(signal.ITIMER_REAL, opts.timeout_s)
        try:
            return process_file(task, pages=page)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except ExtractionTimeout:
        return FileOutcome(source=str(task.source), status="failed", kind="timeout",
                           message=timeout_message(opts, seen[0]), seconds=time.perf_counter() - start)
    finally:
        signal.signal(signal.SIGALRM, previous)


def _run_in_process(tasks: list[FileTask], opts: BatchOptions, done: Callable[[FileOutcome], None],
                    on_page: Callable[[str, int, int], None] | None = None) -> None:
    """Run tasks one after the other in this process: no worker to spawn, and its imports are paid once.

    The same as in workers: each JSON written atomically, the manifest (resume) and failures.jsonl, the per-file
    timeout, the exit status. What differs: the timeout interrupts Python code in the main thread, so neither a
    single call into a C library that never returns nor threads the extractor started (LLM requests) are cut
    short (a worker is killed); no memory limit (RLIMIT_AS would limit this whole process, the caller included);
    and a parsing library that crashes ends the run instead of failing one file (files finished before it keep
    their JSON and manifest line; a rerun resumes). `perfdraft extract` therefore keeps workers for LLM backends,
    when --max-memory is given and when more than one worker would run.
    """
    for task in tasks:
        pages = partial(on_page, str(task.source)) if on_page is not None else None
        done(_in_process(task, opts, pages))


# ------------------------------------------------------------------------------------------------
# the batch
# ------------------------------------------------------------------------------------------------


def _finished(entry: ManifestEntry | None, sha: str, out: Path, backend: str) -> bool:
    """Finished = same input hash and backend, and the JSON on disk is exactly the one recorded."""
    if entry is None or entry.sha256 != sha or entry.backend != backend or entry.output != _key(out):
        return False
    try:
        return out.is_file() and sha256_of(out) == entry.output_sha256
    except OSError:
        return False


def run_batch(paths: Iterable[str | Path], opts: BatchOptions,
              on_outcome: Callable[[FileOutcome], None] | None = None,
              on_start: Callable[[int], None] | None = None, on_page: PageProgress | None = None) -> BatchSummary:
    """Extract every supported file under paths into opts.out_dir.

    on_page(file, pages done, pages in the file) reports OCR'd pages (scanned PDFs, images) as they finish, from
    workers too; on_outcome is called once per file.

    Finished files (same content hash and backend, JSON on disk as recorded in manifest.jsonl) are skipped
    unless opts.force; each JSON is written atomically; failed and partial files are appended to
    failures.jsonl as they happen, and both logs are compacted (one line per file) at the end.
    """
    start = time.perf_counter()
    scan = scan_inputs(paths)
    inputs = scan.files
    if not inputs and not any(p.is_failure for p in scan.problems):
        raise BatchUsageError(f"no {describe_supported(', ')} files found in the given paths")
    out_dir = opts.out_dir
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BatchUsageError(f"{out_dir}: cannot create the output folder ({exc.strerror or exc})") from exc
    _clean_temp_files(out_dir)
    names = output_names(inputs)
    manifest_path, failures_path = out_dir / MANIFEST, out_dir / FAILURES
    manifest = {e.source: e for e in _read_jsonl(manifest_path, ManifestEntry)}
    old_failures = _read_jsonl(failures_path, FailureRecord)

    outcomes: dict[str, FileOutcome] = {}
    keys = {f: _key(f) for f in inputs}
    tasks: list[FileTask] = []
    if on_start:
        on_start(len(inputs))
    for f in inputs:
        out = out_dir / names[f]
        if not opts.force:
            try:
                sha = sha256_of(f)
            except OSError:
                sha = ""
            entry = manifest.get(keys[f])
            if sha and _finished(entry, sha, out, opts.backend):
                o = FileOutcome(source=_label(f), output=_label(out), status="skipped", sha256=sha,
                                output_sha256=entry.output_sha256, kind=None)
                outcomes[str(f)] = o
                if on_outcome:
                    on_outcome(o)
                continue
        tasks.append(FileTask(source=f, output=out, backend=opts.backend, extractor=opts.extractor))

    by_src = {str(t.source): t for t in tasks}

    def done(o: FileOutcome) -> None:
        raw = o.source
        task = by_src[raw]
        # every text that goes into the logs and the summary must be valid Unicode (JSON cannot hold raw bytes)
        o.source, o.output = _label(task.source), _label(o.output) if o.output else None
        o.message = _label(o.message) if o.message else o.message
        if o.status == "failed" and o.kind in HINTS:
            o.message = f"{o.message or o.kind}; hint: {HINTS[o.kind]}"
        key = _key(task.source)
        if o.status in ("ok", "partial") and o.sha256 and o.output_sha256:
            entry = ManifestEntry(source=key, sha256=o.sha256, backend=opts.backend, output=_key(task.output),
                                  output_sha256=o.output_sha256, status=o.status)
            manifest[key] = entry
            _append_line(manifest_path, entry)
        if o.status in ("failed", "partial"):
            _append_line(failures_path, FailureRecord(file=o.source, kind=o.kind or "unknown",
                                                      message=o.message or "", status=o.status,
                                                      rejected=o.rejected))
        outcomes[raw] = o
        if on_outcome:
            on_outcome(o)

    def page(source: str, k: int, n: int) -> None:
        if on_page is not None:
            on_page(_label(source), k, n)

    engine = EXECUTORS.get(opts.executor)
    if tasks and engine:  # the same per-file unit on a distributed engine, instead of the worker pool below
        _load_extractor(engine)(tasks, opts, done)
        tasks = []
    if tasks:
        if opts.isolate is True or (opts.isolate == "auto" and opts.jobs > 1 and len(tasks) > 1):
            _run_isolated(tasks, opts, done, page)
        else:
            _run_in_process(tasks, opts, done, page)

    ordered = [outcomes[str(f)] for f in inputs]
    # compact the logs: one manifest line per file; failures of this batch replace earlier lines for its files
    _rewrite_jsonl(manifest_path, sorted(manifest.values(), key=lambda e: e.source))
    this_batch = {_label(f) for f in inputs} | {p.path for p in scan.problems}
    old_partial = {r.file: r for r in old_failures if r.file in this_batch and r.status == "partial"}
    current = []
    for o in ordered:
        if o.status in ("failed", "partial"):
            current.append(FailureRecord(file=o.source, kind=o.kind or "unknown", message=o.message or "",
                                         status=o.status, rejected=o.rejected))
        elif o.status == "skipped" and o.source in old_partial:
            current.append(old_partial[o.source])  # still partial: its JSON was kept, so is its warning
    current += [FailureRecord(file=p.path, kind=p.kind, message=p.message) for p in scan.problems if p.is_failure]
    _rewrite_jsonl(failures_path, [r for r in old_failures if r.file not in this_batch] + current)
    return BatchSummary(out_dir=_label(out_dir), outcomes=ordered, problems=scan.problems,
                        seconds=time.perf_counter() - start)

