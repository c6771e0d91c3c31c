"""Deterministic layout-aware extraction: Document -> PerformanceDocument, from grids or the line stream."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from perfdraft.core.lazy_re import lazy
from perfdraft.core import vocabulary as vocab
from perfdraft.core.text import compact, tidy
from perfdraft.extraction import header as hdr
from perfdraft.ingest.layout import ends_table, resplit
from perfdraft.extraction.inline import MIN_LINES as INLINE_MIN, inline_lines, item_lines
from perfdraft.core.columns import stacked_header
from perfdraft.extraction.interpret import Column, align_row, header_columns, is_indicator_header
from perfdraft.extraction.wrapped_tails import column_widths as tail_widths, wrapped_tails
from perfdraft.extraction.segment import TableSection, content_header, find_sections, indicator_grids, is_self_evaluation_grid
from perfdraft.core.values import is_comparison, looks_like_value, opens_with_comparison, parse_target
from perfdraft.core.lexicon import Lexicon
from perfdraft.core.models import Document, Indicator, PerformanceDocument, Project, SourceRef

_EFFECT_L2 = lazy(r"(?:效益|可持续|影响)")
_SATIS_L2 = lazy(r"满意")
_CODE_RE = lazy(r"(?<![0-9A-Za-z])(\d{4}[0-9A-Z]{13,24})(?![0-9A-Za-z])")
# grids whose rows keep only the cells the text has (omitted merges, vanished empties): aligned by content
RAGGED_ORIGINS = {"text-pipes", "text-pipe-cells", "text-spaces", "text-cell-lines", "text-run-together"}
FRAGMENTED_ORIGINS = {"text-spaces"}  # a cell may be several whitespace-separated tokens
TAIL_ORIGINS = {"text-spaces", "text-pipes", "text-run-together"}  # a row may be a line of the tails of cells wrapped above
_UNREAD = object()  # a row not aligned yet (None is a row the aligner did not understand)


def _continue(prev: str | None, more: str) -> str:
    """Join a cell continued after a page break; a character printed on both pages is kept once."""
    prev = prev or ""
    if prev and more and prev[-1] == more[0] and "\u4e00" <= more[0] <= "\u9fff":
        more = more[1:]
    return tidy(prev + "\n" + more)


_PERCENTS = lazy(r"\d+(?:\.\d+)?\s*[%％]")


_compact = compact


@lru_cache(maxsize=256)
def _lab(word: str) -> str:
    """A label regex tolerant of whitespace and line breaks between its characters."""
    return r"\s*".join(map(re.escape, word))


is_level1 = vocab.is_level1
is_level2 = vocab.is_level2


@dataclass(slots=True)  # thousands per document: slots make them cheaper to build and read
class _Cell:
    text: str
    line: int | None = None
    page: int | None = None
    table: int | None = None
    row: int | None = None
    col: int | None = None


@dataclass(slots=True)
class _Row:
    cells: list[_Cell] = field(default_factory=list)

    def texts(self) -> list[str]:
        return [c.text for c in self.cells]


# ---------------------------------------------------------------------------------------------------------
# header fields
# ---------------------------------------------------------------------------------------------------------

_LABELS = ["项目编码", "项目名称", "专项资金名称", "预算规模及资金用途", "预算数", "预算金额", "其中：财政资金",
           "其中:财政资金", "其他资金", "资金支出计划", "绩效目标", "项目概述", "资金用途", "用款单位", "单位："]
_NEXT_LABEL = "|".join(_lab(x) for x in _LABELS + ["一级指标"])


_NEXT_LABEL_RE = lazy(_NEXT_LABEL)


@lru_cache(maxsize=None)  # a closed list of labels
def _label_re(label: str) -> re.Pattern:
    return re.compile(_lab(label) + r"\s*[:：]?")


def _after(label: str, flat: str) -> str | None:
    m = _label_re(label).search(flat)
    if not m:
        return None
    rest = flat[m.end():]
    n = _NEXT_LABEL_RE.search(rest)
    return rest[: n.start()] if n else rest


def _header_fields(flat: str, title: str, pre_lines: list[str]) -> dict:
    name = None
    for lab in ("项目名称", "专项资金名称"):
        v = _after(lab, flat)
        if v and _compact(v):
            name = _compact(v)
            break
    name = name or title
    code_area = _after("项目编码", flat) or ""
    m = _CODE_RE.search(_compact(code_area))
    code = m.group(1) if m else None
    budget = None
    m = re.search(r"(?:" + _lab("预算数") + "|" + _lab("预算金额") + r")\s*(?:[（(]\s*(万元|元)\s*[)）])?\s*[:：]?\s*"
                  r"([\d,]+(?:\.\d+)?)\s*(万元|元)?", flat)
    if m:
        budget = float(m.group(2).replace(",", ""))
        money_unit = m.group(1) or m.group(3)
        if money_unit == "元" or (money_unit is None and re.search(r"单位\s*[:：]\s*元", flat + "\n" + "\n".join(pre_lines))):
            budget = round(budget / 10000, 6)
    purpose = None
    # the 预算规模及资金用途 block: the purpose is the text below the 其他资金 cell
    m = re.search(_lab("其他资金") + r"[^\n]*\n?", flat) if re.search(_lab("资金用途"), flat) else None
    if m:
        rest = flat[m.end():]
        n = re.search(_lab("资金支出计划") + "|" + _lab("绩效目标") + "|" + _lab("一级指标"), rest)
        chunk = rest[: n.start()] if n else rest
        parts = [p.strip() for p in chunk.split("\n") if p.strip() and not re.fullmatch(r"[\d.,\s]+", p.strip())]
        purpose = tidy("\n".join(parts)) or None
    for lab in ("项目概述", "资金用途"):
        if purpose is None:
            v = _after(lab, flat)
            if v and v.strip() and not re.search(_lab("预算数"), v):
                purpose = tidy(v) or None
    unit = None
    for ln in pre_lines + flat.split("\n")[:6]:
        m = re.match(r"^\s*(\d{6}\s*[^\s\d][^\s]*?)\s*(?:单位\s*[:：].*)?$", ln.strip())
        if m:
            unit = m.group(1).strip()
            break
    if unit is None:
        v = _after("用款单位", flat)
        unit = tidy(v) or None if v else None
    return {"name": name, "code": code, "budget_wan": budget, "purpose": purpose, "unit": unit}


_GOAL_LABEL = lazy(r"(?:年度)?绩效目标|年度目标")
_GOAL_NUM = lazy(r"^\s*(?:目标\s*\d+\s*[:：.、．]?|\d+\s*[.、．]|[（(]\d+[)）]|[一二三四五六七八九十]+[、.．])\s*")
_GOAL_SPLIT = lazy(r"(?:(?<=\s)|(?<=[。；;]))(?=\d+\s*[.、．](?!\d))")


_ITEM_START = lazy(r"(?=目标\s*\d+\s*[:：])|(?=(?<![\u4e00-\u9fff])[一二三四五六七八九十]{1,2}、)")


def _stream_goals(lines: list[str]) -> list[str]:
    """Goals printed as numbered paragraphs below a goals label in a text stream (目标1：…, 一、…).

    A 实施周期 and a 当年度 column flattened one after the other print the list twice; the annual copy is kept.
    """
    start = next((k for k, t in enumerate(lines) if hdr.label_line(t) == "goals"), None)
    if start is None:
        return []
    body: list[str] = []
    for t in lines[start + 1:]:
        name = hdr.label_line(t)
        if name == "caption":
            continue
        if name is not None or ends_table(t) or _is_header_row(t.split()):
            break
        body.append(t)
    text = tidy("\n".join(body))
    items = [tidy(_GOAL_NUM.sub("", p.strip(), count=1)) for p in _ITEM_START.split(text) if p.strip()]
    items = [i for i in items if i]
    half = len(items) // 2
    if half and len(items) % 2 == 0 and all(_compact(a) == _compact(b) for a, b in zip(items[:half], items[half:])):
        items = items[half:]
    return items


def _goals(parts: list[str], stream: bool) -> list[str]:
    """绩效目标 items from the cells (grid) or lines (stream) after the 绩效目标 label."""
    items: list[list[str]] = []
    labelled_empty = False
    split_parts = [q for part in parts for q in re.split(r"</?p>|<br\s*/?>", part) if q.strip()]
    for part in split_parts:
        for piece in _GOAL_SPLIT.split(part.strip()):
            piece = piece.strip()
            if not piece:
                continue
            if re.fullmatch(r"目标\s*\d+", piece):
                items.append([])
                labelled_empty = True
                continue
            numbered = bool(_GOAL_NUM.match(piece))
            text = _GOAL_NUM.sub("", piece, count=1) if numbered else piece
            if labelled_empty and items:
                items[-1].append(text)
                labelled_empty = False
            elif numbered or not items or not stream:
                items.append([text])
            else:
                items[-1].append(text)
    return [t for t in (tidy("\n".join(i)) for i in items) if t]


# ---------------------------------------------------------------------------------------------------------
# indicator rows
# ---------------------------------------------------------------------------------------------------------


def _is_header_row(texts: list[str]) -> bool:
    """An indicator header row, recognised by its column names (the vocabulary's synonyms)."""
    return is_indicator_header(texts)


def _header_map(texts: list[str]) -> list[str | None]:
    """Column -> field name (None for a spacer or row-label column; `extra:<name>` for kept extra columns)."""
    cols = header_columns(texts)
    while cols and cols[-1] is None:
        cols.pop()
    return [None if c is None else (f"extra:{c.name}" if c.role == "extra" else c.role) for c in cols]


def _columns(hmap: list[str | None]) -> list[Column]:
    """The header's real columns, in order, for content alignment."""
    return [Column("extra", f[6:]) if f.startswith("extra:") else Column(f, f) for f in hmap if f]


_SUBHEADER = {"实施周期指标值": "period_value", "实施周期": "period_value", "实施期": "period_value",
              "年度指标值": "value", "年度": "value", "本年度": "value"}


_HEADER_TAILS = {"指标", "值", "名称", "内容", "依据", "(%)", "（%）"}


def _header_second_line(texts: list[str], header: list[str]) -> bool:
    """`指标 指标 指标` under `一级 二级 三级 指标值`: the column names went on over a second line."""
    tails = [_compact(t) for t in texts if t.strip()]
    short = [h for h in header if h.strip() and not _compact(h).endswith(("指标", "值", "依据", "名称", "内容"))]
    return bool(tails) and len(tails) <= len(short) and all(t in _HEADER_TAILS for t in tails)


def _is_subheader(texts: list[str]) -> bool:
    found = [t for t in texts if _compact(t) in _SUBHEADER]
    return bool(found) and all(not t.strip() or _compact(t) in _SUBHEADER or vocab.column_role(t) for t in texts)


def _dedupe_value(hmap: list[str | None]) -> list[str | None]:
    """After a sub-header, a field named twice keeps its last (sub-header) column only."""
    out = list(hmap)
    for f in set(x for x in out if x):
        idx = [i for i, x in enumerate(out) if x == f]
        for i in idx[:-1]:
            out[i] = None
    return out


class _Builder:
    """Turns aligned rows into Indicators: fill-down, continuation rows, placeholders, provenance."""

    def __init__(self, doc: Document, effect_name: str):
        self.doc = doc
        self.effect_name = effect_name
        self.rows: list[dict] = []
        self.level1 = ""
        self.level2 = ""
        self._levels_before: list[tuple[str, str]] = []
        self.warnings: list[str] = []
        self.printed_level1 = False  # the table prints 一级 names: a level1 is only put right, never made up
        self._pages: dict[int, int] | None = None

    def page_of(self, lineno: int | None) -> int:
        """The page a line is on (1 when unknown); one map per section, not a scan of the document per cell."""
        if lineno is None:
            return 1
        if self._pages is None:
            self._pages = {}
            for ln in self.doc.lines:
                self._pages.setdefault(ln.lineno, ln.page)  # the first line of a number, as the scan found it
        return self._pages.get(lineno, 1)

    def add(self, rec: dict, refs: list[_Cell], after_break: bool = False) -> bool:
        """Add one aligned row; True when it became an indicator row of its own."""
        l1, l2, l3 = rec.get("level1", ""), rec.get("level2", ""), rec.get("level3", "")
        val, per = rec.get("value", ""), rec.get("period_value", "")
        before = (self.level1, self.level2)
        same_levels = (not l1 or l1 == self.level1) and (not l2 or l2 == self.level2)
        if after_break and self.rows and same_levels and not per and l3 and self._fragment(val):
            prev = self.rows[-1]  # cells split by a page break: the row goes on at the top of the next page
            for k in ("level3", "description", "value", "basis"):
                if rec.get(k):
                    prev[k] = _continue(prev.get(k), rec[k])
            prev["_refs"].extend(refs)
            return False
        if not (l1 or l2 or l3 or val or per) and self.rows and (rec.get("description") or rec.get("basis")):
            prev = self.rows[-1]  # a cell split by a page break: continue the previous row
            for k in ("description", "basis"):
                if rec.get(k):
                    prev[k] = _continue(prev.get(k), rec[k])
            prev["_refs"].extend(refs)
            return False
        if l1:
            self.level1 = l1
            self.printed_level1 = True
        if rec.get("_outline"):  # an outline's headings state every level: a level2 left out is none, not the last
            self.level2 = l2
        if l2:
            self.level2 = l2
            if not l1:
                self.level1 = self._consistent_level1(self.level1, l2)
        if not (l3 or val or per):
            return False  # placeholder row such as an empty 生态效益指标
        rec = dict(rec)
        desc = rec.get("description") or ""
        if not val and not rec.get("basis") and len(_PERCENTS.findall(desc)) >= 2:
            # a cell of several target percentages left of an empty value column is the value itself
            rec["value"], rec["description"] = desc, ""
            rec["_notes"] = list(rec.get("_notes", [])) + ["description cell read as the value"]
        rec["level1"], rec["level2"] = self.level1 or self._consistent_level1("", self.level2), self.level2
        rec["_refs"] = list(refs)
        self.rows.append(rec)
        self._levels_before.append(before)
        return True

    def extend_last(self, rec: dict, refs: list[_Cell]) -> None:
        """Append a wrapped continuation's cells to the row above, column by column."""
        prev = self.rows[-1]
        for k, v in rec.items():
            if k.startswith("_") or not v:
                continue
            prev[k] = (prev.get(k) or "") + "\n" + v
            if k == "level2":
                self.level2 = prev[k]
            if k == "level1":
                self.level1 = prev[k]
        prev["_refs"].extend(refs)

    def drop_last(self) -> None:
        """Take back the last row (it is re-read together with its wrapped tail)."""
        if self.rows:
            self.rows.pop()
            self.level1, self.level2 = self._levels_before.pop()

    def _fragment(self, val: str) -> bool:
        """An empty value, or a unit left over from a value split by the page break (`6-9` + `个月`)."""
        if not val:
            return True
        prev = tidy(self.rows[-1].get("value")) if self.rows else ""
        t = parse_target(prev)
        return not re.search(r"\d", val) and t.kind in ("number", "range") and t.unit is None

    def _consistent_level1(self, current: str, l2: str) -> str:
        """A level1 filled down past its block is put right by the level2 below it (compared as canonical names,
        so 产出值 / 产出类指标 stay as printed)."""
        c2 = _compact(l2)
        canon1, canon2 = vocab.level1_canon(current), vocab.level2_canon(c2)
        if _SATIS_L2.search(c2):
            # filled down as printed (the schema's convention), even under 效益指标; a table with no 一级
            # column at all gets the framework's 满意度指标
            want = None if self.printed_level1 else "满意度指标"
        elif _EFFECT_L2.search(c2):
            want = None if canon1 == "效益" else self.effect_name
        elif canon2 == "成本":
            want = None if canon1 in ("产出", "成本") else "产出指标"
        elif canon2 in ("数量", "质量", "时效"):
            want = None if canon1 == "产出" else "产出指标"
        else:
            want = None
        return want or current

    def indicators(self, has: set[str]) -> list[Indicator]:
        out = []
        for rec in self.rows:
            refs = rec["_refs"]
            first = refs[0] if refs else _Cell("")
            lines = [c.line for c in refs if c.line is not None]
            value = tidy(rec.get("value"))
            warnings = list(rec.get("_notes", []))
            target = parse_target(value)
            if value and target.kind == "text" and _DIGIT.search(value):
                warnings.append("value not parseable")
            out.append(Indicator(
                level1=tidy(rec["level1"]), level2=tidy(rec["level2"]), level3=tidy(rec.get("level3")),
                description=(tidy(rec.get("description")) or None) if "description" in has else None,
                value=value,
                period_value=(tidy(rec.get("period_value")) if "period_value" in has else None),
                basis=(tidy(rec.get("basis")) or None) if "basis" in has else None,
                target=target,
                extra=dict(rec.get("_extra") or {}),
                source=SourceRef(file=self.doc.name, page=first.page, line=min(lines) if lines else None,
                                 line_end=max(lines) if lines else None, table=first.table, row=first.row,
                                 col=None, text=" | ".join(c.text for c in refs if c.text)),
                warnings=warnings))
        return out


_DIGIT = lazy(r"\d")


def _counts_on(number: int | None, expect: int | None) -> bool:
    """A row number that goes on with the rows' numbering: any at the first row, the next one, or 1 again (the
    numbering starts again in a second grid); a wrapped tail such as `25 号` does not."""
    return number is not None and (expect is None or number in (expect, 1))


def _unnumbered(cells: list, header: list[str], expect: int | None) -> tuple[list, int | None]:
    """A ragged row without its row number, and the number, when the header's first column is a 序号 (ragged text
    keeps nothing in its column, so the number would be read as a name or value). Only the number the rows have
    reached (`expect`; any at the first row; 1 again) counts: a wrapped tail such as `25 号` is no row number."""
    first = next((h for h in header if h.strip()), "")
    if not cells or not vocab.is_row_number_column(first):
        return cells, None
    # merged level cells printed once, on lines above the row (indented text), come before its number
    k = 0
    while k + 1 < len(cells) and (is_level1(cells[k].text) or is_level2(cells[k].text)):
        k += 1
    number = vocab.row_number(cells[k].text)
    return (cells[:k] + cells[k + 1:], number) if _counts_on(number, expect) else (cells, None)


def _align(texts: list[str], hmap: list[str | None]) -> dict:
    """Map one grid row onto the header's fields, repairing shifted and duplicated cells."""
    cells = [t.strip() for t in texts]
    fields = [f for f in hmap]
    notes: list[str] = []
    # a missing first cell shifts the row left: a level2 name sits in the level1 column
    if cells and "level1" in fields and fields.index("level1") == 0 and cells[0]:
        c0 = cells[0]
        nxt = cells[1] if len(cells) > 1 else ""
        if (not is_level1(c0) and is_level2(c0)) or (_compact(c0) == "成本指标" and not is_level2(nxt)):
            cells = [""] + cells
            notes.append("row realigned: first cell missing")
    # empty spacer columns (a header cell left blank) are dropped when the row leaves them empty, and so is a
    # row-number column (序号 left of the levels: 1, 2, 3 …), cell and column together so nothing shifts
    for k in sorted((i for i, f in enumerate(fields) if f is None), reverse=True):
        if k < len(cells) and (not cells[k] or vocab.is_row_number(cells[k])):
            del cells[k]
            del fields[k]
        elif k >= len(cells):
            del fields[k]
    fields = [f for f in fields if f is not None] if len(cells) < len(fields) else fields
    # the merged level2 text repeated in the level3 column pushes the value into the basis column
    if "level3" in fields and "value" in fields:
        i3, iv = fields.index("level3"), fields.index("value")
        if iv + 1 < len(cells) and i3 < len(cells) and is_level2(cells[i3]) and not looks_like_value(cells[iv]) \
                and looks_like_value(cells[iv + 1]):
            del cells[i3]
            notes.append("row realigned: level2 repeated in the level3 column")
    rec: dict = {"_notes": notes}
    if len(cells) > len(fields) and any(cells[len(fields):]):
        notes.append("row has more cells than the header")
    for i, c in enumerate(cells):
        f = fields[i] if i < len(fields) else (fields[-1] if fields else None)
        if f is None or not c:
            continue
        rec[f] = (rec[f] + "\n" + c) if rec.get(f) else c
    return rec


def _grid_rows(doc: Document, sec: TableSection) -> list[_Row]:
    """The rows of the section's grids in order; merged areas are empty except at their origin cell."""
    rows: list[_Row] = []
    for ti in sec.tables:
        g = doc.tables[ti]
        grid: list[list] = [[None] * g.n_cols for _ in range(g.n_rows)]
        for c in g.cells:
            if 0 <= c.row < g.n_rows and 0 <= c.col < g.n_cols:
                grid[c.row][c.col] = c
        for r, row in enumerate(grid):
            # a row ends at its last cell with text: the empty places after it (a quarter of 003's) are never built
            end = len(row)
            while end and (row[end - 1] is None or not row[end - 1].text.strip()):
                end -= 1
            if end:
                rows.append(_Row([_Cell("", None, g.page, ti, r, k) if c is None else
                                  _Cell(c.text, c.lineno, c.page or g.page, ti, r, k) for k, c in enumerate(row[:end])]))
    return rows


# ---------------------------------------------------------------------------------------------------------
# the line stream (pdftotext-like text with no explicit grid)
# ---------------------------------------------------------------------------------------------------------

_VALUE_HEAD = lazy(
    r"^(?:(?:19|20)\d{2}\s*年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)?(?:\s*(?:底|前|内))?"
    r"|(?:19|20)\d{2}\.\d{1,2}(?:\.\d{1,2})?"
    r"|(?:[≥≤><=＞＜≧≦]|>=|<=)?\s*\d+(?:\.\d+)?\s*(?:-\s*\d+(?:\.\d+)?)?(?:\s*(?:百分比|[%％])|\s*[^\s\d≥≤<>]{1,4}(?=\s|$))?)")


_HALF = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}


def _half(s: str) -> str:
    """Full-width ASCII forms to ASCII, one char for one char, so pattern spans still index the original."""
    return s.translate(_HALF)


def _stream_tokens(lines) -> list[tuple[str, int, bool]]:
    """(token, line number, starts a new line) for the whitespace-separated pieces of the lines."""
    toks = []
    for ln in lines:
        for k, piece in enumerate(ln.text.split()):
            toks.append((piece, ln.lineno, k == 0))
    # join a level2 name wrapped over two lines ("服务对象满意" + "度指标")
    out: list[tuple[str, int, bool]] = []
    i = 0
    while i < len(toks):
        t = toks[i]
        if i + 1 < len(toks) and toks[i + 1][2] and not is_level2(t[0]) and not is_level1(t[0]) \
                and is_level2(t[0] + toks[i + 1][0]) and toks[i + 1][0].endswith("指标") and len(toks[i + 1][0]) <= 4 \
                and not (is_level2(toks[i + 1][0]) and len(toks[i + 1][0]) >= 4):
            out.append((t[0] + toks[i + 1][0], t[1], t[2]))
            i += 2
            continue
        out.append(t)
        i += 1
    return out


def _join(toks: list[tuple[str, int, bool]]) -> str:
    s = ""
    for text, _, newline in toks:
        s = text if not s else s + ("\n" if newline else " ") + text
    return tidy(s)


def _stream_record(toks: list[tuple[str, int, bool]]) -> dict:
    """Split the tokens of one row after its level2 into level3, description, value and basis."""
    if not toks:
        return {}
    # find the value: the first token that starts a value pattern, after at least one name token
    vi = None
    for i in range(1, len(toks)):
        if _VALUE_HEAD.match(_half(toks[i][0])) and re.match(r"^[≥≤><=＞＜≧≦\d]", toks[i][0]):
            vi = i
            break
    if vi is None:  # qualitative value: the token before the basis on the last line
        last_line = toks[-1][1]
        on_last = [i for i, t in enumerate(toks) if t[1] == last_line]
        vi = on_last[0] if len(on_last) >= 2 and on_last[0] > 0 else max(1, len(toks) - 2)
    names, rest = toks[:vi], toks[vi:]
    rest_text = " ".join(t[0] for t in rest)
    m = _VALUE_HEAD.match(_half(rest_text))  # match width-normalised; output stays verbatim
    if m and m.group(0).strip() and re.match(r"^[≥≤><=＞＜≧≦\d]", rest_text):
        vtext = m.group(0).strip()
        nv = len(vtext.split())
    else:
        nv = 1
    value_toks, basis_toks = rest[:nv], rest[nv:]
    # level3 and description: the name text is often written twice (identical columns)
    flat = "".join(t[0] for t in names)
    level3 = desc = None
    for k in range(1, len(names)):
        if "".join(t[0] for t in names[:k]) == "".join(t[0] for t in names[k:]):
            level3, desc = _join(names[:k]), _join(names[k:])
            break
    if level3 is None:
        if len(names) >= 2:
            level3, desc = _join(names[:1]), _join(names[1:])
        else:
            level3, desc = flat, ""
    return {"level3": level3, "description": desc, "value": " ".join(t[0] for t in value_toks),
            "basis": _join(basis_toks)}


def _numbered_lines(lines) -> tuple[list, set[int]]:
    """The lines of a 序号-led stream without the row number each row opens with, and the numbers of those lines
    (the rows' first lines). Numbers count on from the first row's, so a wrapped `25 号` opens no row."""
    out, starts, expect = [], set(), None
    for ln in lines:
        words = ln.text.split(maxsplit=1)
        number = vocab.row_number(words[0]) if len(words) == 2 else None
        if _counts_on(number, expect):
            out.append(ln.model_copy(update={"text": words[1]}))
            starts.add(ln.lineno)
            expect = number + 1
            continue
        out.append(ln)
    return out, starts


def _stream_rows(lines, builder: _Builder, numbered: bool = False) -> None:
    """Rows of a line stream, each opening at a 二级 name, or (`numbered`: a 序号 column first) at its number."""
    starts: set[int] = set()
    if numbered:
        lines, starts = _numbered_lines(lines)
    toks = [t for t in _stream_tokens(lines)]
    cur_l1 = ""
    i = 0
    while i < len(toks):
        t = toks[i][0]
        nxt = toks[i + 1][0] if i + 1 < len(toks) else ""
        if is_level1(t) and not (_compact(t) == "成本指标" and not is_level2(nxt)):
            cur_l1 = t
            i += 1
            continue
        # a numbered row under merged level cells opens with its 三级 name
        opens = toks[i][2] and toks[i][1] in starts and not is_level2(t)
        if is_level2(t) or opens:
            j = i + 1
            while j < len(toks) and not (toks[j][2] and (is_level1(toks[j][0]) or is_level2(toks[j][0])
                                                         or toks[j][1] in starts)):
                j += 1
            rec = _stream_record(toks[i:j] if opens else toks[i + 1:j])
            rec["level2"] = "" if opens else t
            rec["level1"] = cur_l1
            cur_l1 = ""
            refs = [_Cell(x[0], x[1], None) for x in toks[i:j]]
            for c in refs:
                c.page = builder.page_of(c.line)
            builder.add(rec, refs)
            i = j
            continue
        i += 1


_SPLIT_AMOUNT = lazy(r"(基本支出|项目支出)\s*[:：]?\s*(\d+(?:,\d{3})*(?:\.\d+)?)")


def _department_budget(flat: str) -> float | None:
    """A department table's budget: its 基本支出 plus its 项目支出 (what 部门预算支出 consists of), in 万元."""
    found = {k: float(v.replace(",", "")) for k, v in _SPLIT_AMOUNT.findall(flat)}
    if len(found) < 2:
        return None
    total = found["基本支出"] + found["项目支出"]
    return round(total / 10000, 6) if re.search(r"单位\s*[:：]\s*元|（元）|\(元\)", flat) else round(total, 6)


_PAGE_NO = lazy(r"\s*[-—]?\s*\d+\s*[-—]?\s*")  # a page number line inside a stream


def _values_last(cols: list[Column]) -> bool:
    """A header whose last columns are values (实施周期指标值 | 年度指标值): rows end once their values are read."""
    k = len(cols)
    while k and cols[k - 1].role in ("value", "period_value"):
        k -= 1
    return k < len(cols) and not any(c.role in ("description", "basis") for c in cols[k:])


def _stream_atoms(lines) -> list[tuple[str, str, int, bool]]:
    """(kind, text, line, starts a line) for a wrapped pdftotext stream: each token on a line is a cell, a line
    that starts with text right under a text cell (no blank line between) continues that cell."""
    atoms: list[list] = []
    prev_blank = True
    for ln in lines:
        if not ln.text.strip():
            prev_blank = True
            continue
        toks = ln.text.split()
        joined: list[str] = []
        for t in toks:  # 服务对象 满意度指标: a level name cut by a space
            if joined and not vocab.is_level2(joined[-1]) and not vocab.is_level1(joined[-1]) \
                    and vocab.is_level2(joined[-1] + t) and len(joined[-1]) <= 8:
                joined[-1] += t
            else:
                joined.append(t)
        for k, t in enumerate(joined):
            kind = ("level1" if vocab.is_level1(t) and not (vocab.is_level2(t) and atoms and atoms[-1][0] == "level1")
                    else "level2" if vocab.is_level2(t) else "value" if looks_like_value(t) else "text")
            if kind == "text" and k == 0 and not prev_blank and atoms and atoms[-1][0] == "text":
                atoms[-1][1] += "\n" + t
                continue
            atoms.append([kind, t, ln.lineno, k == 0])
        prev_blank = False
    return [tuple(a) for a in atoms]


def _stream_rows_values_last(lines, builder: _Builder, cols: list[Column]) -> None:
    """Rows of a wrapped stream whose last columns are values: a row closes after its value cells, which are value
    shaped, or identical text in both value columns (长期 = 年度), or before a line-initial level name."""
    nv = sum(1 for c in cols if c.role in ("value", "period_value"))
    rows: list[list[tuple]] = []
    cur: list[tuple] = []
    end = next((k for k, ln in enumerate(lines) if ends_table(ln.text)), len(lines))
    for atom in _stream_atoms(lines[:end]):
        kind, text, _, starts = atom
        has_text = any(a[0] == "text" for a in cur)
        if kind in ("level1", "level2") and starts and has_text:
            rows.append(cur)
            cur = []
        cur.append(atom)
        tail = cur[-nv:]
        texts_before = [a for a in cur[:-nv] if a[0] == "text"]
        if len(cur) > nv and texts_before and (
                all(a[0] == "value" for a in tail)
                or (nv == 2 and all(a[0] == "text" for a in tail) and len(texts_before) >= 1
                    and _compact(tail[0][1]) == _compact(tail[1][1]))):
            rows.append(cur)
            cur = []
    if cur:
        rows.append(cur)
    for row in rows:
        out, extra, _ = align_row([a[1] for a in row], cols, fragments=True)
        if not out:
            continue
        refs = [_Cell(a[1], a[2], builder.page_of(a[2])) for a in row]
        rec = dict(out)
        rec["_notes"] = []
        if extra:
            rec["_extra"] = extra
        builder.add(rec, refs)


def _inline_rows(lines, builder: _Builder, warnings: list[str], has: set[str]) -> int | None:
    """Indicators printed as lines of their own (inline.read_line), each with its line as provenance; the first
    line's number, or None when the section holds no block of them. Lines below the first that name levels but
    cannot be read are reported."""
    found = inline_lines(lines)
    if item_lines(found) < INLINE_MIN:
        return None
    read = {ln.lineno for ln, _ in found}
    for ln, items in found:
        for item in items:
            has |= {k for k, v in item.items() if v and not k.startswith("_")}
            builder.add(_join_unit({**item, "_notes": []}), [_Cell(ln.text, ln.lineno, ln.page)])
    first = found[0][0].lineno
    for ln in lines:
        if ln.lineno > first and ln.lineno not in read and ln.table is None and 0 < len(ln.text.strip()) <= 200 \
                and any(is_level1(t) or is_level2(t) for t in _VOCAB_SPLIT.split(ln.text) if t):
            warnings.append(f"indicator line not read (line {ln.lineno}): {ln.text.strip()[:80]}")
    return first


# ---------------------------------------------------------------------------------------------------------
# sections and the document
# ---------------------------------------------------------------------------------------------------------


_EFFECT = lazy(r"(?:^|\s)效果指标(?:\s|$)")


def _effect_name(doc_text: str) -> str:
    # the literal first: the pattern's (?:^|\s) opening makes a search try every position of the document
    return "效果指标" if "效果指标" in doc_text and _EFFECT.search(doc_text) else "效益指标"


def _lines_above(src: list, section: TableSection, limit: int = 20) -> list[str]:
    """Narrative lines just above a section's title that are numbered field paragraphs ((1)项目概述。…)."""
    lo = max(1, section.line_start - limit)
    texts = [ln.text for ln in src[lo - 1: section.line_start - 1]] if src and src[0].lineno == 1 else []
    # the opening bracket first: a match of the pattern on every line above every section costs more
    return [t for t in texts if t.lstrip()[:1] in ("(", "（") and _NUMBERED_FIELD.match(t)]


_NUMBERED_FIELD = lazy(r"^\s*[(（]\d{1,2}[)）]\s*\S{2,8}[。:：]")


# compiled at first use by re's own cache (its CJK class costs a millisecond; few documents need it)
_WHOLE_LINE = r"^\s*(?:[^\s:：]{2,12}\s*[:：]|[(（]?\d{1,2}[)）.、．])"


def _head_tokens(text: str) -> list[str]:
    """A header-block line above inline indicators: `label：value` and numbered goal lines are one token each (their
    values may hold spaces: 推行 DRG/DIP 改革), other lines split as _split_line does."""
    return [text.strip()] if re.match(_WHOLE_LINE, text) else _split_line(text)


_VALUE_FIELDS = {"value", "period_value"}


def _names_over(rows: list[_Row], k: int, lines: list) -> list[str] | None:
    """What is printed over header row k: the grid's row above it, or else the text line above (ragged text often
    leaves the upper row of a two-row header out of the grid)."""
    row = rows[k]
    if not row.cells:
        return None
    if k and rows[k - 1].cells and rows[k - 1].cells[0].table == row.cells[0].table:
        return rows[k - 1].texts()
    at = row.cells[0].line
    prev = next((ln for ln in reversed(lines) if ln.lineno < at and ln.text.strip()), None) if at else None
    return _split_line(prev.text) if prev is not None else None


def _split_line(text: str) -> list[str]:
    """Header-block text line -> tokens: tabs, runs of spaces and pipes (`项目名称 | XXX`) separate label and value."""
    return [t for t in _FIELD_SEP.split(text.strip()) if t]


_FIELD_SEP = lazy(r"\s*\|\s*|\t|\s+")


_WEIGHTISH = lazy(r"^(?:\d+(?:\.\d+)?%?|%|[\u4e00-\u9fff]{1,3}/[\u4e00-\u9fff]{1,3})$")


def _full_above(texts: list[str], above: list[str] | None, hmap: list[str | None], widths: list[int]) -> bool:
    """The row above filled its name or description cell to the column's widest text: a cell cut at the column
    width, whose tail this row holds (当年市级财政实际负担 / 资金是否及时到位)."""
    if not above:
        return False
    for k, role in enumerate(hmap):
        if role in ("level3", "description") and k < len(texts) and k < len(above) and k < len(widths) \
                and texts[k].strip() and widths[k] >= 6 and len(_compact(above[k])) >= widths[k]:
            return True
    return False


def _column_widths(rows: list["_Row"]) -> dict[int | None, list[int]]:
    """Per grid: the longest text of each column, in characters."""
    out: dict[int | None, list[int]] = {}
    for row in rows:
        key = row.cells[0].table if row.cells else None
        w = out.setdefault(key, [])
        for k, c in enumerate(row.cells):
            if k >= len(w):
                w.append(0)
            n = len("".join(c.text.split()))  # len(_compact(text)) without the call: one per cell of the grid
            if n > w[k]:
                w[k] = n
    return out


def _fragment_widths(doc: Document, rows: list["_Row"]) -> dict[int | None, dict[str, int]]:
    """Per space-separated or pipe grid: each free-text column's width, from its rows read once by content."""
    recs: dict[int | None, list[dict]] = {}
    hmap: list[str | None] | None = None
    texts_head: list[str] = []
    next_no: int | None = None
    for row in rows:
        origin = doc.tables[row.cells[0].table].origin if row.cells and row.cells[0].table is not None else ""
        if origin not in TAIL_ORIGINS:
            continue
        texts = row.texts()
        is_header = _is_header_row(texts)
        named = None if is_header else content_header(doc, row.cells[0].table, row.cells[0].row)
        if named or is_header:
            # as the extractor reads it: by its names, or by its content
            hmap, texts_head, next_no = _header_map(named or texts), named or texts, None
        elif hmap is not None:
            cells, number = _unnumbered([c for c in row.cells if c.text.strip()], texts_head, next_no)
            next_no = next_no if number is None else number + 1
            rec = _align_by_content(cells, hmap, origin in FRAGMENTED_ORIGINS)
            if rec:
                recs.setdefault(row.cells[0].table, []).append(rec)
    return {t: tail_widths(rs) for t, rs in recs.items()}


def _continues_cells(texts: list[str], hmap: list[str | None], full_above: bool = False,
                     above: list[str] | None = None) -> bool:
    """A positional row holding only the wrapped tails of the row above: no name and no value of its own, its
    level cells (if any) only a suffix such as 指标 (社会效益 / 指标)."""
    filled = [(hmap[k] if k < len(hmap) else None, t) for k, t in enumerate(texts) if t.strip()]
    if not filled:
        return False
    roles = {r for r, _ in filled}
    if roles & {"value", "period_value", "level1"} or None in roles:
        return False
    above_l2 = next((_compact(a) for f, a in zip(hmap, above or []) if f == "level2"), "")
    # a level2 tail: a suffix, or the rest of the name cut above (服务对象满意 / 度指标)
    if not all(r != "level2" or _compact(t) in ("指标", "值") or above_l2 and is_level2(above_l2 + _compact(t))
               and not is_level2(above_l2) for r, t in filled):
        return False
    name = next((t for r, t in filled if r == "level3"), None)
    if name is None:
        return True
    # a name fragment: mirrored in the description (tables that print the name twice), starting mid-sentence, or
    # too short to be a name
    desc = next((t for r, t in filled if r == "description"), None)
    return (_compact(name) == _compact(desc) or bool(re.match(r"^[，。、；;,)）]", name.strip()))
            or len(_compact(name)) <= 3  # a name of three characters or less with no value: a cut-off tail
            or full_above)


def _is_title_line(text: str) -> bool:
    """A section's first line is its title unless the section has none (an untitled table's header block)."""
    return vocab.is_title(text) or bool(re.match(r"^\s*\d+[.、．]", text))


def _glued_tokens(text: str) -> list[str]:
    """A run-together line cut as a line of tails is: a level suffix that leads it (指标), then the rest, or the rest's
    two halves when it is one text printed twice (a name and its description: 保障水平保障水平)."""
    out = []
    for suffix in ("指标", "值"):
        if text.startswith(suffix) and len(text) > len(suffix):
            out, text = [suffix], text[len(suffix):]
            break
    half = len(text) // 2
    if len(text) % 2 == 0 and half and text[:half] == text[half:]:
        return out + [text[:half], text[half:]]
    return out + [text]


def _lone_line(lines, cell: _Cell) -> bool:
    """The cell is a whole line with no pipe (a line the pipe reader kept alone: tails above or a head below)."""
    text = next((ln.text for ln in lines if ln.lineno == cell.line), None)
    return text is not None and "|" not in text


def _continues_row(cells: list[_Cell]) -> bool:
    """A line holding only a weight, a score or a unit: the tail of the row above, wrapped."""
    return 0 < len(cells) <= 2 and all(_WEIGHTISH.match(_compact(c.text)) for c in cells)


def _align_by_content(cells: list[_Cell], hmap: list[str | None], fragments: bool) -> dict | None:
    """A ragged row -> record: its cells assigned to the header's columns by vocabulary and value shape."""
    cols = _columns(hmap)
    out, extra, score = align_row([c.text.strip() for c in cells], cols, fragments=fragments)
    if not out and not extra:
        return None
    rec: dict = dict(out)
    if extra:
        rec["_extra"] = extra
    rec["_notes"] = []
    return rec


def _join_unit(rec: dict) -> dict:
    """A 度量单位 column joins a bare number in the value with one space (`470 人/天`), a column holding the
    comparison (≥ under 指标性质 / 比较符 …) opens it (`≥30`); extras move aside (a comparison stays there too)."""
    for k in [k for k in rec if k.startswith("extra:")]:
        rec.setdefault("_extra", {})[k[6:]] = rec.pop(k)
    val = (rec.get("value") or "").strip()
    op = next((v.strip() for v in (rec.get("_extra") or {}).values() if is_comparison(v)), None)
    # only a value that states no comparison of its own (24小时内 says ≤ by its suffix)
    if op and val and not opens_with_comparison(val) and parse_target(val).kind == "number" \
            and parse_target(val).op == "=":
        rec["value"] = val = op + val
    unit = (rec.pop("unit", "") or "").strip()
    if unit and val and parse_target(val).kind in ("number", "range") and parse_target(val).unit is None:
        rec["value"] = f"{val} {unit}"
    return rec


_GOAL_LABELS = ("年度", "本年度绩效目标", "年度绩效目标", "年度目标", "绩效目标", "年度总体目标", "总体目标", "整体目标",
                "目标")


def _labelled_fields(fields: dict, rows: list[list[hdr.Token]], goals_out: list[str], context: str,
                     goals_from_lines: bool = False, glued: bool = False) -> None:
    """Header fields read by label synonyms override the positional guesses wherever they found a value."""
    h = hdr.read_header(rows, glued)
    name = h.first("name")
    # in a pdftotext stream a name printed below its label wraps over lines the label reader cannot join; the
    # flat reader (up to the next label) keeps it whole
    if name is not None and not (goals_from_lines and name.below and fields.get("name")):
        fields["name"] = _compact(name.text)  # an empty 项目名称 cell is an empty name, not the title's words
    code = h.first("code")
    if code is not None and hdr.code_in(code.text):
        fields["code"] = hdr.code_in(code.text)
    dept = h.first("department")
    if dept is not None and _compact(dept.text):
        fields["_department"] = tidy(dept.text)
    unit = h.first("unit")
    if unit is not None and unit.label == "预算部门" and _compact(unit.text):
        fields["_unit"] = tidy(unit.text)  # a 预算部门 is the unit and the department at once
    elif unit is not None and _compact(unit.text):
        fields["_unit_any"] = tidy(unit.text)
    if unit is not None and _compact(unit.text):
        fields["unit"] = tidy(unit.text)
    budget = h.first("budget", prefer=("年度资金总额", "资金总额", "预算数", "预算金额", "项目预算金额", "年度本级预算金额"))
    if budget is not None and budget.text.strip():
        wan = hdr.budget_wan(budget.text, budget.unit, context)
        if wan is not None:
            fields["budget_wan"] = wan
    purpose = h.first("purpose")
    if purpose is not None and purpose.text.strip():
        fields["purpose"] = tidy(purpose.text)
    goals = h.first("goals", prefer=_GOAL_LABELS)
    if goals is not None and goals.text.strip() and not goals_from_lines:
        goals_out.extend(_goals(goals.texts, stream=False))


def extract_section(doc: Document, section: TableSection, *, effect_name: str | None = None,
                    all_lines: list | None = None, found: dict | None = None) -> Project | None:
    """Extract one 绩效目标表 section into a Project (None when no indicator grid is found)."""
    effect_name = effect_name or _effect_name(doc.text)
    src = all_lines if all_lines is not None else doc.lines
    if src and src[0].lineno == 1 and src[-1].lineno == len(src):  # contiguous numbering: slice directly
        lines = src[section.line_start - 1 : section.line_end]
    else:
        lines = [ln for ln in src if section.line_start <= ln.lineno <= section.line_end]
    builder = _Builder(doc, effect_name)
    has: set[str] = set()
    pre_rows: list[str] = []
    warnings: list[str] = []
    inline = False
    if section.tables:
        rows = _grid_rows(doc, section)
        hmap: list[str | None] | None = None
        header_texts: list[str] = []
        first_table_line = doc.tables[section.tables[0]].line_start or section.line_end
        pre_lines = [ln.text for ln in lines if ln.table is None and ln.lineno < first_table_line
                     and (ln.lineno > section.line_start or not _is_title_line(ln.text))]
        after_break = False
        # a narrative block above the table often states the fields too: (1)项目概述。… (7)绩效目标。
        above = _lines_above(src, section)
        header_rows: list[list[hdr.Token]] = [[hdr.Token(t, None, k) for t in _split_line(t0)] for k, t0 in
                                              enumerate(above + pre_lines)]
        prev_tokens: list[_Cell] | None = None
        next_no: int | None = None  # the row number the next row of a 序号-led ragged table opens with
        widths = _column_widths(rows)
        frag_widths = _fragment_widths(doc, rows)
        above: list[str] | None = None  # the positional row above, for cells cut at the column width
        head: _Cell | None = None  # a lone pipe-less line that opens the row below
        for k_row, row in enumerate(rows):
            if head is not None and row.cells:
                first = row.cells[0]
                row.cells[0] = _Cell(head.text + "\n" + first.text, head.line, first.page, first.table, first.row,
                                     first.col)
                head = None
            texts = row.texts()
            origin = doc.tables[row.cells[0].table].origin if row.cells and row.cells[0].table is not None else ""
            is_header = _is_header_row(texts)
            named = None if is_header or not row.cells else content_header(doc, row.cells[0].table, row.cells[0].row)
            if is_header or named:
                header_texts = named or texts
                hmap = _header_map(header_texts)
                if is_header and not _VALUE_FIELDS & set(hmap):
                    over = _names_over(rows, k_row, lines)
                    stacked = over and stacked_header(texts, over, origin not in RAGGED_ORIGINS)
                    if stacked:
                        header_texts, hmap = stacked, _header_map(stacked)
                has |= {f for f in hmap if f}
                after_break = bool(builder.rows)
                prev_tokens = None
                if after_break:  # a page break repeats the header; rows around it may be split or lost
                    warnings.append(f"header row repeated inside the table (line {row.cells[0].line}): page break?")
                continue
            if hmap is not None and not builder.rows and _header_second_line(texts, header_texts):
                # the header's names go on over this line: in a positional grid each tail finishes the name above
                # it (指标值确定 / 依据); in ragged text the roles read from the first line stand
                if origin not in RAGGED_ORIGINS and len(texts) <= len(header_texts):
                    header_texts = [h + (texts[k].strip() if k < len(texts) else "") for k, h in enumerate(header_texts)]
                    hmap = _header_map(header_texts)
                    has |= {f for f in hmap if f}
                continue
            if hmap is not None and not builder.rows and _is_subheader(texts):
                # a second header row naming the two value columns under a merged 指标值
                for k, t in enumerate(texts):
                    f = _SUBHEADER.get(_compact(t))
                    if f and k < len(hmap):
                        hmap[k] = f
                    elif f:
                        hmap.extend([None] * (k - len(hmap)) + [f])
                hmap = _dedupe_value(hmap)
                has |= {f for f in hmap if f}
                continue
            if hmap is not None and any(ends_table(t) for t in texts if t.strip()) \
                    and not any(is_level1(t) or is_level2(t) for t in texts):
                break  # review opinions, notes, sign-off: the indicator grid has ended
            if hmap is None:
                pre_rows.extend(t for t in texts)
                pre_rows.append("")
                header_rows.append([hdr.Token(c.text, c.line, len(header_rows)) for c in row.cells if c.text.strip()])
                continue
            if origin in RAGGED_ORIGINS:
                cells, number = _unnumbered([c for c in row.cells if c.text.strip()], header_texts, next_no)
                next_no = next_no if number is None else number + 1
                if builder.rows and not after_break and 1 < len(texts) <= len(hmap) and not texts[0].strip() \
                        and _continues_cells(texts, hmap, True):
                    # a full-width row (`|  |  |  | 年统筹基金结余数 |  |`) keeps its positions: the tails of
                    # cells wrapped from the row above, column by column
                    builder.extend_last({f: t.strip() for f, t in zip(hmap, texts) if f and t.strip()}, cells)
                    continue
                tails, reading = None, _UNREAD
                # a row that opens with its number is a row of its own, never tails or the end of the row above
                if number is None and origin in TAIL_ORIGINS and builder.rows and not after_break \
                        and not _continues_row(cells):
                    reading = _align_by_content(cells, hmap, origin in FRAGMENTED_ORIGINS)
                    valued = parse_target((reading or {}).get("value") or "").kind != "text"
                    # a line with a value of its own is a row; without one its tokens may end cells cut above
                    toks = _glued_tokens("".join(c.text.strip() for c in cells)) if origin == "text-run-together" \
                        else [c.text for c in cells]
                    tails = wrapped_tails(toks, hmap, builder.rows[-1],
                                          None if valued else frag_widths.get(cells[0].table if cells else None))
                if tails:  # a line of wrapped tails (`指标 ，降低医保基金风险 ，降低医保基金风险`)
                    builder.extend_last(tails, cells)
                    continue
                if number is None and origin == "text-pipes" and builder.rows and len(cells) == 1 \
                        and _lone_line(lines, cells[0]):
                    # a line between pipe rows that ends no cell cut above: the head of the row below, unless
                    # that row opens with a level name, a row number or a column name (then the row above goes
                    # on in its last cell)
                    nxt = rows[k_row + 1].cells[0].text if k_row + 1 < len(rows) and rows[k_row + 1].cells else ""
                    if nxt and not (is_level1(nxt) or is_level2(nxt) or vocab.is_row_number(nxt)
                                    or vocab.column_role(nxt)):
                        head = cells[0]
                        continue
                    last = next((f for f in reversed(hmap) if f and builder.rows[-1].get(f)), None)
                    if last:
                        builder.extend_last({last: cells[0].text.strip()}, cells)
                        continue
                if number is None and prev_tokens is not None and _continues_row(cells):
                    # a wrapped row: its last cells (a weight, a unit) fell onto the next line
                    cells = prev_tokens + cells
                    builder.drop_last()
                # the row as read for the tails test, when it was (the cells are the same: a wrapped weight line
                # is never tested for tails)
                rec = _align_by_content(cells, hmap, origin in FRAGMENTED_ORIGINS) if reading is _UNREAD else reading
                if rec is None:
                    warnings.append(f"row not understood (line {cells[0].line if cells else '?'}): "
                                    + " | ".join(c.text for c in cells)[:80])
                    continue
                if builder.add(_join_unit(rec), cells, after_break):
                    prev_tokens = cells
            else:
                refs = [c for c in row.cells if c.text.strip()]
                full = _full_above(texts, above, hmap, widths.get(row.cells[0].table if row.cells else None, []))
                above, before = texts, above
                if builder.rows and not after_break and _continues_cells(texts, hmap, full, before):
                    # cells wrapped onto a row of their own: column by column, no realignment (a fragment such as
                    # 满意度 may read like a level name)
                    builder.extend_last({f: t.strip() for f, t in zip(hmap, texts) if f and t.strip()}, refs)
                else:
                    builder.add(_join_unit(_align(texts, hmap)), refs, after_break)
            after_break = False
        flat = "\n".join(pre_rows)
    else:
        body = [ln for ln in lines if ln.lineno > section.line_start]
        hi = next((k for k, ln in enumerate(body) if _is_header_row(ln.text.split())), None)
        pre_lines = []
    if not section.tables and hi is None:
        # no grid and no header row: indicators printed as lines (产出指标—数量指标—培训人次：≥100人次)
        first = _inline_rows(lines, builder, warnings, has)
        if first is None:
            return None
        inline = True  # the header block is read by its labels (a stop label such as 绩效指标 ends the goals)
        head = [ln for ln in lines if ln.lineno < first and (ln.lineno > section.line_start
                                                               or not _is_title_line(ln.text))]
        pre_lines = [ln.text for ln in head]  # as above a grid: a budget-unit line may stand alone here
        flat = "\n".join(pre_lines)
        header_rows = [[hdr.Token(t, None, k) for t in _head_tokens(ln.text)] for k, ln in enumerate(head)]
    elif not section.tables:
        flat = "\n".join(ln.text for ln in body[:hi])
        header = body[hi].text.split()
        has = {r for r in (vocab.column_role(h) for h in header) if r}
        header_rows = [[hdr.Token(t, None, k) for t in _split_line(ln.text)] for k, ln in enumerate(body[:hi])]
        rest = [ln for ln in body[hi + 1:] if ln.text.strip() and not _is_header_row(ln.text.split())
                and not _PAGE_NO.fullmatch(ln.text)]
        cols = [c for c in header_columns(header) if c]
        has = {c.role for c in cols}
        repeats = [ln.lineno for ln in body[hi + 1:] if _is_header_row(ln.text.split())]
        if repeats:  # a page break repeats the header; rows around it may be split or lost
            warnings.append(f"header row repeated inside the table (line {repeats[0]}): page break?")
        if _values_last(cols):
            body_lines = [ln for ln in body[hi + 1:]
                          if not _is_header_row(ln.text.split()) and not _PAGE_NO.fullmatch(ln.text)]
            _stream_rows_values_last(body_lines, builder, cols)
        else:
            _stream_rows(rest, builder, numbered=bool(header) and vocab.is_row_number_column(header[0]))
    if not has:
        return None
    fields = _header_fields(flat, section.title, pre_lines)
    goals: list[str] = []
    if section.tables:
        # grid: every cell after the 绩效目标 label cell is one part (a cell may hold several numbered goals)
        k = next((i for i, t in enumerate(pre_rows) if "标" in t and _GOAL_LABEL.fullmatch(_compact(t))), None)
        if k is not None:
            goals = _goals([t for t in pre_rows[k + 1:] if t.strip()], stream=False)
    else:
        goals_area = re.search(r"(?:^|\n)\s*" + _lab("绩效目标") + r"(?!\s*表)\s*[:：]?", flat)
        if goals_area:
            tail = flat[goals_area.end():]
            goals = _goals([p for p in tail.split("\n") if p.strip()], stream=True)
        if not goals:
            goals = _stream_goals(flat.split("\n"))
    glued = any(doc.tables[t].origin == "text-run-together" for t in section.tables)
    _labelled_fields(fields, header_rows, goals_out := [], flat + "\n" + "\n".join(ln.text for ln in lines[:60]),
                     goals_from_lines=not section.tables and not inline, glued=glued)
    if fields.get("unit") is None:
        # a budget-unit line printed alone above the table (吴川市医疗保障局, 619003唐山市医疗保险服务中心)
        unit_line = next((u for u in (_MONEY_NOTE.sub("", t).strip() for t in (pre_lines))
                          if _UNIT_LINE.match(u) and _ORGAN.search(re.sub(r"本级$", "", u))), None)
        if unit_line:
            fields["unit"] = unit_line
    if found is not None:
        for key in ("department", "unit", "unit_any"):
            if fields.get("_" + key):
                found.setdefault("department", []).append(fields["_" + key])
    goals = goals_out or goals
    indicators = builder.indicators(has)
    if not indicators:
        warnings.append("no indicator rows under the header")
    extra_cols = sorted({k for ind in indicators for k in ind.extra})
    if extra_cols:
        warnings.append("columns kept in extra (no schema field): " + ", ".join(extra_cols))
    for ind in indicators:
        if not ind.level3:
            ind.warnings.append("missing level3")
        if not (ind.value or "").strip():  # often a cell wrapped onto its own row: row count differs from header
            ind.warnings.append("value missing (row count differs from header?)")
    bad = sum(1 for i in indicators if any(not w.startswith("row realigned") for w in i.warnings))
    realigned = sum(1 for i in indicators if any(w.startswith("row realigned") for w in i.warnings))
    confidence = 1.0 if indicators else 0.2
    confidence -= 0.1 * min(bad, 5) + 0.03 * min(realigned, 5)
    if indicators:  # measured signals: names read, values read, values that parse or are short qualitative text
        named = sum(1 for i in indicators if i.level3) / len(indicators)
        valued = sum(1 for i in indicators if i.value) / len(indicators)
        confidence *= 0.4 + 0.3 * named + 0.3 * valued
    if fields["budget_wan"] is None:
        warnings.append("budget not found")
        confidence -= 0.1
    if not section.tables:
        confidence -= 0.1  # rows rebuilt from the line stream
    name = fields["name"]
    scope = section.scope
    if scope == "department" and fields["budget_wan"] is None:
        fields["budget_wan"] = _department_budget(flat)
    if scope == "department":
        name = "部门整体绩效目标"
    return Project(scope=scope, name=name, code=fields["code"], unit=fields["unit"],
                   budget_wan=fields["budget_wan"], purpose=fields["purpose"], goals=goals,
                   indicators=indicators, confidence=max(0.0, min(1.0, confidence)), warnings=warnings,
                   source=SourceRef(file=doc.name, page=section.page_start, line=section.line_start,
                                    line_end=section.line_end, table=section.tables[0] if section.tables else None,
                                    text=section.text.split("\n", 1)[0].strip()),
                   backend="rules")




_UNIT_DEPT = lazy(r"^\s*#*\s*\d{3,6}\s*([\u4e00-\u9fff]{3,20}?(?:局|委员会|厅|办公室))(?:本级)?\s*$")


_CODE_PREFIX = lazy(r"^(?:[\[［【(（]\s*\d+\s*[\]］】)）]|\d{3,8}\s*[-－—]?)\s*")
_MONEY_NOTE = lazy(r"\s*(?:金额)?单位\s*[:：]\s*(?:万元|元|千元)\s*$")  # `…管理处    单位：万元` on one line
_UNIT_LINE = lazy(r"^(?:[\[［【(（]?\d{3,8}[\]］】)）]?\s*)?[\u4e00-\u9fff（）()]{4,30}$")  # [610001]…
_ORGAN = lazy(r"(?:局|委员会|厅|办公室|政府|处|中心|院|站|所|学校|委|办|公司|馆)$")
_DEPT_LABEL = lazy(r"^(?:部门名称|单位名称|主管部门|预算部门)\s*[:：]?")


def _department(doc: Document, projects: list[Project], labelled: list[str] | None = None) -> str | None:
    """The publishing department: a heading line naming it, else the budget-unit lines, else the labelled
    主管部门 / 预算部门 of its tables (codes such as [077] or 324- removed)."""
    for ln in doc.lines[:40]:
        t = _DEPT_LABEL.sub("", _compact(ln.text.lstrip("#")))
        if 3 <= len(t) <= 20 and not re.search(r"\d", t) and re.search(r"(?:局|委员会|厅|办公室)$", t):
            return t
    counts: Counter[str] = Counter()
    for ln in doc.lines:
        if not ("局" in ln.text or "委员会" in ln.text or "厅" in ln.text or "办公室" in ln.text):
            continue
        m = _UNIT_DEPT.match(ln.text.replace("\t", ""))
        if m:
            counts[m.group(1)] += 1
    if counts:
        return counts.most_common(1)[0][0]
    names = [re.sub(r"(?:机关|本级)$", "", _CODE_PREFIX.sub("", _compact(v))) for v in labelled or []]
    names = [v for v in names if v]
    # an organ (…局, …委员会, …政府) over a sector name (…市场监督管理部门)
    return next((v for v in names if _ORGAN.search(v)), names[0] if names else None)


# a table caption's year, two forms searched apart: as one pattern they open with no common character, and its
# search of the whole text tries both at every position (~5 M instructions on 003); apart each scans for its opener
_YEAR_PAREN = lazy(r"[(（]\s*((?:19|20)\d{2})\s*年度\s*[)）]")
_YEAR_LABEL = lazy(r"(?:起始年度|预算年度)\s*[:：]?\s*((?:19|20)\d{2})")


def _first_caption(text: str) -> re.Match | None:
    """The first year caption in the text, of either form (they open with different characters: never a tie)."""
    found = [m for m in (_YEAR_PAREN.search(text), _YEAR_LABEL.search(text)) if m]
    return min(found, key=lambda m: m.start()) if found else None


_YEAR_UNIT = lazy(r"((?:19|20)\d{2})\s*年\s*(?:度)?\s*(?:部门|单位)")
_YEAR_ANY = lazy(r"((?:19|20)\d{2})\s*年")


def _year(doc: Document, text: str | None = None) -> int | None:
    """The budget year: a heading line naming it, else a table caption, else the year the text names most."""
    for ln in doc.lines[:60]:
        m = _YEAR_UNIT.search(ln.text)
        if m:
            return int(m.group(1))
    text = doc.text if text is None else text
    # a table caption: (2025年度), 起始年度 2025; the first on a line is the first in the text unless a match
    # runs over a line break (its \s), which a line-by-line search never sees: then line by line
    m = _first_caption(text)
    if m and "\n" in m.group(0):
        m = next((x for x in map(_first_caption, (ln.text for ln in doc.lines)) if x), None)
    if m:
        return int(m.group(1))
    years = Counter(int(y) for y in _YEAR_ANY.findall(text))
    return years.most_common(1)[0][0] if years else None


def extract_rules(doc: Document, lexicon: Lexicon | None = None) -> PerformanceDocument:
    """Every 绩效目标表 of the document with header fields, goals and indicator rows.

    `lexicon`: names, values and bases of past tables; it only re-cuts cells printed with no separator.
    """
    if lexicon is not None and len(lexicon) and any(t.origin == "text-run-together" for t in doc.tables):
        doc = doc.model_copy(update={"tables": [resplit(t, doc.lines, lexicon) for t in doc.tables]})
    text = doc.text  # built once: the effect name and the year both read it
    effect = _effect_name(text)
    found: dict[str, list[str]] = {}  # document-level facts the tables' header blocks state (主管部门)
    projects = []
    warnings: list[str] = []
    all_lines = doc.lines
    for sec in find_sections(doc):
        if sec.tables and all(is_self_evaluation_grid(doc, ti) for ti in sec.tables if ti in indicator_grids(doc)) \
                and any(ti in indicator_grids(doc) for ti in sec.tables):
            warnings.append(f"section '{sec.title}' (line {sec.line_start}): a self-evaluation table (自评表: "
                            "实际完成值/得分), reported results, not targets; not extracted")
            continue
        try:
            p = extract_section(doc, sec, effect_name=effect, all_lines=all_lines, found=found)
        except Exception as exc:  # one malformed table must not lose the rest of the document
            warnings.append(f"section '{sec.title}' (line {sec.line_start}): extraction failed: "
                            f"{type(exc).__name__}: {exc}")
            continue
        if p is not None:
            projects.append(p)
        else:
            warnings.append(f"section '{sec.title}' (line {sec.line_start}): no indicator grid found")
    if not projects:
        warnings.extend(_unread_vocabulary(all_lines))
    return PerformanceDocument(source=doc.name, department=_department(doc, projects, found.get("department")),
                               year=_year(doc, text),
                               projects=projects, warnings=warnings)


_VOCAB_SPLIT = lazy(r"[\s|—–\-/／>＞：:、，,;；]+")  # what may stand between level names on a line


def _unread_vocabulary(lines) -> list[str]:
    """Never an empty success: lines naming indicator levels that no table came from are reported by location."""
    hits = [ln for ln in lines if 0 < len(ln.text.strip()) <= 80
            and any(is_level1(t) or is_level2(t) for t in _VOCAB_SPLIT.split(ln.text) if t)]
    if len(hits) < 3:
        return []
    return [f"indicator vocabulary on {len(hits)} lines (lines {hits[0].lineno}-{hits[-1].lineno}, page "
            f"{hits[0].page}) but no indicator table could be read there: layout not understood"]
