"""parse_target: the value shapes the documents use."""

import pytest

from perfdraft.core.values import looks_like_value, parse_target


@pytest.mark.parametrize("value, kind, op, num, num_max, unit", [
    ("≥90 百分比", "number", "≥", 90, None, "%"),
    (">=90", "number", "≥", 90, None, None),
    ("<=5%", "number", "≤", 5, None, "%"),
    ("≤5万/月", "number", "≤", 5, None, "万/月"),
    ("６-９ 个月", "range", None, 6, 9, "个月"),
    ("2025.12.31", "date", "=", 20251231, None, None),
    ("2025年12月", "date", "=", 20251231, None, None),
    ("2024 年 2 月", "date", "=", 20240229, None, None),
    ("2025年12月前", "date", "≤", 20251231, None, None),
    ("24小时内", "number", "≤", 24, None, "小时"),
    ("100％", "number", "=", 100, None, "%"),
    ("580 元/人", "number", "=", 580, None, "元/人"),
])
def test_parse_target_shapes(value, kind, op, num, num_max, unit):
    t = parse_target(value)
    assert (t.kind, t.op, t.num, t.num_max, t.unit) == (kind, op, num, num_max, unit)


@pytest.mark.parametrize("value", ["有所提升", "", "   ", None, "2021年是否实施", "明显提高", "2025年2月31日"])
def test_qualitative_and_empty_values_are_text(value):
    t = parse_target(value)
    assert t.kind == "text" and t.op is None and t.num is None and t.unit is None


def test_looks_like_value_separates_numbers_from_names():
    assert looks_like_value("≥95%")
    assert not looks_like_value("服务对象满意度")


def test_periods_are_dates_with_no_comparison_and_their_last_day():
    for value, day in [("2020.1.1-2020.12.31", 20201231), ("2023.07-2024.01", 20240131),
                       ("2021年1月-12月", 20211231), ("2021年全年", 20211231)]:
        t = parse_target(value)
        assert (t.kind, t.op, t.num) == ("date", None, day), value
    assert parse_target("6-9 个月").kind == "range"
