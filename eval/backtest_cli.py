"""CLI glue for the drafting and retrieval backtests (kept apart so `perfdraft eval` stays light)."""

from __future__ import annotations

from pathlib import Path

from perfdraft.eval.backtest import render_backtest_markdown, run_backtest, write_backtest_chart
from perfdraft.eval.data import load_dir


def run_backtest_task(args, settings, backend: str, report_path: Path, json_path: Path, chart_path: Path,
                      progress) -> int:
    """Run --task drafting or --task retrieval on the gold corpus and write the report, JSON and chart."""
    gold = load_dir(args.gold)
    result = run_backtest(args.task, gold, backend=backend, settings=settings, progress=progress)
    report_path.parent.mkdir(parents=True, exist_ok=True)
    report_path.write_text(render_backtest_markdown(result), encoding="utf-8")
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(result.model_dump_json(indent=2), encoding="utf-8")
    write_backtest_chart(result, chart_path)
    print(result.one_line())
    print(f"wrote {report_path}, {json_path}, {chart_path}")
    return 0
