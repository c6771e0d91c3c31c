"""The draft table as an editable grid: Project <-> DataFrame, keeping each row's citations across edits."""

from __future__ import annotations

import math

import pandas as pd

from perfdraft.core.models import Indicator, Project, Target
from perfdraft.core.values import parse_target as _parse_target
from perfdraft.ui.fmt import SEVERITY_ZH, citations_text

# column -> Indicator field; the 来源 column is display only
EDITABLE = {"一级指标": "level1", "二级指标": "level2", "三级指标": "level3", "指标描述": "description",
            "指标值": "value", "指标值确定依据": "basis"}
SOURCE_COL = "来源"
COLUMNS = [*EDITABLE, SOURCE_COL]



def parse_target(value: str) -> Target:
    """Parse an edited 指标值 with extraction's value parser (the one parser)."""
    try:
        return _parse_target(value)
    except Exception:  # a parser hiccup must not break editing: keep the text, untyped
        return Target(kind="text")


def project_to_frame(project: Project) -> pd.DataFrame:
    """One row per indicator; the index is the row number in the project."""
    rows = []
    for ind in project.indicators:
        rows.append({
            "一级指标": ind.level1, "二级指标": ind.level2, "三级指标": ind.level3,
            "指标描述": ind.description or "", "指标值": ind.value, "指标值确定依据": ind.basis or "",
            SOURCE_COL: citations_text(ind.sources) or "（新增，无来源）",
        })
    return pd.DataFrame(rows, columns=COLUMNS)


def _cell(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return str(v).strip()


def frame_to_project(frame: pd.DataFrame, base: Project) -> Project:
    """Apply an edited grid to the base project: changed cells update fields, a changed value is re-parsed."""
    indicators: list[Indicator] = []
    for idx, rec in frame.iterrows():
        orig = None
        if isinstance(idx, int) and 0 <= idx < len(base.indicators):
            orig = base.indicators[idx]
        values = {field: _cell(rec.get(col)) for col, field in EDITABLE.items()}
        if orig is None and not any(values.values()):
            continue  # an added row left blank
        ind = orig.model_copy(deep=True) if orig else Indicator(level1="", level2="", level3="")
        for field, v in values.items():
            if field in ("description", "basis"):
                setattr(ind, field, v or None)
            else:
                setattr(ind, field, v)
        if orig is None or values["value"] != (orig.value or ""):
            ind.target = parse_target(values["value"])
        indicators.append(ind)
    return base.model_copy(update={"indicators": indicators}, deep=True)


def findings_frame(findings) -> pd.DataFrame:
    """Lint findings as a small table: row (1-based), severity, rule, message."""
    rows = [{"行": (f.row + 1) if f.row is not None else "整表", "级别": SEVERITY_ZH.get(f.severity, f.severity),
             "规则": f.rule, "说明": f.message} for f in findings]
    return pd.DataFrame(rows, columns=["行", "级别", "规则", "说明"])
