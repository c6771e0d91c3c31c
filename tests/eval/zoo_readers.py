"""Readers for the layout zoo's files that share no code with the zoo or the extractor: the zoo's own check."""

from __future__ import annotations

import re
from pathlib import Path

COLUMN_ROLE = {  # column header -> gold field, as SCHEMA.md labels the layouts
    "一级指标": "level1", "二级指标": "level2", "三级指标": "level3", "绩效指标描述": "description",
    "指标值": "value", "年度指标值": "value", "长期指标值": "period_value", "实施期指标值": "period_value",
    "实施周期指标值": "period_value", "指标值确定依据": "basis", "绩效标准": "basis",
}
LABEL_ROLE = {"项目名称": "name", "项目编码": "code", "预算数(万元)": "budget_wan", "资金总额(万元)": "budget_wan",
              "预算数": "budget_yuan", "资金用途": "purpose", "项目概述": "purpose", "绩效目标": "goals",
              "年度绩效目标": "goals", "年度目标": "goals"}


def squash(text: str | None) -> str:
    """Text without whitespace (wrapped cells joined)."""
    return re.sub(r"\s+", "", text or "")


def text_rows(text: str, style: str) -> list[list[str]]:
    """Rows of a tab or pipe rendering; a line whose first cell is empty continues the row above."""
    rows: list[list[str]] = []
    for line in text.replace("\f", "").split("\n"):
        if style == "pipe":
            if not line.startswith("| "):
                cells = [line]
            else:
                cells = line[2:-2].split(" | ")
        else:
            cells = line.split("\t")
        if rows and len(cells) > 1 and cells[0] == "" and any(cells):
            prev = rows[-1]
            for k, c in enumerate(cells):
                if c and k < len(prev):
                    prev[k] = f"{prev[k]}\n{c}"
            continue
        rows.append(cells)
    return rows


def xlsx_rows(path: Path) -> list[list[str | None]]:
    from openpyxl import load_workbook

    wb = load_workbook(path)
    return [list(r) for ws in wb.worksheets for r in ws.iter_rows(values_only=True)]


def docx_rows(path: Path) -> list[list[str | None]]:
    import docx

    d = docx.Document(str(path))
    return [[c.text for c in row.cells] for t in d.tables for row in t.rows]


def pdf_rows(path: Path) -> list[list[str | None]]:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return [row for page in pdf.pages for t in page.extract_tables() for row in t]


def parse_tables(rows: list[list[str | None]]) -> list[dict]:
    """Tables of filled grids: header fields (label, value) before the column row, body rows after it."""
    tables: list[dict] = []
    cur = None
    for cells in rows:
        texts = [c for c in cells if c]
        if not texts or len(set(texts)) == 1 and squash(texts[0]) not in LABEL_ROLE:
            continue  # blank, heading, unit line, money note, title row
        if squash(cells[0]) == "项目名称":
            cur = {"fields": {}, "columns": None, "rows": []}
            tables.append(cur)
        if cur is None:
            continue
        names = [squash(c) for c in cells]
        if cur["columns"] is None:
            if "三级指标" in names:  # under a 绩效指标 row, the names left empty are on that row (merged down)
                upper = cur.get("upper") or [""] * len(names)
                cur["columns"] = [n or (upper[k] if k < len(upper) else "") for k, n in enumerate(names)]
                cur["skip"] = [names, upper]
            elif names[0] == "绩效指标":
                cur["upper"] = names
            elif len(cells) > 1:
                cur["fields"][names[0]] = cells[1] or ""
            continue
        if names == cur["columns"] or names in cur["skip"] or len(cells) != len(cur["columns"]):
            continue  # a column-name row repeated at a page break
        prev = cur["rows"][-1] if cur["rows"] else None
        cur["rows"].append([c if c is not None else (prev[k] if prev and k < 2 else "") for k, c in enumerate(cells)])
    return tables


def as_gold(table: dict) -> dict:
    """A parsed table in the gold's field names (度量单位 joined to the value with one space, a 比较符 put
    before it)."""
    out: dict = {"indicators": []}
    for label, value in table["fields"].items():
        role = LABEL_ROLE.get(label)
        if role == "budget_wan":
            out["budget_wan"] = float(value)
        elif role == "budget_yuan":
            out["budget_wan"] = float(value) / 10000
        elif role:
            out[role] = value
    for row in table["rows"]:
        ind, unit, op = {}, "", ""
        for name, cell in zip(table["columns"], row):
            if name in COLUMN_ROLE:
                ind[COLUMN_ROLE[name]] = cell or ""
            elif name == "度量单位":
                unit = cell or ""
            elif name == "比较符":
                op = cell or ""
        if op:
            ind["value"] = op + ind["value"]
        if unit:
            ind["value"] = f"{ind['value']} {unit}"
        out["indicators"].append(ind)
    return out
