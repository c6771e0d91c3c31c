"""Checks of what staff type on the page, with a Chinese message per field (the page shows them by the field)."""

from __future__ import annotations

import math

LIMITS = {"项目名称": 100, "部门": 100, "项目编码": 50, "资金用途": 2000, "绩效目标": 2000, "单元格": 500}
BUDGET_MAX_WAN = 10_000_000.0  # 1000 亿元: anything above is a typing slip
YEAR_MIN, YEAR_MAX = 2000, 2100


def text_problem(label: str, text: str | None, *, required: bool = False) -> str | None:
    """Empty-but-required or too long, else None."""
    text = (text or "").strip()
    if required and not text:
        return f"请填写{label}。"
    limit = LIMITS.get(label)
    if limit and len(text) > limit:
        return f"{label}最多 {limit} 个字（现在 {len(text)} 个字）。"
    return None


def budget_problem(budget: float | None) -> str | None:
    if budget is None or (isinstance(budget, float) and math.isnan(budget)):
        return "请填写预算数（万元）。"
    if budget <= 0:
        return "预算数必须大于 0 万元。"
    if budget > BUDGET_MAX_WAN:
        return f"预算数不能超过 {BUDGET_MAX_WAN:,.0f} 万元，请检查单位是否为万元。"
    return None


def year_problem(year: int | float | None) -> str | None:
    if year is None or not float(year).is_integer() or not YEAR_MIN <= int(year) <= YEAR_MAX:
        return f"年度应为 {YEAR_MIN}–{YEAR_MAX} 之间的整数年份。"
    return None


def brief_problems(name: str, budget: float | None, year: int | None, department: str = "",
                   purpose: str = "", code: str = "", goals: str = "") -> dict[str, str]:
    """Field label -> message for every field that is wrong; empty when the brief can be drafted."""
    checks = {
        "项目名称": text_problem("项目名称", name, required=True),
        "预算数": budget_problem(budget),
        "年度": year_problem(year),
        "部门": text_problem("部门", department),
        "资金用途": text_problem("资金用途", purpose),
        "项目编码": text_problem("项目编码", code),
        "绩效目标": text_problem("绩效目标", goals),
    }
    return {k: v for k, v in checks.items() if v}
