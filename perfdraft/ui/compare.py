"""Last year's table beside the draft: rows matched by 三级指标 name, each marked as kept, changed, new or dropped."""

from __future__ import annotations

import pandas as pd
from rapidfuzz import fuzz

from perfdraft.core.models import Project

MATCH_MIN = 80  # names this similar are the same indicator reworded (e.g. 印刷合格率 / 印刷质量合格率)
COLUMNS = ["变化", "一级指标", "上年三级指标", "上年指标值", "本年三级指标", "本年指标值"]


def _key(text: str) -> str:
    return "".join((text or "").split())


def compare_projects(last: Project, draft: Project) -> pd.DataFrame:
    """One line per indicator of either table, draft order first, then last year's rows that were dropped."""
    unmatched = list(range(len(last.indicators)))
    rows = []
    for ind in draft.indicators:
        best, score = None, 0.0
        for j in unmatched:
            s = 100.0 if _key(last.indicators[j].level3) == _key(ind.level3) else fuzz.ratio(
                _key(last.indicators[j].level3), _key(ind.level3))
            if s > score:
                best, score = j, s
        if best is not None and score >= MATCH_MIN:
            unmatched.remove(best)
            old = last.indicators[best]
            same = _key(old.value) == _key(ind.value) and _key(old.level3) == _key(ind.level3)
            change = "不变" if same else ("指标值调整" if _key(old.level3) == _key(ind.level3) else "名称或指标值调整")
            rows.append([change, ind.level1, old.level3, old.value, ind.level3, ind.value])
        else:
            rows.append(["新增", ind.level1, "", "", ind.level3, ind.value])
    for j in unmatched:
        old = last.indicators[j]
        rows.append(["删除", old.level1, old.level3, old.value, "", ""])
    return pd.DataFrame(rows, columns=COLUMNS)


def header_changes(last: Project, draft: Project) -> list[str]:
    """Plain sentences for changed header fields (预算数, 资金用途, 绩效目标)."""
    out = []
    if last.budget_wan != draft.budget_wan:
        out.append(f"预算数：{last.budget_wan if last.budget_wan is not None else '—'} → "
                   f"{draft.budget_wan if draft.budget_wan is not None else '—'} 万元")
    if _key(last.purpose or "") != _key(draft.purpose or ""):
        out.append("资金用途有改动")
    if [_key(g) for g in last.goals] != [_key(g) for g in draft.goals]:
        out.append("绩效目标有改动")
    return out
