"""The indicator vocabulary, column-header and label synonyms (data in vocabulary.json), with the lookups every layer uses."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from perfdraft.core.lazy_re import lazy
from perfdraft.core.text import compact

# package data beside this module (importlib.resources would import tempfile and zipfile at every start for it)
_DATA = json.loads(Path(__file__).with_name("vocabulary.json").read_text(encoding="utf-8"))

ALLOWED: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in _DATA["allowed"].items()}
COLUMN_SYNONYMS: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in _DATA["columns"].items()}
LABEL_SYNONYMS: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in _DATA["labels"].items()}
SELF_EVALUATION: tuple[str, ...] = tuple(_DATA["self_evaluation"])
STOP_LABELS: frozenset[str] = frozenset(compact(x) for x in _DATA.get("stop_labels", []))
UNITS: frozenset[str] = frozenset(_DATA.get("units", []))
# target values written as words (明显, 否, 长期 …): the closed list a run-together row may end with
QUALITATIVE_VALUES: tuple[str, ...] = tuple(_DATA.get("qualitative_values", []))
# what fills a 指标性质 / 指标值类型 / 指标方向 column (定量, 正向, 大于等于 …)
COLUMN_WORDS: frozenset[str] = frozenset(_DATA.get("column_words", []))
# the names of a row-number column left of the levels (序号 …)
ROW_NUMBER_COLUMNS: frozenset[str] = frozenset(compact(x) for x in _DATA.get("row_number_columns", []))
_ROW_NUMBER = lazy(r"[(（]?(\d{1,3})[)）.、．]?")


def is_row_number_column(name: str | None) -> bool:
    """A header cell naming a column of row numbers (序号, 编号 …)."""
    return compact(name) in ROW_NUMBER_COLUMNS


def row_number(text: str | None) -> int | None:
    """The number of a cell shaped like a row number (1, 12, (3), 4.), else None; never a name or a unit."""
    m = _ROW_NUMBER.fullmatch(text.strip()) if text else None
    return int(m.group(1)) if m else None


def is_row_number(text: str | None) -> bool:
    """A cell shaped like a row number (row_number)."""
    return row_number(text) is not None
TITLES: tuple[str, ...] = tuple(_DATA["titles"])
DEPARTMENT_TITLES = tuple(lazy(p) for p in _DATA["department_titles"])
_SUFFIXES = sorted(_DATA["level_suffixes"], key=len, reverse=True)
_L1 = {alias: canon for canon, aliases in _DATA["level1"].items() for alias in aliases}
_L2 = {alias: canon for canon, aliases in _DATA["level2"].items() for alias in aliases}
# every base a level name is built on (产出, 效果, 进度, 服务对象满意度 …): a cheap test that a text may name one
LEVEL_BASES: tuple[str, ...] = tuple(sorted(set(_L1) | set(_L2), key=len, reverse=True))
# 二级 names the closed list does not spell out but the framework's pattern does (贫困人口满意度指标); the suffix
# 指标 is required so that a 三级 name such as 游客满意度 never reads as a level
_L2_PATTERNS = [(lazy(p), canon) for canon, p in _DATA.get("level2_patterns", {}).items()]
_COLUMN = {syn: role for role, syns in _DATA["columns"].items() for syn in syns}
_COLUMN_PATTERNS = [(lazy(p), role) for role, ps in _DATA["column_patterns"].items() for p in ps]
_LABEL = {syn: field for field, syns in _DATA["labels"].items() for syn in syns}

# template remnants around a level name: *, ★, (必填硬性指标), （★）, a leading number (1. 2、, 一、 二．: an outline)
_MARKS = lazy(r"^(?:[一二三四五六七八九十]{1,3}[、.．]|[*★☆\d.、．])+|[*★☆]+$")
_PARENS = lazy(r"[(（][^()（）]*[)）]")


@lru_cache(maxsize=4096)
def level_base(text: str) -> str:
    """A level name reduced to its base: 数量指标 / 数量值 / 数量指标(必填硬性指标) -> 数量."""
    s = _PARENS.sub("", compact(text))
    s = _MARKS.sub("", s)
    for suf in _SUFFIXES:
        if s.endswith(suf) and len(s) > len(suf):
            return s[: -len(suf)]
    return s


def level1_canon(text: str | None) -> str | None:
    """The framework's 一级 a cell names (产出, 效益, 成本, 满意度), or None when it is no level1 name."""
    if not text or len(compact(text)) > 16:
        return None
    return _L1.get(level_base(text))


def level2_canon(text: str | None) -> str | None:
    """The framework's 二级 a cell names (数量 … 服务对象满意度), or None when it is no level2 name."""
    if not text or len(compact(text)) > 20:
        return None
    c = compact(text)
    return _L2.get(level_base(text)) or next((canon for pat, canon in _L2_PATTERNS if pat.match(c)), None)


def is_level1(text: str | None) -> bool:
    return level1_canon(text) is not None


def is_level2(text: str | None) -> bool:
    return level2_canon(text) is not None


def is_level2_fragment(text: str | None) -> bool:
    """The first half of a level2 name wrapped over two lines (经济效益 + 指标): a base with no suffix."""
    c = compact(text)
    return bool(c) and c in _L2 and not any(c.endswith(s) for s in _SUFFIXES)


@lru_cache(maxsize=4096)
def column_role(text: str | None) -> str | None:
    """The role of an indicator-grid header cell: level1 … value, period_value, basis, unit, extra; None if unknown."""
    c = compact(text)
    if not c:
        return None
    for cand in (c, _PARENS.sub("", c)):
        if cand in _COLUMN:
            return _COLUMN[cand]
        for pat, role in _COLUMN_PATTERNS:
            if pat.search(cand):
                return role
    if "确定依据" in c or "设定依据" in c:
        return "basis"
    if c.endswith(("指标值", "目标值")) and len(c) <= 10:
        return "period_value" if any(k in c for k in ("实施期", "长期", "实施周期")) else "value"
    if any(k in c for k in ("权重", "分值", "评分", "扣分", "备注")):
        return "extra"
    return None


def is_unit(text: str | None) -> bool:
    """A measurement unit as a 度量单位 cell holds it (人/天, %, 万元, 平方米 …)."""
    c = compact(text)
    return c in UNITS or bool(re.fullmatch(r"[\u4e00-\u9fff]{1,2}/[\u4e00-\u9fff]{1,3}", c))


def is_self_evaluation(text: str | None) -> bool:
    """A header cell of a 自评表 (实际完成值, 得分 …): such grids report results, not targets."""
    c = compact(text)
    return any(k in c for k in SELF_EVALUATION)


@lru_cache(maxsize=4096)
def label_field(text: str | None) -> str | None:
    """The project field a header label names (name, code, department, unit, budget, purpose, goals, period_goals)."""
    c = _PARENS.sub("", compact(text)).rstrip(":：")
    if not c:
        return None
    return _LABEL.get(c)


def labels_for(field: str) -> tuple[str, ...]:
    """Every synonym of a header label, longest first (so 年度绩效目标 is tried before 绩效目标)."""
    return tuple(sorted(LABEL_SYNONYMS.get(field, ()), key=len, reverse=True))


def is_title(text: str | None) -> bool:
    """A line naming a 绩效目标表 of any of the known title forms."""
    c = compact(text)
    return any(t in c for t in TITLES) or ("绩效目标" in c and c.endswith("表"))


def is_department_title(text: str | None) -> bool:
    c = compact(text)
    return any(p.search(c) for p in DEPARTMENT_TITLES)


# ---- categories of the framework (lint, drafter, adaptation) --------------------------------------------------


def _strip(name: str | None) -> str:
    return compact(name).removesuffix("指标")


def canon_level1(name: str | None) -> str:
    """产出指标 -> 产出; 效果指标 -> 效益 (the older name); unknown names come back stripped."""
    return level1_canon(name) or _strip(name)


def canon_level2(name: str | None) -> str:
    """社会效益指标 -> 社会效益; 可持续性影响 -> 可持续影响; unknown names come back stripped."""
    return level2_canon(name) or _strip(name)


def level1_for_level2(level2: str) -> str | None:
    """The proper 一级 of a canonical 二级 (成本 sits under 产出 in the older scheme)."""
    for l1, l2s in ALLOWED.items():
        if level2 in l2s:
            return l1
    return None


def is_cost(level1: str | None, level2: str | None) -> bool:
    """A cost row: 二级 成本 under 产出, or any row of the 成本 一级."""
    return canon_level2(level2) == "成本" or canon_level1(level1) == "成本"


def display_level1(canon: str) -> str:
    return f"{canon}指标"


def display_level2(canon: str) -> str:
    return f"{canon}指标"
