"""Adapting a past indicator row to next year's brief: years, deadlines, costs, satisfaction form."""

from __future__ import annotations

import math
import re

from perfdraft.core.vocabulary import canon_level1, canon_level2, is_cost
from perfdraft.drafting.guards import guard_copied_row, is_corrupt_value
from perfdraft.drafting.lint import is_unit_cost_name, money_to_wan, row_target
from perfdraft.core.models import Indicator, Target

_YEAR = re.compile(r"(?<!\d)(20\d{2})(?!\d)")


def fmt_num(x: float) -> str:
    """90.0 -> '90', 0.1500 -> '0.15'."""
    return f"{x:.4f}".rstrip("0").rstrip(".") if not float(x).is_integer() else str(int(x))


def shift_years(text: str | None, from_year: int | None, to_year: int) -> str | None:
    """Replace the source table's year (and the year before it, its base year) by the target year's."""
    if not text or from_year is None or from_year == to_year:
        return text
    delta = to_year - from_year

    def sub(m: re.Match) -> str:
        y = int(m.group(1))
        return str(y + delta) if y in (from_year, from_year - 1, from_year + 1) else m.group(1)

    return _YEAR.sub(sub, text)


def render(t: Target) -> str:
    """The value text of a number target: '≥90%', '≤15万元', '580元/人'."""
    op = "" if t.op == "=" else (t.op or "")
    return f"{op}{fmt_num(t.num)}{t.unit or ''}"


def _floor2(x: float) -> float:
    """Round down to 2 decimals so a recomputed total never exceeds the budget."""
    y = math.floor(x * 100 + 1e-9) / 100
    return y if y > 0 else math.floor(x * 10000 + 1e-9) / 10000  # tiny budgets keep a non-zero ceiling


def adapt_row(ind: Indicator, *, src_year: int | None, src_budget: float | None, year: int,
              budget: float, src_department: str | None = None, department: str | None = None) -> Indicator | None:
    """A copy of a past row fitted to the new year, budget and unit; None when it cannot be made valid."""
    if is_corrupt_value(ind.value):
        return None  # a garbled value (1002025年12月31日) is not evidence of anything: never copy it
    new = _fit(ind, src_year=src_year, src_budget=src_budget, year=year, budget=budget)
    if new is None:
        return None
    return guard_copied_row(new, src_budget=src_budget, budget=budget, src_department=src_department,
                            department=department)


def _fit(ind: Indicator, *, src_year: int | None, src_budget: float | None, year: int,
         budget: float) -> Indicator | None:
    """Years, deadlines, costs and the satisfaction form moved to the new year and budget."""
    t = row_target(ind)
    new = ind.model_copy(deep=True)
    new.source = None
    new.sources = []
    new.warnings = []
    new.level3 = shift_years(ind.level3, src_year, year) or ind.level3
    new.description = shift_years(ind.description, src_year, year)
    new.basis = shift_years(ind.basis, src_year, year)
    new.period_value = None
    new.value = shift_years(ind.value, src_year, year) or ind.value
    new.target = t.model_copy()
    l1, l2 = canon_level1(ind.level1), canon_level2(ind.level2)

    if t.kind == "date" and t.num is not None:
        # a deadline moves into the budget year, whatever year the source named
        md = int(t.num) % 10000
        new.target.num = float(year * 10000 + md)
        new.value = _YEAR.sub(str(year), new.value)
        if str(year) not in new.value:
            new.value = f"{year}年{md // 100}月{md % 100}日"  # a date written without its year
    elif t.kind == "number" and t.num is not None and is_cost(ind.level1, ind.level2):
        total = (money_to_wan(t.num, t.unit) if t.unit in ("万元", "元", "万", "亿元", "千元")
                 and not is_unit_cost_name(ind.level3) else None)
        monthly = bool(t.unit) and t.unit.endswith("/月") and money_to_wan(1, t.unit.split("/")[0]) is not None
        if t.op in ("≥", ">"):
            if t.unit == "%" or (total is None and not monthly and "/" not in (t.unit or "")):
                return None  # a rate dressed as cost (拨付率 ≥90%) cannot be turned into a cost ceiling
            new.target.op = "≤"
        elif t.op == "<":
            new.target.op = "≤"  # a strict ceiling is written as ≤ in the framework
        if total is not None:
            ratio = budget / src_budget if src_budget else None
            wan = min(budget, total * ratio if ratio else budget)
            if src_budget and abs(total - src_budget) < 1e-6:
                wan = budget  # the source's total was its whole budget
            wan = _floor2(wan)
            new.target.num = wan / money_to_wan(1, t.unit)
        elif monthly and src_budget:
            per_wan = money_to_wan(1, t.unit.split("/")[0])
            new.target.num = round(t.num * budget / src_budget, 2) or t.num
            if new.target.num * per_wan * 12 > budget * 1.05:
                new.target.num = _floor2(budget / 12 / per_wan)
        new.value = render(new.target)
    elif l1 == "满意度" or l2 == "服务对象满意度":
        if t.kind != "number" or t.num is None or t.num > 100 or (t.unit not in ("%", None)):
            return None
        new.target = Target(kind="number", op="≥", num=t.num, unit="%")
        new.value = render(new.target)
    return new
