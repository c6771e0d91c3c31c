"""The `perfdraft` command line: a thin edge over ingest, extraction, drafting and eval."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from perfdraft import __version__
from perfdraft.core.errors import PerfdraftError

# The command registry: command name -> its one-line help. The command's module, perfdraft.commands.<name>, has
# register(subparsers, help) -> parser whose defaults carry func=run; run(args) -> exit status. A new command is one
# module and one line here. Only the command that runs is imported (its parser in full); help and errors list
# every command from these lines alone, so no command starts up with the imports of the others (drafting and
# the store for `extract`, extraction for `lint` ...) and `perfdraft --help` imports none of them.
COMMANDS: dict[str, str] = {
    "extract": "extract 绩效目标表 from files/folders into one JSON per file",
    "eval": "benchmark extraction, drafting or retrieval against the gold fixtures",
    "ingest": "extract files/folders and add their tables to the retrieval store",
    "search": "find stored past projects similar to a text",
    "draft": "draft a 绩效目标表 for a project from similar past tables",
    "lint": "check a table (project, draft or document JSON) against the indicator rules",
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser with `command` in full when it is a registered one, else with every command by name and help."""
    parser = argparse.ArgumentParser(prog="perfdraft", description="绩效目标表 extraction, drafting and evaluation")
    parser.add_argument("--version", action="version", version=f"perfdraft {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    if command in COMMANDS:
        importlib.import_module(f"perfdraft.commands.{command}").register(sub, COMMANDS[command])
    else:
        for name, line in COMMANDS.items():
            sub.add_parser(name, help=line)
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
