"""`perfdraft eval`: extraction, drafting, retrieval and layout-zoo benchmarks with reports and a regression gate."""

from __future__ import annotations

import argparse
import sys
from importlib.resources import files
from pathlib import Path

from perfdraft.core.errors import InputError
from perfdraft.core.settings import get_settings
from perfdraft.eval.zoo.variants import ALL_FORMATS
from perfdraft.extraction.api import backend_names

FIXTURES = Path(str(files("perfdraft.eval"))) / "fixtures"


def register(subparsers, help: str) -> argparse.ArgumentParser:
    p = subparsers.add_parser("eval", help=help,
                              description="Benchmark extraction (or the drafting/retrieval backtests) and write a "
                                          "Markdown report, a JSON of all figures and a PNG chart. Exit status 1 "
                                          "when --baseline is given and a metric dropped beyond --tolerance.")
    p.add_argument("--task", choices=["extraction", "drafting", "retrieval", "layouts"], default="extraction")
    p.add_argument("--gold", type=Path, default=FIXTURES / "gold", help="gold JSON directory (perf-targets-gold/1)")
    p.add_argument("--docs", type=Path, default=FIXTURES / "corpus", help="source documents, <stem>.<suffix>")
    p.add_argument("--backend", choices=backend_names(), default=None,
                   help="extraction/drafting backend (default: PERFDRAFT_BACKEND or rules)")
    p.add_argument("--predictions", type=Path, default=None,
                   help="score <stem>.json predictions from this directory instead of running the extractor")
    p.add_argument("--repeat", type=int, default=1, help="run K times and report mean and spread")
    p.add_argument("--report", type=Path, default=None, help="Markdown report (default <data_dir>/eval/<task>-<backend>.md)")
    p.add_argument("--json", type=Path, default=None, help="JSON of all figures (default next to the report)")
    p.add_argument("--chart", type=Path, default=None, help="PNG chart (default next to the report)")
    p.add_argument("--baseline", type=Path, default=None, help="saved --json run to compare with (extraction)")
    p.add_argument("--tolerance", type=float, default=None,
                   help="allowed absolute drop of any 0-1 metric against --baseline (default 0.01)")
    p.add_argument("--variants", nargs="+", default=None, help="layouts: only these zoo variants (default all)")
    p.add_argument("--formats", nargs="+", default=None, choices=ALL_FORMATS,
                   help="layouts: only these formats (default all)")
    p.add_argument("--quick", action="store_true",
                   help="layouts: the CI subset (one gold document, a dozen variants)")
    p.add_argument("--benchmarks", type=Path, default=None,
                   help="layouts: also write the 'Layout zoo' section of this BENCHMARKS.md")
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    p.set_defaults(func=run)
    return p


def _outputs(args, settings, backend: str) -> tuple[Path, Path, Path]:
    base = settings.data_dir / "eval" / f"{args.task}-{backend}"
    report = args.report or base.with_suffix(".md")
    stem = report.with_suffix("")
    return report, args.json or stem.with_suffix(".json"), args.chart or stem.with_suffix(".png")


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def run(args) -> int:
    # heavy: numpy/chromadb (store) and scipy (eval) stay out of CLI start-up, e.g. `perfdraft --help`
    from perfdraft.eval.backtest_cli import run_backtest_task
    from perfdraft.eval.baseline import DEFAULT_TOLERANCE, compare, load_baseline
    from perfdraft.eval.extraction import evaluate_extraction
    from perfdraft.eval.layouts_cli import run_layouts_task
    from perfdraft.eval.report import render_markdown, write_chart

    settings = get_settings()
    backend = args.backend or settings.backend
    if args.repeat < 1:
        raise InputError("--repeat must be at least 1")
    progress = None if args.quiet else (lambda msg: print(msg, file=sys.stderr))
    report_path, json_path, chart_path = _outputs(args, settings, backend if not args.predictions else "predictions")
    if args.task == "layouts":
        return _gate(run_layouts_task(args, settings, backend, report_path, json_path, progress), args.baseline)
    if args.task != "extraction":
        return run_backtest_task(args, settings, backend, report_path, json_path, chart_path, progress)

    baseline = load_baseline(args.baseline) if args.baseline else None  # fail early on a bad file
    ev = evaluate_extraction(args.gold, args.docs, backend=backend, predictions_dir=args.predictions,
                             repeat=args.repeat, settings=settings, progress=progress)
    if baseline is not None:
        tol = DEFAULT_TOLERANCE if args.tolerance is None else args.tolerance
        ev.baseline_check = compare(ev, baseline, tolerance=tol, baseline_name=str(args.baseline))
    md = render_markdown(ev)
    _write(report_path, md)
    _write(json_path, ev.to_json())
    write_chart(ev, chart_path)
    s = ev.summary
    fig = lambda k: "n/a" if s[k].mean is None else f"{100 * s[k].mean:.1f}%"  # noqa: E731
    print(f"extraction [{ev.backend}] runs={ev.repeat}: project F1 {fig('project_f1')}, row P/R/F1 "
          f"{fig('row_precision')}/{fig('row_recall')}/{fig('row_f1')}, exact tables {fig('exact_tables')}, "
          f"row fields {fig('row_fields_all')}, header fields {fig('header_fields_all')}, targets "
          f"{fig('target_all')}, grounding {fig('grounding')}; {s['seconds_total'].mean:.2f}s, {int(s['llm_calls'].mean)} LLM calls")
    print(f"wrote {report_path}, {json_path}, {chart_path}")
    return _gate(ev.baseline_check, args.baseline)


def _gate(check, baseline: Path | None) -> int:
    """Exit status of the regression gate: 1 with one REGRESSION line per dropped or missing metric."""
    if check is None:
        return 0
    if not check.passed:
        for d in check.drops:
            print(f"REGRESSION {d.metric}: {d.baseline:.4f} -> {d.current:.4f} (tolerance {check.tolerance:g})",
                  file=sys.stderr)
        for m in check.missing:
            print(f"REGRESSION {m}: measured in the baseline, not now", file=sys.stderr)
        return 1
    print(f"baseline {baseline}: pass ({check.compared} metrics within {check.tolerance:g})")
    return 0
