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
from perfdraft.ingest.layout import ends_table

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


_ITEM_MARK = lazy(r"^[ \t\u3000]*(?:[(（]\d{1,2}[)）]|\d{1,2}[.、．)）](?!\d)|[①-⑳])[ \t\u3000]*")


_HEADING_MARK = lazy(r"^(?:[一二三四五六七八九十]{1,3}[、.．]|[(（][一二三四五六七八九十\d]{1,3}[)）]|\d{1,2}[.、．])\s*")


def _heading(text: str) -> str | None:
    """A line that is one level name and nothing else (一、产出指标 / （一）数量指标 / 社会效益指标): the name,
    without its outline number."""
    t = text.strip(_TRIM)
    return _HEADING_MARK.sub("", t, count=1) if 0 < len(t) <= 30 and _is_level(t) else None


def _outline_item(text: str) -> InlineRow | None:
    """`服务老人人数：≥800人` (perhaps numbered 1. / （1）) under level headings: a name, then a colon or value word
    and the value as printed (perhaps none); a label of the header block or a column is no indicator name."""
    split = _name_value(_ITEM_MARK.sub("", text, count=1))
    if split is None or not split[3]:
        return None
    name, role, value = (x.strip(_TRIM) for x in split[:3])
    if not name or len(vocab.compact(name)) > 40 or vocab.column_role(name) or vocab.label_field(name):
        return None
    return {"level3": name, role: value}


def inline_lines(lines) -> list[tuple[object, list[InlineRow]]]:
    """(line, its indicators) for every line outside a grid that is wholly a line of inline indicators; also the
    `name：value` lines of an outline whose level names are headings of their own (一、产出指标 / 1.数量指标 / …),
    which lend the lines below them their levels until a line of any other kind. A heading that levels an item
    below it comes as a line with no indicators (it is read, not left over)."""
    out: list[tuple[object, list[InlineRow]]] = []
    l1 = l2 = ""
    headings: list = []  # heading lines since the last item
    for ln in lines:
        if ln.table is not None or ends_table(ln.text):
            l1 = l2 = ""
            headings = []
            continue
        rows = read_line(ln.text)
        if rows:
            out.append((ln, rows))
            l1 = l2 = ""
            headings = []
            continue
        level = _heading(ln.text)
        if level:  # a name that is both (成本指标, 满意度指标) is a level2 under the level1 the framework puts it in
            if vocab.is_level2(level) and (not vocab.is_level1(level) or l1 and vocab.level1_for_level2(
                    vocab.canon_level2(level)) == vocab.canon_level1(l1)):
                l2 = level
            else:
                l1, l2 = level, ""
            headings.append(ln)
            continue
        item = _outline_item(ln.text) if (l1 or l2) and ln.text.strip() else None
        if item:
            out += [(h, []) for h in headings]
            headings = []
            out.append((ln, [{"level1": l1, "level2": l2, **item, "_outline": "1"}]))
        elif ln.text.strip():
            l1 = l2 = ""
            headings = []
    return out


def item_lines(found: list[tuple[object, list[InlineRow]]]) -> int:
    """How many of inline_lines' lines hold indicators (headings do not count towards a block)."""
    return sum(1 for _, rows in found if rows)
