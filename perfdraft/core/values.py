"""Parse an indicator value (指标值) into a comparable Target: pure, fast, no I/O."""

from __future__ import annotations

import calendar
import re
import unicodedata
from functools import lru_cache

from perfdraft.core.lazy_re import lazy
from perfdraft.core.models import Target

_OPS = {"≥": "≥", ">=": "≥", "≧": "≥", "≤": "≤", "<=": "≤", "≦": "≤", ">": ">", "<": "<", "=": "=",
        "不低于": "≥", "不少于": "≥", "不小于": "≥", "大于等于": "≥", "不高于": "≤", "不超过": "≤",
        "不大于": "≤", "小于等于": "≤", "大于": ">", "高于": ">", "小于": "<", "低于": "<", "达到": "≥"}
_OP_RE = "|".join(sorted(map(re.escape, _OPS), key=len, reverse=True))
_NUM = r"\d+(?:,\d{3})*(?:\.\d+)?"
_NUMBER_RE = lazy(rf"^(?P<op>{_OP_RE})?\s*(?P<num>{_NUM})\s*(?P<unit>.*?)\s*(?P<suffix>以上|以下|以内|内)?$")
_RANGE_RE = lazy(rf"^(?P<a>{_NUM})\s*(?P<ua>%|百分比)?\s*(?:-|~|～|—|–|至|到)\s*(?P<b>{_NUM})\s*(?P<unit>.*)$")
_DATE_RE = lazy(r"^(?:(?:于|在)\s*)?(?P<y>(?:19|20)\d{2})\s*(?:(?:年|\.|-|/)\s*(?P<m>\d{1,2})\s*(?:月)?|年)"
                      r"(?:\s*(?:\.|-|/)?\s*(?P<d>\d{1,2})\s*日?)?\s*(?P<tail>(?:底|末|前|之前|以前|内|完成|止)*)\s*$")
# a period (2020.1.1-2020.12.31, 2023.07-2024.01, 2021年1月-12月, 2021年全年): a date, no comparison, its last day
_YM = r"(?P<{y}>(?:19|20)\d{{2}})\s*(?:年|\.|-|/)\s*(?P<{m}>\d{{1,2}})\s*(?:月)?(?:\s*(?:\.|-|/)?\s*(?P<{d}>\d{{1,2}})\s*日?)?"
_PERIOD_RE = lazy("^" + _YM.format(y="y1", m="m1", d="d1") + r"\s*(?:-|~|～|—|–|至|到)\s*(?:"
                        + _YM.format(y="y2", m="m2", d="d2") + r"|(?P<m3>\d{1,2})\s*月(?:\s*(?P<d3>\d{1,2})\s*日)?)\s*$")
_WHOLE_YEAR_RE = lazy(r"^(?P<y>(?:19|20)\d{2})\s*年\s*(?:全年|全年度|度内)$")
_UNIT_MAX = 8
_SUFFIX_OP = {"以上": "≥", "以下": "≤", "以内": "≤", "内": "≤"}


def _unit(u: str) -> str | None:
    u = u.strip()
    if not u:
        return None
    if u in ("%", "％", "百分比"):
        return "%"
    return u


def parse_target(value: str | None) -> Target:
    """`≥90 百分比` -> number ≥ 90 %, `6-9 个月` -> range, `2025年12月` -> date 20251231, else text."""
    if value is None:
        return Target(kind="text")
    return Target(**dict(_target_fields(value)))  # a new Target each time: callers own (and may change) it


@lru_cache(maxsize=8192)
def _target_fields(value: str) -> tuple[tuple[str, object], ...]:
    """The fields parse_target sets for a value, cached by string (a document repeats its values and cells)."""
    raw = unicodedata.normalize("NFKC", value).strip()
    if not raw:
        return (("kind", "text"),)
    s = re.sub(r"\s+", " ", raw)
    period = _period_end(s)
    if period is not None:
        return (("kind", "date"), ("op", None), ("num", float(period)))
    m = _DATE_RE.match(s)
    if m:
        y, mo = int(m["y"]), int(m["m"] or 12)
        if 1 <= mo <= 12:
            last = calendar.monthrange(y, mo)[1]
            d = int(m["d"]) if m["d"] else last
            if 1 <= d <= last:
                op = "≤" if m["tail"] and re.search(r"前|内", m["tail"]) else "="
                return (("kind", "date"), ("op", op), ("num", float(y * 10000 + mo * 100 + d)))
    m = _RANGE_RE.match(s)
    if m and len(m["unit"]) <= _UNIT_MAX:
        unit = _unit(m["unit"]) or _unit(m["ua"] or "")
        lo, hi = sorted((_f(m["a"]), _f(m["b"])))  # "9-6 个月" is the same range written high to low
        return (("kind", "range"), ("num", lo), ("num_max", hi), ("unit", unit))
    m = _NUMBER_RE.match(s)
    if m and len(m["unit"]) <= _UNIT_MAX and not re.search(r"\d|是否|[，,。；;]", m["unit"]) \
            and not (m["unit"].startswith("年") and m["unit"] != "年"):
        op = _OPS[m["op"]] if m["op"] else _SUFFIX_OP.get(m["suffix"] or "", "=")
        return (("kind", "number"), ("op", op), ("num", _f(m["num"])), ("unit", _unit(m["unit"])))
    return (("kind", "text"),)


def _period_end(s: str) -> int | None:
    """YYYYMMDD of the last day of a period value, or None when s is no period."""
    m = _WHOLE_YEAR_RE.match(s)
    if m:
        return int(m["y"]) * 10000 + 1231
    m = _PERIOD_RE.match(s)
    if not m:
        return None
    y = int(m["y2"] or m["y1"])
    mo = int(m["m2"] or m["m3"])
    day = m["d2"] or m["d3"]
    if not 1 <= mo <= 12:
        return None
    last = calendar.monthrange(y, mo)[1]
    d = int(day) if day else last
    return y * 10000 + mo * 100 + d if 1 <= d <= last else None


def _f(s: str) -> float:
    return float(s.replace(",", ""))


_OPENS_WITH_OP = re.compile(rf"^\s*(?:{_OP_RE})")


def is_comparison(text: str | None) -> bool:
    """A cell holding only a comparison (≥, <=, 大于等于, 不低于 …): a column of them is the values' operator."""
    return (text or "").strip() in _OPS


def opens_with_comparison(value: str | None) -> bool:
    """A value that states its own comparison (≥90%, 不低于 90%)."""
    return bool(value) and bool(_OPENS_WITH_OP.match(value))


def looks_like_value(text: str) -> bool:
    """True when a cell reads as a quantitative value (number, range or date)."""
    return text is not None and _target_fields(text)[0][1] != "text"
