"""Retrieval-augmented extraction: 1-3 similar validated tables from the store as examples in the prompt."""

from __future__ import annotations

import json
import logging

from perfdraft.core.models import Project
from perfdraft.core.settings import Settings

log = logging.getLogger("perfdraft.extraction.llm")

MAX_EXAMPLES = 3
MAX_EXAMPLE_ROWS = 8  # enough rows to show the layout; the prompt stays small
MAX_EXAMPLES_CHARS = 4000


def estimate_tokens(text: str) -> int:
    """A conservative token count for the ledger: one per CJK character, one per 4 other characters."""
    cjk = sum(1 for ch in text if "\u3400" <= ch <= "\u9fff")
    return cjk + (len(text) - cjk + 3) // 4


def open_store(settings: Settings):
    """The configured store when examples are on and it exists (never created here), else None."""
    if not settings.llm_examples:
        return None
    if not settings.chroma_host and not (settings.store and settings.store.is_dir()):
        return None
    try:
        from perfdraft.ingest.store import Store
        return Store(settings)
    except Exception as exc:  # examples are an aid: a broken store must not stop extraction
        log.warning("store not used for LLM examples: %s", exc)
        return None


def _table_text(p: Project) -> str:
    """An example table laid out as tab-separated text (header fields, then the indicator grid)."""
    lines = [f"项目名称\t{p.name}"] + ([f"项目编码\t{p.code}"] if p.code else [])
    if p.budget_wan is not None:
        lines.append(f"预算数\t{p.budget_wan:g}万元")
    lines.append("一级指标\t二级指标\t三级指标\t绩效指标描述\t指标值\t指标值确定依据")
    for r in p.indicators[:MAX_EXAMPLE_ROWS]:
        lines.append("\t".join(x or "" for x in (r.level1, r.level2, r.level3, r.description, r.value, r.basis)))
    return "\n".join(lines)


def _answer(p: Project) -> str:
    keep = ("level1", "level2", "level3", "description", "value", "period_value", "basis")
    return json.dumps({"name": p.name, "code": p.code, "budget": f"{p.budget_wan:g}" if p.budget_wan is not None
                       else None, "budget_unit": "万元" if p.budget_wan is not None else None,
                       "indicators": [{k: getattr(r, k) for k in keep} for r in p.indicators[:MAX_EXAMPLE_ROWS]]},
                      ensure_ascii=False)


def examples_block(store, query: str, exclude_document: str) -> tuple[str, list[str]]:
    """The <examples> block for a table (never from the same document) and the documents it drew on."""
    if store is None or not query.strip():
        return "", []
    try:
        found = store.search_projects(query, k=MAX_EXAMPLES + 5)
    except Exception as exc:
        log.warning("no LLM examples: store search failed: %s", exc)
        return "", []
    parts: list[str] = []
    used: list[str] = []
    for r in found:
        if r.document == exclude_document or not r.project.indicators or r.project.backend == "llm" and \
                r.project.confidence < 0.9:
            continue  # never the document being read; only tables that passed validation
        source = r.document.replace('"', "")
        part = f'<example source="{source}">\n{_table_text(r.project)}\n=>\n{_answer(r.project)}\n</example>'
        if sum(len(x) for x in parts) + len(part) > MAX_EXAMPLES_CHARS:
            break
        parts.append(part)
        used.append(r.document)
        if len(parts) == MAX_EXAMPLES:
            break
    if not parts:
        return "", []
    return "<examples>\n" + "\n".join(parts) + "\n</examples>\n", used


def table_query(chunk_text: str, rules: Project | None) -> str:
    """What the table looks like: the rules reading's name and level3 names, else the chunk's first lines."""
    if rules is not None and (rules.name or rules.indicators):
        return " ".join([rules.name] + [i.level3 for i in rules.indicators[:12]])
    return " ".join(chunk_text.splitlines()[:6])[:300]
