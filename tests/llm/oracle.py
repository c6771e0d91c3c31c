"""A scripted 'model' for extraction tests: answers each chunk with the hand-labelled gold, as a good model would."""

from __future__ import annotations

import json
import re
from pathlib import Path

from perfdraft.llm.grounding import normalise
from tests.llm.fake_server import FakeLLM, Reply

GOLD = Path(__file__).resolve().parents[2] / "eval" / "fixtures" / "gold"


def gold_projects(stem: str) -> list[dict]:
    return json.loads((GOLD / f"{stem}.json").read_text(encoding="utf-8"))["projects"]


def _budget_as_written(x: float | None, chunk: str) -> tuple[str | None, str | None]:
    if x is None:
        return None, None
    for text, unit in ((f"{x:.2f}", "万元"), (f"{x:g}", "万元"), (f"{x:.1f}", "万元"), (f"{x * 10000:.2f}", "元"),
                       (f"{x * 10000:g}", "元")):
        if re.search(r"(?<![\d.])" + re.escape(text) + r"(?![\d])", chunk):
            return text, unit
    return None, None


def table_answer(project: dict, chunk: str) -> dict:
    """The gold project in the shape the extract_table prompt asks for."""
    budget, unit = _budget_as_written(project["budget_wan"], normalise(chunk))
    keep = ("level1", "level2", "level3", "description", "value", "period_value", "basis")
    return {"name": project["name"], "code": project["code"], "unit": project["unit"], "budget": budget,
            "budget_unit": unit, "purpose": project["purpose"], "goals": project["goals"],
            "indicators": [{k: row[k] for k in keep} for row in project["indicators"]]}


def match_project(projects: list[dict], chunk: str) -> dict | None:
    """The gold project this chunk is the table of: its name occurs, its code too when it has one."""
    c = normalise(chunk)
    found = [p for p in projects if normalise(p["name"]) in c and (not p["code"] or normalise(p["code"]) in c)]
    return max(found, key=lambda p: len(p["name"]), default=None)


def goals_answer(chunk: str) -> dict:
    """Department goals read off the chunk the way the department_goals prompt describes."""
    lines = [ln.strip() for ln in chunk.splitlines() if ln.strip()]
    goals = [{"title": "总体绩效目标", "goal": lines[1] if len(lines) > 1 else "", "indicators": []}]
    for i, ln in enumerate(lines):
        m = re.match(r"^[（(][一二三四五六七八九十]+[)）]\s*(.+)$", ln)
        if m and "绩效目标" not in ln:
            goal = next((x.split("：", 1)[1] for x in lines[i + 1:i + 3] if x.startswith("绩效目标：")), "")
            ind = next((x.split("：", 1)[1] for x in lines[i + 1:i + 4] if x.startswith("绩效指标：")), "")
            goals.append({"title": m.group(1), "goal": goal,
                          "indicators": [s + "。" for s in ind.split("。") if s.strip()]})
    return {"goals": goals}


class Oracle:
    """Responder: gold tables for extract_table requests, read-off goals for department_goals requests."""

    def __init__(self, stem: str, edit=None):
        self.projects = gold_projects(stem)
        self.edit = edit  # optional (answer dict, chunk) -> answer dict, to script a misbehaving model

    def __call__(self, req: dict) -> Reply:
        chunk = FakeLLM.document(req)
        if "department goals" in FakeLLM.user_text(req):
            answer = goals_answer(chunk)
        else:
            project = match_project(self.projects, chunk)
            answer = table_answer(project, chunk) if project else {"name": "?", "indicators": []}
        if self.edit:
            answer = self.edit(answer, chunk)
        return Reply(content=json.dumps(answer, ensure_ascii=False))
