"""Guards on what a draft may copy from another unit's table (shared by the rules and the LLM drafters).

- corrupted values (do not parse, are not qualitative: `1002025年12月31日`) are never copied;
- 指标值确定依据 naming another unit's document (文号 like `邢政办字[2022]40号`) is replaced by a neutral basis;
- quantities taken from a project of a different scale carry a note with the reference budget.
"""

from __future__ import annotations

import re

from perfdraft.core.models import Indicator, Target
from perfdraft.core.vocabulary import canon_level1, canon_level2, is_cost

# the ratio of budgets above which a copied quantity is flagged (issue 14: "differs by more than 2x")
SCALE_RATIO = 2.0
NO_PRECEDENT_NOTICE = ("语料库中没有足够相似的历史项目，本草稿未复制任何历史指标，而是按「{kind}」类项目的模板生成；"
                       "请逐项填写标有【待填写】的指标值。")
FOREIGN_BASIS_NOTE = "原指标值确定依据引用了其他单位的文件（{numbers}），未予复制，请填写本单位的依据文件"
SCALE_NOTE = "规模提示：数量取自规模不同的项目（参考项目预算 {ref:g} 万元{level}），请按本项目规模（{budget:g} 万元）核实"

# 文号: issuer characters, a year in brackets, a number and 号: 邢政办字[2022]40号, 唐财社〔2024〕125号
_DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,10}[〔\[【(（]\s*(?:19|20)\d{2}\s*[〕\]】)）]\s*\d{1,4}\s*号")
_WIDTH = re.compile(r"[０-９]")
_GARBLED_YEAR = re.compile(r"\d{5,}\s*年")
_MONTH_DAY = re.compile(r"(?<!\d)(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_COUNT_UNIT = re.compile(r"(人|户|次|个|件|场|家|所|台|套|册|份|条|村|公里|千米|米|亩|平方|处|项|批|期|辆|座|张|本|篇)")
_LEVELS = (("省", 3), ("自治区", 3), ("市", 2), ("州", 2), ("盟", 2), ("县", 1), ("区", 1), ("旗", 1))


def is_corrupt_value(value: str | None) -> bool:
    """A value no reading can make sense of: a year glued to other digits (1002025年12月31日) or an impossible
    date (13月40日). Text with digits is otherwise qualitative (第3季度, 在职 82% 退休 85%) and left to lint."""
    v = _WIDTH.sub(lambda m: chr(ord(m.group(0)) - 0xFEE0), (value or "").strip())
    if _GARBLED_YEAR.search(v):
        return True
    return any(int(m) > 12 or int(d) > 31 or int(m) == 0 or int(d) == 0 for m, d in _MONTH_DAY.findall(v))


def document_numbers(text: str | None) -> list[str]:
    """The 文号 named in a text, in order."""
    return [m.group(0) for m in _DOC_NUMBER.finditer(text or "")]


def neutral_basis(level1: str | None, level2: str | None) -> str:
    """The framework's basis category that fits any unit: 预算支出标准 for cost rows, else 计划标准."""
    return "预算支出标准" if is_cost(level1, level2) else "计划标准"


def admin_level(department: str | None) -> int | None:
    """3 province, 2 city/prefecture, 1 county/district, None unknown (the first level word in the name)."""
    d = department or ""
    found = [(d.find(w), lvl) for w, lvl in _LEVELS if w in d]
    return min(found)[1] if found else None


def is_quantity(ind: Indicator, target: Target) -> bool:
    """A count whose size follows the project's scale: a number in persons, households, items, km … (not % or money)."""
    if target.kind not in ("number", "range") or target.num is None or not target.unit or target.unit == "%":
        return False
    if is_cost(ind.level1, ind.level2) or canon_level1(ind.level1) == "满意度" or "元" in target.unit:
        return False
    return canon_level2(ind.level2) == "数量" or bool(_COUNT_UNIT.search(target.unit))


def scale_differs(src_budget: float | None, budget: float | None, src_department: str | None = None,
                  department: str | None = None) -> bool:
    """Budgets more than SCALE_RATIO apart, or a source one administrative level above the brief's unit."""
    if src_budget and budget and max(src_budget / budget, budget / src_budget) > SCALE_RATIO:
        return True
    a, b = admin_level(src_department), admin_level(department)
    return a is not None and b is not None and a > b


def scale_note(src_budget: float | None, budget: float, src_department: str | None = None) -> str:
    level = f"，{src_department}" if src_department else ""
    return SCALE_NOTE.format(ref=src_budget or 0, level=level, budget=budget)


def guard_basis(row: Indicator, src_department: str | None, department: str | None) -> Indicator:
    """Replace a basis naming another unit's 文号 by the neutral category, with a note (row changed in place)."""
    if (src_department or "") == (department or ""):
        return row
    numbers = document_numbers(row.basis)
    if numbers:
        row.basis = neutral_basis(row.level1, row.level2)
    in_description = document_numbers(row.description)
    if in_description:
        row.description = row.level3  # the description restated another unit's document
    numbers += [n for n in in_description if n not in numbers]
    if numbers:
        row.warnings.append(FOREIGN_BASIS_NOTE.format(numbers="、".join(numbers)))
    return row


def guard_copied_row(row: Indicator, *, src_budget: float | None, budget: float, src_department: str | None,
                     department: str | None) -> Indicator | None:
    """All three guards on a row copied from a past table (None: do not copy it). For any drafter."""
    if is_corrupt_value(row.value):
        return None
    guard_basis(row, src_department, department)
    if is_quantity(row, row.target) and scale_differs(src_budget, budget, src_department, department):
        row.warnings.append(scale_note(src_budget, budget, src_department))
    return row
