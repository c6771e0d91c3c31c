"""Regression gate: compare a run's headline metrics with a saved run's JSON."""

from __future__ import annotations

import json
from pathlib import Path

from perfdraft.eval.extraction import BaselineCheck, BaselineDrop, ExtractionEval
from perfdraft.core.errors import InputError

DEFAULT_TOLERANCE = 0.01  # absolute, on 0..1 metrics: one row in a hundred
# Cost/speed figures vary by machine and are reported, never gated.
NOT_GATED = {"seconds_total", "llm_calls", "prompt_tokens", "completion_tokens", "cache_hits"}


def load_baseline(path: Path, model=ExtractionEval):
    """Read a saved run written by `perfdraft eval --json` (an ExtractionEval, or the given task's model)."""
    try:
        return model.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError as exc:
        raise InputError("baseline file not found", file=str(path)) from exc
    except (ValueError, OSError) as exc:
        raise InputError(f"not a perfdraft eval JSON: {str(exc).splitlines()[0]}", file=str(path)) from exc


def compare(current: ExtractionEval, baseline: ExtractionEval, *, tolerance: float = DEFAULT_TOLERANCE,
            baseline_name: str = "") -> BaselineCheck:
    """Every gated metric whose mean fell by more than `tolerance` below the baseline is a drop."""
    check = BaselineCheck(baseline=baseline_name, tolerance=tolerance, compared=0)
    for name, b in baseline.summary.items():
        if name in NOT_GATED or b.mean is None:
            continue
        c = current.summary.get(name)
        if c is None or c.mean is None:
            check.missing.append(name)
            continue
        check.compared += 1
        delta = c.mean - b.mean
        item = BaselineDrop(metric=name, baseline=b.mean, current=c.mean, delta=delta)
        if delta < -tolerance:
            check.drops.append(item)
        elif delta > tolerance:
            check.improvements.append(item)
    return check
