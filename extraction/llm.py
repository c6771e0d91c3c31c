"""LLM and hybrid extraction: per table section, schema-validated, grounded, reconciled with the rules parser."""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Literal

from pydantic import BaseModel, Field

from perfdraft.core import lexicon
from perfdraft.core.errors import BudgetExceeded, LLMError, LLMTruncated, LLMUnavailable
from perfdraft.extraction.rules import _effect_name, extract_rules, extract_section
from perfdraft.extraction.segment import find_sections
from perfdraft.core.values import parse_target as _parse
from perfdraft.llm.client import LLMClient
from perfdraft.llm.grounding import ChunkGrounder, Finding, Grounder, normalise, source_units
from perfdraft.extraction.llm_examples import estimate_tokens, examples_block, open_store, table_query
from perfdraft.llm.ledger import Ledger
from perfdraft.llm.prompts import load_prompt, render
from perfdraft.llm.protocol import StructuredClient
from perfdraft.core.models import (DepartmentGoal, Document, ErrorInfo, ExtractionResult, Indicator,
                                   PerformanceDocument, Project, Rejection, SourceRef, Target)
from perfdraft.core.settings import Settings

log = logging.getLogger("perfdraft.extraction.llm")

HYBRID_MIN_CONFIDENCE = 0.9  # rules tables below this (or with warnings) go to the LLM in hybrid mode
MAX_GOALS_CHARS = 6000  # a narrative longer than this is sent in several chunks


# ---------------------------------------------------------------------------------------------------------
# What the model is asked to return: the schema is the prompt, so every field says what to copy.
# ---------------------------------------------------------------------------------------------------------


class LLMIndicatorRow(BaseModel):
    """One indicator row, copied verbatim."""

    level1: str = Field(description="一级指标 as written (产出指标, 效益指标, 效果指标, 成本指标, 满意度指标), filled down")
    level2: str = Field(description="二级指标 as written (数量指标, 质量指标, 社会效益指标, ...), filled down")
    level3: str = Field(description="三级指标 name as written")
    description: str | None = Field(None, description="绩效指标描述; null when there is no such column or it is empty")
    value: str = Field("", description="指标值 as written (年度指标值 when there are two value columns); '' when empty")
    period_value: str | None = Field(None, description="实施周期指标值 when the table has that column, else null")
    basis: str | None = Field(None, description="指标值确定依据; null when absent or empty")


class LLMTable(BaseModel):
    """One 绩效目标表: header fields, goals and every indicator row in table order."""

    name: str = Field(description="项目名称 / 专项资金名称 as written (or the heading without numbering and 绩效目标表)")
    code: str | None = Field(None, description="项目编码, null when empty or absent")
    unit: str | None = Field(None, description="budget unit line above the table or 用款单位, null when absent")
    budget: str | None = Field(None, description="预算数 / 预算金额 exactly as written, e.g. '25.00'; null when absent")
    budget_unit: Literal["万元", "元"] | None = Field(None, description="unit of budget as the table states")
    purpose: str | None = Field(None, description="资金用途 / 项目概述 text, null when empty")
    goals: list[str] = Field(default_factory=list, description="绩效目标 items without leading numbering")
    indicators: list[LLMIndicatorRow] = Field(default_factory=list, description="every indicator row, in order")


class LLMDepartmentGoal(BaseModel):
    """One narrative department goal."""

    title: str = Field(description="总体绩效目标, or the 分项 heading without its numbering")
    goal: str = Field("", description="the goal text, verbatim")
    indicators: list[str] = Field(default_factory=list, description="its 绩效指标 sentences, verbatim; [] when none")


class LLMDepartmentGoals(BaseModel):
    """The narrative department goals of a document."""

    goals: list[LLMDepartmentGoal] = Field(default_factory=list)


# ---------------------------------------------------------------------------------------------------------
# Chunks: the table detector decides them (one function, so the detector can be swapped).
# ---------------------------------------------------------------------------------------------------------


class Chunk(BaseModel):
    """The text of one table section with its line range and grids, and the rules parser's reading of it."""

    index: int
    text: str
    line_start: int | None = None
    line_end: int | None = None
    page: int | None = None
    tables: list[int] = Field(default_factory=list, description="indexes into Document.tables")
    rules: Project | None = None


def table_chunks(doc: Document, sections: list | None = None) -> list[Chunk]:
    """One chunk per table section the detector found (segment.find_sections today), with the rules reading."""
    sections = find_sections(doc) if sections is None else sections
    effect = _effect_name(doc.text)
    chunks: list[Chunk] = []
    for i, section in enumerate(sections):
        try:
            rules = extract_section(doc, section, effect_name=effect)
        except Exception as exc:  # the LLM path must still run when the rules parser trips on a layout
            log.warning("rules parser failed on section %d of %s: %s", i, doc.name, exc)
            rules = None
        chunks.append(Chunk(index=i, text=section.text, line_start=section.line_start, line_end=section.line_end,
                            page=section.page_start, tables=list(section.tables), rules=rules))
    return chunks


def split_chunk(chunk: Chunk, doc: Document) -> list[Chunk] | None:
    """Two halves of a chunk at a line boundary (for an answer cut off at the output limit); None if too small."""
    if chunk.line_start is None or chunk.line_end is None or chunk.line_end - chunk.line_start < 3:
        return None
    lines = [ln for ln in doc.lines if chunk.line_start <= ln.lineno <= chunk.line_end]
    mid = len(lines) // 2
    parts = [lines[:mid], lines[mid:]]
    return [chunk.model_copy(update=dict(text="\n".join(ln.text for ln in part), line_start=part[0].lineno,
                                         line_end=part[-1].lineno, page=part[0].page, rules=None))
            for part in parts if part]


_BOOKMARK = re.compile(r"^\s*\[bookmark:[^\]]*\]")
_GOALS_START = re.compile(r"^[#\s]*[（(]?[一二三四五六七八九十\d]*[)）、.．]?\s*总体绩效目标\s*$")
_GOALS_END = re.compile(r"工作保障措施|^[#\s]*第二部分|绩效目标表\s*$|^[#\s]*[一二三四五六七八九十]+、(?!.*绩效目标)")


def goals_chunks(doc: Document, first_table_line: int | None = None) -> list[Chunk]:
    """The narrative 总体/分项绩效目标 region (table of contents skipped), split at paragraphs if long."""
    lines = [ln for ln in doc.lines]
    starts = [i for i, ln in enumerate(lines) if _GOALS_START.match(_BOOKMARK.sub("", ln.text))]
    start = None
    for i in starts:
        nxt = next((ln.text for ln in lines[i + 1:i + 6] if ln.text.strip()), "")
        if "分项绩效目标" not in nxt and not re.search(r"\.{4,}|…{2,}", nxt):
            start = i
            break
    if start is None:
        return []
    end = len(lines)
    for j in range(start + 1, len(lines)):
        t = _BOOKMARK.sub("", lines[j].text).strip()
        if _GOALS_END.search(t) and "分项绩效目标" not in t or (
                first_table_line is not None and lines[j].lineno >= first_table_line):
            end = j
            break
    region = lines[start:end]
    chunks: list[Chunk] = []
    buf: list = []
    for ln in region:
        if buf and sum(len(x.text) + 1 for x in buf) + len(ln.text) > MAX_GOALS_CHARS and not ln.text.strip():
            chunks.append(_chunk_of(len(chunks), buf))
            buf = []
        buf.append(ln)
    if buf:
        chunks.append(_chunk_of(len(chunks), buf))
    return chunks


def _chunk_of(i: int, lines) -> Chunk:
    return Chunk(index=i, text="\n".join(ln.text for ln in lines), line_start=lines[0].lineno,
                 line_end=lines[-1].lineno, page=lines[0].page)


def _fence(text: str) -> str:
    """Document text cannot close the <document> block it is placed in."""
    return re.sub(r"</?\s*document\s*>", lambda m: m.group(0).replace("<", "‹").replace(">", "›"), text,
                  flags=re.IGNORECASE)


# ---------------------------------------------------------------------------------------------------------
# Grounding: every value where it belongs (fed back to the model as re-ask feedback, then rejected or flagged).
# ---------------------------------------------------------------------------------------------------------

ROW_FIELDS = ("level1", "level2", "level3", "description", "value", "period_value", "basis")
HEADER_FIELDS = ("name", "code", "unit", "purpose")


class TableGrounding(BaseModel):
    """What the source supports of one LLM table: findings, and each row's span."""

    findings: list = Field(default_factory=list, description="grounding.Finding items")
    rows: list = Field(default_factory=list, description="grounding.RowCheck per indicator row")

    def feedback(self) -> list[str]:
        return [f.feedback() for f in self.findings]


def chunk_grounder(chunk: Chunk, doc: Document) -> ChunkGrounder:
    """The chunk's source units (grid rows and lines) with the rules parser's row starts as row boundaries."""
    units = source_units(doc, chunk.line_start, chunk.line_end, chunk.tables)
    starts = {i.source.line for i in (chunk.rules.indicators if chunk.rules else []) if i.source and i.source.line}
    return ChunkGrounder(units, doc.name, boundary_lines=starts)


def ground_table(t: LLMTable, g: ChunkGrounder) -> TableGrounding:
    """Rows in their own span with levels matching the grid, header values at their labels, budget and unit."""
    out = TableGrounding()
    for f in HEADER_FIELDS:
        finding = g.check_header(f, getattr(t, f))
        if finding is not None:
            out.findings.append(finding)
    for k, goal in enumerate(t.goals):
        finding = g.check_header("goals", goal)
        if finding is not None:
            finding.field = f"goals[{k}]"
            out.findings.append(finding)
    finding = g.check_budget(t.budget, t.budget_unit)
    if finding is not None:
        out.findings.append(finding)
    rows = [row.model_dump() for row in t.indicators]
    for k, (row, span) in enumerate(zip(rows, g.row_spans([r["level3"] for r in rows]))):
        check = g.check_row(k, row, span)
        out.rows.append(check)
        out.findings += check.findings
    return out


def _goal_problems(goals: LLMDepartmentGoals, g: Grounder) -> list[Finding]:
    problems = []
    for k, goal in enumerate(goals.goals):
        for field, v in (("title", goal.title), ("goal", goal.goal)):
            if field == "title" and goal.title == "总体绩效目标":
                continue
            if not g.has(v):
                problems.append(Finding(None, f"department_goals[{k}].{field}", v, "not in the document"))
        for m, sent in enumerate(goal.indicators):
            if not g.has(sent):
                problems.append(Finding(None, f"department_goals[{k}].indicators[{m}]", sent,
                                        "not in the document"))
    return problems


# ---------------------------------------------------------------------------------------------------------
# Building typed results.
# ---------------------------------------------------------------------------------------------------------


def parse_target(value: str) -> Target:
    """The rules extractor's value parser (one parser for every backend)."""
    return _parse(value)


def _budget_wan(t: LLMTable) -> float | None:
    if not t.budget:
        return None
    m = re.search(r"\d+(?:\.\d+)?", normalise(t.budget).replace(",", ""))
    if not m:
        return None
    x = float(m.group(0))
    return round(x / 10000, 6) if t.budget_unit == "元" else x


def _locate(chunk: Chunk, doc: Document, needle: str | None) -> SourceRef | None:
    """The first line of the chunk that contains the value (normalised), as provenance."""
    if not needle or chunk.line_start is None:
        return None
    n = normalise(needle)
    for ln in doc.lines[chunk.line_start - 1:(chunk.line_end or chunk.line_start)]:
        if n and n in normalise(ln.text):
            return SourceRef(file=doc.name, page=ln.page, line=ln.lineno, text=ln.text)
    return None


def _rejection(f: Finding, table: int | None) -> Rejection:
    return Rejection(table=table, row=f.row, field=f.field, claimed=f.claimed or "", reason=f.reason)


def _why(f: Finding) -> str:
    """A warning that names the field and the reason but never repeats the unsupported text."""
    where = f"row {f.row + 1} {f.field}" if f.row is not None else f.field
    return f"LLM value rejected ({where}: {f.reason})"


def build_project(t: LLMTable, chunk: Chunk, doc: Document, grounding: TableGrounding, prompt_key: str,
                  policy: str = "reject") -> tuple[Project, list[Rejection]]:
    """A Project from the model's table; values the source does not support are rejected (or flagged)."""
    reject = policy == "reject"
    rejections = [_rejection(f, chunk.index) for f in grounding.findings]
    indicators = []
    for row, check in zip(t.indicators, grounding.rows):
        if check.dropped and reject:
            continue
        values = row.model_dump()
        warnings = []
        for f in check.findings:
            if reject and f.field in values:
                values[f.field] = "" if f.field in ("level1", "level2", "level3", "value") else None
            warnings.append(_why(f) if reject else f"LLM value not found in the source: {f.field}={f.claimed!r}")
        indicators.append(Indicator(**{k: values[k] for k in ROW_FIELDS}, target=parse_target(values["value"]),
                                    source=check.ref, warnings=warnings))
    header = {f: getattr(t, f) for f in HEADER_FIELDS}
    goals = [x for x in t.goals if x.strip()]
    budget = _budget_wan(t)
    warnings = [f"extracted by LLM with prompt {prompt_key}"]
    for f in grounding.findings:
        if f.row is not None:
            continue
        warnings.append(_why(f) if reject else f"LLM value not found in the source: {f.field}={f.claimed!r}")
        if not reject:
            continue
        if f.field in header:
            header[f.field] = None
        elif f.field.startswith("goals["):
            goals = [x for x in goals if x != f.claimed]
        elif f.field in ("budget", "budget_unit"):
            budget = None
    n_rows = sum(1 for f in grounding.findings if f.row is not None)
    if n_rows:
        warnings.append(f"{n_rows} row value(s) {'rejected' if reject else 'flagged'}: not in the source "
                        "where the model placed them (see the row warnings)")
    confidence = 0.9
    disagreements = 0
    if chunk.rules is not None and len(chunk.rules.indicators) != len(indicators):
        warnings.append(f"row count differs: LLM {len(indicators)} rows, rules parser "
                        f"{len(chunk.rules.indicators)} rows")
        disagreements += 1
    name = header["name"] or ""
    if chunk.rules is not None and chunk.rules.scope == "project" and chunk.rules.name and name:
        a, b = normalise(name), normalise(chunk.rules.name)
        if a not in b and b not in a:
            warnings.append(f"name differs: LLM {name!r}, rules parser {chunk.rules.name!r}")
            disagreements += 1
    confidence -= 0.3 * disagreements
    if grounding.findings:
        confidence = min(confidence, 0.4)
    project = Project(scope=chunk.rules.scope if chunk.rules else "project", name=normalise_name(name),
                      code=header["code"], unit=header["unit"], budget_wan=budget, purpose=header["purpose"],
                      goals=goals, indicators=indicators,
                      source=SourceRef(file=doc.name, page=chunk.page, line=chunk.line_start,
                                       line_end=chunk.line_end),
                      confidence=max(0.0, confidence), warnings=warnings, backend="llm")
    return project, rejections


def normalise_name(name: str) -> str:
    return re.sub(r"\s+", "", name)


# ---------------------------------------------------------------------------------------------------------
# The run.
# ---------------------------------------------------------------------------------------------------------


MAX_SPLITS = 2  # a chunk whose answer is cut off is halved at most this many times


class _Run:
    """State of one document's LLM extraction: ledger, stop flag, messages said once, rejected values."""

    def __init__(self, doc: Document, backend: str, settings: Settings, client):
        self.doc, self.backend, self.settings, self.client = doc, backend, settings, client
        self.policy = settings.llm_grounding
        self.ledger = Ledger(settings.llm_token_budget)
        self.stop: LLMError | None = None
        self.lock = threading.Lock()
        self.warnings: list[str] = []
        self.errors: list[ErrorInfo] = []
        self.rejections: list[Rejection] = []
        self.store = None  # set by extract_with_llm when examples are on

    def note(self, msg: str, error: ErrorInfo | None = None) -> None:
        with self.lock:
            if msg not in self.warnings:
                self.warnings.append(msg)
            if error is not None and all(e.message != error.message for e in self.errors):
                self.errors.append(error)

    def halt(self, exc: LLMError) -> None:
        with self.lock:
            if self.stop is None:
                self.stop = exc

    def needs_llm(self, chunk: Chunk) -> bool:
        if self.backend == "llm":
            return True
        r = chunk.rules
        return r is None or r.confidence < HYBRID_MIN_CONFIDENCE or bool(r.warnings)

    def _ask(self, chunk: Chunk, g: ChunkGrounder, depth: int = 0):
        """The model's table for a chunk (halved and merged when an answer is cut off), with its prompt key."""
        tpl = load_prompt("extract_table")
        examples = self.examples(chunk) if depth == 0 else ""
        prompt = render(tpl, schema=json.dumps(LLMTable.model_json_schema(), ensure_ascii=False),
                        chunk=_fence(chunk.text), examples=_fence(examples))
        if examples:
            self.ledger.bump(example_tokens=estimate_tokens(examples))
        try:
            answer = self.client.structured(prompt, LLMTable, ledger=self.ledger,
                                            check=lambda t: ground_table(t, g).feedback())
            return answer.value, answer.prompt
        except LLMTruncated:
            halves = split_chunk(chunk, self.doc) if depth < MAX_SPLITS else None
            if not halves:
                raise
            self.note(f"table {chunk.index}: the answer was cut off at the output limit; asked again in halves")
            parts = [self._ask(h, g, depth + 1) for h in halves]
            return _merge([p for p, _ in parts]), parts[0][1]

    def examples(self, chunk: Chunk) -> str:
        """Similar validated tables from the store (never this document), within the token budget."""
        block, _ = examples_block(self.store, table_query(chunk.text, chunk.rules), self.doc.name)
        budget = self.ledger.token_budget
        if block and budget is not None and self.ledger.tokens + estimate_tokens(block) > budget // 2:
            return ""  # the budget is for reading the document; examples only while it is plentiful
        return block

    def table(self, chunk: Chunk) -> Project | None:
        """The project for one section: the rules result, or the LLM's (falling back to rules on failure)."""
        if not self.needs_llm(chunk):
            return chunk.rules
        if self.stop is not None:
            return self._fallback(chunk, f"LLM not used: {self.stop.message}")
        g = chunk_grounder(chunk, self.doc)
        try:
            value, prompt_key = self._ask(chunk, g)
        except (LLMUnavailable, BudgetExceeded) as exc:
            self.halt(exc)
            if self.backend == "llm" and isinstance(exc, LLMUnavailable):
                raise
            self.note(f"LLM stopped: {exc.message}", ErrorInfo(kind=exc.kind, message=exc.message,
                                                               file=self.doc.source))
            return self._fallback(chunk, f"LLM not used: {exc.message}")
        except LLMError as exc:  # invalid or truncated answers, or a request this endpoint refuses
            self.note(f"table {chunk.index}: {exc.message}", ErrorInfo(kind=exc.kind, message=exc.message,
                                                                       file=self.doc.source))
            return self._fallback(chunk, f"LLM answer rejected: {exc.message}")
        grounding = ground_table(value, g)
        project, rejections = build_project(value, chunk, self.doc, grounding, prompt_key, self.policy)
        with self.lock:
            self.rejections += rejections
        if rejections and self.backend == "hybrid" and chunk.rules is not None and self.policy == "reject":
            return self._fallback(chunk, f"LLM answer not used: {len(rejections)} value(s) not in the source "
                                         "where the model placed them; kept the rules table")
        if self.backend == "hybrid" and chunk.rules is not None:
            project.warnings.append(f"rules parser was unsure (confidence {chunk.rules.confidence:.2f}"
                                    + (f"; {'; '.join(chunk.rules.warnings[:3])}" if chunk.rules.warnings else "")
                                    + ")")
        return project

    def _fallback(self, chunk: Chunk, why: str) -> Project | None:
        if chunk.rules is None:
            return None
        p = chunk.rules.model_copy(deep=True)
        p.warnings.append(why)
        return p

    def department_goals(self, first_table_line: int | None) -> list[DepartmentGoal]:
        """Narrative goals by the LLM (the rules extractor cannot read them); unsupported text is rejected."""
        out: list[DepartmentGoal] = []
        tpl = load_prompt("department_goals")
        for chunk in goals_chunks(self.doc, first_table_line):
            if self.stop is not None:
                break
            g = Grounder(chunk.text)
            prompt = render(tpl, schema=json.dumps(LLMDepartmentGoals.model_json_schema(), ensure_ascii=False),
                            chunk=_fence(chunk.text))
            try:
                answer = self.client.structured(prompt, LLMDepartmentGoals, ledger=self.ledger,
                                                check=lambda x: [f.feedback() for f in _goal_problems(x, g)])
            except (LLMUnavailable, BudgetExceeded) as exc:
                self.halt(exc)
                if self.backend == "llm" and isinstance(exc, LLMUnavailable):
                    raise
                self.note(f"LLM stopped: {exc.message}", ErrorInfo(kind=exc.kind, message=exc.message,
                                                                   file=self.doc.source))
                break
            except LLMError as exc:
                self.note(f"department goals: {exc.message}")
                continue
            findings = _goal_problems(answer.value, g)
            with self.lock:
                self.rejections += [_rejection(f, None) for f in findings]
            for f in findings:
                self.note(_why(f) if self.policy == "reject" else
                          f"department goals: LLM value not found in the source: {f.field}={f.claimed!r}")
            bad = {f.claimed for f in findings} if self.policy == "reject" else set()
            for goal in answer.value.goals:
                if goal.title in bad:
                    continue
                out.append(DepartmentGoal(title=goal.title, goal="" if goal.goal in bad else goal.goal,
                                          indicators=[x for x in goal.indicators if x not in bad],
                                          source=_locate(chunk, self.doc, goal.title) or SourceRef(
                                              file=self.doc.name, page=chunk.page, line=chunk.line_start,
                                              line_end=chunk.line_end)))
        return out


def _merge(parts: list[LLMTable]) -> LLMTable:
    """The answers for the halves of one table: header from the first that has it, rows in order."""
    first = parts[0]
    head = {f: next((getattr(p, f) for p in parts if getattr(p, f)), getattr(first, f))
            for f in ("name", "code", "unit", "budget", "budget_unit", "purpose")}
    goals = [x for p in parts for x in p.goals]
    return LLMTable(**head, goals=list(dict.fromkeys(goals)), indicators=[r for p in parts for r in p.indicators])


def _rules_result(doc: Document, warning: str, perf: PerformanceDocument | None = None,
                  status: str = "success") -> ExtractionResult:
    perf = perf.model_copy(deep=True) if perf is not None else extract_rules(doc)
    perf.warnings.append(warning)
    return ExtractionResult(source=doc.source, status=status, document=perf, backend="rules",
                            warnings=[warning])


def extract_with_llm(doc: Document, backend: str, settings: Settings,
                     client: StructuredClient | None = None, store=None) -> ExtractionResult:
    """Extract with backend 'llm' (every table by the model) or 'hybrid' (rules first, unsure tables by the model)."""
    if backend not in ("llm", "hybrid"):
        raise ValueError(f"unknown LLM backend {backend!r}")
    if client is None and not settings.llm_configured:
        if backend == "hybrid":
            return _rules_result(doc, "hybrid: no LLM endpoint configured (set PERFDRAFT_LLM_BASE_URL and "
                                      "PERFDRAFT_LLM_MODEL); ran as rules")
        settings.require_llm()  # raises ConfigError naming the variables to set
    if client is None:
        client = LLMClient(settings)
    start = time.perf_counter()
    # department, year, and the rules reading of every table
    base = extract_rules(doc, lexicon.for_extraction(settings, doc.source))
    run = _Run(doc, backend, settings, client)
    run.store = store if store is not None else open_store(settings)
    chunks = table_chunks(doc)
    workers = max(1, min(settings.llm_max_concurrency, len(chunks) or 1))
    try:
        if workers == 1:
            projects = [run.table(c) for c in chunks]
        else:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                projects = list(pool.map(run.table, chunks))
        first_table = min((c.line_start for c in chunks if c.line_start is not None), default=None)
        goals = run.department_goals(first_table) if run.stop is None else []
    except LLMUnavailable as exc:  # llm mode, dead endpoint: the file runs as rules and says so
        result = _rules_result(doc, f"llm: {exc.message}; ran as rules", base, status="partial_success")
        result.errors = [ErrorInfo(kind=exc.kind, message=exc.message, file=doc.source)]
        result.usage = run.ledger.snapshot()
        return result
    if backend == "hybrid" and isinstance(run.stop, LLMUnavailable):
        result = _rules_result(doc, f"hybrid: {run.stop.message}; ran as rules", base)
        result.usage = run.ledger.snapshot()
        return result
    perf = PerformanceDocument(source=base.source or doc.name, department=base.department, year=base.year,
                               projects=[p for p in projects if p is not None], department_goals=goals,
                               warnings=list(base.warnings) + run.warnings)
    warnings = list(run.warnings)
    if run.rejections:
        warnings.append(f"{len(run.rejections)} LLM value(s) {'rejected' if run.policy == 'reject' else 'flagged'}"
                        ": not in the source where the model placed them")
    status = "partial_success" if run.errors or run.rejections or any(p is None for p in projects) else "success"
    return ExtractionResult(source=doc.source, status=status, document=perf, errors=run.errors,
                            warnings=warnings, backend=backend, usage=run.ledger.snapshot(),
                            seconds=time.perf_counter() - start, rejections=run.rejections)
