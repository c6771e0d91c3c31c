"""Domain models: the pydantic contract between ingest, extraction, drafting, eval and the edges."""

# Start-up (a one-file `perfdraft extract` builds the models it uses at import): annotations are objects, not
# strings pydantic would evaluate again (no `from __future__ import annotations`); an empty list or dict default
# is written as `[]` / `{}`: pydantic gives each instance its own copy, as a factory would, and does not inspect a
# factory's signature for every field.

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_serializer

GOLD_SCHEMA = "perf-targets-gold/1"

Op = Literal["≥", "≤", ">", "<", "="]
TargetKind = Literal["number", "range", "date", "text"]
Scope = Literal["project", "department"]
Severity = Literal["error", "warning"]
BBox = tuple[float, float, float, float]
# Models the text extract path never validates or dumps (file loaders, drafting, citations) are built at their
# first use, not at import; a model that holds one builds that part of its schema itself.
BUILT_AT_FIRST_USE = ConfigDict(defer_build=True)


def _compact_number(v: float | None) -> float | int | None:
    """Serialise 90.0 as 90 so output matches the hand-written gold files."""
    if v is None:
        return None
    return int(v) if float(v).is_integer() else v


# --------------------------------------------------------------------------------------------
# ingest: file -> Document
# --------------------------------------------------------------------------------------------


class TextLine(BaseModel):
    """One line of the text layer, in reading order."""

    model_config = BUILT_AT_FIRST_USE

    text: str
    page: int = Field(1, description="1-based page number (1 for plain text files)")
    lineno: int = Field(description="1-based line number in the whole document's text layer")
    bbox: BBox | None = Field(None, description="x0, y0, x1, y1 on the page (PDF only)")
    table: int | None = Field(None, description="index into Document.tables when the line belongs to a table grid")
    confidence: float | None = Field(None, description="OCR recognition confidence in [0, 1]; None when not OCR'd")


class TableCell(BaseModel):
    """One (origin) cell of a table grid; merged cells carry their spans."""

    model_config = BUILT_AT_FIRST_USE

    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1
    page: int | None = None
    bbox: BBox | None = None
    lineno: int | None = Field(None, description="first text line of the cell, when known")
    confidence: float | None = Field(None, description="lowest OCR confidence of the cell's lines; None when not OCR'd")


def span_matrix(cells, n_rows: int, n_cols: int, fill_merged: bool = False) -> list[list[str]]:
    """Dense text matrix of cells with row/col spans; merged areas hold the origin's text only unless fill_merged."""
    m = [["" for _ in range(n_cols)] for _ in range(n_rows)]
    for c in cells:
        for r in range(c.row, min(c.row + c.rowspan, n_rows)):
            for k in range(c.col, min(c.col + c.colspan, n_cols)):
                if fill_merged or (r == c.row and k == c.col):
                    m[r][k] = c.text
    return m


def covering_cell(cells, row: int, col: int):
    """The cell whose span covers (row, col), or None."""
    for c in cells:
        if c.row <= row < c.row + c.rowspan and c.col <= col < c.col + c.colspan:
            return c
    return None


class TableGrid(BaseModel):
    """A table as a grid of cells, from a real table structure (DOCX, PDF ruling) or a text layout."""

    model_config = BUILT_AT_FIRST_USE

    index: int
    page: int = Field(1, description="page on which the table starts")
    pages: list[int] = Field([], description="all pages the (stitched) table covers")
    n_rows: int
    n_cols: int
    cells: list[TableCell] = []
    origin: str = Field("", description="how the grid was found: docx, pdf-ruling, text-tabs, text-cells ...")
    line_start: int | None = Field(None, description="first text line number covered by the table")
    line_end: int | None = Field(None, description="last text line number covered by the table")

    def matrix(self, fill_merged: bool = False) -> list[list[str]]:
        """Dense rows x cols text matrix; merged areas hold the text at the origin only unless fill_merged."""
        return span_matrix(self.cells, self.n_rows, self.n_cols, fill_merged)

    def cell_at(self, row: int, col: int) -> TableCell | None:
        """The cell covering (row, col), merged spans included."""
        return covering_cell(self.cells, row, col)


class Page(BaseModel):
    model_config = BUILT_AT_FIRST_USE

    number: int
    width: float | None = None
    height: float | None = None
    lines: list[TextLine] = []


DocFormat = Literal["text", "markdown", "pdf", "docx", "xlsx", "csv", "html", "xls", "doc", "wps", "et", "image"]
DocStatus = Literal["ok", "scanned", "empty"]


class Document(BaseModel):
    """A loaded file: pages of text lines plus table grids, independent of the file format."""

    model_config = BUILT_AT_FIRST_USE

    source: str = Field(description="path of the file as given")
    name: str = Field(description="file name")
    sha256: str
    format: DocFormat
    encoding: str | None = None
    pages: list[Page] = []
    tables: list[TableGrid] = []
    status: DocStatus = "ok"
    warnings: list[str] = []

    @property
    def lines(self) -> list[TextLine]:
        return [ln for p in self.pages for ln in p.lines]

    @property
    def text(self) -> str:
        return "\n".join(ln.text for ln in self.lines)


# --------------------------------------------------------------------------------------------
# extraction: Document -> PerformanceDocument (the gold shape of eval/fixtures/SCHEMA.md + extras)
# --------------------------------------------------------------------------------------------


class SourceRef(BaseModel):
    """Where a value came from: file, page, line range or table cell, and the verbatim source text."""

    file: str = Field(description="the source file's name (Document.name, no directories), never a full path: "
                                  "results stay the same wherever the file was read from")
    page: int | None = None
    line: int | None = Field(None, description="first 1-based line of the text layer")
    line_end: int | None = None
    table: int | None = Field(None, description="index of the table grid in the Document")
    row: int | None = None
    col: int | None = None
    text: str = Field("", description="verbatim source text the value was read from")


class Citation(BaseModel):
    """A past indicator row a drafted row was derived from."""

    model_config = BUILT_AT_FIRST_USE

    document: str = Field(description="source file of the past table")
    project: str = Field(description="name of the past project")
    project_id: str | None = Field(None, description="store id of the past project (names repeat within a document)")
    row: int = Field(description="0-based index of the indicator row in that project")
    level3: str | None = None
    value: str | None = None
    year: int | None = None
    department: str | None = None
    score: float | None = Field(None, description="similarity of the past project to the brief")
    budget_wan: float | None = Field(None, description="预算数 of the past project (lint compares the scale)")


class Target(BaseModel):
    """An indicator value parsed into a comparable form."""

    kind: TargetKind = Field(description="number, range, date (deadline) or text (qualitative)")
    op: Op | None = Field(None, description="comparison sign; bare numbers are '='; null for range and text")
    num: float | None = Field(None, description="the number; for dates YYYYMMDD")
    num_max: float | None = Field(None, description="upper end of a range")
    unit: str | None = Field(None, description="'%' for %/％/百分比, else the unit as written after the number")

    @field_serializer("num", "num_max")
    def _ser_num(self, v: float | None) -> float | int | None:
        return _compact_number(v)


EMPTY_TARGET = Target(kind="text")


class Indicator(BaseModel):
    """One row of the indicator grid."""

    model_config = ConfigDict(populate_by_name=True)

    level1: str = Field(description="一级指标 as the document names it, e.g. 产出指标")
    level2: str = Field(description="二级指标, e.g. 数量指标")
    level3: str = Field(description="三级指标 name")
    description: str | None = Field(None, description="绩效指标描述; null when the layout has no such column")
    value: str = Field("", description="指标值 as written (年度指标值 when there are two value columns)")
    period_value: str | None = Field(None, description="实施周期指标值 where the layout has it")
    basis: str | None = Field(None, description="指标值确定依据; null when absent")
    target: Target = Field(default_factory=lambda: EMPTY_TARGET.model_copy())
    extra: dict[str, str] = Field({}, description="columns the schema has no field for "
                                                                    "(权重, 指标性质, 备注 …), by header name")
    source: SourceRef | None = Field(None, description="provenance of the row")
    sources: list[Citation] = Field([], description="past rows a drafted row derives from")
    warnings: list[str] = []


class Project(BaseModel):
    """One 绩效目标表: header fields, goals and indicator rows."""

    scope: Scope = "project"
    name: str
    code: str | None = None
    unit: str | None = None
    budget_wan: float | None = Field(None, description="预算数 in 万元 (元 amounts divided by 10000)")
    purpose: str | None = None
    goals: list[str] = []
    indicators: list[Indicator] = []
    source: SourceRef | None = Field(None, description="provenance of the table as a whole")
    confidence: float = Field(1.0, ge=0.0, le=1.0, description="extractor's confidence in this table (drafts leave it at 1.0: how close their sources were is DraftResult.retrieval_score)")
    warnings: list[str] = []
    backend: str = Field("rules", description="which backend produced this table: rules, llm, hybrid")


class DepartmentGoal(BaseModel):
    """A narrative department goal (总体/分项绩效目标) with its indicator sentences."""

    title: str
    goal: str = ""
    indicators: list[str] = []
    source: SourceRef | None = None


class PerformanceDocument(BaseModel):
    """Everything extracted from one published 部门预算绩效文本."""

    model_config = ConfigDict(populate_by_name=True)

    schema_: str = Field(GOLD_SCHEMA, alias="schema")
    source: str | None = None
    department: str | None = None
    year: int | None = None
    projects: list[Project] = []
    department_goals: list[DepartmentGoal] = []
    warnings: list[str] = []

    def to_json(self) -> str:
        return self.model_dump_json(by_alias=True, indent=2)


# --------------------------------------------------------------------------------------------
# results, cost ledger
# --------------------------------------------------------------------------------------------


class Usage(BaseModel):
    """Cost ledger of LLM work (failed attempts included)."""

    calls: int = 0
    failed_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cache_hits: int = 0
    reasks: int = 0
    transport_retries: int = 0
    wall_s: float = 0.0
    example_tokens: int = Field(0, description="estimated prompt tokens spent on retrieved examples")

    def add(self, other: "Usage") -> "Usage":
        for name in type(self).model_fields:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        return self


class ErrorInfo(BaseModel):
    """A user-facing error: what went wrong, where."""

    kind: str
    message: str
    file: str | None = None
    page: int | None = None


class Rejection(BaseModel):
    """An LLM value the source does not contain where it belongs: reported, never written into a result."""

    table: int | None = Field(None, description="index of the project in the document (None: department goals)")
    row: int | None = Field(None, description="0-based indicator row in the model's answer")
    field: str
    claimed: str = Field(description="the text the model claimed")
    reason: str


ResultStatus = Literal["success", "partial_success", "failure", "skipped"]


class ExtractionResult(BaseModel):
    """What extracting one file produced: a status, the document (if any), errors and cost."""

    source: str
    status: ResultStatus
    document: PerformanceDocument | None = None
    errors: list[ErrorInfo] = []
    warnings: list[str] = []
    backend: str = "rules"
    seconds: float = 0.0
    usage: Usage = Field(default_factory=Usage)
    rejections: list[Rejection] = Field([], description="LLM values the source does not contain")


# --------------------------------------------------------------------------------------------
# drafting
# --------------------------------------------------------------------------------------------


class ProjectBrief(BaseModel):
    """What a staff member says about next year's project."""

    model_config = BUILT_AT_FIRST_USE

    name: str = Field(min_length=1, description="项目名称")
    budget_wan: float = Field(gt=0, description="预算数 in 万元")
    year: int = Field(ge=2000, le=2100, description="budget year")
    department: str | None = None
    purpose: str | None = Field(None, description="资金用途")
    last_year: Project | None = Field(None, description="last year's table for the same project, if any")


class LintFinding(BaseModel):
    """One rule-check finding on a draft or extracted table."""

    model_config = BUILT_AT_FIRST_USE

    rule: str = Field(description="rule id, e.g. L01-level1")
    severity: Severity
    message: str = Field(description="message in Chinese")
    row: int | None = Field(None, description="0-based indicator row, None for table-level findings")
    field: str | None = None


class RetrievedProject(BaseModel):
    """A past project found similar to a brief."""

    model_config = BUILT_AT_FIRST_USE

    id: str
    score: float
    document: str
    department: str | None = None
    year: int | None = None
    project: Project


class DraftResult(BaseModel):
    """A drafted table with its sources and lint findings."""

    model_config = BUILT_AT_FIRST_USE

    brief: ProjectBrief
    project: Project
    examples: list[RetrievedProject] = []
    findings: list[LintFinding] = []
    backend: str = "rules"
    usage: Usage = Field(default_factory=Usage)
    retrieval_score: float = Field(0.0, ge=0.0, le=1.0,
                                   description="best retrieval score among the past tables drafted from (0: none)")
    status: Literal["drafted", "no_precedent"] = Field(
        "drafted", description="no_precedent: no past table was similar enough, the draft is the kind's template")
    notices: list[str] = Field([], description="plain notices for the user (Chinese)")

    @property
    def errors(self) -> list[LintFinding]:
        return [f for f in self.findings if f.severity == "error"]
