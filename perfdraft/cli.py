"""The `perfdraft` command line: a thin edge over ingest, extraction, drafting and eval."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from perfdraft import __version__
from perfdraft.core.errors import PerfdraftError

# The command registry: command name -> its module in perfdraft.commands, which has register(subparsers) ->
# parser whose defaults carry func=run; run(args) -> exit status. A new command is one module and one line here.
# A command's module is imported when that command runs (all of them for help and errors), so no command
# starts up with the imports of the others (drafting and the store for `extract`, extraction for `lint` ...).
COMMANDS: dict[str, str] = {
    "extract": "extract", "eval": "eval", "ingest": "ingest", "search": "search", "draft": "draft", "lint": "lint",
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser with every command, or with only `command` when it is a registered one."""
    parser = argparse.ArgumentParser(prog="perfdraft", description="绩效目标表 extraction, drafting and evaluation")
    parser.add_argument("--version", action="version", version=f"perfdraft {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module in COMMANDS.items():
        if command not in COMMANDS or name == command:
            importlib.import_module(f"perfdraft.commands.{module}").register(sub)
    return parser


def _command(argv: list[str]) -> str | None:
    """The command word: the first argument that is not an option (the top level takes no option values)."""
    return next((a for a in argv if not a.startswith("-")), None)


def _safe(text: str) -> str:
    from perfdraft.ingest.sanitize import terminal_safe
    return terminal_safe(text)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(_command(argv))
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
