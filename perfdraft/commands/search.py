"""`perfdraft search "text"`: the past projects most similar to a text, ranked."""

from __future__ import annotations

import argparse
from pathlib import Path

from perfdraft.core.settings import get_settings


def register(subparsers, help: str) -> argparse.ArgumentParser:
    p = subparsers.add_parser("search", help=help,
                              description="Rank stored 绩效目标表 by similarity to TEXT (a project name, "
                                          "optionally with its purpose). Exit status 0, or 1 when nothing is stored.")
    p.add_argument("text", help="query, e.g. 项目名称 plus 资金用途")
    p.add_argument("--k", type=int, default=5, metavar="N", help="number of results (default 5)")
    p.add_argument("--store", type=Path, default=None, metavar="DIR", help="store directory")
    p.add_argument("--department", default=None, help="only projects of this department")
    p.add_argument("--year", type=int, default=None, help="only projects of this budget year")
    p.add_argument("--rows", action="store_true", help="search indicator rows instead of projects")
    p.set_defaults(func=run)
    return p


def _where(args: argparse.Namespace) -> dict | None:
    conds = [{"department": args.department}] if args.department else []
    conds += [{"year": args.year}] if args.year else []
    if not conds:
        return None
    return conds[0] if len(conds) == 1 else {"$and": conds}


def run(args: argparse.Namespace) -> int:
    # heavy: numpy/chromadb (store) and scipy (eval) stay out of CLI start-up, e.g. `perfdraft --help`
    from perfdraft.ingest.sanitize import terminal_safe
    from perfdraft.ingest.store import Store

    if args.k < 1:
        print("perfdraft search: error: --k must be at least 1")
        return 2
    store = Store(get_settings(), path=args.store)
    if store.project_count() == 0:
        print(f"perfdraft search: the store at {store.location} is empty; run `perfdraft ingest PATH` first")
        return 1
    if args.rows:
        hits = store.search_rows(args.text, args.k, where=_where(args))
        for n, h in enumerate(hits, 1):
            i = h.indicator
            # stored text is shown, never executed: an ESC in an old store must not reach the terminal
            print(terminal_safe(f"{n:2d}. {h.score:.3f}  {i.level3}  {i.value}  [{i.level1}/{i.level2}]  "
                                f"{h.project_name} · {h.department or '-'} · {h.year or '-'} · {h.document} "
                                f"row {h.row}"))
        return 0
    hits = store.search_projects(args.text, args.k, where=_where(args))
    if not hits:
        print("no matching projects")
    for n, h in enumerate(hits, 1):
        budget = f"{h.project.budget_wan:g}万元" if h.project.budget_wan is not None else "-"
        print(terminal_safe(f"{n:2d}. {h.score:.3f}  {h.project.name}  {h.department or '-'}  {h.year or '-'}  "
                            f"{budget}  {h.document}  ({len(h.project.indicators)} rows, id {h.id})"))
    return 0
