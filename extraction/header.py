"""Header fields of a 绩效目标表 (项目名称, 编码, 单位, 预算, 资金用途, 绩效目标) read from label/value cells or lines.

Labels come from the vocabulary's synonym lists (and its stop labels, which end a value without naming a field
we keep). The same reader serves grid cells (a label cell, then its value cells) and text lines (`label value
label value` on one line, or a label alone with its value on the next lines).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from perfdraft.core.lazy_re import lazy
from perfdraft.core import vocabulary as vocab

_MULTILINE = ("goals", "period_goals", "purpose")
_ALL_LABELS = sorted({s for syns in vocab.LABEL_SYNONYMS.values() for s in syns} | set(vocab.STOP_LABELS),
                     key=len, reverse=True)
_LABELS = frozenset(_ALL_LABELS)
_LONGEST = len(_ALL_LABELS[0])
# a label at the start of a token: "(1)项目概述。做好…", "项目名称:XXX", "年度资金总额:"
_NUMBER_MARK = lazy(r"\s*(?:[(（]?\d{1,2}[)）.、．]\s*)?")
_AFTER_LABEL = lazy(r"\s*(?P<paren>[(（][^()（）]{0,8}[)）])?\s*(?P<colon>[:：。]?)\s*(?P<rest>.*)$", re.S)
_CODE = lazy(r"(?<![0-9A-Za-z])(\d{4}[0-9A-Z]{13,24})(?![0-9A-Za-z])")
_AMOUNT = lazy(r"(\d+(?:,\d{3})*(?:\.\d+)?)\s*(万元|万|元)?")
_ACCOUNTING = lazy(r"^\d{1,3}(?:,\d{3})+\.\d{2}$")
# a `(金额)单位：元` note; only whether one is found counts, so the optional 金额 is not searched for: a pattern
# that opens with an optional group has no literal to scan for and tries every position (~40x slower here)
_YUAN_NOTE = lazy(r"单位\s*[:：]\s*元(?!\S*万)")
_WAN_NOTE = lazy(r"单位\s*[:：]\s*万元")


@dataclass
class Token:
    """A piece of header text with where it came from."""

    text: str
    line: int | None = None
    row: int = 0  # tokens of one grid row or one text line share a row number


@dataclass
class Occurrence:
    """One label and the values read after it."""

    label: str
    line: int | None
    texts: list[str] = field(default_factory=list)
    unit: str | None = None  # 万元 / 元 from a caption such as 项目预算金额(万元)
    below: bool = False  # the value was read from the lines below a label that ended its own line

    @property
    def text(self) -> str:
        return "\n".join(self.texts)


@dataclass
class HeaderFields:
    """Every labelled value of the header block, in reading order, per field."""

    found: dict[str, list[Occurrence]] = field(default_factory=dict)

    def first(self, name: str, prefer: tuple[str, ...] = ()) -> Occurrence | None:
        """The first occurrence with a value (labels in `prefer` first); None when the field is never labelled."""
        occ = self.found.get(name, [])
        filled = [o for o in occ if o.text.strip()]
        for lab in prefer:
            for o in filled:
                if o.label == lab:
                    return o
        return filled[0] if filled else (occ[0] if occ else None)


def _glued_value(name: str | None, rest: str) -> bool:
    """A value that cannot be part of its label's words: a project code or an amount right after the label."""
    if name == "code":
        return bool(_CODE.match(vocab.compact(rest)))
    return name == "budget" and bool(re.match(r"^[(（]?\s*(?:万元|元)?\s*[)）]?\s*\d", rest))


_NUMBERED = re.compile(r"^\s*[(（]?\d")


def leading_label(text: str) -> tuple[str, re.Match] | None:
    """The label a token starts with, as printed (spaces between its characters kept), and the match of what
    follows it (paren caption, colon, rest); None when the token starts with none.

    The longest label whose characters open the token after an optional number mark ((1), 1、), any whitespace
    between them: what one alternation of every label (characters joined by \\s*, longest first) matched, found by
    set lookups; that alternation cost ~33 M instructions to compile at every start. No label begins with a
    bracket, a digit or a space (tests/extraction/test_header.py), so the number mark is read one way only.
    """
    i = start = _NUMBER_MARK.match(text).end()
    chars: list[str] = []
    ends: list[int] = []
    while i < len(text) and len(chars) < _LONGEST:
        chars.append(text[i])
        i += 1
        ends.append(i)
        while i < len(text) and text[i].isspace():  # what \s matches: str.isspace()
            i += 1
    for k in range(len(chars), 0, -1):
        if "".join(chars[:k]) in _LABELS:
            return text[start:ends[k - 1]], _AFTER_LABEL.match(text, ends[k - 1])
    return None


@lru_cache(maxsize=8192)  # a pure function of the token; a document repeats its labels in every table
def _label_of(text: str, glued: bool = False) -> tuple[str | None, str | None, str, str | None]:
    """(field or 'stop', label, rest of the token, unit caption) when the token starts with a label.

    `glued`: the block prints labels and values with nothing between them (项目名称XXX), as text layers of
    run-together tables do; elsewhere such a token is a label only when the value is a code or an amount.
    """
    found = leading_label(text)
    if not found:
        return None, None, text, None
    printed, m = found
    label = vocab.compact(printed)
    rest = m["rest"].strip()
    numbered = bool(_NUMBERED.match(text))
    name = vocab.label_field(label)
    if rest and not m["colon"] and not numbered and not _glued_value(name, (m["paren"] or "") + rest) \
            and not (glued and name is not None and not vocab.is_title(text)):
        # "绩效目标表", "项目名称XXX" glued without a colon: a label only when it is the whole cell
        return None, None, text, None
    if name is None and label in vocab.STOP_LABELS:
        name = "stop"
    if name is None or (name == "goals" and label == "年度" and rest):
        return None, None, text, None
    unit = m["paren"] and ("元" if "元" in m["paren"] and "万" not in m["paren"] else
                           "万元" if "万" in m["paren"] else None)
    return name, label, rest, unit


_CAPTION = lazy(r"^[(（]?\s*(?:19|20)\d{2}\s*年度?\s*[)）]?$")


def read_header(rows: list[list[Token]], glued: bool = False) -> HeaderFields:
    """Walk the rows in reading order; each label collects the values up to the next label.

    Single-line fields end with their row; goals and purpose go on over following rows that hold no label. A
    label whose row holds no value (one cell per line, or captions only: 总体目标 | 年度目标 | 完成情况) takes the
    next rows.
    """
    out = HeaderFields()
    current: Occurrence | None = None
    current_name: str | None = None
    for row in rows:
        if not any(tok.text.strip() for tok in row):
            continue  # blank lines between label and value (one cell per line)
        waiting: tuple[str, Occurrence] | None = None
        for tok in row:
            name, label, rest, unit = _label_of(tok.text, glued)
            if name is not None:
                if name == "stop":
                    current, current_name = None, "stop"
                else:
                    current = Occurrence(label, tok.line, unit=unit)
                    current_name = name
                    out.found.setdefault(name, []).append(current)
                    waiting = (name, current)
                text = rest
            else:
                text = tok.text.strip()
            if not text or vocab.is_title(text) or _CAPTION.match(text):
                continue
            if current is not None:
                current.texts.append(text)
        if waiting and not waiting[1].texts:
            current_name, current = waiting  # the value sits on the next line(s): `项目名称` / `XXX`
            current.below = True
        elif current_name not in _MULTILINE:
            current, current_name = None, None
    return out


def budget_wan(text: str | None, label_unit: str | None, context: str) -> float | None:
    """The first amount in a budget value, in 万元; 元 from the value, the label or a `单位:元` note."""
    if not text:
        return None
    m = _AMOUNT.search(text)
    if not m:
        return None
    amount = float(m.group(1).replace(",", ""))
    unit = m.group(2) or label_unit
    if unit is None and _ACCOUNTING.match(m.group(0).strip()) and not _WAN_NOTE.search(context):
        unit = "元"  # budget-system exports print 元 in accounting format (40,500.00) and state no unit
    if unit is None:
        unit = "元" if _YUAN_NOTE.search(context) and not _WAN_NOTE.search(context) else "万元"
    return round(amount / 10000, 6) if unit == "元" else amount


def code_in(text: str | None) -> str | None:
    m = _CODE.search(vocab.compact(text)) if text else None
    return m.group(1) if m else None


_CAPTION_WORDS = lazy(r"^(?:实施周期总目标|实施期目标|当年度目标|年度目标|中长期目标|[（(][^()（）]*[)）]|\s)+$")


def label_line(text: str) -> str | None:
    """The field a whole line labels ('goals', …, 'stop'), 'caption' for a line of column captions, else None."""
    t = text.strip()
    if not t:
        return None
    if _CAPTION_WORDS.match(t):
        return "caption"
    name, _, rest, _ = _label_of(t.split()[0] if " " in t else t)
    return name
