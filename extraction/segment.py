"""Find every 绩效目标表 in a Document: the unit of rule extraction and of LLM chunking."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from perfdraft.core.models import Document, Scope, TextLine

TITLE_KEY = "绩效目标表"
_BOOKMARK = re.compile(r"^\s*\[bookmark:[^\]]*\]\s*")
_NUMBERING = re.compile(r"^\s*(?:第[一二三四五六七八九十百\d]+[章节部分]\s*)?(?:[（(]?[一二三四五六七八九十\d]+[)）]?\s*[.、．]?)\s*")
_STARTS_NUMBERED = re.compile(r"^\s*(?:[（(]?[一二三四五六七八九十]+[)）]|\d+\s*[.、．]|[（(]\d+[)）])")
_TOC = re.compile(r"(?:\.{4,}|…{2,}|\t\s*\d+\s*$)")
_PART_END = re.compile(r"^\s*(?:#+\s*\S|(?:#+\s*)?第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+、)")
_DEPT_TITLE = re.compile(r"部门整体.{0,8}绩效目标表")


class TableSection(BaseModel):
    """One 绩效目标表: its title, scope, text range and the table grids it covers."""

    index: int
    title: str = Field(description="the heading without numbering and without the trailing 绩效目标表")
    scope: Scope = "project"
    line_start: int = Field(description="1-based line number of the heading")
    line_end: int = Field(description="last line number of the section")
    page_start: int = 1
    page_end: int = 1
    tables: list[int] = Field(default_factory=list, description="indexes into Document.tables")
    text: str = Field("", description="verbatim text of the section")


def _clean(s: str) -> str:
    s = _BOOKMARK.sub("", s)
    return s.lstrip("#").strip()


def _compact(s: str) -> str:
    return re.sub(r"\s+", "", s)


def section_title(raw: str) -> str:
    """Heading text -> title: numbering, whitespace and the trailing 绩效目标表 removed."""
    t = _compact(_clean(raw))
    t = _NUMBERING.sub("", t, count=1)
    if t.endswith(TITLE_KEY):
        t = t[: -len(TITLE_KEY)]
    return t


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
        if TITLE_KEY in comp:
            if comp.endswith(("表", "表）", "表)")) and not comp.startswith(("注", "说明")):
                out.append((i, i, text))
            i += 1
            continue
        if _STARTS_NUMBERED.match(text):
            m = next_nonblank(i)
            if m is not None and usable(m):
                nxt = _compact(_clean(lines[m].text))
                if len(nxt) <= 40 and TITLE_KEY not in comp and (comp + nxt).endswith(TITLE_KEY):
                    out.append((i, m, text + nxt))
                    i = m + 1
                    continue
        i += 1
    return out


_NAME_LABELS = ("项目名称", "专项资金名称", "项目编码")


def _split_untitled(doc: Document, tables: list[int]) -> list[list[int]]:
    """Group a section's tables; a table naming a project after an indicator grid starts a new group."""
    groups: list[list[int]] = []
    seen_indicators = False
    for ti in tables:
        g = doc.tables[ti]
        head = "".join(_compact(c.text) for c in g.cells if c.row < 2 and ("名" in c.text or "编" in c.text))
        if groups and seen_indicators and any(lab in head for lab in _NAME_LABELS):
            groups.append([ti])
            seen_indicators = False
        elif groups:
            groups[-1].append(ti)
        else:
            groups.append([ti])
        if any("级" in c.text and "一级指标" in _compact(c.text) for c in g.cells):
            seen_indicators = True
    return groups or [[]]


def find_sections(doc: Document) -> list[TableSection]:
    """Every 绩效目标表 (project, special fund, department-wide) with an indicator grid, in order."""
    lines = doc.lines
    heads = _titles(lines)
    header_lines = {ln.lineno for ln in lines if "指标" in ln.text and "一级指标" in _compact(ln.text)}
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
        tables = sorted({ln.table for ln in body if ln.table is not None}
                        | {g.index for g in doc.tables if g.line_start is not None and lo <= g.line_start <= hi})
        if not any(ln.lineno in header_lines for ln in body) and not any(
                "一级指标" in _compact(c.text) for ti in tables for c in doc.tables[ti].cells):
            continue  # table of contents entry, or a heading without an indicator grid
        title = section_title(raw)
        scope: Scope = "department" if _DEPT_TITLE.search(_compact(raw)) else "project"
        # a second table with its own 项目名称 after an indicator grid: an untitled next table
        groups = _split_untitled(doc, tables)
        if len(groups) > 1:
            starts = [doc.tables[gr[0]].line_start or lo for gr in groups]
            for gi, group in enumerate(groups):
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
    return sections
