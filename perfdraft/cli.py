"""The `perfdraft` command line: a thin edge over ingest, extraction, drafting and eval."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from perfdraft import __version__
from perfdraft.core.errors import PerfdraftError

# Each command lives in perfdraft/commands/<name>.py with register(subparsers) -> parser whose
# defaults carry func=run; run(args) -> exit status. Heavy imports stay inside run() for start-up speed.
COMMANDS = ["extract", "eval", "ingest", "search", "draft", "lint"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="perfdraft", description="绩效目标表 extraction, drafting and evaluation")
    parser.add_argument("--version", action="version", version=f"perfdraft {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"perfdraft.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"perfdraft.commands.{name}":
                continue  # command not built yet
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except PerfdraftError as exc:
        if os.environ.get("PERFDRAFT_DEBUG"):
            raise
        print(f"perfdraft: error: {exc.one_line()}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("perfdraft: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # the edge: never show a traceback to users
        if os.environ.get("PERFDRAFT_DEBUG"):
            raise
        print(f"perfdraft: internal error: {type(exc).__name__}: {exc} (set PERFDRAFT_DEBUG=1 for details)",
              file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
