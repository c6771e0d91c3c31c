"""`perfdraft lint FILE`: check a draft or extracted table against the indicator framework."""

from __future__ import annotations

import argparse
from pathlib import Path

from perfdraft.drafting.io import load_project, load_tables
from perfdraft.drafting.lint import lint_project
from perfdraft.ingest.sanitize import terminal_safe


def register(subparsers, help: str) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "lint", help=help,
        description="Print rule findings for every table in FILE. Exit status: 0 no error, 1 errors found, "
                    "2 the file cannot be read.")
    p.add_argument("file", type=Path, metavar="FILE", help="a Project, DraftResult or PerformanceDocument JSON")
    p.add_argument("--year", type=int, default=None, help="budget year (default: the file's own)")
    p.add_argument("--budget", type=float, default=None, metavar="WAN", help="budget in 万元 (default: the table's)")
    p.add_argument("--last-year", type=Path, default=None, metavar="FILE", help="last year's table, for trend warnings")
    p.add_argument("--json", action="store_true", help="print findings as JSON lines")
    p.add_argument("--errors-only", action="store_true", help="print errors only")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    last = load_project(args.last_year) if args.last_year else None
    n_err = n_warn = 0
    for t in load_tables(args.file):
        findings = lint_project(t.project, budget_wan=args.budget, year=args.year or t.year,
                                last_year=last or t.last_year)
        if args.errors_only:
            findings = [f for f in findings if f.severity == "error"]
        n_err += sum(f.severity == "error" for f in findings)
        n_warn += sum(f.severity == "warning" for f in findings)
        for f in findings:
            if args.json:
                print(f.model_copy(update={"message": f"{t.project.name}: {f.message}"}).model_dump_json())
            else:
                label = "错误" if f.severity == "error" else "警告"
                print(terminal_safe(f"{t.project.name}\t{label}\t{f.rule}\t{f.message}"))
    if not args.json:
        print(f"{n_err} 个错误，{n_warn} 个警告")
    return 1 if n_err else 0
