"""CLI subcommands, one module each (see perfdraft.cli)."""
