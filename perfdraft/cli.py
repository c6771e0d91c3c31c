"""The `perfdraft` command line: a thin edge over ingest, extraction, drafting and eval."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

from perfdraft import __version__
from perfdraft.commands import draft, eval, extract, ingest, lint, search
from perfdraft.core.errors import PerfdraftError

# The command registry: each command module has register(subparsers) -> parser whose defaults carry
# func=run; run(args) -> exit status. A new command is one module and one line here.
COMMANDS: dict[str, Callable[[argparse._SubParsersAction], argparse.ArgumentParser]] = {
    "extract": extract.register, "eval": eval.register, "ingest": ingest.register,
    "search": search.register, "draft": draft.register, "lint": lint.register,
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="perfdraft", description="绩效目标表 extraction, drafting and evaluation")
    parser.add_argument("--version", action="version", version=f"perfdraft {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for register in COMMANDS.values():
        register(sub)
    return parser


def _safe(text: str) -> str:
    from perfdraft.ingest.sanitize import terminal_safe
    return terminal_safe(text)


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
        print(_safe(f"perfdraft: error: {exc.one_line()}"), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("perfdraft: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # the edge: never show a traceback to users
        if os.environ.get("PERFDRAFT_DEBUG"):
            raise
        print(_safe(f"perfdraft: internal error: {type(exc).__name__}: {exc} (a bug: run again with "
                    f"PERFDRAFT_DEBUG=1 for the traceback and report it)"), file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
