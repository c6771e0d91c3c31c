"""Reading tables to lint or to use as last year's: a Project, a DraftResult or a PerformanceDocument."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ValidationError

from perfdraft.core.errors import InputError
from perfdraft.core.models import DraftResult, PerformanceDocument, Project
from perfdraft.extraction.api import extract_file


class LintTarget(BaseModel):
    """One table with the budget year it is for (None when the file does not say)."""

    project: Project
    year: int | None = None
    last_year: Project | None = None


def load_tables(path: str | Path) -> list[LintTarget]:
    """Every table in a JSON file, whatever its shape; InputError naming the file otherwise."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("file not found", file=str(path)) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"not a readable JSON file: {exc}", file=str(path)) from None
    if not isinstance(data, dict):
        raise InputError("expected a JSON object (a project, a draft or a document)", file=str(path))
    try:
        if "brief" in data and "project" in data:
            d = DraftResult.model_validate(data)
            return [LintTarget(project=d.project, year=d.brief.year, last_year=d.brief.last_year)]
        if "projects" in data:
            doc = PerformanceDocument.model_validate(data)
            return [LintTarget(project=p, year=doc.year) for p in doc.projects]
        if "indicators" in data and "name" in data:
            return [LintTarget(project=Project.model_validate(data))]
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(x) for x in first["loc"])
        raise InputError(f"invalid table at {loc}: {first['msg']}", file=str(path)) from None
    raise InputError("not a project, draft or document JSON (no 'indicators', 'project' or 'projects')",
                     file=str(path))


def load_project(path: str | Path) -> Project:
    """The single table of a file (a document's first project table), e.g. last year's for a brief."""
    path = Path(path)
    if path.suffix.lower() != ".json":
        res = extract_file(path)
        if res.document is None or not res.document.projects:
            msg = res.errors[0].message if res.errors else "no 绩效目标表 found"
            raise InputError(msg, file=str(path))
        return res.document.projects[0]
    tables = load_tables(path)
    if not tables:
        raise InputError("the file holds no table", file=str(path))
    return tables[0].project
