"""Property tests (hypothesis) on the value parser and the text normalisers."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from perfdraft.core.values import parse_target
from perfdraft.core.text import norm_text, norm_unit, num_equal

OPS = {"≥": "≥", ">=": "≥", "＞＝": "≥", "≧": "≥", "不低于": "≥", "≤": "≤", "<=": "≤", "≦": "≤", "不超过": "≤",
       ">": ">", "＞": ">", "<": "<", "＜": "<", "=": "=", "": "="}
PERCENT = ["%", "％", "百分比"]
UNITS = ["%", "％", "百分比", "万元", "元", "个", "次", "人次", "天", "个月", "小时", "分", "家", "万人", ""]
VALUE_ALPHABET = st.sampled_from(list("0123456789０１２３４５６７８９.,-~～至年月日≥≤<>=＞＜％% 个次天万元以上内百分比底前达到提升"))
valueish = st.text(VALUE_ALPHABET, max_size=20)
numbers = st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False, allow_infinity=False)
fast = settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)


def _fmt(d) -> str:
    s = format(d, "f")
    return s.rstrip("0").rstrip(".") if "." in s else s


@fast
@given(st.one_of(st.text(max_size=40), valueish))
def test_parse_target_never_raises_and_stays_in_the_schema(s):
    t = parse_target(s)
    assert t.kind in ("number", "range", "date", "text")
    assert t.op in (None, "≥", "≤", ">", "<", "=")
    if t.kind == "text":
        assert t.num is None and t.num_max is None and t.op is None
    if t.kind == "number":
        assert t.op is not None and t.num is not None and t.num_max is None
    if t.kind == "range":
        assert t.op is None and t.num is not None and t.num_max is not None
    assert t.unit not in ("％", "百分比")  # percent units unified to '%'


@fast
@given(valueish)
@example("9-6 个月")
def test_ranges_are_ordered(s):
    t = parse_target(s)
    if t.kind == "range":
        assert t.num <= t.num_max, (s, t)


@fast
@given(valueish)
def test_dates_are_valid_yyyymmdd(s):
    t = parse_target(s)
    if t.kind == "date":
        n = int(t.num)
        assert t.num == n
        dt.date(n // 10000, n // 100 % 100, n % 100)  # raises if not a real day


@fast
@given(valueish)
def test_numbers_come_from_the_text(s):
    """Never a number that is not written in the value (digits compared after NFKC, commas dropped)."""
    t = parse_target(s)
    if t.kind in ("number", "range"):
        digits = unicodedata.normalize("NFKC", s).replace(",", "")
        for n in (t.num, t.num_max):
            if n is not None:
                assert str(int(n)) in digits, (s, t)


@fast
@given(st.sampled_from(sorted(OPS)), numbers, st.sampled_from(["", " "]), st.sampled_from(UNITS))
def test_numbers_round_trip_with_normalised_op_and_unit(op, num, space, unit):
    s = f"{op}{_fmt(num)}{space}{unit}"
    t = parse_target(s)
    assert t.kind == "number", (s, t)
    assert t.op == OPS[op]
    assert abs(t.num - float(num)) < 1e-9
    assert t.unit == ("%" if unit in PERCENT else (unit or None))


@fast
@given(numbers, numbers, st.sampled_from(["-", "~", "～", "至"]), st.sampled_from(["个月", "%", "天", "万元"]))
def test_ordered_ranges_round_trip(a, b, sep, unit):
    lo, hi = min(a, b), max(a, b)
    assume(lo != hi)
    t = parse_target(f"{_fmt(lo)}{sep}{_fmt(hi)} {unit}")
    assert t.kind == "range" and t.num == float(lo) and t.num_max == float(hi)
    assert t.unit == unit


@fast
@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2099, 12, 31)),
       st.sampled_from(["{y}.{m}.{d}", "{y}年{m}月{d}日", "{y}-{m:02d}-{d:02d}", "{y}/{m}/{d}", "{y}年{m}月{d}日前"]))
def test_dates_round_trip(day, pattern):
    t = parse_target(pattern.format(y=day.year, m=day.month, d=day.day))
    assert t.kind == "date" and t.num == day.year * 10000 + day.month * 100 + day.day


@fast
@given(st.integers(1990, 2099), st.integers(1, 12))
def test_month_only_dates_mean_the_last_day(y, m):
    t = parse_target(f"{y}年{m}月")
    last = (dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1))
    assert t.kind == "date" and t.num == last.year * 10000 + last.month * 100 + last.day


@fast
@given(st.text(max_size=30))
def test_norm_text_is_idempotent_and_whitespace_free(s):
    once = norm_text(s)
    assert norm_text(once) == once, (s, once)
    assert not re.search(r"\s", once)


@fast
@given(st.sampled_from(PERCENT), st.sampled_from(PERCENT))
def test_percent_units_compare_equal(a, b):
    assert norm_unit(a) == norm_unit(b) == "%"


@fast
@given(st.floats(allow_nan=False, allow_infinity=False, width=32), st.floats(allow_nan=False, allow_infinity=False, width=32))
def test_num_equal_is_reflexive_and_symmetric(a, b):
    assert num_equal(a, a)
    assert num_equal(a, b) == num_equal(b, a)
