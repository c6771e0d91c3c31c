"""`perfdraft draft --name N --budget WAN --year Y`: draft next year's table from similar past tables."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from pydantic import ValidationError

from perfdraft.core.errors import InputError
from perfdraft.core.models import ProjectBrief
from perfdraft.core.settings import get_settings
from perfdraft.drafting.drafter import BACKENDS, draft
from perfdraft.drafting.export import export_docx, export_xlsx


def register(subparsers, help: str) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "draft", help=help,
        description="Retrieve the most similar stored tables (see `perfdraft ingest`), merge and adapt them into a "
                    "cited draft, lint it and write it as JSON (.json), Excel (.xlsx) or Word (.docx).")
    p.add_argument("--name", required=True, help="项目名称")
    p.add_argument("--budget", required=True, type=float, metavar="WAN", help="预算数 in 万元")
    p.add_argument("--year", required=True, type=int, help="budget year")
    p.add_argument("--department", default=None, help="部门")
    p.add_argument("--purpose", default=None, help="资金用途")
    p.add_argument("--last-year", type=Path, default=None, metavar="FILE", help="last year's table (JSON or a document)")
    p.add_argument("--backend", choices=list(BACKENDS), default="rules", help="drafting backend (default rules)")
    p.add_argument("--store", type=Path, default=None, metavar="DIR", help="store directory (default PERFDRAFT_STORE)")
    p.add_argument("--k", type=int, default=5, metavar="N", help="number of past tables to use (default 5)")
    p.add_argument("--out", type=Path, default=None, metavar="FILE", help=".json, .xlsx or .docx (default: JSON to stdout)")
    p.set_defaults(func=run)
    return p


def _last_year(path: Path):
    """Last year's table from a JSON or any document (this imports extraction and every loader)."""
    from perfdraft.drafting.io import load_project
    return load_project(path)


def run(args: argparse.Namespace) -> int:
    # heavy: numpy/chromadb (store) and scipy (eval) stay out of CLI start-up, e.g. `perfdraft --help`
    from perfdraft.ingest.store import Store

    suffix = args.out.suffix.lower() if args.out else ".json"
    if suffix not in (".json", ".xlsx", ".docx"):
        raise InputError("--out must end in .json, .xlsx or .docx", file=str(args.out))
    try:
        brief = ProjectBrief(name=args.name, budget_wan=args.budget, year=args.year, department=args.department,
                             purpose=args.purpose,
                             last_year=_last_year(args.last_year) if args.last_year else None)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InputError(f"invalid brief: {first['loc'][0]}: {first['msg']}") from None

    settings = get_settings()
    store = Store(settings, path=args.store)
    if store.project_count() == 0 and brief.last_year is None:
        print("perfdraft: warning: the store is empty; run `perfdraft ingest` first (drafting from templates)",
              file=sys.stderr)
    t0 = time.perf_counter()
    result = draft(brief, store, k=args.k, backend=args.backend, settings=settings)
    seconds = time.perf_counter() - t0

    if args.out is None:
        print(result.model_dump_json(indent=2))
    elif suffix == ".json":
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(result.model_dump_json(indent=2), encoding="utf-8")
    else:
        (export_xlsx if suffix == ".xlsx" else export_docx)(result.project, args.out)
    for notice in result.notices:
        print(f"perfdraft: {notice}", file=sys.stderr)
    errors = [f for f in result.findings if f.severity == "error"]
    cited = sum(1 for r in result.project.indicators if r.sources)
    print(f"drafted {len(result.project.indicators)} rows ({cited} cited) from {len(result.examples)} past tables "
          f"in {seconds:.2f}s; lint: {len(errors)} errors, {len(result.findings) - len(errors)} warnings"
          + (f" -> {args.out}" if args.out else ""), file=sys.stderr)
    return 1 if errors else 0
