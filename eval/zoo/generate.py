"""Render gold documents into layout variants and formats, each paired with the gold that rendering implies."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from perfdraft.core.models import PerformanceDocument
from perfdraft.eval.zoo.html import write_html
from perfdraft.eval.zoo.office import write_docx, write_xlsx
from perfdraft.eval.zoo.pdf import write_pdf
from perfdraft.eval.zoo.sheet import Sheet, baseline_sheet
from perfdraft.eval.zoo.text import sheet_text
from perfdraft.eval.zoo.transforms import TRANSFORMS
from perfdraft.eval.zoo.variants import VARIANTS, Variant

SUFFIX = {"text": ".txt", "html": ".html", "docx": ".docx", "xlsx": ".xlsx", "pdf": ".pdf"}


@dataclass
class Rendering:
    """One file of the zoo and the gold a correct extraction of it yields."""

    document: str  # gold stem
    variant: str
    format: str
    path: Path
    expected: PerformanceDocument


def build(gold: PerformanceDocument, variant: Variant) -> tuple[list[Sheet], PerformanceDocument]:
    """The sheets of a variant and the expected gold, transformed together from the gold's own fields."""
    expected = gold.model_copy(deep=True)
    sheets = []
    for k, project in enumerate(expected.projects, 1):
        sheet = baseline_sheet(project, k)
        for name in variant.transforms:
            TRANSFORMS[name](sheet, project)
        sheets.append(sheet)
    return sheets, expected


def heading(gold: PerformanceDocument) -> list[str]:
    """The document's own heading lines (department and year, as the gold states them)."""
    return [x for x in (gold.department, f"{gold.year}年度项目支出绩效目标" if gold.year else None) if x]


def _text(sheets, head, path: Path, variant: Variant) -> None:
    lines = head + [""] + [x for s in sheets for x in sheet_text(s, variant.style)]
    path.write_bytes("\n".join(lines).encode(variant.text_encoding))


WRITERS: dict[str, Callable[[list[Sheet], list[str], Path, Variant], None]] = {
    "text": _text,
    "html": lambda sheets, head, path, v: write_html(sheets, head, path, charset=v.html_charset),
    "docx": lambda sheets, head, path, v: write_docx(sheets, head, path),
    "xlsx": lambda sheets, head, path, v: write_xlsx(sheets, head, path),
    "pdf": lambda sheets, head, path, v: write_pdf(sheets, head, path),
}


def render(stem: str, gold: PerformanceDocument, variant_name: str, fmt: str, out_dir: Path) -> Rendering:
    """Write one rendering into out_dir and return it with its expected gold."""
    variant = VARIANTS[variant_name]
    sheets, expected = build(gold, variant)
    path = Path(out_dir) / f"{stem}__{variant_name}{SUFFIX[fmt]}"
    WRITERS[fmt](sheets, heading(gold), path, variant)
    return Rendering(document=stem, variant=variant_name, format=fmt, path=path, expected=expected)


def cases(variants: list[str] | None = None, formats: list[str] | None = None) -> list[tuple[str, str]]:
    """(variant, format) pairs: every requested variant in every requested format it claims."""
    names = variants or list(VARIANTS)
    return [(v, f) for v in names for f in VARIANTS[v].formats if formats is None or f in formats]
