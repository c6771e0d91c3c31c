"""Issue 18 on the zoo: run-together cells read with and without a leave-one-out lexicon, both reported."""

from pathlib import Path

from perfdraft.eval.layouts import evaluate_layouts
from perfdraft.eval.layouts_report import render_markdown

GOLD = Path(__file__).resolve().parents[2] / "eval" / "fixtures" / "gold"


def test_the_lexicon_cell_is_scored_and_never_worse_than_without():
    ev = evaluate_layouts(GOLD, variants=["run-together", "tabs"], formats=["text"], quick=True)
    by = {c.variant: c for c in ev.cells}
    rt = by["run-together"]
    assert rt.lexicon_scores is not None and by["tabs"].lexicon_scores is None
    assert rt.lexicon_scores.rows.f1 >= rt.scores.rows.f1
    report = render_markdown(ev)
    assert "With the store's lexicon" in report and "| run-together | text |" in report
