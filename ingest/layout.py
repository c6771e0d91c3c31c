"""One layout reconstructor: tables linearised into plain text become TableGrids before anything interprets them.

Families (each seen across provinces, none tied to one file):
- tab rows (`a\tb\tc`), and one cell per line after a tab with a blank line between rows;
- pipe rows, with or without a leading `|`, often padded with empty `| |||` cells (web pages, Markdown);
- one cell per line ending in ` |`, rows closed by a line of bare pipes (the row's empty trailing cells) and
  sometimes opened by a lone `|` (web-page dumps);
- one cell per line with no row markers at all, under a header written one column per line (rows are cut by
  the closed indicator vocabulary and the header's width);
- space-separated rows under a one-line header, where merged cells are simply omitted (rows keep their tokens;
  the interpreter aligns them to the header by content).
Rows keep only the cells the text has (a merged cell omitted on its continuation rows is not invented here);
the interpreter (perfdraft.extraction.interpret) aligns ragged rows to the header by content.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from perfdraft.core.lazy_re import lazy
from perfdraft.core import vocabulary as vocab
from perfdraft.core.columns import is_indicator_header
from perfdraft.ingest.fixed_columns import fixed_width_rows, is_fixed_header
from perfdraft.core.lexicon import Lexicon
from perfdraft.core.models import TableGrid, TextLine
from perfdraft.ingest import run_together as rt
from perfdraft.ingest.light import LightCell, LightGrid

_PIPE_SEP = lazy(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
# a budget unit's line: optional unit code, then an organisation name (…局, …中心, …本级)
_ORG_LINE = lazy(r"^(?:[\[(（]?\d{3,9}[\])）]?\s*[-—]?\s*)?\S{2,40}(?:局|院|中心|委员会|办公室|政府|学校|本级|公司|所|站)$")
_PAGE_FOOTER = lazy(r"[-—–]\s*\d{1,4}\s*[-—–]|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?")
_BARE_PIPES = lazy(r"^\s*\|(?:\s*\|)*\s*$")
# where a linearised table ends: notes, sign-off blocks, review opinions
TABLE_END = lazy(r"^\s*(?:注|说明|备注|联系人)\s*[:：]|^\s*(?:填报说明|单位负责人)|审核意见|填表人|联系电话|[（(]盖章[)）]|扫一扫"
                 r"|相关解读|附件\s*[:：]?\s*$")
_END_OPENERS = frozenset("注说备联填单")  # the first characters of TABLE_END's line-start words
# the words TABLE_END finds anywhere, as plain literals: a search for them scans for their first characters, where
# TABLE_END's ^-anchored branches make its own search try every branch at every position
_END_WORDS = lazy("审核意见|填表人|联系电话|盖章|扫一扫|相关解读|附件")


def ends_table(text: str) -> bool:
    """TABLE_END found in the text; the pattern is searched only where its words occur (almost no line or cell
    ends a table, and these tests cost half its search)."""
    if text.lstrip()[:1] in _END_OPENERS or _END_WORDS.search(text):
        return bool(TABLE_END.search(text))
    return False


@dataclass
class _Run:
    """A stretch of lines read as one table: rows of (line, cell text)."""

    rows: list[list[tuple[TextLine, str]]]
    origin: str
    end: int  # index of the last line consumed


# ---- line shapes -----------------------------------------------------------------------------------------------


def _is_cell_line(s: str) -> bool:
    """A one-cell-per-line dump: a leading tab, then the cell text (no further tabs)."""
    return s.startswith("\t") and "\t" not in s[1:]


def _is_tab_row(s: str) -> bool:
    return "\t" in s and not _is_cell_line(s) and "...." not in s


def _pipe_cells(s: str) -> list[str]:
    t = s.strip()
    if t.startswith("|"):
        t = t[1:]
    if t.endswith("|"):
        t = t[:-1]
    return [c.strip() for c in t.split("|")]


def _is_pipe_row(s: str) -> bool:
    """Cells between pipes on one line (`| a | b |`, `a | b | |||`), not a single `text |` cell line."""
    t = s.strip()
    if t.count("|") < 2 or _BARE_PIPES.match(t):
        return False
    if t.startswith("|"):
        return True
    return any(c for c in _pipe_cells(t)) and bool(re.search(r"\S\s*\|.*\|", t)) and not _is_pipe_cell(t)


def _is_pipe_cell(s: str) -> bool:
    """One cell of a web-page dump: `text |` (exactly one pipe, at the end)."""
    t = s.strip()
    return t.endswith("|") and t.count("|") == 1 and len(t) > 1


def _is_pipe_cell_line(s: str) -> bool:
    return _is_pipe_cell(s) or bool(_BARE_PIPES.match(s.strip()))


# ---- families ------------------------------------------------------------------------------------------------


def _tab_rows(lines: list[TextLine], i: int) -> _Run | None:
    j, rows = i, []
    while j < len(lines) and _is_tab_row(lines[j].text):
        rows.append([(lines[j], c) for c in lines[j].text.split("\t")])
        j += 1
    if max(len(r) for r in rows) < 3:
        return None
    return _Run(rows, "text-tabs", j - 1)


def _pipe_rows(lines: list[TextLine], i: int) -> _Run | None:
    """Pipe rows; where the table's rows end with `|`, a line that does not is a row wrapped onto the next line."""
    j, rows = i, []
    while j < len(lines) and (_is_pipe_row(lines[j].text) or _PIPE_SEP.match(lines[j].text) and lines[j].text.strip()
                              or (j > i and _wrapped_before_pipe_row(lines, j))):
        j += 1
    span = [ln for ln in lines[i:j] if not _PIPE_SEP.match(ln.text)]
    # a short line with no pipe between two pipe rows is a wrapped cell: the tail of the row above when it is
    # a list item (2.…) or the row below starts with a level or column name, else the head of the row below
    merged: list[TextLine] = []
    pending: list[TextLine] = []
    alone: set[int] = set()  # lines kept as rows of their own
    for ln in span:
        if "|" not in ln.text:
            pending.append(ln)
            continue
        if pending:
            first = _pipe_cells(ln.text)[0]
            text = "\n".join(p.text.strip() for p in pending)
            ends_above = merged and (_LIST_ITEM.match(pending[0].text) or _opens_row(first) or vocab.column_role(first))
            if ends_above and len(pending) == 1 and not _LIST_ITEM.match(pending[0].text) \
                    and merged[-1].text.rstrip().endswith("|") and _is_pipe_row(merged[-1].text):
                # one line after a closed row, before a row that opens with a level name: tails of cells cut
                # above, which the extractor places by content (the cell that reached its column's width). Only
                # here: before any other row the line may be the head of that row's first cell, broken over lines
                merged.append(pending[0])
                alone.add(pending[0].lineno)
            elif ends_above:
                prev = merged.pop()
                merged.append(prev.model_copy(update={"text": _append_to_last_cell(prev.text, text)}))
            else:
                ln = pending[0].model_copy(update={"text": text + "\n" + ln.text.lstrip()})
            pending = []
        merged.append(ln)
    span = merged
    closed = sum(1 for ln in span if ln.text.rstrip().endswith("|"))
    wraps = closed >= max(2, len(span) * 0.6)
    k = 0
    while k < len(span):
        ln = span[k]
        cells = [(ln, c) for c in _pipe_cells(ln.text)]
        while wraps and not span[k].text.rstrip().endswith("|") and k + 1 < len(span) \
                and span[k].lineno not in alone and not _opens_row(_pipe_cells(span[k + 1].text)[0]):
            k += 1  # the last cell goes on at the start of the next line (unless that line opens a row: then
            # this one holds the tails of cells wrapped from the row above)
            nxt = _pipe_cells(span[k].text)
            cells[-1] = (cells[-1][0], cells[-1][1] + "\n" + nxt[0])
            cells += [(span[k], c) for c in nxt[1:]]
        rows.append(cells)
        k += 1
    return _Run(rows, "text-pipes", j - 1) if rows else None


def _opens_row(cell: str) -> bool:
    """A first cell that opens a row of its own: a level name, or a row number (序号 1, 2 …: a wrapped tail is
    never a bare number in a cell of its own)."""
    return vocab.is_level1(cell) or vocab.is_level2(cell) or vocab.is_row_number(cell)


def _pipe_cell_rows(lines: list[TextLine], i: int) -> _Run | None:
    """`text |` cells; a line of 2+ bare pipes closes a row; a lone `|` opens one where the page writes openers."""
    j = i
    while j < len(lines) and (_is_pipe_cell_line(lines[j].text) or (j + 1 < len(lines) and _is_pipe_cell(
            lines[j + 1].text) and not lines[j].text.strip()) or _wrapped_cell_heads(lines, j)):
        j += 1
    span = _join_wrapped_cells([ln for ln in lines[i:j] if ln.text.strip()])
    if sum(1 for ln in span if _is_pipe_cell(ln.text)) < 2:
        return None
    # a line of k bare pipes is k empty cells; most rows add up to the table's width, which tells where a row
    # ends when the page opens every row with a lone `|` instead of closing it
    width = _pipe_dump_width(span)
    after = [k + 1 for k, ln in enumerate(span) if ln.text.strip().count("|") >= 2] + [0]
    openers = sum(1 for k in after if k < len(span) and span[k].text.strip() == "|") >= max(1, len(after) // 2)
    rows: list[list[tuple[TextLine, str]]] = []
    cur: list[tuple[TextLine, str]] = []
    used = 0  # cells of the current row, empty ones included

    def close() -> None:
        nonlocal cur, used
        if cur:
            rows.append(cur)
        cur, used = [], 0

    for ln in span:
        t = ln.text.strip()
        if t.count("|") >= 2:
            close()
            continue
        if t == "|":
            if openers and (used == 0 or used >= width):
                close()
                used = -1  # the opener itself; the row's cells follow
                continue
            cur.append((ln, ""))
        else:
            if openers and used >= width:
                close()
            cur.append((ln, t[:-1].strip()))
        used = max(used, 0) + 1
    close()
    if not rows:
        return None
    # untitled tables printed one after another: the next one opens with its 项目名称 row after this one's grid
    header = next((k for k, r in enumerate(rows) if is_indicator_header([c for _, c in r])), None)
    cut = next((k for k in range(header + 2, len(rows)) if rows[k] and _starts_next_table(rows[k][0][1])), None) \
        if header is not None else None
    if cut is not None:
        first = rows[cut][0][0]
        end = next(k for k in range(i, j) if lines[k] is first) - 1
        return _Run(rows[:cut], "text-pipe-cells", end)
    return _Run(rows, "text-pipe-cells", j - 1)


_LIST_ITEM = lazy(r"^\s*(?:\d{1,2}\s*[.、．]|[(（]\d{1,2}[)）]|[一二三四五六七八九十]{1,2}、)")


def _append_to_last_cell(row_text: str, more: str) -> str:
    """`a | b |||` + `c` -> `a | b\nc |||`: the wrapped text goes on in the row's last non-empty cell."""
    cells = row_text.split("|")
    k = max((i for i, c in enumerate(cells) if c.strip()), default=None)
    if k is None:
        return row_text.rstrip() + "\n" + more.strip()
    cells[k] = cells[k].rstrip() + "\n" + more.strip() + " "
    return "|".join(cells)


def _wrapped_before_pipe_row(lines: list[TextLine], j: int, limit: int = 6) -> bool:
    """Line j starts a few wrapped lines (no pipe, or a row cut before its end) that a pipe row follows."""
    if _wrapped_pipe_row(lines[j].text):
        return j + 1 < len(lines) and _is_pipe_row(lines[j + 1].text)
    k = j
    while k < len(lines) and k - j < limit and _wrapped_cell_head(lines[k].text):
        k += 1
    return k > j and k < len(lines) and _is_pipe_row(lines[k].text)


def _wrapped_pipe_row(text: str) -> bool:
    """`质量指标 | 补贴覆盖民`: a pipe row cut inside its last cell (it does not end with a pipe)."""
    t = text.strip()
    return "|" in t and not t.endswith("|") and len(t) <= 200


def _wrapped_cell_head(text: str) -> bool:
    """A line with no pipe inside a web dump: the first part of a cell wrapped onto the next `… |` line."""
    t = text.strip()
    return bool(t) and "|" not in t and len(t) <= 60 and not ends_table(t)


def _wrapped_cell_heads(lines: list[TextLine], j: int, limit: int = 8) -> bool:
    """Line j starts the lines of one cell wrapped at the column width, the last of them a `… |` cell line."""
    k = j
    while k < len(lines) and k - j < limit and _wrapped_cell_head(lines[k].text):
        k += 1
    return j < k < len(lines) and _is_pipe_cell(lines[k].text)


def _join_wrapped_cells(span: list[TextLine]) -> list[TextLine]:
    """Join a wrapped cell's head lines with the `… |` line it ends on (the joined cell keeps the first line)."""
    out: list[TextLine] = []
    heads: list[TextLine] = []
    for ln in span:
        if "|" not in ln.text and ln.text.strip():
            heads.append(ln)
            continue
        if heads and _is_pipe_cell(ln.text):
            text = "\n".join(h.text.strip() for h in heads) + "\n" + ln.text.strip()
            out.append(heads[0].model_copy(update={"text": text}))
        else:
            out.extend(heads)
            out.append(ln)
        heads = []
    return out + heads


def _pipe_dump_width(span: list[TextLine]) -> int:
    """The most common number of cells (content lines, lone pipes, bare pipes) between two row closers."""
    totals: dict[int, int] = {}
    count, after_closer = 0, True
    for ln in span:
        t = ln.text.strip()
        if t.count("|") >= 2:
            total = count + t.count("|")
            totals[total] = totals.get(total, 0) + 1
            count, after_closer = 0, True
            continue
        if not (t == "|" and after_closer):  # a row opener is no cell
            count += 1
        after_closer = False
    # the most common total; among equals the narrowest (a row that lost its closer adds up to more)
    return max(totals, key=lambda k: (totals[k], -k)) if totals else 10 ** 6


def _tab_cell_rows(lines: list[TextLine], i: int) -> _Run:
    """Rows are runs of tab-led cell lines; a single blank line separates rows of the same table."""
    rows: list[list[tuple[TextLine, str]]] = []
    j, n = i, len(lines)
    while j < n:
        run = []
        while j < n:
            t = lines[j].text
            if not (t.startswith("\t") and "\t" not in t[1:]):  # _is_cell_line, inline: once per line of the run
                break
            run.append((lines[j], t[1:]))
            j += 1
        if run:
            rows.append(run)
        if j < n and not lines[j].text.strip() and j + 1 < n and _is_cell_line(lines[j + 1].text):
            j += 1
            continue
        break
    return _Run(rows, "text-cells", j - 1)


def _space_rows(lines: list[TextLine], i: int) -> _Run | None:
    """A one-line header of space-separated column names, then one row per line (merged cells omitted)."""
    head = lines[i].text.split()
    if not is_indicator_header(head):
        return None
    body: list[int] = []
    j, blanks = i + 1, 0
    while j < len(lines):
        t = lines[j].text.strip()
        if _PAGE_FOOTER.fullmatch(t) or not t and "\f" in lines[j].text:
            j += 1  # a page footer or the page break itself: the table goes on on the next page
            continue
        if not t:
            blanks += 1
            if blanks >= 2:
                break
            j += 1
            continue
        repeated = t.split() == head  # the column names printed again at the top of a page
        if ends_table(t) or _is_tab_row(lines[j].text) or "|" in t or _starts_next_table(t.split()[0]) \
                or vocab.is_title(t) or blanks and not rt.starts_with_level(t) and not repeated:
            break  # after a blank line only a new level block goes on (not the next table's unit line)
        blanks = 0
        body.append(j)
        j += 1
    if not body:
        return None
    # pdftotext streams wrap every cell over blank-separated lines; that family is read by the stream reader
    gaps = sum(1 for a, b in zip(body, body[1:]) if b - a > 1)
    levels_only = {k for k in body if _is_level_line(lines[k].text)}
    multi = sum(1 for k in body if len(lines[k].text.split()) >= 2)
    # (cells wrapped at the column width leave lines of one tail each: a table still has most lines multi-cell)
    if gaps > len(body) * 0.3 or multi < (len(body) - len(levels_only)) * 0.5 or not multi:
        return None
    rows = [[(lines[i], w) for w in head]]
    pending: list[tuple[TextLine, str]] = []
    for k in body:
        cells = [(lines[k], w) for w in lines[k].text.split()]
        if k in levels_only:
            # levels told apart only by indentation, each on a line of its own above its rows
            level1 = [c for c in pending[:1] if vocab.is_level1(c[1])]
            pending = [cells[0]] if vocab.is_level1(cells[0][1]) else level1 + [cells[0]]
            continue
        rows.append(pending + cells)
        pending = []
    return _Run(rows, "text-spaces", body[-1])


def _is_level_line(text: str) -> bool:
    """A line holding one 一级 or 二级 name and nothing else."""
    words = text.split()
    return len(words) == 1 and (vocab.is_level1(words[0]) or vocab.is_level2(words[0]))


def _line_header(lines: list[TextLine], i: int) -> tuple[list[tuple[TextLine, str]], int] | None:
    """A header written one column name per line (blank lines allowed between), starting at line i."""
    cells: list[tuple[TextLine, str]] = []
    j = i
    while j < len(lines):
        t = lines[j].text.strip()
        if not t:
            j += 1
            continue
        if vocab.column_role(t) is None and (cells or not vocab.is_row_number_column(t)):
            break  # 绩效指标 / 指标 are synonyms too: a vertical label passes; so does a leading 序号
        cells.append((lines[j], t))
        j += 1
    words = [c for _, c in cells]
    if len(cells) < 3 or not is_indicator_header(words) or "level1" not in rt.header_roles(words):
        return None
    return cells, j


def _join_wrapped_levels(cells: list[tuple[TextLine, str]]) -> list[tuple[TextLine, str]]:
    """A level name wrapped over two lines (经济效益 / 指标, 服务对象满意 / 度指标) becomes one cell."""
    out: list[tuple[TextLine, str]] = []
    k = 0
    while k < len(cells):
        ln, t = cells[k]
        if k + 1 < len(cells):
            nxt = cells[k + 1][1]
            joined = vocab.compact(t + nxt)
            bare_suffix = vocab.compact(nxt) in ("指标", "值", "类指标")
            # a whole level name on the next line starts a row: the short cell before it (a value `1`) is no head
            wraps = len(vocab.compact(nxt)) <= 4 and not vocab.is_level2(t) and not vocab.is_level1(t) \
                and not vocab.is_level2(nxt) and not vocab.is_level1(nxt) \
                and (vocab.is_level2(joined) or vocab.is_level1(joined)) and vocab.level_base(nxt) != nxt
            if wraps or (bare_suffix and vocab.is_level2_fragment(t)):
                out.append((ln, t + nxt))
                k += 2
                continue
        out.append((ln, t))
        k += 1
    return out


def _join_wrapped_lines(cells: list[tuple[TextLine, str]], blank_before: list[bool]) -> list[tuple[TextLine, str]]:
    """Where blank lines separate most cells (wrapped ones aside), lines with none between them are one cell
    wrapped (2020 年 12 / 月底数据); rows of cells on consecutive lines (blank only between rows) stay apart."""
    blank_before = blank_before[: len(cells)]
    if len(cells) < 4 or not (sum(blank_before[1:]) >= 0.4 * (len(cells) - 1) or _mostly_single(blank_before)):
        return cells
    out: list[tuple[TextLine, str]] = []
    for (ln, t), blank in zip(cells, blank_before):
        if out and not blank:
            out[-1] = (out[-1][0], out[-1][1] + t)
        else:
            out.append((ln, t))
    return out


def _mostly_single(blank_before: list[bool]) -> bool:
    """Most runs of lines between blank lines are one line: blank lines part cells, however many lines the
    wrapped cells take (an 8-line basis in every row). Rows on consecutive lines make runs as long as a row."""
    runs = [1]
    for blank in blank_before[1:]:
        if blank:
            runs.append(1)
        else:
            runs[-1] += 1
    return len(runs) >= 4 and sum(1 for n in runs if n == 1) > len(runs) / 2


def _starts_next_table(t: str) -> bool:
    """A table title or a 项目名称/项目编码 label: the next table's header block begins."""
    return vocab.is_title(t) or vocab.label_field(t) in ("name", "code")


def _cell_line_rows(lines: list[TextLine], i: int) -> _Run | None:
    """One cell per line, no row markers: rows cut at level names and after the header's number of columns."""
    found = _line_header(lines, i)
    if found is None:
        return None
    header, j = found
    roles = rt.header_roles([c for _, c in header])
    k1 = next(k for k, r in enumerate(roles) if r in ("level1", "level2"))
    after_levels = [r for r in roles[k1:] if r not in ("level1", "level2")]
    width = len(after_levels)  # level3 and the columns right of it
    cells: list[tuple[TextLine, str]] = []
    blank_before: list[bool] = []
    gap_before: dict[int, int] = {}  # id(line) -> blank lines between the cell above and this one
    last = j - 1
    words = [c for _, c in header]
    while j < len(lines):
        t = lines[j].text.strip()
        if t and _PAGE_FOOTER.fullmatch(t):
            j += 1  # `- 3 -` at the foot of a page the table runs over
            continue
        at = j + 1 if re.fullmatch(r"\d{1,4}", t) and j + 1 < len(lines) else j  # a page number right above
        if lines[at].text.strip() in words:
            again = _line_header(lines, at)
            rep = [c for _, c in again[0]] if again is not None else []
            if len(rep) >= 3 and words[-len(rep):] == rep:
                j = again[1]  # the column names repeated at the top of the next page (a vertical label aside)
                continue
        if t:
            if ends_table(t) or "|" in t or "\t" in lines[j].text or len(t) > 200:
                break
            if _starts_next_table(t):
                # the next table's block may open with its budget unit (460001 乐亭县医疗保障局本级) before 项目名称
                while cells and _ORG_LINE.match(cells[-1][1]):
                    cells.pop()
                last = lines.index(cells[-1][0], i) if cells else last
                break
            gap_before[id(lines[j])] = lines[j].lineno - (cells[-1][0].lineno if cells else lines[j].lineno) - 1
            cells.append((lines[j], t))
            # a blank line before it, or a gap in the numbering (loaders may drop blank lines)
            blank_before.append(j > 0 and (not lines[j - 1].text.strip() or lines[j].lineno - lines[j - 1].lineno > 1))
            last = j
        j += 1
    cells = _join_wrapped_levels(_join_wrapped_lines(cells, blank_before))
    empties = _empty_cells_before([gap_before.get(id(ln), 0) for ln, _ in cells])
    rows = [header]
    numbered = vocab.is_row_number_column(words[0])  # 序号 first: each row opens with its number
    next_no = None
    k = 0
    while k < len(cells):
        row: list[tuple[TextLine, str]] = []
        number = vocab.row_number(cells[k][1]) if numbered else None
        if number is not None:
            row.append(cells[k])
            next_no = number + 1
            k += 1
            if k == len(cells):
                break
        t = cells[k][1]
        nxt = cells[k + 1][1] if k + 1 < len(cells) else ""
        if vocab.is_level1(t) and (vocab.is_level2(nxt) or not vocab.is_level2(t)):
            row.append(cells[k])
            k += 1
        if k < len(cells) and vocab.is_level2(cells[k][1]):
            row.append(cells[k])
            k += 1
        taken = 0
        while k < len(cells) and taken < width:
            t = cells[k][1]
            if taken >= 1 and next_no is not None and vocab.row_number(t) == next_no:
                break  # the next row's number: the row ended in empty cells
            if taken >= 1 and (vocab.is_level1(t) or vocab.is_level2(t)) and t != row[-1][1]:
                break  # an empty trailing cell left no line: the next row starts here (a name printed twice
                # as 三级指标 and 描述, 服务对象满意度 / 服务对象满意度, is no new row)
            if taken >= 1:
                taken += empties[k]
                if taken >= width:
                    break  # the row ended in empty cells: this one opens the next row
            row.append(cells[k])
            k += 1
            taken += 1
        if row:
            rows.append(row)
        if not taken and not row:
            k += 1
    if len(rows) < 2:
        return None
    return _Run(rows, "text-cell-lines", last)


def _empty_cells_before(gaps: list[int]) -> list[int]:
    """Where one blank line separates cells, an empty cell prints as one more blank line and its separator:
    the empty cells before each cell. Where cells sit on consecutive lines a blank ends a row instead: none."""
    common = Counter(gaps[1:]).most_common(1)[0][0] if len(gaps) > 1 else 0
    if common < 1:
        return [0] * len(gaps)
    return [max(0, round((g - common) / (common + 1))) for g in gaps]


def _run_together_rows(lines: list[TextLine], i: int) -> _Run | None:
    """Cells printed with no separator at all (some PDF text layers): split by vocabulary and value shape.

    A row may hold spaces inside its cells (`≥90 百分比`, `2025 年 12 月`) but then it must open with a level name,
    so a space-separated table under a run-together header is not swallowed.
    """
    head = rt.split_header(lines[i].text.strip())
    if head is None:
        return None
    numbered = vocab.is_row_number_column(head[0])
    body: list[TextLine] = []
    j = i + 1
    while j < len(lines):
        t = lines[j].text.strip()
        if not t or ends_table(t) or vocab.is_title(t) or _starts_next_table(t) or "\t" in t \
                or " " in t and not rt.starts_with_level(t, numbered):
            break
        body.append(lines[j])
        j += 1
    if not body:
        return None
    rows = [[(lines[i], h) for h in head]]
    rows += [[(ln, c) for c in cells] for ln, cells in zip(body, rt.split_rows([ln.text for ln in body], head))]
    return _Run(rows, "text-run-together", j - 1)


# ---- the reconstructor ---------------------------------------------------------------------------------------

_FAMILIES = (
    (lambda s: _is_tab_row(s), _tab_rows),
    (lambda s: _is_pipe_row(s), _pipe_rows),
    (lambda s: _is_pipe_cell_line(s), _pipe_cell_rows),
    (lambda s: _is_cell_line(s), _tab_cell_rows),
    (is_fixed_header, lambda lines, i: _Run(found[0], "text-columns", found[1])
     if (found := fixed_width_rows(lines, i, _starts_next_table, ends_table)) else None),
    (lambda s: bool(s.strip()) and len(s.split()) >= 3, _space_rows),
    (lambda s: bool(s.strip()) and len(s.strip()) <= 12, _cell_line_rows),
    (lambda s: "指标" in s and not any(ch.isspace() for ch in s.strip()), _run_together_rows),
)


def reconstruct(lines: list[TextLine]) -> list[LightGrid]:
    """Find every linearised table in the lines (TextLines or light ones); set .table on the lines each grid covers.
    The grids are light (ingest.light): the loader's LightDocument turns them into TableGrids at the boundary."""
    grids: list[LightGrid] = []
    i, n = 0, len(lines)
    while i < n:
        s = lines[i].text
        run = None
        for test, family in _FAMILIES:
            if test(s):
                run = family(lines, i)
                if run is not None:
                    break
        if run is None or not run.rows:
            i += 1
            continue
        grids.append(_grid(len(grids), run.rows, run.origin))
        i = max(run.end + 1, i + 1)
    by_no = {ln.lineno: ln for ln in lines}
    for g in grids:
        for no in range(g.line_start, g.line_end + 1):
            if no in by_no:
                by_no[no].table = g.index
    return grids


def resplit(grid: TableGrid | LightGrid, lines: list[TextLine], lexicon: Lexicon) -> TableGrid | LightGrid:
    """A run-together grid cut again with a lexicon (names, values, bases seen in past tables)."""
    if grid.origin != "text-run-together" or not len(lexicon):
        return grid
    by_no = {ln.lineno: ln for ln in lines}
    head_no = grid.line_start
    body = [by_no[no] for no in range(head_no + 1, grid.line_end + 1) if no in by_no]
    head = rt.split_header(by_no[head_no].text.strip()) if head_no in by_no else None
    if head is None or not body:
        return grid
    rows = [[(by_no[head_no], h) for h in head]]
    rows += [[(ln, c) for c in cells] for ln, cells in
             zip(body, rt.split_rows([ln.text for ln in body], head, lexicon))]
    return _grid(grid.index, rows, grid.origin)


def _unquote(s: str) -> str:
    """A CSV-style quoted cell ("...", with "" inside) -> its text."""
    if len(s) >= 2 and s[0] == s[-1] == '"':
        return s[1:-1].replace('""', '"')
    return s


def _grid(index: int, rows: list[list[tuple[TextLine, str]]], origin: str) -> LightGrid:
    # light cells: a text file has thousands; LightDocument.to_document() makes the TableGrid at the boundary
    rows = [r for r in rows if r]
    # _unquote only for a cell that ends with a quote (it leaves any other as it is)
    cells = [LightCell(_unquote(t) if (t := text.strip())[-1:] == '"' else t, r, c, ln.page, ln.lineno)
             for r, row in enumerate(rows) for c, (ln, text) in enumerate(row)]
    pages = sorted({ln.page for row in rows for ln, _ in row})
    line_nos = [ln.lineno for row in rows for ln, _ in row]
    first = min(line_nos)
    return LightGrid(index, next(ln.page for row in rows for ln, _ in row if ln.lineno == first), pages, len(rows),
                     max(len(r) for r in rows), cells, origin, first, max(line_nos))
