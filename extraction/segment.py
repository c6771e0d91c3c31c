"""Find every 绩效目标表 in a Document: the unit of rule extraction and of LLM chunking."""

from __future__ import annotations

import bisect
import re

from pydantic import BaseModel, Field

from perfdraft.core.lazy_re import lazy
from perfdraft.core import vocabulary as vocab
from perfdraft.core.text import compact
from perfdraft.core.models import Document, Scope, TextLine
from perfdraft.core.columns import header_by_content
from perfdraft.extraction.inline import MIN_LINES as _INLINE_MIN, inline_lines, item_lines
from perfdraft.extraction.interpret import is_indicator_header

TITLE_KEY = "绩效目标表"
_BOOKMARK = lazy(r"^\s*\[bookmark:[^\]]*\]\s*")
_NUMBERING = lazy(r"^\s*(?:第[一二三四五六七八九十百\d]+[章节部分]\s*)?(?:[（(]?[一二三四五六七八九十\d]+[)）]?\s*[.、．]?)\s*")
_STARTS_NUMBERED = lazy(r"^\s*(?:[（(]?[一二三四五六七八九十]+[)）]|\d+\s*[.、．]|[（(]\d+[)）])")
_TOC = lazy(r"(?:\.{4,}|…{2,}|\t\s*\d+\s*$)")
_PART_END = lazy(r"^\s*(?:#+\s*\S|(?:#+\s*)?第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+、)")


class TableSection(BaseModel):
    """One 绩效目标表: its title, scope, text range and the table grids it covers."""

    index: int
    title: str = Field(description="the heading without numbering and without the trailing 绩效目标表")
    scope: Scope = "project"
    line_start: int = Field(description="1-based line number of the heading")
    line_end: int = Field(description="last line number of the section")
    page_start: int = 1
    page_end: int = 1
    tables: list[int] = Field([], description="indexes into Document.tables")
    text: str = Field("", description="verbatim text of the section")


def _clean(s: str) -> str:
    s = _BOOKMARK.sub("", s)
    return s.lstrip("#").strip()


_compact = compact


_GENERIC_TITLE = lazy(r"(?:(?:19|20)\d{2}年度?)?(?:本级)?(?:部门)?(?:项目支出|项目|支出|专项资金|项目资金)?")


def section_title(raw: str) -> str:
    """Heading text -> title: numbering, whitespace and the trailing 绩效目标表 removed."""
    t = _compact(_clean(raw))
    t = _NUMBERING.sub("", t, count=1)
    t = re.sub(r"[(（][^()（）]{1,12}[)）]$", "", t) if not t.endswith(TITLE_KEY) else t
    for key in sorted(vocab.TITLES, key=len, reverse=True):
        if t.endswith(key):
            t = t[: -len(key)]
            break
    # what is left of a generic title (2023年项目支出绩效目标申报表) names no project
    return "" if _GENERIC_TITLE.fullmatch(t) else t


def _titles(lines: list[TextLine]) -> list[tuple[int, int, str]]:
    """(first index, last index, raw heading text) of every heading that names a 绩效目标表 (wrapped ones joined)."""
    out: list[tuple[int, int, str]] = []
    n = len(lines)

    def usable(k: int) -> bool:
        ln = lines[k]
        return ln.table is None and len(ln.text) <= 200 and not _TOC.search(ln.text)

    def next_nonblank(k: int) -> int | None:
        for m in range(k + 1, min(n, k + 3)):
            if lines[m].text.strip():
                return m
        return None

    i = 0
    while i < n:
        if lines[i].table is not None or not lines[i].text.strip() or not usable(i):
            i += 1
            continue
        text = _clean(lines[i].text)
        comp = _compact(text)
        if vocab.is_title(comp):
            if (comp.endswith(("表", "表）", "表)")) or re.search(r"表[(（][^()（）]{1,12}[)）]$", comp)) \
                    and not comp.startswith(("注", "说明")):
                out.append((i, i, text))
            i += 1
            continue
        if _STARTS_NUMBERED.match(text):
            m = next_nonblank(i)
            if m is not None and usable(m):
                nxt = _compact(_clean(lines[m].text))
                # a title wrapped over two lines; a next line that is a whole title on its own continues nothing
                if len(nxt) <= 40 and TITLE_KEY not in comp and (comp + nxt).endswith(TITLE_KEY) \
                        and not (_STARTS_NUMBERED.match(lines[m].text) and vocab.is_title(nxt)):
                    out.append((i, m, text + nxt))
                    i = m + 1
                    continue
        i += 1
    return out


_NAME_LABELS = ("项目名称", "专项资金名称", "项目编码")


def _split_untitled(doc: Document, tables: list[int], label_lines: list[int]) -> list[tuple[int | None, list[int]]]:
    """Group a section's tables; a table naming a project after an indicator grid starts a new group, and so does
    a header block of lines naming one (项目名称 …) between two grids. Each group comes with the line it starts
    at: its header block's first line, or its first table's (None: the section's own start)."""
    groups: list[tuple[int | None, list[int]]] = []
    seen_indicators = False
    prev_end = 0
    for ti in tables:
        g = doc.tables[ti]
        head = "".join(_compact(c.text) for c in g.cells if c.row < 2 and ("名" in c.text or "编" in c.text))
        block = _label_block(doc, label_lines, prev_end, g.line_start) if seen_indicators else None
        if groups and seen_indicators and (block is not None or any(lab in head for lab in _NAME_LABELS)):
            groups.append((block if block is not None else g.line_start, [ti]))
            seen_indicators = False
        elif groups:
            groups[-1][1].append(ti)
        else:
            groups.append((None, [ti]))
        if any("级" in c.text and "一级指标" in _compact(c.text) for c in g.cells):
            seen_indicators = True
        prev_end = g.line_end or prev_end
    return groups or [(None, [])]


def _name_label_lines(doc: Document) -> list[int]:
    """Line numbers of text lines (outside grids) that open with a 项目名称 / 项目编码 label, in order."""
    return [ln.lineno for ln in doc.lines if ln.table is None and _compact(ln.text).startswith(_NAME_LABELS)]


def _label_block(doc: Document, label_lines: list[int], after: int, before: int | None) -> int | None:
    """The first line of the header block between two grids when it names a project; None if it names none."""
    if before is None:
        return None
    k = bisect.bisect_right(label_lines, after)
    if k >= len(label_lines) or label_lines[k] >= before:
        return None
    return after + 1


_LAST: list = [None, {}, {}]  # the last document's grid index: find_sections asks for it many times
_BODY_ROWS = 8  # rows under a header read to tell a level column by its content


def indicator_grids(doc: Document) -> dict[int, int]:
    """Grid index -> row of its indicator header, for every grid whose header is recognised by content."""
    if _LAST[0] is doc:
        return _LAST[1]
    out: dict[int, int] = {}
    named: dict[tuple[int, int], list[str]] = {}
    for g in doc.tables:
        rows: dict[int, list[str]] = {}
        for c in g.cells:
            rows.setdefault(c.row, []).append(c.text)
        order = sorted(rows)
        for k, r in enumerate(order):
            if is_indicator_header(rows[r]):
                out[g.index] = r
                break
            by_content = header_by_content(rows[r], [rows[x] for x in order[k + 1:k + 1 + _BODY_ROWS]])
            if by_content:
                out[g.index] = r
                named[(g.index, r)] = by_content
                break
    _LAST[:] = [doc, out, named]
    return out


def content_header(doc: Document, table: int | None, row: int | None) -> list[str] | None:
    """The header row (table, row) with its level column named by content, when its names alone say none."""
    indicator_grids(doc)
    return _LAST[2].get((table, row))


def is_self_evaluation_grid(doc: Document, ti: int) -> bool:
    """A 自评表 grid: its indicator header names results (实际完成值, 得分), not targets."""
    row = indicator_grids(doc).get(ti)
    return row is not None and any(vocab.is_self_evaluation(c.text) for c in doc.tables[ti].cells if c.row == row)


def indicator_header_lines(doc: Document) -> set[int]:
    """Line numbers of indicator header rows: inside recognised grids, or a plain line of column names."""
    out = set()
    grids = indicator_grids(doc)
    for ti, r in grids.items():
        out |= {c.lineno for c in doc.tables[ti].cells if c.row == r and c.lineno is not None}
    for ln in doc.lines:
        if ln.table is None and "指标" in ln.text and len(ln.text) <= 200 and is_indicator_header(ln.text.split()):
            out.add(ln.lineno)
    return out


def _lines_between(lines: list[TextLine], linenos: list[int] | None, lo: int, hi: int) -> list[TextLine]:
    """The lines numbered lo..hi: a slice when the numbers ascend (linenos given), else a scan."""
    if linenos is None:
        return [ln for ln in lines if lo <= ln.lineno <= hi]
    return lines[bisect.bisect_left(linenos, lo): bisect.bisect_right(linenos, hi)]


def _ascending(lines: list[TextLine]) -> list[int] | None:
    """The line numbers when they ascend (every loader numbers lines in reading order), else None."""
    nums = [ln.lineno for ln in lines]
    return nums if all(a <= b for a, b in zip(nums, nums[1:])) else None


def _untitled(doc: Document, sections: list[TableSection], lines: list[TextLine],
              linenos: list[int] | None) -> list[TableSection]:
    """Indicator grids no titled section covers: each becomes a section reaching back to its header block."""
    covered = {ti for s in sections for ti in s.tables}
    grids = indicator_grids(doc)
    out = []
    # sorted ends, so that "the last one before this grid" is a bisection, not a scan per grid
    section_ends = sorted(s.line_end for s in sections)
    grid_ends = sorted(t.line_end for t in doc.tables if t.line_end is not None and t.index in grids)
    others = sorted((t.line_start, t.index) for t in doc.tables if t.index not in grids and t.index not in covered
                    and t.line_start is not None)
    other_starts = [a for a, _ in others]
    for ti in sorted(grids):
        g = doc.tables[ti]
        if ti in covered or g.line_start is None:
            continue
        k = bisect.bisect_left(section_ends, g.line_start)
        floor = section_ends[k - 1] if k else 0
        # the header block above the grid: up to 30 lines back, not into the previous section or grid
        k = bisect.bisect_left(grid_ends, g.line_start)
        prev_grid_end = grid_ends[k - 1] if k else 0
        lo = max(floor, prev_grid_end, g.line_start - 30) + 1
        hi = g.line_end
        body = _lines_between(lines, linenos, lo, hi)
        title = next((section_title(ln.text) for ln in body if ln.table is None and vocab.is_title(ln.text)), "")
        # a header block printed as a grid of its own (PDF tables split where the columns change) belongs here
        near = others[bisect.bisect_left(other_starts, lo): bisect.bisect_left(other_starts, g.line_start)]
        above = sorted(i for _, i in near if doc.tables[i].line_end < g.line_start)
        out.append(TableSection(index=0, title=title, scope="project", line_start=lo, line_end=hi,
                                page_start=body[0].page if body else g.page, page_end=body[-1].page if body else g.page,
                                tables=above + [ti], text="\n".join(ln.text for ln in body)))
    return out


_BLOCK_GAP = 3  # lines of other text an inline block may hold (a wrapped name, a note)


def _untitled_inline(lines: list[TextLine]) -> list[TableSection]:
    """Blocks of inline indicator lines under no title: each a section reaching back to its header block."""
    found = [ln.lineno for ln, rows in inline_lines(lines) if rows]  # item lines: headings never start a block
    by_no = {ln.lineno: ln for ln in lines}
    blocks: list[list[int]] = []
    for n in found:
        # a block goes on over a few other lines, never over a 项目名称 label (the next table's header block)
        if blocks and n - blocks[-1][-1] <= _BLOCK_GAP + 1 and not any(
                k in by_no and _compact(by_no[k].text).startswith(_NAME_LABELS) for k in range(blocks[-1][-1] + 1, n)):
            blocks[-1].append(n)
        else:
            blocks.append([n])
    blocks = [b for b in blocks if len(b) >= _INLINE_MIN]
    out = []
    floor = 0
    for b in blocks:
        lo = max(floor + 1, b[0] - 30)  # as for an untitled grid: its header block, up to the block before
        body = [by_no[n] for n in range(lo, b[-1] + 1) if n in by_no]
        out.append(TableSection(index=0, title="", scope="project", line_start=lo, line_end=b[-1],
                                page_start=body[0].page, page_end=body[-1].page,
                                text="\n".join(ln.text for ln in body)))
        floor = b[-1]
    return out


def find_sections(doc: Document) -> list[TableSection]:
    """Every 绩效目标表 (project, special fund, department-wide) with an indicator grid, in order."""
    lines = doc.lines
    linenos = _ascending(lines)
    heads = _titles(lines)
    header_lines = indicator_header_lines(doc)
    label_lines = _name_label_lines(doc)
    # grids by first line, once: each section takes those starting inside it by bisection (was a scan per section)
    grid_starts = sorted((g.line_start, g.index) for g in doc.tables if g.line_start is not None)
    grid_start_lines = [a for a, _ in grid_starts]
    sections: list[TableSection] = []
    for k, (a, b, raw) in enumerate(heads):
        end = heads[k + 1][0] - 1 if k + 1 < len(heads) else len(lines) - 1
        seen_header = False
        for m in range(b + 1, end + 1):
            if lines[m].lineno in header_lines:
                seen_header = True
            elif seen_header and lines[m].table is None and _PART_END.match(lines[m].text):
                end = m - 1  # the next chapter after the indicator grid
                break
        body = lines[a : end + 1]
        lo, hi = lines[a].lineno, lines[end].lineno
        inside = grid_starts[bisect.bisect_left(grid_start_lines, lo): bisect.bisect_right(grid_start_lines, hi)]
        tables = sorted({ln.table for ln in body if ln.table is not None} | {i for _, i in inside})
        if not any(ln.lineno in header_lines for ln in body) and not any(
                ti in indicator_grids(doc) for ti in tables) and item_lines(inline_lines(body)) < _INLINE_MIN:
            continue  # table of contents entry, or a heading without an indicator grid (nor inline indicators)
        title = section_title(raw)
        scope: Scope = "department" if vocab.is_department_title(raw) else "project"
        # a second table with its own 项目名称 after an indicator grid: an untitled next table
        groups = _split_untitled(doc, tables, label_lines)
        if len(groups) > 1:
            starts = [lo if gi == 0 else (start or lo) for gi, (start, _) in enumerate(groups)]
            for gi, (_, group) in enumerate(groups):
                s_lo = lo if gi == 0 else starts[gi]
                s_hi = hi if gi == len(groups) - 1 else starts[gi + 1] - 1
                sub = [ln for ln in body if s_lo <= ln.lineno <= s_hi]
                sections.append(TableSection(index=len(sections), title=title if gi == 0 else "", scope=scope,
                                             line_start=s_lo, line_end=s_hi, page_start=sub[0].page if sub else 1,
                                             page_end=sub[-1].page if sub else 1, tables=group,
                                             text="\n".join(ln.text for ln in sub)))
            continue
        sections.append(TableSection(index=len(sections), title=title, scope=scope,
                                     line_start=lines[a].lineno, line_end=lines[end].lineno,
                                     page_start=lines[a].page, page_end=lines[end].page, tables=tables,
                                     text="\n".join(ln.text for ln in body)))
    sections += _untitled(doc, sections, lines, linenos)
    if not sections:
        sections = _untitled_inline(lines)
    sections.sort(key=lambda s: s.line_start)
    for k, sec in enumerate(sections):
        sec.index = k
    return sections
