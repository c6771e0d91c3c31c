"""CLI glue for `perfdraft eval --task layouts` (kept apart so `perfdraft eval` stays light)."""

from __future__ import annotations

from pathlib import Path


def run_layouts_task(args, settings, backend: str, report_path: Path, json_path: Path, progress):
    """Run the zoo, write the report, the JSON and (with --benchmarks) the BENCHMARKS.md section; the gate's check."""
    from perfdraft.eval.baseline import DEFAULT_TOLERANCE, compare, load_baseline
    from perfdraft.eval.layouts import LayoutsEval, evaluate_layouts
    from perfdraft.eval.layouts_report import benchmarks_section, render_markdown, update_benchmarks

    baseline = load_baseline(args.baseline, LayoutsEval) if args.baseline else None  # fail early on a bad file
    ev = evaluate_layouts(args.gold, backend=backend, variants=args.variants, formats=args.formats,
                          quick=args.quick, settings=settings, progress=progress)
    if baseline is not None:
        tol = DEFAULT_TOLERANCE if args.tolerance is None else args.tolerance
        ev.baseline_check = compare(ev, baseline, tolerance=tol, baseline_name=str(args.baseline))
    for path, text in ((report_path, render_markdown(ev)), (json_path, ev.to_json())):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    if args.benchmarks:
        command = "perfdraft eval --task layouts" + (" --quick" if args.quick else "")
        update_benchmarks(args.benchmarks, benchmarks_section(ev, command))
    p = ev.pooled()
    print(f"layouts [{backend}] {len(ev.cells)} cells x {len(ev.documents)} document(s): row F1 "
          f"{_pct(p.rows.f1)}, field accuracy {_pct(ev.summary['field_accuracy'].mean)}")
    print(f"wrote {report_path}, {json_path}" + (f", {args.benchmarks}" if args.benchmarks else ""))
    return ev.baseline_check


def _pct(v: float | None) -> str:
    return "n/a" if v is None else f"{100 * v:.1f}%"
