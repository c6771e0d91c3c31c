"""Formatting for the page: Chinese labels for backends, severities, citations, locations and errors."""

from __future__ import annotations

from perfdraft.core.errors import PerfdraftError
from perfdraft.core.models import Citation, ErrorInfo, SourceRef, Usage
from perfdraft.core.settings import Settings

SEVERITY_ZH = {"error": "错误", "warning": "警告"}
STATUS_ZH = {"success": "成功", "partial_success": "部分成功", "failure": "失败", "skipped": "已跳过"}


def backend_label(settings: Settings, backend: str) -> str:
    """Plain statement of which backend is active."""
    if backend == "rules" or not settings.llm_configured:
        return "当前后端：仅规则（内置，无需大模型，不联网）"
    return f"当前后端：大模型（{backend}）\n\n接口：`{settings.llm_base_url}`\n\n模型：`{settings.llm_model}`"


def usage_lines(usage: Usage) -> list[str]:
    """The token ledger as short lines."""
    return [
        f"调用次数：{usage.calls}（失败 {usage.failed_calls}）",
        f"提示词 token：{usage.prompt_tokens}",
        f"生成 token：{usage.completion_tokens}",
        f"合计 token：{usage.prompt_tokens + usage.completion_tokens}",
        f"缓存命中：{usage.cache_hits}，重问：{usage.reasks}",
    ]


def citation_text(c: Citation) -> str:
    """One citation: document · project · row (1-based for people)."""
    bits = [c.document, c.project, f"第{c.row + 1}行"]
    if c.year:
        bits.append(f"{c.year}年")
    return " · ".join(bits)


def citations_text(cites: list[Citation]) -> str:
    """All citations of a row, identical ones shown once with a count."""
    counts: dict[str, int] = {}
    for c in cites:
        t = citation_text(c)
        counts[t] = counts.get(t, 0) + 1
    return "；".join(t if n == 1 else f"{t}（×{n}）" for t, n in counts.items())


def location_text(ref: SourceRef | None, file: str | None = None) -> str:
    """Where in the file: page and line range (file overrides the stored file name, e.g. the upload's name)."""
    if ref is None:
        return "位置未知"
    parts = [file or ref.file]
    if ref.page is not None:
        parts.append(f"第{ref.page}页")
    if ref.line is not None:
        parts.append(f"第{ref.line}行" if not ref.line_end or ref.line_end == ref.line
                     else f"第{ref.line}–{ref.line_end}行")
    return " · ".join(parts)


def error_text(exc: PerfdraftError | ErrorInfo) -> str:
    """A one-line message for a user: where, then what."""
    if isinstance(exc, ErrorInfo):
        where = exc.file or ""
        if exc.page is not None:
            where += f"（第{exc.page}页）"
        return f"{where}：{exc.message}" if where else exc.message
    return exc.one_line()
