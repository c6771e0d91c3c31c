"""Column roles of an indicator-grid header (synonyms from the vocabulary): shared by the text layout reconstructor
and the extraction interpreter, so both recognise the same headers."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from perfdraft.core import vocabulary as vocab


@dataclass(frozen=True)
class Column:
    """One column of an indicator header: its role (vocabulary) and the header text."""

    role: str
    name: str


def header_columns(texts: list[str]) -> list[Column | None]:
    """Header cells -> columns; row-label cells (绩效指标 left of 一级指标, 绩, blanks) become None."""
    return list(_header_columns(tuple(texts)))


@lru_cache(maxsize=2048)
def _header_columns(texts: tuple[str, ...]) -> tuple[Column | None, ...]:
    """header_columns, cached: page-break repeats and every row test ask about the same header again.

    Level columns must come in hierarchy order; a name or description synonym left of the level columns is the
    vertical label of the whole grid (e.g. 绩效指标), not a column.
    """
    roles = [vocab.column_role(t) for t in texts]
    cols: list[Column | None] = [Column(r, vocab.compact(t)) if r else None for r, t in zip(roles, texts)]
    first_level = next((k for k, r in enumerate(roles) if r in ("level1", "level2")), None)
    if first_level is not None:
        for k in range(first_level):
            cols[k] = None
    if not any(c and c.role == "level3" for c in cols):
        # 指标内容 / 指标说明 without a 三级指标 column is the indicator name itself
        k = next((k for k, c in enumerate(cols) if c and c.role == "description"), None)
        if k is not None:
            cols[k] = Column("level3", cols[k].name)
    seen: set[str] = set()
    for k, c in enumerate(cols):
        if c is None or c.role == "extra":
            continue
        if c.role in seen:
            # a second 指标值 is the annual value of a 实施期/年度 pair when the first reads as the period one
            cols[k] = Column("extra", c.name) if c.role != "value" else Column("value", c.name)
            if c.role == "value":
                prev = next(j for j in range(k) if cols[j] and cols[j].role == "value")
                cols[prev] = Column("period_value", cols[prev].name)
        seen.add(c.role)
    return tuple(cols)


def extra_kind(name: str) -> str:
    """What a column the schema has no field for holds, told by its name: "weight" (权重, 分值), "word" (指标性质 /
    类型 / 方向 / 比较符: a word of vocabulary.COLUMN_WORDS or a comparison) or "text" (评分标准, 备注 …)."""
    if any(k in name for k in ("权重", "分值")):
        return "weight"
    if any(k in name for k in ("性质", "类型", "方向", "符", "比较")):
        return "word"
    return "text"


def is_indicator_header(texts: list[str]) -> bool:
    """A header row of an indicator grid: a level column plus a name or value column, three roles at least."""
    if not any("级" in t for t in texts):  # every level-column synonym says 一级/二级: a cheap first test
        return False
    cols = [c for c in header_columns(texts) if c]
    roles = {c.role for c in cols}
    return len(roles) >= 3 and bool(roles & {"level1", "level2"}) and bool(roles & {"level3", "value"})


_LEVEL_NAMES = {"level1": "一级指标", "level2": "二级指标"}


def header_by_content(texts: list[str], body: list[list[str]]) -> list[str] | None:
    """A header with a value column but no level column whose body holds level names in one column (指标类型 |
    指标名称 | 指标值 over 数量指标 | …): the header with that column named as the level it holds; else None."""
    if is_indicator_header(texts):
        return None
    cols = header_columns(texts)
    roles = [c.role if c else None for c in cols]
    if "value" not in roles or "level1" in roles or "level2" in roles or len(body) < 2:
        return None
    for k in range(len(texts)):
        if roles[k] == "value":
            break  # levels stand left of the values
        cells = [vocab.compact(r[k]) for r in body if k < len(r) and r[k].strip()]
        if len(cells) < 2:
            continue
        for level, test in (("level2", vocab.is_level2), ("level1", vocab.is_level1)):
            if sum(1 for c in cells if test(c)) >= 0.6 * len(cells):
                out = list(texts)
                out[k] = _LEVEL_NAMES[level]
                if is_indicator_header(out):
                    return out
    return None


_VALUE_ROLES = {"value", "period_value"}
_LEVEL_ROLES = {"level1", "level2", "level3"}


def stacked_header(texts: list[str], above: list[str], positional: bool) -> list[str] | None:
    """Column names printed over two rows: a group name (绩效指标) over the level columns, whose own names are on the
    row below, and 指标值 and the other names merged down both rows. `texts` is the lower row (an indicator header
    without a value column), `above` the row over it; the names as one row, or None when it is not that layout.
    Positional cells: each empty lower cell takes the name above it. Ragged text printed only the non-empty cells:
    the group's cells (level roles or none) give way to the lower row's names."""
    if any(c and c.role in _VALUE_ROLES for c in header_columns(texts)):
        return None
    top = [vocab.column_role(a) for a in above]
    if not any(r in _VALUE_ROLES for r in top) or any(r in ("level1", "level2") for r in top):
        return None  # nothing to add, or the row above is a header of its own
    if positional:
        out = [t if t.strip() else (above[k] if k < len(above) else "") for k, t in enumerate(texts)]
        return out + above[len(texts):]
    names = [(a, r) for a, r in zip(above, top) if a.strip()]
    group = [k for k, (a, r) in enumerate(names)
             if r in _LEVEL_ROLES or (r is None and not vocab.is_row_number_column(a))]
    if not group or group != list(range(group[0], group[-1] + 1)):
        return None  # no group name over the levels, or names of other columns inside it
    lower = [t for t in texts if t.strip()]
    return [a for a, _ in names[:group[0]]] + lower + [a for a, _ in names[group[-1] + 1:]]
