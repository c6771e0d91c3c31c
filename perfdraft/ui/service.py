"""Thin service layer between the page and the pipeline: every call into extraction, store, drafting here."""

from __future__ import annotations

import tempfile
from functools import lru_cache
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel
from rapidfuzz import fuzz

from perfdraft.core.errors import PerfdraftError
from perfdraft.core.models import (DraftResult, ExtractionResult, LintFinding, PerformanceDocument, Project,
                              ProjectBrief, RetrievedProject)
from perfdraft.core.protocols import Store
from perfdraft.core.settings import Settings
from perfdraft.drafting import drafter, export
from perfdraft.drafting.lint import lint_project
from perfdraft.extraction.api import extract_file, extract_loaded
from perfdraft.ingest import store as store_mod
from perfdraft.ingest.load import load_document, supported_suffixes
from perfdraft.ui.uploads import save_upload

CORPUS = Path(str(files("perfdraft.eval"))) / "fixtures" / "corpus"

Progress = Callable[[float, str], None]


# ---------------------------------------------------------------- store

def open_store(settings: Settings) -> store_mod.Store:
    """The retrieval store for these settings (local directory or Chroma server)."""
    return store_mod.Store(settings)


def store_is_empty(store) -> bool:
    return len(list(store.documents())) == 0


def ensure_corpus(store, settings: Settings, progress: Progress | None = None,
                  corpus: Path = CORPUS) -> list[str]:
    """Ingest the bundled sample corpus when the store is empty; return the problems met (file: message)."""
    if not store_is_empty(store):
        return []
    files = sorted(p for p in corpus.glob("*") if p.suffix.lower() in supported_suffixes())
    problems: list[str] = []
    for i, path in enumerate(files):
        if progress:
            progress(i / max(len(files), 1), f"正在载入示例语料 {path.name}（{i + 1}/{len(files)}）")
        result = extract_path(path, "rules", settings)
        if result.document is None:
            problems.extend(f"{e.file or path.name}：{e.message}" for e in result.errors)
            continue
        try:
            add_to_store(store, result.document, path.name)
        except PerfdraftError as exc:
            problems.append(exc.one_line())
    if progress:
        progress(1.0, "示例语料已载入")
    return problems


def add_to_store(store, perf: PerformanceDocument, source: str, backend: str = "rules") -> Any:
    """Store an extracted document under a source name (re-adding replaces it)."""
    return store.add_document(perf, source=source, backend=backend)


def delete_document(store, source: str) -> Any:
    return store.delete_document(source)


def documents(store) -> list[Any]:
    return list(store.documents())


def stats(store) -> Any:
    return store.stats()


def search(store, query: str, k: int = 5) -> list[RetrievedProject]:
    return list(store.search_projects(query, k))


def count_frame(counts: dict[str, int], label: str) -> pd.DataFrame:
    """A {name: count} mapping as a two-column table, largest first."""
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return pd.DataFrame(rows, columns=[label, "指标行数"])


def documents_frame(docs: list[Any]) -> pd.DataFrame:
    """Stored documents as a table with Chinese headers."""
    rows = [{"文件": d.source, "部门": d.department or "", "年度": d.year, "项目数": d.projects,
             "指标行数": d.rows, "后端": d.backend or "", "入库时间": d.ingested_at or ""} for d in docs]
    return pd.DataFrame(rows, columns=["文件", "部门", "年度", "项目数", "指标行数", "后端", "入库时间"])


# ---------------------------------------------------------------- extraction

def extract_path(path: Path, backend: str, settings: Settings, pages: Callable[[int, int], None] | None = None
                 ) -> ExtractionResult:
    """Extract one saved file; extraction reports failures in the result rather than raising.

    pages(done, total) reports OCR progress page by page (scanned PDFs and images); loading errors then raise."""
    if pages is not None:
        return extract_loaded(load_document(path, progress=pages), backend=backend, settings=settings)
    return extract_file(path, backend=backend, settings=settings)


@lru_cache(maxsize=16)
def _lines_of(path: str, mtime_ns: int) -> tuple[tuple[int, str], ...]:
    """Numbered text lines of a file, cached per file version (reruns redraw the page often)."""
    return tuple((ln.lineno, ln.text) for ln in load_document(path).lines)


def source_lines(path: str | Path, line: int | None, line_end: int | None, context: int = 2,
                 limit: int = 80) -> str:
    """The text lines of a file around a source location, numbered, for showing beside a table."""
    p = Path(path)
    lines = _lines_of(str(p), p.stat().st_mtime_ns)
    start = max((line or 1) - context, 1)
    end = min((line_end or line or 1) + context, start + limit - 1)
    return "\n".join(f"{no:>5}  {text}" for no, text in lines if start <= no <= end)


def best_project(result: ExtractionResult, name: str) -> Project | None:
    """The table in an extracted file that best matches the project name (last year's file may hold several)."""
    if not (result.document and result.document.projects):
        return None
    projects = [p for p in result.document.projects if p.scope == "project"] or result.document.projects
    return max(projects, key=lambda p: fuzz.ratio(p.name, name))


# ---------------------------------------------------------------- drafting

def make_draft(brief: ProjectBrief, store: Store | None, backend: str, settings: Settings) -> DraftResult:
    """Draft next year's table from the brief and the store."""
    return drafter.draft(brief, store, backend=backend, settings=settings)


def lint(project: Project, budget_wan: float | None, year: int | None,
         last_year: Project | None = None) -> list[LintFinding]:
    """Rule-check a (possibly edited) table."""
    return list(lint_project(project, budget_wan=budget_wan, year=year, last_year=last_year))


EXPORT_KINDS = ("xlsx", "docx", "pdf")


def export_bytes(obj: Project | PerformanceDocument, kind: str, settings: Settings) -> bytes:
    """Excel, Word or PDF export as bytes; cached per content, since every edit reruns the page."""
    return _export_cached(type(obj).__name__, obj.model_dump_json(by_alias=True), kind, str(settings.data_dir))


@lru_cache(maxsize=32)
def _export_cached(model: str, obj_json: str, kind: str, data_dir: str) -> bytes:
    cls = {"Project": Project, "PerformanceDocument": PerformanceDocument}[model]
    return _export(cls.model_validate_json(obj_json), kind, Path(data_dir))


def _export(obj: Project | PerformanceDocument, kind: str, data_dir: Path) -> bytes:
    """Write the export to a temp file under the data directory and read it back."""
    fn = {"xlsx": export.export_xlsx, "docx": export.export_docx, "pdf": export.export_pdf}[kind]
    tmp_dir = data_dir / "exports"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=tmp_dir) as d:
        out = Path(d) / f"draft.{kind}"
        fn(obj, out)
        return out.read_bytes()


def draft_json(project: Project, brief: ProjectBrief) -> str:
    """The draft in the gold shape: a document with one project whose rows carry their sources."""
    doc = PerformanceDocument(source=None, department=brief.department, year=brief.year, projects=[project])
    return doc.to_json()


# ---------------------------------------------------------------- uploads on the extract page

class UploadOutcome(BaseModel):
    """One uploaded file on the extract page: where it was saved and what extraction gave (or why not)."""

    name: str
    path: str | None = None
    result: ExtractionResult | None = None
    error: str | None = None
    added: bool = False


def start_extraction(files: list[tuple[str, bytes]], backend: str, settings: Settings):
    """Save the uploads and start one isolated extraction job for those that pass the checks.

    Returns the job (None when no file passed) and an outcome for every refused file."""
    from perfdraft.ui.jobs import ExtractJob
    refused: list[UploadOutcome] = []
    saved = []
    for name, data in files:
        try:
            saved.append(save_upload(name, data, settings))
        except PerfdraftError as exc:
            refused.append(UploadOutcome(name=exc.file or name, error=exc.message))
    job = ExtractJob(saved, settings, backend).start() if saved else None
    return job, refused


def job_outcomes(job) -> list[UploadOutcome]:
    """A finished (or cancelled) job's files as page outcomes."""
    return [UploadOutcome(name=r.source, path=str(p), result=r) for p, r in zip(job.paths, job.results())]


def extract_isolated(path: Path, backend: str, settings: Settings) -> ExtractionResult:
    """One saved file through the isolated worker, waiting for it (the server process never parses it)."""
    from perfdraft.ui.jobs import ExtractJob
    job = ExtractJob([path], settings, backend).start()
    job.wait()
    return job.results()[0]


def document_snapshot(store, source: str) -> PerformanceDocument:
    """What the store holds for a source, enough to put it back (undo of a delete)."""
    doc = next((d for d in store.documents() if d.source == source), None)
    projects = [r.project for r in store.projects({"source": source})]
    return PerformanceDocument(source=source, department=doc.department if doc else None,
                               year=doc.year if doc else None, projects=projects)


def restore_document(store, snapshot: PerformanceDocument) -> Any:
    return store.add_document(snapshot, source=snapshot.source, backend="restored")
