"""The "dask" batch executor: the per-file unit on a Dask cluster, a local one by default or a real one by address."""

from __future__ import annotations

import logging
import os
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import psutil

from perfdraft.extraction.batch import (BatchOptions, BatchUsageError, FileOutcome, FileTask, atomic_write_bytes,
                                        process_file, time_limit, timeout_message)

LIMIT_TOPIC = "perfdraft-limit"  # a unit over its time or memory limit says so here before its worker is ended
PAGES_TOPIC = "perfdraft-pages"  # a unit that OCRs says how many pages here: the driver's deadline grows with them
POLL_S = 0.2
# The driver's own deadline past the unit's: scheduling, a worker being restarted, a unit stuck holding the GIL.
SLACK_S = 30.0
CONNECT_TIMEOUT_S = 30.0
# Inputs above this go to the cluster's memory first instead of inside the task graph (Dask warns on big graphs).
SCATTER_BYTES = 1_000_000
# The local cluster's worker memory limit, a multiple of --max-memory: the Nanny ends a worker the unit's own
# watch could not (a blow-up inside C code that holds the GIL).
NANNY_MEMORY_FACTOR = 1.5
LOCAL_CONFIG = {
    "distributed.scheduler.allowed-failures": 0,  # a worker that dies fails its own file, it is not retried
    # the unit's watch enforces --max-memory; spilling or pausing a worker that holds no data only stalls it
    "distributed.worker.memory.target": False,
    "distributed.worker.memory.spill": False,
    "distributed.worker.memory.pause": False,
    "distributed.worker.memory.terminate": 0.95,
}


# ------------------------------------------------------------------------------------------------
# on a worker: one file under a time and memory watch
# ------------------------------------------------------------------------------------------------


class _Watch:
    """Ends this worker process when the unit passes its time or memory limit, after telling the driver why."""

    def __init__(self, opts: BatchOptions, report: Callable[[str, str], None],
                 tell_pages: Callable[[int], None]) -> None:
        self.opts, self.max_memory_mb, self.report, self.tell_pages = opts, opts.max_memory_mb, report, tell_pages
        self.n_pages = 0
        self.finished = threading.Event()
        self.started = time.monotonic()
        self.thread = threading.Thread(target=self._watch, name="perfdraft-watch", daemon=True)

    def __enter__(self) -> _Watch:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.finished.set()

    def pages(self, done: int, total: int) -> None:
        """A page of the file was OCR'd: the first report of its page count grows the limit (driver's too)."""
        if total != self.n_pages:
            self.n_pages = total
            self.tell_pages(total)

    def _watch(self) -> None:
        proc = psutil.Process()
        while not self.finished.wait(POLL_S):
            elapsed = time.monotonic() - self.started
            if elapsed > time_limit(self.opts, self.n_pages):
                self._end("timeout", timeout_message(self.opts, self.n_pages))
            rss = proc.memory_info().rss / 1e6
            if rss > self.max_memory_mb:
                self._end("memory", f"used {rss:.0f} MB, over the {self.max_memory_mb} MB limit")

    def _end(self, kind: str, message: str) -> None:
        # a thread cannot be stopped: like the process pool, the process running the file is ended
        self.report(kind, message)
        os._exit(70)


def run_one(name: str, data: bytes, backend: str, extractor: str, timeout_s: float,
            max_memory_mb: int, ocr_page_s: float = 0.0) -> tuple[dict, bytes | None]:
    """The per-file unit on a worker: process_file on a private copy of the input; returns (outcome, JSON bytes).

    The input travels with the task and the JSON comes back to the driver, so workers need no shared disk;
    outputs depend only on the file's name and bytes, which are kept.
    """
    from distributed import get_worker
    from distributed.utils import sync

    worker = get_worker()
    key = worker.get_current_task()

    def tell(topic: str, msg: dict) -> None:
        """Tell the scheduler, and wait for its answer."""
        try:
            sync(worker.loop, worker.scheduler.log_event, topic=topic, callback_timeout=5,
                 msg={"key": str(key), **msg})
        except Exception:  # the scheduler is gone or slow: a limit still ends the file, listed as a crash
            pass

    def report(kind: str, message: str) -> None:  # the process ends right after
        tell(LIMIT_TOPIC, {"kind": kind, "message": message})

    with tempfile.TemporaryDirectory(prefix="perfdraft-") as tmp:
        src, out = Path(tmp) / "in" / name, Path(tmp) / "out.json"
        src.parent.mkdir()
        src.write_bytes(data)
        opts = BatchOptions(out_dir=tmp, timeout_s=timeout_s, max_memory_mb=max_memory_mb, ocr_page_s=ocr_page_s)
        with _Watch(opts, report, lambda n: tell(PAGES_TOPIC, {"pages": n})) as watch:
            outcome = process_file(FileTask(source=src, output=out, backend=backend, extractor=extractor),
                                   pages=watch.pages)
        result = out.read_bytes() if outcome.status in ("ok", "partial") else None
    return outcome.model_dump(mode="json"), result


# ------------------------------------------------------------------------------------------------
# the driver
# ------------------------------------------------------------------------------------------------


def _scheduler_address(address: str) -> str:
    return address if "://" in address else f"tcp://{address}"


def _connect(opts: BatchOptions):
    """(client, local cluster or None): the cluster at opts.address, or opts.jobs local workers on 127.0.0.1."""
    from distributed import Client

    if opts.address:
        client = None
        try:
            client = Client(_scheduler_address(opts.address), timeout=CONNECT_TIMEOUT_S)
            client.wait_for_workers(1, timeout=CONNECT_TIMEOUT_S)
        except (OSError, TimeoutError) as exc:
            if client is not None:
                client.close()
            raise BatchUsageError(f"cannot use the Dask cluster at {opts.address}: {exc}") from exc
        return client, None
    cluster = local_cluster(opts.jobs, opts.max_memory_mb)
    return Client(cluster), cluster


def local_cluster(workers: int, max_memory_mb: int):
    """A LocalCluster of `workers` one-thread worker processes, every port on 127.0.0.1."""
    import dask
    from distributed import LocalCluster

    with dask.config.set(LOCAL_CONFIG):
        return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                            dashboard_address="127.0.0.1:0", silence_logs=logging.CRITICAL,
                            memory_limit=int(max_memory_mb * 1e6 * NANNY_MEMORY_FACTOR))


def _failed(task: FileTask, kind: str, message: str, seconds: float = 0.0) -> FileOutcome:
    return FileOutcome(source=str(task.source), status="failed", kind=kind, message=message, seconds=seconds)


def _submit(client, task: FileTask, opts: BatchOptions):
    """The task's future, or its failed outcome when the input cannot be read here."""
    try:
        data = task.source.read_bytes()
    except OSError as exc:
        return _failed(task, "io", f"cannot read file: {exc.strerror or exc}")
    payload = client.scatter(data, hash=False) if len(data) > SCATTER_BYTES else data
    return client.submit(run_one, task.source.name, payload, task.backend, task.extractor, opts.timeout_s,
                         opts.max_memory_mb, opts.ocr_page_s, key=f"perfdraft-extract-{uuid.uuid4().hex}",
                         pure=False, retries=0)


def _collect(future, task: FileTask, limit: tuple[str, str] | None, seconds: float) -> FileOutcome:
    """The outcome of a finished or failed future; the driver writes the JSON, atomically."""
    from distributed import KilledWorker

    if future.status == "finished":
        payload, data = future.result()
        outcome = FileOutcome.model_validate(payload)
        outcome.source = str(task.source)
        if data is not None:
            try:
                atomic_write_bytes(task.output, data)
            except OSError as exc:
                return _failed(task, "io", f"cannot write {task.output}: {exc.strerror or exc}", seconds)
            outcome.output = str(task.output)
        return outcome
    if limit:
        return _failed(task, *limit, seconds)
    exc = future.exception()
    if isinstance(exc, KilledWorker):
        return _failed(task, "crash", "the extractor process died (its Dask worker was lost)", seconds)
    return _failed(task, "internal", f"{type(exc).__name__}: {exc}", seconds)


def _drive(client, tasks: list[FileTask], opts: BatchOptions, done: Callable[[FileOutcome], None]) -> None:
    """At most one file per worker thread in flight, so a lost worker costs only its own file."""
    from distributed import KilledWorker, wait

    limits: dict[str, tuple[str, str]] = {}
    pages: dict[str, int] = {}  # future key -> pages its file OCRs, as its unit reported them
    client.subscribe_topic(LIMIT_TOPIC, lambda event: limits.setdefault(event[1]["key"],
                                                                          (event[1]["kind"], event[1]["message"])))
    client.subscribe_topic(PAGES_TOPIC, lambda event: pages.__setitem__(event[1]["key"], event[1]["pages"]))
    slots = max(1, sum(client.nthreads().values()))
    pending = list(reversed(tasks))
    running: dict = {}  # future -> (task, started)
    try:
        while pending or running:
            while pending and len(running) < slots:
                task = pending.pop()
                future = _submit(client, task, opts)
                if isinstance(future, FileOutcome):
                    done(future)
                else:
                    running[future] = (task, time.monotonic())
            if not running:
                continue
            try:
                wait(list(running), timeout=POLL_S * 5, return_when="FIRST_COMPLETED")
            except TimeoutError:
                pass
            now = time.monotonic()
            for future, (task, started) in list(running.items()):
                limit = limits.get(future.key)
                if limit is None and future.status == "error" and isinstance(future.exception(), KilledWorker):
                    # the worker may have died of a limit whose event is still on its way: give it a moment
                    limit = _await_limit(limits, future.key)
                if future.done() or limit:
                    del running[future]
                    if not future.done():
                        future.cancel()  # the worker is ending: the scheduler must not retry elsewhere
                    done(_collect(future, task, limit, now - started))
                elif now - started > time_limit(opts, pages.get(future.key, 0)) + SLACK_S:
                    del running[future]
                    _end_worker_of(client, future)
                    done(_failed(task, "timeout", timeout_message(opts, pages.get(future.key, 0)), now - started))
    finally:
        client.unsubscribe_topic(LIMIT_TOPIC)
        client.unsubscribe_topic(PAGES_TOPIC)
        client.cancel(list(running))


def _await_limit(limits: dict, key: str, wait_s: float = 2.0) -> tuple[str, str] | None:
    end = time.monotonic() + wait_s
    while time.monotonic() < end:
        if key in limits:
            return limits[key]
        time.sleep(0.05)
    return limits.get(key)


def _end_worker_of(client, future) -> None:
    """Cancel a future whose unit did not end itself, and restart the worker still running it (by its Nanny)."""
    where = [w for w, keys in client.processing().items() if future.key in keys]
    future.cancel()
    if where:
        client.restart_workers(where, raise_for_error=False)


def run(tasks: list[FileTask], opts: BatchOptions, done: Callable[[FileOutcome], None]) -> None:
    """Run tasks on the Dask cluster at opts.address, or on opts.jobs local worker processes started for this batch."""
    engine_log = logging.getLogger("distributed")
    level = engine_log.level
    # a lost worker is a file's outcome, listed like any other; the engine's own log lines would repeat it
    engine_log.setLevel(logging.CRITICAL)
    try:
        client, cluster = _connect(opts)
        try:
            _drive(client, tasks, opts, done)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    finally:
        engine_log.setLevel(level)
