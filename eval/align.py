"""Optimal one-to-one alignment of predicted projects to gold projects, and of rows within a project."""

from __future__ import annotations

import numpy as np
from rapidfuzz import fuzz
from scipy.optimize import linear_sum_assignment

from perfdraft.core.text import norm_text, num_equal
from perfdraft.core.models import Indicator, Project

# A pair is accepted only above these similarities; below, both sides count as unmatched (FP + FN).
PROJECT_THRESHOLD = 0.5
ROW_THRESHOLD = 0.45


def text_sim(a: str | None, b: str | None) -> float:
    """0..1 similarity of two normalised texts (1.0 when both are empty)."""
    na, nb = norm_text(a), norm_text(b)
    if not na and not nb:
        return 1.0
    return fuzz.ratio(na, nb) / 100.0


def project_sim(g: Project, p: Project) -> float:
    """Name dominates; code, unit, budget, scope and row names separate same-named tables (six 印刷费 in one document)."""
    name = text_sim(g.name, p.name)
    if name < 0.4:  # a different project whatever the other fields say
        return name * 0.5
    score, weight = 0.55 * name, 0.55
    if g.code or p.code:
        score += 0.15 * (norm_text(g.code) == norm_text(p.code))
        weight += 0.15
    score += 0.15 * text_sim(g.unit, p.unit)
    weight += 0.15
    if g.budget_wan is not None or p.budget_wan is not None:
        score += 0.15 * num_equal(g.budget_wan, p.budget_wan)
        weight += 0.15
    score += 0.05 * (g.scope == p.scope)
    weight += 0.05
    # the rows' names separate tables whose headers are identical (or were read wrongly)
    score += 0.1 * text_sim("".join(sorted(i.level3 for i in g.indicators)),
                            "".join(sorted(i.level3 for i in p.indicators)))
    weight += 0.1
    return score / weight


def row_sim(g: Indicator, p: Indicator) -> float:
    """level3 dominates; the hierarchy and the value break ties between rows with similar names."""
    l3 = text_sim(g.level3, p.level3)
    hier = 0.5 * (norm_text(g.level1) == norm_text(p.level1)) + 0.5 * (norm_text(g.level2) == norm_text(p.level2))
    val = text_sim(g.value, p.value)
    return 0.6 * l3 + 0.2 * hier + 0.2 * val


def _assign(sim: np.ndarray, threshold: float, position_weight: float = 0.0) -> list[tuple[int, int, float]]:
    """Maximum-similarity assignment; a small position term keeps document order among equal candidates."""
    if sim.size == 0:
        return []
    n, m = sim.shape
    cost = -sim.copy()
    if position_weight:
        gi = np.arange(n)[:, None] / max(n, 1)
        pj = np.arange(m)[None, :] / max(m, 1)
        cost += position_weight * np.abs(gi - pj)
    rows, cols = linear_sum_assignment(cost)
    return [(int(i), int(j), float(sim[i, j])) for i, j in zip(rows, cols) if sim[i, j] >= threshold]


def align_projects(gold: list[Project], pred: list[Project]) -> list[tuple[int, int, float]]:
    """(gold index, predicted index, similarity) for each accepted project pair."""
    sim = np.array([[project_sim(g, p) for p in pred] for g in gold]).reshape(len(gold), len(pred))
    return _assign(sim, PROJECT_THRESHOLD, position_weight=0.01)


def align_rows(gold: list[Indicator], pred: list[Indicator]) -> list[tuple[int, int, float]]:
    """(gold row, predicted row, similarity) for each accepted row pair within one project."""
    sim = np.array([[row_sim(g, p) for p in pred] for g in gold]).reshape(len(gold), len(pred))
    return _assign(sim, ROW_THRESHOLD, position_weight=0.01)
