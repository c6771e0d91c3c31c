"""A department's project list for batch drafting: pasted lines or an uploaded sheet -> (name, budget, purpose)."""

from __future__ import annotations

import csv
import io
import re

from pydantic import BaseModel

from perfdraft.ui.validate import budget_problem, text_problem

MAX_PROJECTS = 50
_SPLIT = re.compile(r"\t|,|，|\|")
_HEADER_WORDS = ("项目名称", "名称", "项目")


class ListedProject(BaseModel):
    """One line of the project list."""

    line: int
    name: str
    budget_wan: float
    purpose: str | None = None


def _number(text: str) -> float | None:
    t = (text or "").replace(",", "").replace("，", "").replace("万元", "").replace("万", "").strip()
    try:
        return float(t)
    except ValueError:
        return None


def parse_rows(rows: list[list[str]]) -> tuple[list[ListedProject], list[str]]:
    """Rows of (名称, 预算数（万元）, 资金用途) -> projects and a Chinese problem per bad row; a header row is skipped."""
    projects: list[ListedProject] = []
    problems: list[str] = []
    for i, raw in enumerate(rows, 1):
        cells = [str(c).strip() if c is not None else "" for c in raw]
        if not any(cells):
            continue
        if i == 1 and cells[0] in _HEADER_WORDS:
            continue
        name = cells[0]
        budget = _number(cells[1]) if len(cells) > 1 else None
        purpose = "，".join(c for c in cells[2:] if c) or None
        msg = text_problem("项目名称", name, required=True) or budget_problem(budget) or text_problem("资金用途", purpose)
        if msg:
            problems.append(f"第{i}行：{msg}")
            continue
        projects.append(ListedProject(line=i, name=name, budget_wan=budget, purpose=purpose))
    if len(projects) > MAX_PROJECTS:
        problems.append(f"一次最多 {MAX_PROJECTS} 个项目，只取前 {MAX_PROJECTS} 个。")
        projects = projects[:MAX_PROJECTS]
    return projects, problems


def parse_text(text: str) -> tuple[list[ListedProject], list[str]]:
    """Pasted lines: 名称, 预算, 用途 separated by tab (copied from Excel), comma or |."""
    return parse_rows([_SPLIT.split(line, maxsplit=2) for line in (text or "").splitlines()])


def parse_upload(name: str, data: bytes) -> tuple[list[ListedProject], list[str]]:
    """An uploaded .xlsx (first sheet) or .csv/.txt project list."""
    if name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook
        try:
            ws = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        except Exception:  # any damaged workbook: one message
            return [], ["无法读取这个 Excel 文件，请另存为 .xlsx 后重试。"]
        return parse_rows([[("" if v is None else v) for v in row[:3]] for row in ws.iter_rows(values_only=True)])
    text = data.decode("utf-8-sig", errors="replace")
    return parse_rows(list(csv.reader(io.StringIO(text))) if "," in text and "\t" not in text else
                      [_SPLIT.split(line, maxsplit=2) for line in text.splitlines()])
