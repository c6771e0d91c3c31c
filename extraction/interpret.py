"""Column roles from an indicator header, and content-based alignment of ragged rows to those roles.

A linearised row keeps only the cells the text has: merged level cells are omitted on continuation rows, empty
cells vanish, a space-separated cell may be several tokens. Position therefore says little; the closed level
vocabulary and the shapes of values, units and weights say a lot. `align_row` assigns the row's tokens to the
header's columns in order (each column may take none, one or several tokens) by dynamic programming over a score
made only of those content signals.
"""

from __future__ import annotations

from functools import lru_cache

from perfdraft.core.lazy_re import lazy
from perfdraft.core import vocabulary as vocab
from perfdraft.core.columns import Column, extra_kind, header_columns, is_indicator_header  # noqa: F401 (re-exported)
from perfdraft.core.values import is_comparison, parse_target

_NEG = float("-inf")
_SENTENCE = lazy(r"[，,。；;！!？?]")
_NUMBER = lazy(r"^[≥≤><=＞＜]?\s*\d+(?:\.\d+)?\s*%?$")
# columns a layout may print the same text in twice (三级指标 = 描述, 长期 = 年度): equal neighbours fit there
_TWIN_ROLES = ("level3", "description", "period_value", "value")


# ---- scores ---------------------------------------------------------------------------------------------------


@lru_cache(maxsize=8192)
def _value_score(text: str) -> float:
    t = parse_target(text)
    if t.kind in ("number", "range", "date"):
        return 3.5 if t.unit else 3.0
    c = vocab.compact(text)
    if not c:
        return _NEG
    if vocab.is_level1(c) or vocab.is_level2(c):
        return -4.0
    if len(c) <= 12 and not _SENTENCE.search(c):
        return 1.0
    return 0.2


def _cell_score(col: Column, text: str, n_tokens: int, fragments: bool) -> float:
    """How well `text` (n_tokens joined) fits the column; -inf when it cannot be there."""
    extra_tokens = (n_tokens - 1) * (0.3 if fragments else 1.5)
    c = vocab.compact(text)
    role = col.role
    if role == "level1":
        return 4.0 if n_tokens == 1 and vocab.is_level1(c) else _NEG
    if role == "level2":
        return 4.0 if n_tokens == 1 and vocab.is_level2(c) else _NEG
    if role in ("value", "period_value"):
        s = _value_score(text)
        if fragments and s >= 3.0:
            extra_tokens = (n_tokens - 1) * 0.1  # one value printed with spaces inside (2025 年 12 月, ≥90 百分比)
        return (s if role == "value" else s - 0.3) - extra_tokens
    if role == "unit":
        return 2.5 if n_tokens == 1 and vocab.is_unit(c) else _NEG
    if role == "extra":
        kind = extra_kind(col.name)
        if kind == "weight":
            return 1.5 if n_tokens == 1 and _NUMBER.match(c) else _NEG
        if kind == "word":
            return 2.0 if n_tokens == 1 and (c in vocab.COLUMN_WORDS or is_comparison(c)) else _NEG
        return 0.2 - extra_tokens
    # level3, description, basis: free text, never a level name, rarely a bare number
    if vocab.is_level1(c) or vocab.is_level2(c):
        return -3.0
    if n_tokens == 1 and len(c) <= 3 and vocab.is_unit(c):
        return -2.0  # a unit alone (年, 百分比) is the tail of a value, never a name, description or basis
    s = 1.0 if role == "level3" else 0.5
    last = text.rsplit(None, 1)[-1]
    if fragments and n_tokens > 1 and (_NUMBER.match(last) or last in ("年", "月", "日")):
        s -= 1.5  # text then `2026 年`: the cell took the head of the value printed after it
    if parse_target(text).kind != "text" and role != "basis":
        s -= 1.0
    return s - extra_tokens * (0.3 if role == "level3" else 1.0)


def _empty_score(col: Column) -> float:
    return {"level1": 0.0, "level2": 0.0, "level3": -6.0, "value": -2.0, "period_value": -1.0,
            "description": -0.5, "basis": -0.5}.get(col.role, 0.0)


def align_row(tokens: list[str], columns: list[Column], *, fragments: bool = False, sep: str = " "
              ) -> tuple[dict[str, str], dict[str, str], float]:
    """Assign tokens, in order, to the columns; returns (role -> text, extra column name -> text, score).

    `fragments` says a cell may have been cut into several tokens (space-separated layouts).
    """
    n, m = len(tokens), len(columns)
    best = [[_NEG] * (n + 1) for _ in range(m + 1)]
    back: list[list[int]] = [[-1] * (n + 1) for _ in range(m + 1)]
    best[0][0] = 0.0
    for c in range(m):
        col = columns[c]
        for i in range(n + 1):
            if best[c][i] == _NEG:
                continue
            base = best[c][i]
            s = base + _empty_score(col)
            if s > best[c + 1][i]:
                best[c + 1][i], back[c + 1][i] = s, i
            for j in range(i + 1, n + 1):
                text = sep.join(tokens[i:j])
                fit = _cell_score(col, text, j - i, fragments)
                if j - i == 1 and col.role in _TWIN_ROLES and (i > 0 and tokens[i - 1] == text
                                                               or j < n and tokens[j] == text):
                    fit = max(fit, 1.0)
                if fit == _NEG:
                    if col.role in ("level1", "level2", "unit") or j - i > 1 and col.role == "extra":
                        break
                    continue
                if base + fit > best[c + 1][j]:
                    best[c + 1][j], back[c + 1][j] = base + fit, i
    if best[m][n] == _NEG:
        return {}, {}, _NEG
    out: dict[str, str] = {}
    extra: dict[str, str] = {}
    j = n
    for c in range(m, 0, -1):
        i = back[c][j]
        if i < j:
            text = sep.join(tokens[i:j])
            col = columns[c - 1]
            if col.role == "extra":
                extra[col.name] = text
            else:
                out[col.role] = text
        j = i
    return out, extra, best[m][n]
