"""`perfdraft extract PATH... --out DIR`: batch extraction to one gold-shape JSON per input."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from perfdraft.core.settings import get_settings
from perfdraft.extraction.api import backend_names
from perfdraft.extraction.batch import EXECUTORS, BatchOptions, BatchUsageError, run_batch
from perfdraft.ingest.load import describe_supported
from perfdraft.ingest.sanitize import terminal_safe

DEFAULT_MAX_MEMORY_MB = BatchOptions.model_fields["max_memory_mb"].default


def register(subparsers, help: str) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "extract", help=help,
        description=f"Extract every {describe_supported()} file (folders recursively) into DIR/<stem>.json. "
                    "Finished files are skipped unless --force; failures go to DIR/failures.jsonl. "
                    "Symlinks leading out of a folder are skipped with a note; unreadable folders are reported. "
                    "Exit status: 0 all extracted, 1 some files failed or a folder could not be read, 2 usage error.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    p.add_argument("--out", required=True, type=Path, metavar="DIR", help="output folder")
    p.add_argument("--jobs", "-j", type=int, default=1, metavar="N",
                   help="parallel worker processes (default 1; with --executor dask: local workers)")
    p.add_argument("--executor", choices=["process", *EXECUTORS], default="process",
                   help="process: this machine's worker pool (default); dask: a Dask cluster, local unless --address")
    p.add_argument("--address", default=None, metavar="HOST:PORT",
                   help="--executor dask: the scheduler of a running cluster (default: start one with --jobs workers)")
    p.add_argument("--force", action="store_true", help="re-extract files that are already finished")
    p.add_argument("--backend", choices=backend_names(), default=None,
                   help="extraction backend (default: PERFDRAFT_BACKEND or rules)")
    p.add_argument("--timeout", type=float, default=None, metavar="S",
                   help="per-file time limit in seconds (default 120; 600 with an LLM backend); a scanned file "
                        "gets --page-timeout more for each page it OCRs")
    p.add_argument("--page-timeout", type=float, default=None, metavar="S",
                   help="seconds added to a file's time limit for each page it OCRs (default 60)")
    p.add_argument("--max-memory", type=int, default=None, metavar="MB",
                   help=f"per-file memory limit (MB, default {DEFAULT_MAX_MEMORY_MB}), enforced by running files in "
                        "worker processes; without it a rules run with --jobs 1 or a single file runs in this "
                        "process (faster to start; a time limit, but no memory limit, and a crashing parser ends "
                        "the run)")
    p.add_argument("--no-store", action="store_true",
                   help="do not consult the retrieval store: no LLM examples, no lexicon for the rules (reproducible runs)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.add_argument("--extractor", default=None, help=argparse.SUPPRESS)  # tests: module:function
    p.set_defaults(func=run)
    return p


def _progress(total: int, quiet: bool):
    """A progress bar over the files, or None: quiet, or a single file (the summary line says all)."""
    if quiet or total <= 1:
        return None
    from tqdm import tqdm  # imports in tens of ms: only when a bar is drawn
    return tqdm(total=total, file=sys.stderr, unit="file", dynamic_ncols=True, mininterval=0.2)


def run(args: argparse.Namespace) -> int:
    if args.jobs < 1:
        print("perfdraft extract: error: --jobs must be at least 1", file=sys.stderr)
        return 2
    if args.timeout is not None and args.timeout <= 0:
        print("perfdraft extract: error: --timeout must be positive", file=sys.stderr)
        return 2
    if args.page_timeout is not None and args.page_timeout < 0:
        print("perfdraft extract: error: --page-timeout must not be negative", file=sys.stderr)
        return 2
    if args.address and args.executor == "process":
        print("perfdraft extract: error: --address needs --executor dask", file=sys.stderr)
        return 2
    if args.no_store:  # the batch's worker processes read their settings from the environment
        import os
        os.environ["PERFDRAFT_LLM_EXAMPLES"] = "0"
        os.environ["PERFDRAFT_STORE_LEXICON"] = "0"
        get_settings.cache_clear()
    backend = args.backend or get_settings().backend
    timeout = args.timeout or (120.0 if backend == "rules" else 600.0)
    # one worker's worth of rules extraction runs here, without spawning a worker that imports everything again
    # (extraction.batch._run_in_process says what differs); a memory limit needs a process to watch, and the LLM
    # backends' requests run in threads that the in-process timeout cannot stop, so those keep their workers
    isolate = True if args.max_memory is not None or backend != "rules" else "auto"
    opts = dict(out_dir=args.out, jobs=args.jobs, force=args.force, backend=backend, timeout_s=timeout,
                max_memory_mb=max(64, DEFAULT_MAX_MEMORY_MB if args.max_memory is None else args.max_memory),
                isolate=isolate)
    if args.page_timeout is not None:
        opts["ocr_page_s"] = args.page_timeout
    if args.extractor:
        opts["extractor"] = args.extractor
    opts.update(executor=args.executor, address=args.address)
    bar = None

    def start(total: int) -> None:
        nonlocal bar
        bar = _progress(total, args.quiet)

    def step(outcome) -> None:
        if bar is not None:
            bar.set_postfix_str(terminal_safe(Path(outcome.source).name[-30:]), refresh=False)
            bar.update(1)

    def page(source: str, done: int, total: int) -> None:  # a scanned file shows its OCR page by page
        text = terminal_safe(f"{Path(source).name[-30:]} page {done}/{total}")
        if bar is not None:
            bar.set_postfix_str(text, refresh=True)
        elif not args.quiet:  # one file draws no bar, but an OCR'd scan still says where it is
            print(text, file=sys.stderr, flush=True)

    try:
        summary = run_batch(args.paths, BatchOptions(**opts), on_outcome=step, on_start=start, on_page=page)
    except BatchUsageError as exc:
        print(terminal_safe(f"perfdraft extract: error: {exc}"), file=sys.stderr)
        return 2
    finally:
        if bar is not None:
            bar.close()

    n = len(summary.outcomes)
    print(f"{n} file(s) in {summary.seconds:.1f} s: {summary.count('ok')} extracted, "
          f"{summary.count('partial')} with warnings, {summary.count('skipped')} unchanged (skipped), "
          f"{summary.count('failed')} failed -> {summary.out_dir}"
          + (f"; {summary.rejected} LLM value(s) rejected" if summary.rejected else ""))
    fallback = [o for o in summary.outcomes if o.kind == "llm-fallback"]
    if fallback:  # one warning for the whole batch, not one per file
        print(f"  WARNING {len(fallback)} file(s) ran as rules: {fallback[0].message}")
    for o in summary.outcomes:
        if o.kind == "llm-fallback":
            continue
        if o.status == "partial" and o.rejected:
            print(f"  WARNING {o.source}: [{o.kind}] {len(o.rejected)} LLM value(s) rejected (not in the source "
                  f"where the model placed them; listed in failures.jsonl)")
            continue
        if o.status in ("failed", "partial"):
            label = "FAILED " if o.status == "failed" else "WARNING"
            print(terminal_safe(f"  {label} {o.source}: [{o.kind}] {o.message}"))
    for problem in summary.problems:
        label = "FAILED " if problem.is_failure else "SKIPPED"
        print(terminal_safe(f"  {label} {problem.path}: [{problem.kind}] {problem.message}"))
    if not summary.all_ok:
        print(f"failures are listed in {Path(summary.out_dir) / 'failures.jsonl'}")
    return summary.exit_code
