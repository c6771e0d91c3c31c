"""Rows whose cells were printed with no separator at all (some PDF text layers, copied web tables).

`产出指标数量指标参保人数全市城乡居民参保人数289.89 万人2020 年 12 月底数据` has no delimiter to split on, so the
cells are cut by content, in this order, each step a family seen across provinces rather than one file:
1. leading level names, by the closed 一级/二级 vocabulary;
2. a trailing basis (确定依据) column: the tail most rows of the table share (县级预算安排, 计划标准), else a basis
   the lexicon knows, else the text after the last run of values;
3. the values from the end: value shapes (numbers with units, ranges, dates), a value printed twice for a
   长期/年度 or 实施期/年度 pair, a qualitative value from the closed list or the lexicon;
4. the name and, when the table has a description column, the description: a name printed twice, a
   description that restates the name, a name the lexicon knows.
What cannot be told apart stays one cell: the interpreter then aligns what there is, and scores show the loss.
The lexicon (perfdraft.core.lexicon) only chooses where to cut the row's own text; it never adds text.
"""

from __future__ import annotations

import re
from collections import Counter

from perfdraft.core.lazy_re import lazy
from perfdraft.core import vocabulary as vocab
from perfdraft.core.columns import extra_kind, header_columns, is_indicator_header
from perfdraft.core.lexicon import EMPTY, Lexicon

_SYNONYMS = sorted({syn for syns in vocab.COLUMN_SYNONYMS.values() for syn in syns}, key=len, reverse=True)
_UNITS = "|".join(re.escape(u) for u in sorted(vocab.UNITS, key=len, reverse=True))
_OP = r"(?:[≥≤><＞＜≧≦]=?|=|不低于|不少于|不高于|不超过|低于|高于|大于|小于|达到|控制在)"
_NUM = r"\d+(?:,\d{3})*(?:\.\d+)?"
_DATE = (r"(?:19|20)\d{2}\s*(?:年|\.|-|/)\s*\d{1,2}\s*(?:月)?(?:\s*(?:\.|-|/)?\s*\d{1,2}\s*日?)?"
         r"(?:\s*(?:-|~|～|—|–|至|到)\s*(?:(?:19|20)\d{2}\s*(?:年|\.|-|/)\s*)?\d{1,2}\s*(?:月)?"
         r"(?:\s*(?:\.|-|/)?\s*\d{1,2}\s*日?)?)?|(?:19|20)\d{2}\s*年(?:底|末|内|前|全年)?")
_POST = r"(?:以上|以下|以内|左右)?"
# a unit of the closed list, a `a/b` unit (元/人, 人/天), else (only at the very end of a row) one to three letters
_KNOWN_UNIT = rf"(?:{_UNITS}|[\u4e00-\u9fff]{{1,2}}/[\u4e00-\u9fff]{{1,3}})"
_AMOUNT = rf"(?:{_OP}\s*)?{_NUM}(?:\s*(?:%|％|百分比))?(?:\s*(?:-|~|～|至|到)\s*{_NUM})?"
VALUE = lazy(rf"(?:{_DATE}|{_AMOUNT}\s*{_KNOWN_UNIT}?){_POST}")
_VALUE_AT_END = lazy(rf"(?:{_DATE}|{_AMOUNT}\s*(?:{_KNOWN_UNIT}|[\u4e00-\u9fffA-Za-z]{{1,2}})?){_POST}$")
# `1、《办法》` opens a list, `125 号` is a document number (文号): both belong to a basis, never to a value
_NUMBERING = lazy(r"[、.．)）]|\s*号")
_SENTENCE = lazy(r"[，,。；;！!？?：:]")
_VALUE_ROLES = ("value", "period_value")
_DATE_ONLY = lazy(_DATE)
_CJK = lazy(r"[\u4e00-\u9fff]")
_SINCE = lazy(r"(?:截止到|截至|截止|至|到|于)\s*$")  # 截止到2025年底: a date the basis dates itself by
_DOC_NO = lazy(r"\d\s*号$")  # 〔2024〕125 号 ends a basis (a document number), never a value
_OPEN, _CLOSE = "（(〔《【[", "）)〕》】]"


# ---- the header ------------------------------------------------------------------------------------------------


def split_header(t: str) -> list[str] | None:
    """`一级指标二级指标三级指标指标值` -> its column names, when column synonyms cover the whole line (a row-number
    column such as 序号 may open it)."""
    out, k = [], 0
    lead = next((w for w in sorted(vocab.ROW_NUMBER_COLUMNS, key=len, reverse=True) if t.startswith(w)), None)
    if lead:
        out, k = [lead], len(lead)
    while k < len(t):
        syn = next((s for s in _SYNONYMS if t.startswith(s, k)), None)
        if syn is None:
            return None
        out.append(syn)
        k += len(syn)
    return out if len(out) >= 3 and is_indicator_header(out) else None


def header_roles(words: list[str]) -> list[str | None]:
    """The role of each header word (level1 … basis, extra), None for a row label."""
    return [c.role if c else None for c in header_columns(words)]


# ---- levels ----------------------------------------------------------------------------------------------------


def _longest(t: str, test, longest: int = 20) -> str | None:
    return next((t[:n] for n in range(min(len(t), longest), 1, -1) if test(t[:n])), None)


def strip_levels(t: str) -> tuple[list[str], str]:
    """Leading 一级 and 二级 names (either may be omitted on a continuation row) and the rest of the row."""
    levels: list[str] = []
    for test in (vocab.is_level1, vocab.is_level2):
        lv = _longest(t, test)
        if lv and lv[-1] in "*★☆" and test(lv.rstrip("*★☆")):
            lv = lv.rstrip("*★☆")  # `质量指标*贫困地区…`: the mark flags the indicator after it
        if lv and len(lv) < len(t):
            levels.append(lv)
            t = t[len(lv):]
    return levels, t


def starts_with_level(t: str, numbered: bool = False) -> bool:
    """A row of the table starts with a 一级 or 二级 name (after its row number, in a `numbered` table)."""
    t = _LEAD_NUMBER.sub("", t.strip(), count=1) if numbered else t.strip()
    return bool(_longest(t, vocab.is_level1) or _longest(t, vocab.is_level2))


_LEAD_NUMBER = re.compile(r"^\d{1,3}(?=\D)")


def row_numbers(rows: list[str]) -> list[str]:
    """The row number each row of a 序号-led table opens with: the first row's leading digits, then one more each
    row (so a name that starts with a digit, 65岁以上…, keeps it); "" where a row does not open with its number."""
    m = _LEAD_NUMBER.match(rows[0].strip()) if rows else None
    if m is None:
        return [""] * len(rows)
    first = int(m.group(0))
    out = []
    for r in rows:
        want = str(first + len(out))
        lead = _LEAD_NUMBER.match(r.strip())
        out.append(want if lead is not None and lead.group(0) == want else "")
    return out


# ---- the basis column ------------------------------------------------------------------------------------------


def shared_tail(bodies: list[str], after_number: bool = False) -> str:
    """The longest ending most rows share, when it is text (a basis such as 计划标准 repeated on every row);
    `after_number` allows it right after a digit (a weight column before it)."""
    if len(bodies) < 2:
        return ""
    counts: Counter[str] = Counter()
    for b in bodies:
        for k in range(2, min(len(b) - 1, 40) + 1):
            counts[b[-k:]] += 1
    need = max(2, (len(bodies) + 1) // 2)
    # a tail cut inside a cell (` 号` of `125 号`) is no column: it starts after a digit or a space
    good = [(n, s) for s, n in counts.items() if n >= need and not s[0].isspace()
            and not re.search(r"[\d%％≥≤><]", s) and s not in vocab.QUALITATIVE_VALUES]
    if not good:
        return ""
    top = max(n for n, _ in good)
    tail = max((s for n, s in good if n == top), key=len)
    cut_inside = sum(1 for b in bodies if b.endswith(tail) and re.match(r"[\d\s]", b[-len(tail) - 1]))
    return "" if cut_inside * 2 > top and not after_number else tail


def _cut_basis(body: str, tail: str, lexicon: Lexicon, n_values: int, keep: int = 2) -> tuple[str, str]:
    """(row without its basis, basis); the basis may be empty."""
    if tail and body.endswith(tail) and len(body) > len(tail):
        return body[: -len(tail)], tail
    known = lexicon.longest_suffix(body, "bases")
    if known and len(known) < len(body):
        return body[: -len(known)], known
    end = _VALUE_AT_END.search(body)
    if end and not _DOC_NO.search(body) and not _SINCE.search(body[: end.start()]) \
            or _text_value_at_end(body, lexicon):
        return body, ""
    return _values_in_middle(body, n_values, keep)


def _values_in_middle(body: str, n_values: int, keep: int = 2) -> tuple[str, str]:
    """A basis that varies from row to row starts after the last run of adjacent values (`×100%≤15%`, `≥90%≥90%`).

    Numbers inside brackets (〔2017〕5号) and list numbers (`1、《办法》`) belong to a basis, never to the values; a
    date after the row's values opens the basis (`289.89 万人` | `2020 年 12 月底数据`).
    """
    depth = _bracket_depth(body)
    found = [m for m in VALUE.finditer(body) if m.start() >= keep and re.search(r"\d", m.group(0))
             and not depth[m.start()] and not _NUMBERING.match(body, m.end())]
    # a date inside prose (截止到2020年12月底数据) is the basis speaking; a value date ends its cell
    prose = [m for m in found if not (_DATE_ONLY.fullmatch(m.group(0).strip())
                                      and (_CJK.match(body, m.end()) or _SINCE.search(body[: m.start()])))]
    found = prose or found
    if not found:
        return body, ""
    run = [found[-1]]
    for m in reversed(found[:-1]):
        if body[m.end(): run[0].start()].strip():
            break
        run.insert(0, m)
    while len(run) > max(n_values, 1) and _DATE_ONLY.fullmatch(run[-1].group(0).strip()) \
            and run[-1].end() < len(body):
        run.pop()
    end = run[-1].end()
    return body[:end], body[end:].strip()


def _bracket_depth(text: str) -> list[int]:
    """For each position, how many brackets (（〔《【[ ) are open there."""
    depth, out = 0, []
    for ch in text:
        if ch in _CLOSE:
            depth = max(0, depth - 1)
        out.append(depth)
        if ch in _OPEN:
            depth += 1
    return out


# ---- the values ------------------------------------------------------------------------------------------------


def _text_value_at_end(body: str, lexicon: Lexicon = EMPTY) -> str:
    """A qualitative value ending the row: the closed list (明显, 否, 长期 …), else one the lexicon knows."""
    best = max((q for q in vocab.QUALITATIVE_VALUES if body.endswith(q) and len(q) < len(body)), key=len, default="")
    known = lexicon.longest_suffix(body, "values")
    if known and len(known) > len(best) and len(known) < len(body):
        best = known
    return best


def _value_at_end(body: str, lexicon: Lexicon, keep: int = 2) -> str:
    """The last value of the row: a value shape, else a qualitative value; `keep` characters stay for the name."""
    m = _VALUE_AT_END.search(body)
    while m is not None and m.start() < keep:
        m = _VALUE_AT_END.search(body, m.start() + 1)
    if m is not None and re.search(r"\d", m.group(0)) and not _DOC_NO.search(body):
        return body[m.start():]
    return _text_value_at_end(body, lexicon)


def _doubled_tail(body: str) -> str:
    """`≥90%≥90%` or `开展检查开展检查` at the end: the value of a 长期/年度 pair printed twice."""
    for k in range((len(body) - 2) // 2, 0, -1):
        if body[-2 * k: -k] == body[-k:]:
            return body[-k:]
    return ""


def _sentence_value(body: str) -> tuple[str, list[str]]:
    """A value written as a sentence after a name with no punctuation, opening with a qualitative word
    (提升…力度 | 显著提升了…，大力支持了…。); else no value."""
    for k in range(2, len(body) - 2):
        if _SENTENCE.search(body[:k]):
            break
        q = max((w for w in vocab.QUALITATIVE_VALUES if len(w) >= 2 and body.startswith(w, k)), key=len, default="")
        if q and _SENTENCE.search(body[k:]):
            return body[:k], [body[k:]]
    return body, []


def _values_from_end(body: str, n_values: int, lexicon: Lexicon, keep: int = 2) -> tuple[str, list[str]]:
    """(what precedes the values, the values in order)."""
    if n_values >= 2:
        twice = _doubled_tail(body)
        if twice:
            return body[: -2 * len(twice)], [twice, twice]
    values: list[str] = []
    for _ in range(max(n_values, 1)):
        v = _value_at_end(body.rstrip(), lexicon, keep)
        if not v:
            break
        body = body.rstrip()[: -len(v)]
        values.insert(0, v.strip())
    return body, values


# ---- the name and description ----------------------------------------------------------------------------------


def _doubled_prefix(body: str) -> str:
    """The longest text the row opens with twice in a row (资金到位率资金到位率≥90%…), '' if none."""
    for k in range(len(body) // 2, 1, -1):
        if body[:k] == body[k: 2 * k]:
            return body[:k]
    return ""


def _echoed_name(body: str) -> str:
    """The longest text (three characters at least) the row both opens and ends with, a description between."""
    for k in range((len(body) - 1) // 2, 2, -1):
        if body[:k] == body[-k:] and not _SENTENCE.search(body[:k]):
            return body[:k]
    return ""


def _restated_name(head: str) -> int:
    """Where the description starts when it restates the name, 0 if nothing says so. The description ends with
    the name (参保人数 | 全市…参保人数), or ends as the name does (政策范围内住院报销比例 | 参加…按比例报销待遇比例)."""
    for k in range(2, len(head) - 1):
        name = head[:k]
        if _SENTENCE.search(name):
            return 0
        if head[k:].endswith(name) and len(head) - k > k:
            return k
    end = head[-2:]
    k = head.find(end, 1)
    if len(end) == 2 and 2 <= k and k + 2 < len(head) - 1 and not _SENTENCE.search(head[: k + 2]):
        return k + 2
    return 0


def _opens_like_name(head: str) -> int:
    """A description that opens with the name's first two characters (当年统筹基金结余率 | 当年基金结余率=…)."""
    first = head[:2]
    k = head.find(first, 2)
    return k if len(first) == 2 and k >= 2 and not _SENTENCE.search(head[:k]) else 0


def _split_head(head: str, lexicon: Lexicon) -> list[str]:
    """The name and the description of a row whose table has both columns."""
    k = _restated_name(head)
    if k:
        return [head[:k], head[k:]]
    known = lexicon.longest_prefix(head, "names")
    k = _opens_like_name(head)
    # a known name the document extends by a character or two (培训费 -> 培训费用) before restating its opening
    if known and len(known) < len(head) and not (k and head[:k].startswith(known) and k - len(known) <= 2):
        return [known, head[len(known):]]
    return [head[:k], head[k:]] if k else [head]


# ---- rows ------------------------------------------------------------------------------------------------------


def split_row(t: str, roles: list[str | None], tail: str = "", lexicon: Lexicon = EMPTY) -> list[str]:
    """A run-together row -> its cells in order, as far as content tells them apart."""
    levels, body = strip_levels(t.strip())
    after = [r for r in roles if r not in ("level1", "level2", None)]
    n_values = sum(1 for r in after if r in _VALUE_ROLES)
    twice = _doubled_prefix(body) if "description" in after else ""
    if twice:  # the name printed twice, as 三级指标 and 描述: what follows is values (and basis) only
        body = body[2 * len(twice):]
    basis = ""
    if after and after[-1] in ("basis", "extra"):
        body, basis = _cut_basis(body, tail, lexicon, n_values, keep=0 if twice else 2)
    echo = _echoed_name(body) if not twice and n_values == 1 and "description" in after else ""
    if twice and n_values == 1:
        head, values = "", [body.strip()] if body.strip() else []
    elif echo:  # the value restates the name: 保障工作正常开展 | 保障…咨询工作正常开展 | 保障工作正常开展
        return [c for c in [*levels, echo, body[len(echo):-len(echo)].strip(), echo, basis.strip()] if c]
    else:
        head, values = _values_from_end(body, n_values, lexicon, keep=0 if twice else 2)
    if twice:
        names = [twice, twice] + ([head.strip()] if head.strip() else [])
    else:
        if not values and "description" not in after:
            head, values = _sentence_value(head)
        if not head.strip():  # everything read as values: the first one was the name after all
            head, values = (values[0], values[1:]) if values else (body, [])
        names = _split_head(head.strip(), lexicon) if "description" in after else [head.strip()]
    return [c for c in [*levels, *names, *values, basis.strip()] if c]


_WEIGHT_AT_END = lazy(r"\d+(?:\.\d+)?\s*[%％]?$")


def _extra_at_end(name: str, bodies: list[str]) -> list[str]:
    """Each row's cell of a trailing column the schema has no field for (指标性质, 权重, 评分标准, 备注), read from
    the right by what such a column holds: a weight, a word of the closed list, or a text most rows share."""
    kind = extra_kind(name)
    if kind == "weight":
        return [m.group(0) if (m := _WEIGHT_AT_END.search(b)) else "" for b in bodies]
    if kind == "word":
        words = sorted(vocab.COLUMN_WORDS, key=len, reverse=True)
        return [next((w for w in words if b.endswith(w) and len(b) > len(w)), "") for b in bodies]
    tail = shared_tail(bodies, after_number=True)
    return [tail if tail and b.endswith(tail) and len(b) > len(tail) else "" for b in bodies]


def _peel_extras(rows: list[str], header: list[str], roles: list[str | None]) -> tuple[list[str], list[list[str]], int]:
    """(rows without their trailing extra columns, each row's extra cells in order, how many columns were peeled).
    A column empty on every row (备注) is passed over; peeling stops at a column only some rows end with."""
    extras: list[list[str]] = [[] for _ in rows]
    n = 0
    for name, role in reversed(list(zip(header, roles))):
        if role != "extra":
            break
        cut = _extra_at_end(name, rows)
        if sum(1 for c in cut if c) * 2 < len(rows):
            if any(cut):
                break  # a column only some rows end with: not cut by guesswork
            n += 1  # empty on every row (备注): nothing to cut, go on to the column before it
            continue
        rows = [r[: len(r) - len(c)].rstrip() if c else r for r, c in zip(rows, cut)]
        extras = [[c.strip()] + e if c else e for c, e in zip(cut, extras)]
        n += 1
    return rows, extras, n


def split_rows(rows: list[str], header: list[str], lexicon: Lexicon = EMPTY) -> list[list[str]]:
    """Every row of one run-together table, with what the rows share (the repeated basis) found first."""
    roles = header_roles(header)
    numbers = row_numbers(rows) if header and vocab.is_row_number_column(header[0]) else [""] * len(rows)
    rows = [r.strip()[len(n):] for r, n in zip(rows, numbers)]
    rows, extras, peeled = _peel_extras(rows, header, roles)
    roles = roles[: len(roles) - peeled]
    bodies = [strip_levels(r)[1] for r in rows]
    after = [r for r in roles if r not in ("level1", "level2", None)]
    tail = shared_tail(bodies) if after and after[-1] in ("basis", "extra") else ""
    return [([n] if n else []) + split_row(r, roles, tail, lexicon) + e for r, e, n in zip(rows, extras, numbers)]
