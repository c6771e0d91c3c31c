"""The `perfdraft` command line: a thin edge over ingest, extraction, drafting and eval."""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
from contextlib import contextmanager

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


def _parse(argv: list[str]) -> tuple[argparse.ArgumentParser, argparse.Namespace]:
    parser = build_parser(_command(argv))
    return parser, parser.parse_args(argv)


@contextmanager
def _start_up():
    """No cyclic collection while the command's modules are imported and its models built, then those objects
    frozen (gc.freeze): they live as long as the process, and every later collection, the one at exit too,
    would walk them all again (Python runs a full one at exit; ~55 M instructions of a one-file `perfdraft extract`). Collection is on again
    for the command itself, so a long batch frees its own cycles as before."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_on:
            gc.enable()


def _safe(text: str) -> str:
    from perfdraft.ingest.sanitize import terminal_safe
    return terminal_safe(text)


def main(argv: list[str] | None = None) -> int:
    """Run one command; with no argv (the program's own start: the console script, `python -m perfdraft`), the
    objects its imports made are frozen out of the cyclic garbage collector's sight (see _start_up)."""
    if argv is None:
        with _start_up():
            parser, args = _parse(sys.argv[1:])
    else:
        parser, args = _parse(argv)
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
