"""Formatting for the page: Chinese labels for backends, severities, citations, locations and errors."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from perfdraft.core.errors import PerfdraftError
from perfdraft.core.models import Citation, ErrorInfo, SourceRef, Usage
from perfdraft.core.settings import Settings

SEVERITY_ZH = {"error": "错误", "warning": "警告"}
LOCAL_TZ = ZoneInfo("Asia/Shanghai")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$=^&\"'/@%])")
# GitHub-style autolinks (bare http://, www., a@b.c) survive backslash escapes; a zero-width space breaks them
_AUTOLINK = re.compile(r"(?i)(?<=:)//|(?<=www)\.|@(?=\w)")
_PATHLIKE = re.compile(r"(?:[A-Za-z]:)?(?:[\\/][^\s\\/：:，,；;）)]+){2,}")
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


def plain(text: object) -> str:
    """Document text made inert for Streamlit's Markdown (titles, labels, captions): every ASCII punctuation
    mark is backslash-escaped, so `![x](url)`, links, emphasis, `:red[..]` and `$..$` show as typed."""
    text = _AUTOLINK.sub(lambda m: m.group(0)[:-1] + "\u200b" + m.group(0)[-1], str(text if text is not None else ""))
    return _MD_SPECIAL.sub(r"\\\1", text).replace("\n", " ")


def citation_text(c: Citation) -> str:
    """One citation as people name it: department · project · year · row (1-based); never a file name."""
    bits = [c.department or "未注明部门", c.project, f"{c.year}年" if c.year else "年度未知", f"第{c.row + 1}行"]
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


def no_paths(text: str) -> str:
    """A message with any server path cut down to its last part (a file name tells users enough)."""
    return _PATHLIKE.sub(lambda m: re.split(r"[\\/]", m.group(0))[-1], text)


def error_text(exc: PerfdraftError | ErrorInfo) -> str:
    """A one-line message for a user: where (file name only), then what."""
    file = getattr(exc, "file", None)
    where = no_paths(file).rsplit("/", 1)[-1] if file else ""
    if getattr(exc, "page", None) is not None:
        where += f"（第{exc.page}页）"
    msg = no_paths(exc.message)
    return f"{where}：{msg}" if where else msg


def wan_text(amount: float | None) -> str:
    """An amount in 万元 as people write it: 12, 12.5, 99,999,999 (never 1e+08)."""
    if amount is None:
        return "—"
    return f"{amount:,.2f}".rstrip("0").rstrip(".")


def local_time(iso: str | None) -> str:
    """A stored UTC timestamp in Beijing time, to the minute."""
    if not iso:
        return ""
    try:
        return datetime.fromisoformat(iso).astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso
