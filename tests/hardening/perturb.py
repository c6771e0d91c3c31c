"""Text perturbations a real document goes through: wrapped cells, spaced CJK, width swaps, page headers."""

from __future__ import annotations

import json
import re
from pathlib import Path

_TO_FULL = {c: chr(ord(c) + 0xFEE0) for c in "0123456789%<>=.-"}
_TO_HALF = {v: k for k, v in _TO_FULL.items()}


def gold_rows(gold: Path) -> list[dict]:
    return [i for p in json.loads(gold.read_text(encoding="utf-8"))["projects"] for i in p["indicators"]]


def _names(gold: Path, min_len: int) -> list[str]:
    names = {i["level3"] for i in gold_rows(gold) if len(i["level3"]) >= min_len and "\n" not in i["level3"]}
    return sorted(names, key=len, reverse=True)  # longest first so substrings don't split the longer names


def cjk_spaces(text: str, gold: Path) -> str:
    """三级指标 names typed with a space between characters (资 金 到 位 率)."""
    for name in _names(gold, 3):
        if re.fullmatch(r"[\u4e00-\u9fff]+", name):
            text = text.replace(name, " ".join(name))
    return text


def cell_line_breaks(text: str, gold: Path) -> str:
    """Long 三级指标 cells wrapped over two lines, as narrow PDF columns do."""
    for name in _names(gold, 6):
        text = text.replace(name, name[: len(name) // 2] + "\n" + name[len(name) // 2:])
    return text


def width_swap(text: str, gold: Path) -> str:
    """Every other line: ASCII digits and signs to full width; the other lines: full width to ASCII."""
    out = []
    for i, line in enumerate(text.split("\n")):
        table = _TO_FULL if i % 2 == 0 else _TO_HALF
        out.append("".join(table.get(c, c) for c in line))
    return "\n".join(out)


def header_repeats(text: str, gold: Path, every: int = 3) -> str:
    """A page break before every `every`-th indicator row: a page number and the table header again."""
    lines = text.split("\n")
    start = next((k for k, ln in enumerate(lines) if "一级指标" in ln), None)
    if start is None:  # headers that abbreviate the level columns (一级 | 二级指标 | …)
        start = next((k for k, ln in enumerate(lines) if re.match(r"^\s*\|?\s*一级\s*(?:\||\s|$)", ln)), None)
    if start is None:
        return text
    level1 = {i["level1"] for i in gold_rows(gold)}
    level2 = {i["level2"] for i in gold_rows(gold)}

    def first_cell(line: str) -> str:
        return re.split(r"\s*\|\s*|\t|\s+", line.strip())[0] if line.strip() else ""
    # the whole header block: every line from the 一级指标 line up to the first data row (a gold level name)
    end = next((k - 1 for k in range(start + 1, min(start + 12, len(lines)))
                if first_cell(lines[k]) in level1 | level2), start)
    if any("指标值确定依据" in lines[k] for k in range(start, end + 1)):
        end = next(k for k in range(start, end + 1) if "指标值确定依据" in lines[k])
    header = lines[start:end + 1]
    starts = []  # first line of each indicator row (the level1 cell when it has a line of its own)
    for k in range(end + 1, len(lines)):
        first = first_cell(lines[k])
        if first in level2 or first in level1:
            prev = lines[k - 1]
            starts.append(k - 1 if prev and prev.strip() in level1 | {""} else k)
    breaks = set(starts[every - 1::every])
    out, page = [], 100
    for k, line in enumerate(lines):
        if k in breaks:
            page += 1
            out += ["", str(page), *header]
        out.append(line)
    return "\n".join(out)


PERTURBATIONS = {"cjk_spaces": cjk_spaces, "cell_line_breaks": cell_line_breaks, "width_swap": width_swap,
                 "header_repeats": header_repeats}
