"""Space-separated lines that hold only the wrapped tails of the row above (text copied from a PDF, no layout).

When a cell is too wide for its column it goes on over the next line, and in space-separated text that line
holds the tails of every cell that wrapped, with nothing to say which column each came from. Content says it: a
level suffix (指标, 值) ends a 一级/二级 name printed without it, a name printed twice ends 三级指标 and 描述 in a
layout that prints the name twice, and digits + 号 end a 文号 that the basis left open (唐财社〔2024〕1 / 25 号).
Cells cut at the column width say the rest: the column's width is the line length most distinct cells reach
(column_widths), and a cell whose last line reaches it is open; the line's other tokens go, in order, to the open
cells, none longer than its column.
A line holding anything else (a value, a level name, a token no open cell can take) is a row of its own.
"""

from __future__ import annotations

from collections import Counter

from perfdraft.core.lazy_re import lazy
from perfdraft.core import vocabulary as vocab
from perfdraft.core.text import compact

_LEVEL_SUFFIXES = ("指标", "值")
_TEXT_ROLES = ("level3", "description", "basis")
_NEG = float("-inf")
# a 文号 cut before its 号: an open bracket, or a closed year bracket followed by digits only
_OPEN_DOC_NO = lazy(r"[〔\[［]\s*\d{0,4}$|[〔\[［]\s*\d{4}\s*[〕\]］]\s*\d*$")
_DOC_NO_TAIL = lazy(r"^\d{0,4}\s*[〕\]］]?\s*\d*\s*号$")


def _level_tail(token: str, prev: dict) -> str | None:
    """The level column a lone suffix finishes: the row's first level name still without one."""
    if compact(token) not in _LEVEL_SUFFIXES:
        return None
    for role in ("level2", "level1"):
        name = compact(prev.get(role) or "")
        if name and not name.endswith(_LEVEL_SUFFIXES):
            return role
    return None


def _last_line(text: str | None) -> str:
    return (text or "").rsplit("\n", 1)[-1].strip()


def column_widths(records: list[dict]) -> dict[str, int]:
    """Each free-text column's width over a table's rows as first read (tokens joined by spaces): the line length
    most distinct cells reach (cut there), else the longest line. A first reading may glue a tail to a cell, so the
    longest line alone overstates it."""
    pieces: dict[str, set[str]] = {r: set() for r in _TEXT_ROLES}
    for rec in records:
        for role in _TEXT_ROLES:
            pieces[role].update(p.strip() for p in (rec.get(role) or "").split("\n") if p.strip())
    # distinct texts: one basis repeated down the column (县级预算安排) says nothing of a cut
    lengths = {role: Counter(len(p) for p in ps) for role, ps in pieces.items()}
    out: dict[str, int] = {}
    for role, counts in lengths.items():
        if counts:
            cut = max(((n, w) for w, n in counts.items() if w >= 6 and n >= 2), default=None)
            out[role] = cut[1] if cut else max(counts)
    return out


def _open_roles(prev: dict, roles: list[str | None], widths: dict[str, int]) -> list[str]:
    """The row's free-text cells whose last line reaches the column's width: cut there, going on below."""
    return [r for r in _TEXT_ROLES if r in roles and widths.get(r, 0) >= 6
            and len(_last_line(prev.get(r))) >= 0.8 * widths[r]]


def _to_open_cells(toks: list[str], cells: list[str], widths: dict[str, int]) -> dict[str, str] | None:
    """Tokens in order onto the open cells (each takes a run, maybe none, no longer than its column); on a tie
    the later cell takes the tail."""
    n, m = len(toks), len(cells)
    best = [[_NEG] * (n + 1) for _ in range(m + 1)]
    back = [[0] * (n + 1) for _ in range(m + 1)]
    best[0][0] = 0.0
    for c in range(m):
        for i in range(n + 1):
            if best[c][i] == _NEG:
                continue
            if best[c][i] - 1.0 > best[c + 1][i]:  # an open cell with no tail: it ended at the width
                best[c + 1][i], back[c + 1][i] = best[c][i] - 1.0, i
            for j in range(i + 1, n + 1):
                if len(" ".join(toks[i:j])) > widths[cells[c]] + 1:
                    break
                s = best[c][i] + 1.0 - 0.3 * (j - i - 1)
                if s > best[c + 1][j]:
                    best[c + 1][j], back[c + 1][j] = s, i
    if best[m][n] == _NEG:
        return None
    out, j = {}, n
    for c in range(m, 0, -1):
        i = back[c][j]
        if i < j:
            out[cells[c - 1]] = " ".join(toks[i:j])
        j = i
    return out


def wrapped_tails(tokens: list[str], roles: list[str | None], prev: dict,
                  widths: dict[str, int] | None = None) -> dict[str, str] | None:
    """role -> tail text when every token of the line continues a cell of `prev` (the row above); else None."""
    toks = [t.strip() for t in tokens if t.strip()]
    if not toks:
        return None
    out: dict[str, str] = {}
    twice = compact(prev.get("level3") or "") == compact(prev.get("description") or "") != ""

    def doubled() -> bool:  # the line opens with the tail of a name printed twice (三级指标 and 描述)
        return len(toks) >= 2 and toks[0] == toks[1] and twice and {"level3", "description"} <= set(roles)

    role = _level_tail(toks[0], prev)
    if role:
        out[role] = toks.pop(0)
    elif (vocab.is_level1(toks[0]) or vocab.is_level2(toks[0])) and not (doubled() and len(toks) > 2):
        # a level name opens a row, unless it is such a tail (…对医保服务的 / 满意度 满意度 25 号) and more
        # tails follow: alone the pair may be a row's two level cells
        return None
    if doubled():
        out["level3"] = out["description"] = toks[0]
        toks = toks[2:]
    if toks and "basis" in roles and len(toks) <= 2 and _OPEN_DOC_NO.search(_last_line(prev.get("basis"))) \
            and _DOC_NO_TAIL.match(" ".join(toks)):
        out["basis"] = " ".join(toks)
        toks = []
    if toks and widths:
        cells = [r for r in _open_roles(prev, roles, widths) if r not in out]
        placed = _to_open_cells(toks, cells, widths) if cells else None
        if placed:
            out.update(placed)
            toks = []
    return out if out and not toks else None
