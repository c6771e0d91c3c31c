"""Indicators printed as lines, not as a grid: `产出指标—数量指标—培训人次：≥100人次` (a level path, then the name and
its value) or `一级指标：产出指标 二级指标：数量指标 三级指标：培训人次 指标值：≥100人次` (labelled cells).

Read by content only: level names from the closed vocabulary, labels from the column synonyms, values by their
shape. A line may hold several indicators (`；`-separated, or a new path after a complete one); an indicator after
the first on a line may leave its levels out (they are those of the one before it).
"""

from __future__ import annotations

import re

from perfdraft.core import vocabulary as vocab
from perfdraft.core.lazy_re import lazy
from perfdraft.core.values import looks_like_value

_SEP = r"[ \t\u3000]*(?:—+|–|－|-|/|／|>|＞|→|\||：|:|、)[ \t\u3000]*"
_LEVEL_ROLES = ("level1", "level2", "level3")
_TRIM = " \t\u3000，,；;、"  # never 。: a value may end a sentence
_QUALITATIVE = frozenset(vocab.QUALITATIVE_VALUES)


_VALUE_WORDS = sorted({s for role in ("value", "period_value") for s in vocab.COLUMN_SYNONYMS.get(role, ())},
                      key=len, reverse=True)
# compiled at first use: most documents never need them
_SEP_RE = lazy(_SEP)  # what may stand between two level names, or between the name and its value
_LEVEL_HEAD = lazy(rf"^[ \t\u3000]*(?P<level>[^\s—–－\-/／>＞→|：:、，,；;]{{2,24}}?)(?:{_SEP})")
_ITEMS = lazy(r"[；;]")
_GAP = lazy(r"[ \t\u3000，,]+")
# a labelled cell: a column name, then a colon, at the start of the line or after a space or a comma (质量指标：
# is no 指标： label); the caller keeps the names the vocabulary knows
_LABEL = lazy(r"(?:^|(?<=[\s，,；;]))(?P<label>[^\s:：，,；;]{2,12})\s*[:：]\s*")
# the value named by its own word after the name: 培训人次，指标值：≥100人次 / 培训人次 目标值≥100人次
_VALUE_WORD = lazy(r"[\s，,（(]*(?P<label>" + "|".join(map(re.escape, _VALUE_WORDS)) + r")\s*(?:[:：为]\s*)?")


# one indicator read from a line: field -> text as printed (levels left out are filled down by the caller)
InlineRow = dict[str, str]


def _value_shaped(text: str) -> bool:
    t = text.strip(_TRIM)
    return bool(t) and (looks_like_value(t) or vocab.compact(t) in _QUALITATIVE)


def _is_level(text: str) -> bool:
    return vocab.is_level1(text) or vocab.is_level2(text)


def _levels(text: str) -> list[tuple[str, str, str]]:
    """Readings (level1, level2, rest) of the level names leading the text, each followed by a separator: the
    longest first, then each with its last level name given back to the rest (服务对象满意度 may be a 三级 name)."""
    l1 = l2 = ""
    rest = text
    out = [("", "", text)]
    while True:
        m = _LEVEL_HEAD.match(rest)
        if not m:
            break
        name = m["level"]
        # a level1 first, then a level2 (成本指标 is both: in second place, or alone before the name, a level2)
        if not l1 and not l2 and vocab.is_level1(name) and not (vocab.is_level2(name) and _next_is_name(rest[m.end():])):
            l1 = name
        elif not l2 and vocab.is_level2(name):
            l2 = name
        else:
            break
        rest = rest[m.end():]
        out.append((l1, l2, rest))
    return out[::-1]


def _next_is_name(rest: str) -> bool:
    """What follows a name that is a level1 and a level2 at once (成本指标) is no further level name."""
    m = _LEVEL_HEAD.match(rest)
    return not (m and _is_level(m["level"]))


def _name_value(rest: str) -> tuple[str, str, str, bool] | None:
    """(name, value role, value, named) of `培训人次：≥100人次`, `培训人次，指标值：≥100人次` or `培训人次—≥100人次`;
    `named` when a colon or a value word marks the value (not only its shape)."""
    m = _VALUE_WORD.search(rest)
    if m and m.start() > 0 and rest[m.end():].strip(_TRIM):
        return rest[:m.start()], vocab.column_role(m["label"]) or "value", rest[m.end():], True
    k = min((i for i in (rest.find("："), rest.find(":")) if i > 0), default=-1)
    if k > 0:
        return rest[:k], "value", rest[k + 1:], True
    for sep in _SEP_RE.finditer(rest):  # no colon: the first separator with a value-shaped rest
        if sep.start() > 0 and _value_shaped(rest[sep.end():]):
            return rest[:sep.start()], "value", rest[sep.end():], False
    return None


def _path_item(text: str, first: bool) -> InlineRow | None:
    """One `level—level—name：value` item; a name and value with no level only after the line's first item."""
    for l1, l2, rest in _levels(text):
        if first and not (l1 or l2):
            return None
        split = _name_value(rest)
        if split is None:
            continue
        name, role, value = (x.strip(_TRIM) for x in split[:3])
        if not name or len(vocab.compact(name)) > 40 or (_is_level(name) and not l2):
            continue
        if not (l1 or l2) and not (value and (split[3] or _value_shaped(value))):
            continue  # an item with no level of its own: its value marked by a colon, or value-shaped
        fields = {"level3": name, role: value}
        if l1:
            fields["level1"] = l1
        if l2:
            fields["level2"] = l2
        return fields
    return None


def _path_items(line: str) -> list[InlineRow] | None:
    """Every item of a path line; None when one of them cannot be read (the whole line is then left alone)."""
    pieces = [p for p in _ITEMS.split(line) if p.strip(_TRIM)]
    out: list[InlineRow] = []
    for piece in pieces:
        for part in _at_new_paths(piece):
            row = _path_item(part, first=not out)
            if row is None and out:  # a value or name that holds a ；: the piece goes on the item before
                last = out[-1]
                role = next(r for r in ("value", "period_value", "level3") if r in last)
                last[role] = (last[role] + "；" + part.strip()).strip(_TRIM)
                continue
            if row is None:
                return None
            out.append(row)
    return out or None


def _at_new_paths(piece: str) -> list[str]:
    """A piece cut where, after whitespace, a new level path starts once the text before it is a whole item."""
    cuts = [0]
    for m in _GAP.finditer(piece):
        head = _LEVEL_HEAD.match(piece[m.end():])
        if head and _is_level(head["level"]) and _path_item(piece[cuts[-1]:m.start()], first=False) is not None:
            cuts.append(m.end())
    return [piece[a:b] for a, b in zip(cuts, cuts[1:] + [len(piece)])]


def _labelled_items(line: str) -> list[InlineRow] | None:
    """`一级指标：… 二级指标：… 三级指标：… 指标值：…`: a new indicator where a field is named a second time."""
    marks = [m for m in _LABEL.finditer(line) if vocab.column_role(m["label"])]
    if len(marks) < 2:
        return None
    if line[:marks[0].start()].strip(_TRIM):
        return None  # text before the first label: a sentence that happens to contain one
    rows: list[InlineRow] = []
    cur: dict[str, str] = {}
    for k, m in enumerate(marks):
        end = marks[k + 1].start() if k + 1 < len(marks) else len(line)
        role = vocab.column_role(m["label"])
        text = line[m.end():end].strip(_TRIM)
        if not text:
            continue
        if role == "extra":  # a column with no field of its own (权重, 指标性质): kept by its name
            role = "extra:" + vocab.compact(m["label"])
        if cur and (role in cur or role in _LEVEL_ROLES and _LEVEL_ROLES.index(role) < max(
                (_LEVEL_ROLES.index(r) for r in cur if r in _LEVEL_ROLES), default=-1)):
            rows.append(cur)
            cur = {}
        cur[role] = text
    if cur:
        rows.append(cur)
    # a row names its indicator and one more field (an empty value cell may be left out with its label)
    ok = [r for r in rows if r.get("level3") and len(r) >= 2]
    return ok if len(ok) == len(rows) else None


_BASES = vocab.LEVEL_BASES + ("级指标",)


def maybe_inline(text: str) -> bool:
    """A cheap first test: the line could name an indicator path (it names a level base or a level label); plain
    substring tests, so that a document with no such line never compiles the patterns."""
    return 0 < len(text) <= 400 and any(b in text for b in _BASES)


def read_line(text: str) -> list[InlineRow] | None:
    """The indicators of one line, or None when the line is not wholly a line of inline indicators."""
    if not maybe_inline(text):
        return None
    return _labelled_items(text) or _path_items(text)


MIN_LINES = 2  # a block of inline indicators: one line alone may be a sentence that happens to parse


def inline_lines(lines) -> list[tuple[object, list[InlineRow]]]:
    """(line, its indicators) for every line outside a grid that is wholly a line of inline indicators."""
    out = []
    for ln in lines:
        if ln.table is None:
            rows = read_line(ln.text)
            if rows:
                out.append((ln, rows))
    return out
