"""Grounding: an LLM value is accepted only where it belongs in its source (row span, label, grid structure)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from perfdraft.core import vocabulary as vocab
from perfdraft.core.models import Document, SourceRef
from perfdraft.core.text import norm_text as normalise  # the one shared normalisation

_NUM = re.compile(r"\d+(?:\.\d+)?")
_CELL_SPLIT = re.compile(r"\t+|\s*\|\s*|\s{2,}")
MAX_ROW_UNITS = 12  # a row never spans more units than this (cell-per-line layouts use ~6)
LABEL_REACH = 2  # a header value sits in its label's unit or the next ones (label/value lines)


def numbers(text: str | None) -> list[float]:
    """Every number in a text (normalised, thousands separators dropped)."""
    out: list[float] = []
    for token in (text or "").split():  # split first: normalising removes the spaces between numbers
        out += [float(n) for n in _NUM.findall(normalise(token).replace(",", ""))]
    return out


def has_numbers(value: str | None, source: str) -> bool:
    """Every number of value occurs as a whole number in source (≥9 is not in ≥90%)."""
    have = set(numbers(source))
    return all(n in have for n in numbers(value))


_OPS = "≥≤<>=~≈约"


def occurs(v: str, text: str) -> bool:
    """v occurs in text as a whole: not cut from a longer number, nor with its comparison sign left behind."""
    start = text.find(v)
    while v and start >= 0:
        before = text[start - 1] if start else ""
        after = text[start + len(v):start + len(v) + 1]
        cut_front = before and v[0].isdigit() and (before in _OPS or before.isdigit() or before == ".")
        cut_back = after and v[-1].isdigit() and (after.isdigit() or after == ".")
        if not cut_front and not cut_back:
            return True
        start = text.find(v, start + 1)
    return not v


class Grounder:
    """Checks narrative values against one chunk: the text and each of its numbers must occur there."""

    def __init__(self, chunk: str):
        self.chunk = normalise(chunk)
        self._numbers = set(numbers(chunk))

    def has(self, value: str | None) -> bool:
        """True for empty values and for values found in the chunk with all their numbers."""
        v = normalise(value)
        return not v or (v in self.chunk and all(n in self._numbers for n in numbers(value)))

    def has_number(self, x: float | None, *, scales: tuple[float, ...] = (1.0, 10000.0)) -> bool:
        """A number occurs in the chunk as written or scaled (元 -> 万元 divides by 10000)."""
        if x is None:
            return True
        return any(abs(n - x * s) < 1e-6 * max(1.0, abs(x * s)) for n in self._numbers for s in scales)


@dataclass
class Unit:
    """One piece of the source in reading order: a grid row or a text line, with its cells and location."""

    cells: list[str]
    ref: SourceRef
    norm: str = ""

    def __post_init__(self) -> None:
        self.norm = normalise("".join(self.cells))


@dataclass
class Finding:
    """A value the source does not support: where, which field, what the model claimed, and why."""

    row: int | None
    field: str
    claimed: str
    reason: str

    def feedback(self) -> str:
        where = f"indicators[{self.row}].{self.field}" if self.row is not None else self.field
        return f"{where} {self.claimed!r}: {self.reason}"


@dataclass
class RowCheck:
    """Grounding of one indicator row: its findings and where each accepted part was found."""

    findings: list[Finding] = field(default_factory=list)
    ref: SourceRef | None = None
    dropped: bool = False


def source_units(doc: Document, line_start: int | None, line_end: int | None, tables: list[int]) -> list[Unit]:
    """The chunk as units: each grid row of its tables (merged cells filled) and each other text line."""
    lo = line_start or 1
    hi = line_end or lo
    units: list[Unit] = []
    emitted: set[int] = set()

    def emit_table(ti: int) -> None:
        emitted.add(ti)
        grid = doc.tables[ti]
        matrix = grid.matrix(fill_merged=True)
        for r, row in enumerate(matrix):
            lines = [c.lineno for c in grid.cells if c.row == r and c.lineno is not None]
            units.append(Unit(cells=[t for t in row], ref=SourceRef(
                file=doc.name, page=grid.page, line=min(lines) if lines else None,
                line_end=max(lines) if lines else None, table=ti, row=r, text=" | ".join(t for t in row if t))))

    for ln in doc.lines:
        if ln.lineno < lo or ln.lineno > hi:
            continue
        if ln.table is not None and ln.table in tables:
            if ln.table not in emitted:
                emit_table(ln.table)
            continue
        if ln.text.strip():
            cells = [c for c in _CELL_SPLIT.split(ln.text.strip()) if c]
            units.append(Unit(cells=cells, ref=SourceRef(file=doc.name, page=ln.page, line=ln.lineno,
                                                         line_end=ln.lineno, text=ln.text)))
    for ti in tables:
        if ti not in emitted and 0 <= ti < len(doc.tables):
            emit_table(ti)
    return units


def _is_header(u: Unit) -> bool:
    """A column header row of the indicator grid (一级指标 | 二级指标 | ...)."""
    return "一级指标" in u.norm and "三级指标" in u.norm or sum(vocab.column_role(c) is not None
                                                          for c in u.cells) >= 3


def _joined(units: list[Unit]) -> str:
    return "".join(u.norm for u in units)


def _span_ref(units: list[Unit], file: str) -> SourceRef:
    lines = [n for u in units for n in (u.ref.line, u.ref.line_end) if n is not None]
    first = units[0].ref
    return SourceRef(file=file, page=first.page, line=min(lines) if lines else None,
                     line_end=max(lines) if lines else None, table=first.table, row=first.row,
                     text=" | ".join(u.ref.text for u in units if u.ref.text))


class ChunkGrounder:
    """Grounds one LLM table against its chunk: rows in their own span, levels by structure, header at labels."""

    def __init__(self, units: list[Unit], file: str, boundary_lines: set[int] | None = None):
        self.units = units
        self.file = file
        self.text = _joined(units)
        self._boundary_lines = boundary_lines or set()
        self._token_cache: list[tuple[int, str]] | None = None

    # ------------------------------------------------------------------ rows

    def _starts(self, level3: str) -> list[int]:
        """Unit indexes where level3 starts (a name wrapped over up to three units is joined)."""
        n = normalise(level3)
        if not n:
            return []
        single = [i for i, u in enumerate(self.units) if n in u.norm]
        if single:
            return single
        return [i for i in range(len(self.units))
                if n in _joined(self.units[i:i + 3]) and n not in _joined(self.units[i + 1:i + 3])]

    def _is_boundary(self, i: int, starts: set[int]) -> bool:
        u = self.units[i]
        if i in starts:
            return True
        if _is_header(u) or (u.ref.table is not None and not any(c.strip() for c in u.cells[:3])):
            return False  # a header repeated after a page break, or the rest of a wrapped row
        if u.ref.table is not None or len(u.cells) >= 3:
            return True  # a grid row, or a text line holding a whole row, is one row
        if u.ref.line is not None and u.ref.line in self._boundary_lines:
            return True
        return len(u.cells) == 1 and (vocab.is_level1(u.cells[0]) or vocab.is_level2(u.cells[0]))

    def row_spans(self, level3s: list[str]) -> list[tuple[int, int] | None]:
        """(first, last) unit of each row, in table order; None when the level3 is nowhere in the source."""
        head = self._first_grid_header()
        picks: list[int | None] = []
        prev = -1
        for name in level3s:
            cands = self._starts(name)
            exact = [i for i in cands if any(normalise(c) == normalise(name) for c in self.units[i].cells)]
            # prefer the grid (a name also quoted in the goals), an exact cell, then table order
            order = ([i for i in exact if i >= head] + [i for i in cands if i >= head] + exact + cands)
            free = [i for i in order if i not in picks]
            pick = next((i for i in free if i > prev), free[0] if free else (cands[0] if cands else None))
            picks.append(pick)
            if pick is not None:
                prev = max(prev, pick)
        starts = {i for i in picks if i is not None}
        spans: list[tuple[int, int] | None] = []
        for pick in picks:
            if pick is None:
                spans.append(None)
                continue
            end = pick
            while end + 1 < len(self.units) and end + 1 - pick < MAX_ROW_UNITS and not self._is_boundary(
                    end + 1, starts):
                end += 1
            spans.append((pick, end))
        return spans

    def _row_position(self, a: int, level3: str | None) -> int:
        """Offset in the chunk's joined text where the row's level3 cell starts (after its level cells)."""
        before = len(_joined(self.units[:a]))
        own = self.units[a].norm
        k = own.rfind(normalise(level3)) if level3 else -1
        return before + max(k, 0)

    def _level_ok(self, claimed: str | None, upto: int, is_word, canon, skip: str) -> bool:
        """The claimed level is the last level name of its kind above the row (merged cells fill down)."""
        c = normalise(claimed)
        if not c:
            return False
        last = self.text.rfind(c, 0, upto)
        if last < 0:
            return False
        want = canon(claimed)
        for pos, tok in self._tokens:
            if last + len(c) <= pos < upto and tok != skip and tok not in c and is_word(tok) \
                    and canon(tok) != want:
                return False  # another level of this kind starts between the claimed one and the row
        return True

    @property
    def _tokens(self) -> list[tuple[int, str]]:
        """(offset in the joined text, normalised token) of every whitespace-separated token."""
        if self._token_cache is None:
            out, offset = [], 0
            for u in self.units:
                k = 0
                for tok in (normalise(t) for c in u.cells for t in c.split()):
                    if not tok:
                        continue
                    at = u.norm.find(tok, k)
                    if at >= 0:
                        out.append((offset + at, tok))
                        k = at + len(tok)
                offset += len(u.norm)
            self._token_cache = out
        return self._token_cache

    def check_row(self, k: int, row: dict[str, str | None], span: tuple[int, int] | None) -> RowCheck:
        """A row's level3 must exist; its values must be in its own span; its levels must match the grid there."""
        if span is None:
            return RowCheck(findings=[Finding(k, "level3", row.get("level3") or "",
                                              "this indicator name does not occur in the document")], dropped=True)
        a, b = span
        own = [u for u in self.units[a:b + 1] if not _is_header(u) or u is self.units[a]]
        text = _joined(own)
        raw = " ".join(u.ref.text for u in own)
        out = RowCheck(ref=_span_ref(own, self.file))
        # a value is read from what is left of the row once its name, description and basis are taken out
        # (a description reading '…×100%' does not ground a value '100%')
        rest = text
        for f in ("level3", "description", "basis"):
            if normalise(row.get(f)) and normalise(row.get(f)) in rest:
                rest = rest.replace(normalise(row.get(f)), "\x00", 1)
        for f in ("description", "value", "period_value", "basis"):
            v = row.get(f)
            if not normalise(v):
                continue
            if not occurs(normalise(v), rest if f in ("value", "period_value") else text):
                out.findings.append(Finding(k, f, v, "not in this row of the table"))
            elif not has_numbers(v, raw):
                out.findings.append(Finding(k, f, v, "a number differs from this row of the table"))
        upto = self._row_position(a, row.get("level3"))
        level1, level2 = row.get("level1") or "", row.get("level2") or ""
        l2_ok = self._level_ok(level2, upto, vocab.is_level2, vocab.canon_level2, normalise(level1))
        if not l2_ok:
            out.findings.append(Finding(k, "level2", level2, "not the 二级指标 of this row in the table"))
        # 一级 as the table says, or the framework's 一级 of a verified 二级 (omitted or blank 一级 cells)
        l1_ok = (l2_ok and _inferred_level1(level1, level2)) or self._level_ok(
            level1, upto, vocab.is_level1, vocab.canon_level1, normalise(level2))
        if not l1_ok:
            out.findings.append(Finding(k, "level1", level1, "not the 一级指标 of this row in the table"))
        return out

    # ------------------------------------------------------------------ header

    def _label_units(self, fieldname: str) -> list[int]:
        labels = [normalise(x) for x in vocab.labels_for(fieldname)]
        return [i for i, u in enumerate(self.units) if any(normalise(c).startswith(lab) for c in u.cells
                                                           for lab in labels)]

    def _first_grid_header(self) -> int:
        for i, u in enumerate(self.units):
            if _is_header(u) or any(vocab.column_role(c) == "level1" for c in u.cells):
                return i
        return len(self.units)

    def _with_next_filled(self, i: int) -> list[Unit]:
        """Unit i and the next unit that has any text (an empty grid row between them is skipped)."""
        out = [self.units[i]]
        for u in self.units[i + 1:i + 4]:
            out.append(u)
            if u.norm:
                break
        return out

    def header_region(self, fieldname: str) -> list[Unit]:
        """Where a header field may be read: from its label to the next label (or the grid), or the title."""
        head = self._first_grid_header()
        at = self._label_units(fieldname)
        regions = []
        for i in at:
            if self.units[i].ref.table is not None and fieldname != "goals":
                regions.append(self._with_next_filled(i))  # a grid: the label's row, or the row below it
            else:
                regions.append(self.units[i:head] if i < head else self.units[i:i + 30])
        if fieldname == "name":
            titles = [i for i, u in enumerate(self.units[:3]) if vocab.is_title(u.ref.text)]
            regions.append(self.units[:titles[0] + 1] if titles else self.units[:1])
        if fieldname == "unit" or not at:
            regions.append(self.units[:head])  # lines above the grid (budget unit line) or an unlabelled header
        return [u for r in regions for u in r]

    def check_header(self, fieldname: str, value: str | None) -> Finding | None:
        """A header text value must occur (with its numbers) in its label region."""
        if not normalise(value):
            return None
        region = self.header_region(fieldname)
        if normalise(value) not in _joined(region):
            return Finding(None, fieldname, value, "not at its label in the document")
        if not has_numbers(value, " ".join(u.ref.text for u in region)):
            return Finding(None, fieldname, value, "a number differs from the document")
        return None

    def stated_budget_unit(self) -> str | None:
        """The budget's unit as the document states it: at the budget label, else a 单位 note, else unknown."""
        for i in self._label_units("budget"):
            m = re.search(r"(万元|元)", self.units[i].norm)
            if m:
                return m.group(1)
        m = re.search(r"单位[:：]?(万元|元)", self.text)
        return m.group(1) if m else None

    def check_budget(self, budget: str | None, unit: str | None) -> Finding | None:
        """The budget's number at its label, and its unit the one the document states."""
        if not normalise(budget):
            return None
        found = self.check_header("budget", budget)
        if found is not None:
            return found
        stated = self.stated_budget_unit()
        if (unit or "万元") != (stated or "万元"):  # 元 only where the document says 元
            return Finding(None, "budget_unit", f"{budget} {unit or '万元'}",
                           f"the document states the budget in {stated or '万元 (no other unit stated)'}")
        return None


def _inferred_level1(level1: str | None, level2: str | None) -> bool:
    canon2 = vocab.level2_canon(level2)
    parent = vocab.level1_for_level2(canon2) if canon2 else None
    return parent is not None and vocab.level1_canon(level1) == parent
