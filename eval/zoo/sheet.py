"""One 绩效目标表 as the zoo renders it: header block, column names and filled body rows, plus layout options."""

from __future__ import annotations

from dataclasses import dataclass, field

from perfdraft.core.models import Project

LEVEL_COLS = 3  # 一级指标, 二级指标, 三级指标 always lead the body
BASE_COLUMNS = {  # column name -> the gold field whose text fills it
    "一级指标": "level1", "二级指标": "level2", "三级指标": "level3", "绩效指标描述": "description",
    "实施周期指标值": "period_value", "指标值": "value", "指标值确定依据": "basis",
}


@dataclass
class Sheet:
    """A table to render; a cell may hold several lines (`\\n`), which each format shows its own way."""

    title: str | None
    fields: list[tuple[str, str]]  # header block: label -> value, in order
    columns: list[str]
    rows: list[list[str]]  # one filled row per indicator (no cell omitted)
    unit_line: str | None = None  # the budget-unit line printed above the table
    money_note: str | None = None  # e.g. 单位:元, printed once above the table
    title_in_table: bool = False  # the title is the first row of the grid
    merged: int = 0  # leading columns whose runs of equal cells are one merged cell (or omitted in text)
    lead: int = 0  # columns printed left of the level columns (a 序号 row number); merging starts after them
    header_every: int | None = None  # repeat the column-name row after this many body rows (page breaks)
    header_lines: bool = False  # header block as separate label / value lines outside the grid
    group: str | None = None  # a stacked header: this name over the level columns, their own names a row below
    notes: list[str] = field(default_factory=list)

    def col(self, name: str) -> int:
        return self.columns.index(name)

    def header_rows(self) -> list[list[str]]:
        """The column-name row; with `group`, two rows: the group name and the other names, then the level names
        under the group (merged cells print their text once, the cells they cover are empty)."""
        if not self.group:
            return [list(self.columns)]
        levels = range(self.lead, self.lead + LEVEL_COLS)
        top = [(self.group if k == self.lead else "") if k in levels else c for k, c in enumerate(self.columns)]
        return [top, [c if k in levels else "" for k, c in enumerate(self.columns)]]


def budget_text(wan: float | None) -> str:
    """A 万元 amount as a table prints it (two decimals)."""
    return "" if wan is None else f"{wan:.2f}"


def numbered(items: list[str]) -> str:
    """Goals as the tables print them: one numbered item per line."""
    return "\n".join(f"{i}.{g}" for i, g in enumerate(items, 1))


def baseline_sheet(p: Project, number: int) -> Sheet:
    """The plain rendering of a gold table: the columns its fields need, every header field the gold states."""
    has = {f: any(getattr(i, f) for i in p.indicators) for f in ("description", "period_value", "basis")}
    columns = [c for c, f in BASE_COLUMNS.items() if f not in has or has[f]]
    rows = [[getattr(i, BASE_COLUMNS[c]) or "" for c in columns] for i in p.indicators]
    fields = [("项目名称", p.name)]
    if p.code:
        fields.append(("项目编码", p.code))
    if p.budget_wan is not None:
        fields.append(("预算数(万元)", budget_text(p.budget_wan)))
    fields.append(("资金用途", p.purpose or ""))
    fields.append(("绩效目标", numbered(p.goals)))
    return Sheet(title=f"{number}.{p.name}绩效目标表", fields=fields, columns=columns, rows=rows,
                 unit_line=p.unit)


def grid_rows(sheet: Sheet) -> list[list[str]]:
    """The table as rows of cells: optional title row, header block (label, value), column names, body."""
    out: list[list[str]] = []
    if sheet.title_in_table and sheet.title:
        out.append([sheet.title])
    if not sheet.header_lines:
        out += [[label, value] for label, value in sheet.fields]
    out += body_rows(sheet)
    return out


def body_rows(sheet: Sheet) -> list[list[str]]:
    """Column-name rows and body rows, with the column-name rows repeated at every page break."""
    out = sheet.header_rows()
    for k, row in enumerate(sheet.rows):
        if sheet.header_every and k and k % sheet.header_every == 0:
            out += sheet.header_rows()
        out.append(list(row))
    return out


def merge_runs(rows: list[list[str]], sheet: Sheet, merged: int | None = None) -> list[list[int]]:
    """Row span of every body cell: n > 0 on the first row of a run of equal cells, 0 on the rows it covers.
    The `merged` (default: the sheet's) columns after its `lead` ones merge (a row-number column never does)."""
    # a run in column c never crosses a run boundary of the level columns left of it, nor a repeated column-name row
    columns, lead, headers = sheet.columns, sheet.lead, sheet.header_rows()
    merged = sheet.merged if merged is None else merged
    spans = [[1] * len(r) for r in rows]
    for c in range(lead, min(lead + merged, len(columns))):
        start = None
        for k, row in enumerate(rows):
            is_body = row not in headers and len(row) == len(columns)
            same = (start is not None and is_body and row[c] == rows[start][c] and row[c]
                    and all(spans[k][x] == 0 for x in range(lead, c)))
            if same:
                spans[start][c] += 1
                spans[k][c] = 0
            else:
                start = k if is_body else None
    return spans
