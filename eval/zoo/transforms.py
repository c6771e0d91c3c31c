"""Layout transforms: each changes a Sheet and its expected gold Project together, exactly as the layout implies.

A transform is `(sheet, expected) -> None` and edits both in place; TRANSFORMS maps its name to it.
"""

from __future__ import annotations

import re
from typing import Callable

from perfdraft.core.models import Project
from perfdraft.core.text import norm_text
from perfdraft.eval.zoo.sheet import Sheet, numbered

Transform = Callable[[Sheet, Project], None]

TITLES = {  # title family -> heading as printed (the name comes from the 项目名称 cell, never from the title)
    "apply": "项目支出绩效目标申报表", "approved": "绩效目标批复表", "project": "项目支出绩效目标表",
}
LEVEL_NAME_VARIANTS = {"产出指标": "产出值", "数量指标": "数量值", "成本指标": "成本指标(必填硬性指标)"}
LABEL_SYNONYMS = {"预算数(万元)": "资金总额(万元)", "资金用途": "项目概述", "绩效目标": "年度绩效目标"}
EXTRA_COLUMNS = ["指标性质", "指标值类型", "权重", "评(扣)分标准", "备注"]  # columns the schema does not label
WRAP_WIDTH = 10  # characters per line of a wrapped long cell
PAGE_ROWS = 4  # body rows per page in the page-break layout
_NUM_UNIT = re.compile(r"^(?P<num>(?:[≥≤><=]|>=|<=)?\s*\d+(?:\.\d+)?)\s*(?P<unit>[^\d\s.][^\d]*)$")
_FIRST_NUM = re.compile(r"\d+(?:\.\d+)?")
_LEADING_OP = re.compile(r"^(?P<op>≥|≤|>=|<=|>|<|=|不低于|不少于|不高于|不超过)\s*(?P<rest>\d.*)$")


def _title(kind: str) -> Transform:
    def apply(sheet: Sheet, expected: Project) -> None:
        sheet.title = TITLES[kind]
    apply.__doc__ = f"Titled {TITLES[kind]}."
    return apply


def untitled(sheet: Sheet, expected: Project) -> None:
    """No heading at all: the table is found by its content."""
    sheet.title = None


def title_in_row(sheet: Sheet, expected: Project) -> None:
    """The title is the first (merged) row of the grid."""
    sheet.title = TITLES["project"]
    sheet.title_in_table = True


def merged_cells(sheet: Sheet, expected: Project) -> None:
    """level1 and level2 as merged cells (structured formats) or printed once per run (text)."""
    sheet.merged = 2


def _insert_column(sheet: Sheet, at: int, name: str, cells: list[str]) -> None:
    sheet.columns.insert(at, name)
    for row, cell in zip(sheet.rows, cells):
        row.insert(at, cell)


def long_value(value: str, kind: str, unit: str | None) -> str:
    """The 长期 (whole-period) value shown beside the annual one: three times a counted amount, a rate unchanged."""
    if kind != "number" or unit == "%" or not _FIRST_NUM.search(value):
        return value
    return _FIRST_NUM.sub(lambda m: f"{float(m.group()) * 3:g}", value, count=1)


def _period_columns(sheet: Sheet, expected: Project, long_name: str, annual_name: str) -> None:
    if "实施周期指标值" in sheet.columns:  # the gold's own period column gives way to the variant's
        drop = sheet.col("实施周期指标值")
        del sheet.columns[drop]
        for row in sheet.rows:
            del row[drop]
    at = sheet.col("指标值")
    longs = [long_value(i.value, i.target.kind, i.target.unit) for i in expected.indicators]
    sheet.columns[at] = annual_name
    _insert_column(sheet, at, long_name, longs)
    for ind, v in zip(expected.indicators, longs):
        ind.period_value = v


def long_annual(sheet: Sheet, expected: Project) -> None:
    """长期指标值 + 年度指标值 columns: period_value is the long one, value the annual one."""
    _period_columns(sheet, expected, "长期指标值", "年度指标值")


def period_annual(sheet: Sheet, expected: Project) -> None:
    """实施期目标 + 年度目标 in the header and 实施期指标值 + 年度指标值 columns; goals are the 年度目标."""
    _period_columns(sheet, expected, "实施期指标值", "年度指标值")
    goals = [i for i, (label, _) in enumerate(sheet.fields) if label == "绩效目标"]
    for i in goals:
        sheet.fields[i] = ("年度目标", numbered(expected.goals))
        sheet.fields.insert(i, ("实施期目标", expected.purpose or "完成项目实施期各项任务"))


def standard_column(sheet: Sheet, expected: Project) -> None:
    """The basis column is named 绩效标准 (labelled as basis)."""
    if "指标值确定依据" in sheet.columns:
        sheet.columns[sheet.col("指标值确定依据")] = "绩效标准"


def split_unit(value: str, unit: str | None) -> tuple[str, str]:
    """A value split into bare number and 度量单位, only where the split unit is the target's unit."""
    m = _NUM_UNIT.match(value.strip())
    if not m or unit is None or norm_text(m.group("unit")) != norm_text(unit):
        return value, ""
    return m.group("num").strip(), m.group("unit").strip()


def unit_column(sheet: Sheet, expected: Project) -> None:
    """A 度量单位 column split off the value; the expected value is number and unit joined with one space."""
    at = sheet.col("指标值")
    units = []
    for row, ind in zip(sheet.rows, expected.indicators):
        bare, unit = split_unit(ind.value, ind.target.unit)
        row[at] = bare
        units.append(unit)
        if unit:
            ind.value = f"{bare} {unit}"
    _insert_column(sheet, at + 1, "度量单位", units)


def extra_columns(sheet: Sheet, expected: Project) -> None:
    """Columns the schema has no field for (指标性质, 权重, 评(扣)分标准 ...): the expected gold is unchanged."""
    fills = {
        "指标性质": lambda i: "定量" if i.target.kind in ("number", "range") else "定性",
        "指标值类型": lambda i: {"≥": "大于等于", "≤": "小于等于", ">": "大于", "<": "小于"}.get(i.target.op or "", "其他"),
        "权重": lambda i: str(10 if i.level1.startswith("产出") else 5),
        "评(扣)分标准": lambda i: "完成得满分，未完成按比例扣分",
        "备注": lambda i: "",
    }
    for name in EXTRA_COLUMNS:
        _insert_column(sheet, len(sheet.columns), name, [fills[name](i) for i in expected.indicators])


def serial_column(sheet: Sheet, expected: Project) -> None:
    """A 序号 column of row numbers left of the levels (1, 2, 3 …); the expected gold is unchanged. Listed last in
    a variant: the other transforms find the level columns at the start of a row."""
    _insert_column(sheet, 0, "序号", [str(k) for k in range(1, len(sheet.rows) + 1)])
    sheet.lead = 1


def stacked_header(sheet: Sheet, expected: Project) -> None:
    """Column names over two rows: 绩效指标 over the three level columns (一级/二级/三级 under it), the other names
    merged down both rows (the Ministry of Finance template); the expected gold is unchanged."""
    sheet.group = "绩效指标"


def comparison_column(sheet: Sheet, expected: Project) -> None:
    """The comparison of each quantitative value in a 比较符 column left of the value (≥ | 90%, = | 100%); the
    expected value is the comparison and the rest joined (≥90%), a qualitative value is unchanged."""
    at = sheet.col("指标值")
    ops = []
    for row, ind in zip(sheet.rows, expected.indicators):
        m = _LEADING_OP.match(ind.value.strip())
        op, rest = (m["op"], m["rest"].strip()) if m else ("=", ind.value.strip()) \
            if ind.target.kind == "number" and ind.value.strip()[:1].isdigit() else ("", ind.value)
        row[at] = rest
        ops.append(op)
        if op:
            ind.value = op + rest
    _insert_column(sheet, at, "比较符", ops)


_OUTLINE = "一二三四五六七八九十"


def outline_numbers(sheet: Sheet, expected: Project) -> None:
    """Level names numbered as an outline (一、产出指标, （一）数量指标, the 二级 count starting again under each
    一级); expected as printed."""
    l1s: list[str] = []
    l2s: dict[str, list[str]] = {}
    for row, ind in zip(sheet.rows, expected.indicators):
        if ind.level1 not in l1s:
            l1s.append(ind.level1)
        seen = l2s.setdefault(ind.level1, [])
        if ind.level2 not in seen:
            seen.append(ind.level2)
        ind.level1 = f"{_OUTLINE[l1s.index(ind.level1) % 10]}、{ind.level1}"
        ind.level2 = f"（{_OUTLINE[seen.index(ind.level2) % 10]}）{ind.level2}"
        row[0], row[1] = ind.level1, ind.level2


def level_names(sheet: Sheet, expected: Project) -> None:
    """Level names written as variants (产出值, 数量值, 成本指标(必填硬性指标)); expected as written."""
    for row, ind in zip(sheet.rows, expected.indicators):
        ind.level1 = LEVEL_NAME_VARIANTS.get(ind.level1, ind.level1)
        ind.level2 = LEVEL_NAME_VARIANTS.get(ind.level2, ind.level2)
        row[0], row[1] = ind.level1, ind.level2


def _wrap(text: str, width: int = WRAP_WIDTH) -> str:
    return "\n".join(text[k:k + width] for k in range(0, len(text), width)) if len(text) > width else text


def wrapped_cells(sheet: Sheet, expected: Project) -> None:
    """level2 names over two lines (经济效益 / 指标) and long name/description/basis cells wrapped."""
    wrap_cols = [c for c, name in enumerate(sheet.columns)
                 if c == 2 or name in ("绩效指标描述", "指标值确定依据", "绩效标准")]
    for row in sheet.rows:
        if len(row[1]) >= 5 and row[1].endswith("指标"):
            row[1] = row[1][:-2] + "\n指标"
        for c in wrap_cols:
            row[c] = _wrap(row[c])


def values_only(sheet: Sheet, expected: Project) -> None:
    """Only levels, names and values printed (inline indicator lines): no description, period or basis."""
    keep = [k for k, name in enumerate(sheet.columns) if name in ("一级指标", "二级指标", "三级指标", "指标值")]
    sheet.columns = [sheet.columns[k] for k in keep]
    sheet.rows = [[row[k] for k in keep] for row in sheet.rows]
    for ind in expected.indicators:
        ind.description = ind.period_value = ind.basis = None


def page_breaks(sheet: Sheet, expected: Project) -> None:
    """The column-name row repeated at page breaks every few rows."""
    sheet.header_every = PAGE_ROWS


def reordered(sheet: Sheet, expected: Project) -> None:
    """Level1 groups in reverse order (满意度 first); the expected rows follow the printed order."""
    groups: dict[str, list[int]] = {}
    for k, ind in enumerate(expected.indicators):
        groups.setdefault(ind.level1, []).append(k)
    order = [k for name in reversed(list(groups)) for k in groups[name]]
    sheet.rows = [sheet.rows[k] for k in order]
    expected.indicators = [expected.indicators[k] for k in order]


def _yuan(wan: float) -> str:
    yuan = round(wan * 10000, 2)
    return f"{yuan:.0f}" if yuan == int(yuan) else f"{yuan:.2f}"


def yuan_note(sheet: Sheet, expected: Project) -> None:
    """Amounts in 元 stated once in a 单位:元 note; the expected budget stays in 万元."""
    if expected.budget_wan is None:
        return
    sheet.money_note = "单位:元"
    sheet.fields = [("预算数", _yuan(expected.budget_wan)) if label == "预算数(万元)" else (label, value)
                    for label, value in sheet.fields]


def header_lines(sheet: Sheet, expected: Project) -> None:
    """Header fields as label lines each followed by a value line, outside the grid."""
    sheet.header_lines = True


def label_synonyms(sheet: Sheet, expected: Project) -> None:
    """Header labels as other templates name them (资金总额, 项目概述, 年度绩效目标)."""
    sheet.fields = [(LABEL_SYNONYMS.get(label, label), value) for label, value in sheet.fields]


TRANSFORMS: dict[str, Transform] = {
    "title-apply": _title("apply"), "title-approved": _title("approved"), "title-project": _title("project"),
    "untitled": untitled, "title-in-row": title_in_row, "merged-cells": merged_cells,
    "long-annual": long_annual, "period-annual": period_annual, "standard-column": standard_column,
    "unit-column": unit_column, "extra-columns": extra_columns, "level-names": level_names,
    "wrapped-cells": wrapped_cells, "page-breaks": page_breaks, "reordered": reordered, "yuan": yuan_note,
    "header-lines": header_lines, "label-synonyms": label_synonyms, "serial-column": serial_column,
    "comparison-column": comparison_column, "outline-numbers": outline_numbers,
    "values-only": values_only, "stacked-header": stacked_header,
}
