"""Markdown report and PNG chart of an extraction benchmark run."""

from __future__ import annotations

from pathlib import Path

from perfdraft.eval.extraction import ExtractionEval, MetricStat
from perfdraft.eval.scores import HEADER_FIELDS, ROW_FIELDS, TARGET_PARTS

WORST_SHOWN = 25
# Acceptance targets of the extraction issue (issue 2), shown as pass/fail next to the figures.
TARGETS = {"row_f1": 0.99, "row_fields_all": 0.98, "target_all": 0.98, "header_fields_all": 0.95}


def _pct(v: float | None) -> str:
    return "n/a" if v is None else f"{100 * v:.1f}%"


def _stat(s: MetricStat | None, pct: bool = True) -> str:
    if s is None or s.mean is None:
        return "n/a"
    fmt = _pct if pct else (lambda x: f"{x:.3g}")
    if s.n > 1:
        return f"{fmt(s.mean)} ± {fmt(s.std) if pct else f'{s.std:.3g}'} (min {fmt(s.min)}, max {fmt(s.max)})"
    return fmt(s.mean)


def _cell(text: str, limit: int = 60) -> str:
    t = text.replace("|", "\\|").replace("\n", " ")
    return t if len(t) <= limit else t[: limit - 1] + "…"


def render_markdown(ev: ExtractionEval) -> str:
    """The human-readable report: headline, fields, per document, cost, worst errors, method."""
    s = ev.summary
    last = ev.runs[-1]
    lines = [f"# Extraction benchmark — {ev.backend}", "",
             f"- gold: `{ev.gold_dir}`; documents: `{ev.docs_dir}`"
             + (f"; predictions: `{ev.predictions_dir}`" if ev.predictions_dir else ""),
             f"- mode: {ev.mode}; runs: {ev.repeat} (figures are mean ± population std over runs when runs > 1)",
             f"- created: {ev.created}", ""]
    lines += ["## Headline", "", "| metric | value |", "|---|---|"]
    lines[-2:] = ["| metric | value | target (extraction issue) |", "|---|---|---|"]
    for k in ["project_precision", "project_recall", "project_f1", "row_precision", "row_recall", "row_f1",
              "row_fields_all", "header_fields_all", "target_all", "exact_tables", "grounding"]:
        st, goal = s.get(k), TARGETS.get(k)
        verdict = ""
        if goal is not None:
            verdict = f"≥ {goal:g}: " + ("n/a" if st is None or st.mean is None else
                                          "met" if st.mean >= goal else "**not met**")
        lines.append(f"| {k} | {_stat(st)} | {verdict} |")
    o = last.overall
    lines += ["", f"Counts (run {last.run}): projects tp {o.projects.tp} / fp {o.projects.fp} / fn {o.projects.fn}; "
              f"rows tp {o.rows.tp} / fp {o.rows.fp} / fn {o.rows.fn}; exact tables "
              f"{o.exact_tables.correct}/{o.exact_tables.total}; grounded values {o.grounding.correct}/"
              f"{o.grounding.total} ({o.ungrounded_no_source} without provenance).", ""]
    lines += ["## Accuracy per field", "", "Over aligned pairs (missing or spurious rows and projects count in P/R, "
              "not here).", "", "| field | accuracy | correct / total (last run) |", "|---|---|---|"]
    for f in ROW_FIELDS + HEADER_FIELDS:
        r = o.fields[f]
        lines.append(f"| {f}{' (header)' if f in HEADER_FIELDS else ''} | {_stat(s.get('field_' + f))} | "
                     f"{r.correct} / {r.total} |")
    for p in TARGET_PARTS:
        r = o.target[p]
        lines.append(f"| target.{p} | {_stat(s.get('target_' + p))} | {r.correct} / {r.total} |")
    lines += ["", "## Per document (last run)", "",
              "| document | status | project F1 | row P | row R | row F1 | exact tables | value acc. | grounding "
              "| seconds | ms/table | LLM calls | prompt tok. | completion tok. | cache hits |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for d in last.documents:
        sc, c = d.scores, d.cost
        lines.append(f"| {d.document} | {c.status} | {_pct(sc.projects.f1)} | {_pct(sc.rows.precision)} | "
                     f"{_pct(sc.rows.recall)} | {_pct(sc.rows.f1)} | {sc.exact_tables.correct}/{sc.exact_tables.total} "
                     f"| {_pct(sc.fields['value'].value)} | {_pct(sc.grounding.value)} | {c.seconds:.2f} | "
                     f"{1000 * c.seconds / max(1, sc.projects.tp + sc.projects.fn):.1f} | "
                     f"{c.usage.calls} ({c.usage.failed_calls} failed) | {c.usage.prompt_tokens} | "
                     f"{c.usage.completion_tokens} | {c.usage.cache_hits} |")
    cols = ROW_FIELDS + HEADER_FIELDS + [f"target.{p}" for p in TARGET_PARTS]
    lines += ["", "Per document and field (accuracy over aligned pairs, last run):", "",
              "| document | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
    for d in last.documents:
        vals = [d.scores.fields[f].value for f in ROW_FIELDS + HEADER_FIELDS]
        vals += [d.scores.target[p].value for p in TARGET_PARTS]
        lines.append(f"| {d.document[:12]} | " + " | ".join(_pct(v) for v in vals) + " |")
    errs = [f"- {d.document}: {e}" for d in last.documents for e in d.cost.errors]
    if errs:
        lines += ["", "Extraction errors:", ""] + errs
    lines += ["", "## Cost and speed", "", "| figure | per run |", "|---|---|"]
    for k in ["seconds_total", "llm_calls", "prompt_tokens", "completion_tokens", "cache_hits"]:
        lines.append(f"| {k} | {_stat(s.get(k), pct=False)} |")
    lines += ["", f"## Worst errors (last run, {min(WORST_SHOWN, len(last.errors))} of "
              f"{len(last.errors)} kept)", "",
              "| document | project | row | field | gold | predicted |", "|---|---|---|---|---|---|"]
    for e in last.errors[:WORST_SHOWN]:
        lines.append(f"| {e.document[:12]} | {_cell(e.project, 24)} | {'' if e.row is None else e.row} | {e.field} | "
                     f"{_cell(e.gold)} | {_cell(e.predicted)} |")
    if ev.baseline_check is not None:
        b = ev.baseline_check
        lines += ["", "## Baseline comparison", "",
                  f"Baseline `{b.baseline}`; tolerance: a metric fails when its mean drops more than "
                  f"{b.tolerance:g} (absolute, on the 0–1 scale) below the baseline; cost and speed are not gated. "
                  f"{b.compared} metrics compared: **{'PASS' if b.passed else 'FAIL'}**.", ""]
        for d in b.drops:
            lines.append(f"- DROP {d.metric}: {_pct(d.baseline)} → {_pct(d.current)} ({100 * d.delta:+.1f} pts)")
        for d in b.improvements:
            lines.append(f"- up {d.metric}: {_pct(d.baseline)} → {_pct(d.current)} ({100 * d.delta:+.1f} pts)")
        for m in b.missing:
            lines.append(f"- MISSING {m}: in the baseline, not measured now")
    lines += ["", "## Method", "",
              "- Projects are aligned to gold by optimal assignment (scipy `linear_sum_assignment`) on name "
              f"similarity plus code, unit, budget, scope and row names; pairs below {ev.thresholds['project']} similarity are "
              "unmatched. Rows within a project are aligned the same way on level3 (0.6), level1/level2 (0.2) "
              f"and value (0.2) similarity (rapidfuzz), threshold {ev.thresholds['row']}.",
              "- row_fields_all / header_fields_all / target_all pool every compared row field, header field and "
              "target part (micro-average).",
              "- Field accuracy counts aligned pairs only; a table is exact when it is aligned, every header field "
              "agrees, and every row aligns with every field and target part agreeing.",
              f"- Numbers (target num/num_max, budget_wan) are equal within abs {ev.num_tolerance['abs']:g} or "
              f"rel {ev.num_tolerance['rel']:g}.",
              f"- Grounding: {ev.grounding_note}.", "", "Normalisation applied before every text comparison:", ""]
    lines += [f"{i}. {rule}" for i, rule in enumerate(ev.normalisation, 1)]
    return "\n".join(lines) + "\n"


def write_chart(ev: ExtractionEval, path: Path) -> None:
    """Horizontal bar chart of per-field and per-target-part accuracy (error bars when runs > 1)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [f"field_{f}" for f in ROW_FIELDS + HEADER_FIELDS] + [f"target_{p}" for p in TARGET_PARTS] + [
        "row_f1", "project_f1", "exact_tables", "grounding"]
    labels, means, errs, known = [], [], [], []
    for n in names:
        st = ev.summary.get(n)
        known.append(bool(st and st.mean is not None))
        labels.append(n.replace("field_", "").replace("target_", "target."))
        means.append(st.mean if st and st.mean is not None else 0.0)
        errs.append(st.std if st and st.std else 0.0)
    fig, ax = plt.subplots(figsize=(8, 0.32 * len(names) + 1.2))
    colors = ["#4c72b0"] * (len(ROW_FIELDS) + len(HEADER_FIELDS)) + ["#55a868"] * len(TARGET_PARTS) + ["#c44e52"] * 4
    ax.barh(labels[::-1], means[::-1], xerr=errs[::-1] if any(errs) else None, color=colors[::-1])
    for y, (v, ok) in enumerate(zip(means[::-1], known[::-1])):
        ax.text(min(v, 1.0) + 0.01, y, f"{100 * v:.0f}%" if ok else "n/a", va="center", fontsize=8)
    ax.set_xlim(0, 1.12)
    ax.set_xlabel("accuracy / score (n/a: not measured)")
    ax.set_title(f"Extraction accuracy per field — {ev.backend} ({ev.repeat} run{'s' if ev.repeat > 1 else ''})")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
