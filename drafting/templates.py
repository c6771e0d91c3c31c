"""The framework's template rows per project kind (templates.json), for drafts with no similar past table."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib.resources import files

from perfdraft.core.models import Indicator, ProjectBrief, Target
from perfdraft.ingest.store_headnoun import core_name

TEMPLATE_WARNING = "无相似历史项目，按项目类型模板生成：请按本项目实际填写指标值"


@lru_cache(maxsize=1)
def _data() -> dict:
    return json.loads(files("perfdraft.drafting").joinpath("templates.json").read_text(encoding="utf-8"))


def placeholder_mark() -> str:
    """The text every unfilled template value starts with (【待填写)."""
    return _data()["placeholder"]


def is_placeholder(value: str | None) -> bool:
    return bool(value) and placeholder_mark() in value


def kinds() -> list[str]:
    return [k["kind"] for k in _data()["kinds"]]


def _match_end(text: str, keywords: list[str]) -> tuple[int, int]:
    """(end position of the rightmost keyword in text, its length); (-1, 0) when none occurs."""
    best = (-1, 0)
    for kw in keywords:
        pos = text.rfind(kw)
        if pos >= 0:
            best = max(best, (pos + len(kw), len(kw)))
    return best


def project_kind(brief: ProjectBrief) -> str:
    """The kind whose keyword ends nearest the end of the name (the head), else found in the purpose, else the last."""
    table = _data()["kinds"]
    for text in (core_name(brief.name), brief.name, brief.purpose or ""):
        scored = [(_match_end(text, k["keywords"]), -n) for n, k in enumerate(table)]
        (end, length), neg_n = max(scored)
        if end >= 0:
            return table[-neg_n]["kind"]
    return table[-1]["kind"]


def template_rows(kind: str, brief: ProjectBrief) -> list[Indicator]:
    """The kind's rows with the brief's year and budget put in; every other value is a placeholder."""
    spec = next((k for k in _data()["kinds"] if k["kind"] == kind), _data()["kinds"][-1])
    budget = f"{brief.budget_wan:g}"
    out = []
    for r in spec["rows"]:
        value = r["value"].format(year=brief.year, budget=budget)
        target = (Target(kind="number", op="≤", num=brief.budget_wan, unit="万元") if "{budget}" in r["value"]
                  else Target(kind="text"))
        out.append(Indicator(level1=r["level1"], level2=r["level2"], level3=r["level3"], description=r["description"],
                             value=value, basis=r["basis"], target=target, warnings=[TEMPLATE_WARNING]))
    return out
