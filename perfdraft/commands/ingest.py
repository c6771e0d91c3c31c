"""`perfdraft ingest PATH...`: extract files (or read gold-shape .json) and store their tables for retrieval."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tqdm import tqdm

from perfdraft.core.settings import get_settings
from perfdraft.extraction.api import backend_names
from perfdraft.ingest.load import describe_supported


def register(subparsers, help: str) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "ingest", help=help,
        description=f"Extract every {describe_supported()} file (folders recursively) and store its 绩效目标表; "
                    ".json files in the gold/extraction shape are stored as they are. A file whose content is "
                    "already stored is skipped unless --force; re-ingesting a document replaces its records. "
                    "One writer at a time: a second ingest (or the page) waits up to PERFDRAFT_STORE_LOCK_TIMEOUT "
                    "seconds for the store. Exit status: 0 all files stored or skipped, 1 some files failed, "
                    "2 usage or store error (store still locked, Chroma server gone: one line, nothing half-done "
                    "is left behind by a file).")
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    p.add_argument("--store", type=Path, default=None, metavar="DIR",
                   help="store directory (default: PERFDRAFT_STORE or data/store; a Chroma server when "
                        "PERFDRAFT_CHROMA_HOST is set)")
    p.add_argument("--backend", choices=backend_names(), default=None,
                   help="extraction backend (default: PERFDRAFT_BACKEND or rules)")
    p.add_argument("--force", action="store_true", help="re-ingest files whose content is already stored")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    # heavy: numpy/chromadb (store) and scipy (eval) stay out of CLI start-up, e.g. `perfdraft --help`
    from perfdraft.ingest.sanitize import terminal_safe
    from perfdraft.ingest.store import Store
    from perfdraft.pipeline.store_ingest import collect_files, ingest_files

    settings = get_settings()
    files, missing = collect_files(args.paths)
    for m in missing:
        print(terminal_safe(f"perfdraft ingest: {m}: no such file or folder"), file=sys.stderr)
    if not files and not missing:
        print("perfdraft ingest: no supported files found", file=sys.stderr)
        return 1
    store = Store(settings, path=args.store)
    backend = args.backend or settings.backend
    counts = {"stored": 0, "skipped": 0, "failed": len(missing)}
    rows = 0
    failures: list[str] = []
    with tqdm(total=len(files), file=sys.stderr, unit="file", disable=args.quiet, dynamic_ncols=True) as bar:
        for out in ingest_files(store, files, backend=backend, settings=settings, force=args.force):
            bar.update(1)
            bar.set_postfix_str(terminal_safe(Path(out.source).name[-30:]), refresh=False)
            counts[out.status] += 1
            rows += out.rows
            if out.status == "failed":
                failures.append(f"{out.source}: {out.message}")
            elif out.message:
                tqdm.write(terminal_safe(f"perfdraft ingest: {out.source}: {out.message}"), file=sys.stderr)
    for line in failures:
        print(terminal_safe(f"perfdraft ingest: failed: {line}"), file=sys.stderr)
    st = store.stats()
    print(f"{counts['stored']} stored ({rows} rows), {counts['skipped']} skipped, {counts['failed']} failed; "
          f"store now holds {st.documents} documents, {st.projects} projects, {st.rows} rows ({store.location})")
    return 1 if counts["failed"] else 0
