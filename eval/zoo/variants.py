"""The layout variants: a text style plus a few composable transforms, and the formats each makes sense in."""

from __future__ import annotations

from dataclasses import dataclass

TEXT_ONLY = ("text",)
ALL_FORMATS = ("text", "html", "docx", "xlsx", "pdf")


@dataclass(frozen=True)
class Variant:
    """One layout family: how its text is linearised, what it changes, where it can be rendered."""

    style: str = "tabs"  # a key of text.TEXT_STYLES
    transforms: tuple[str, ...] = ()  # keys of transforms.TRANSFORMS, applied in order
    formats: tuple[str, ...] = ALL_FORMATS
    text_encoding: str = "utf-8"
    html_charset: str = "utf-8"


VARIANTS: dict[str, Variant] = {
    "tabs": Variant(),
    "pipe": Variant(style="pipe", formats=TEXT_ONLY),
    "pipe-bare": Variant(style="pipe-bare", formats=TEXT_ONLY),
    "cell-lines": Variant(style="cell-lines", formats=TEXT_ONLY),
    "web-dump": Variant(style="web-dump", formats=TEXT_ONLY),
    "merged-cells": Variant(style="spaces", transforms=("merged-cells",), html_charset="gb2312"),
    "indented": Variant(style="indented", formats=TEXT_ONLY),
    "run-together": Variant(style="run-together", formats=TEXT_ONLY),
    "title-apply": Variant(transforms=("title-apply",), html_charset="gb2312"),
    "title-approved": Variant(transforms=("title-approved",)),
    "title-project": Variant(transforms=("title-project",)),
    "untitled": Variant(transforms=("untitled",)),
    "title-in-row": Variant(style="pipe-bare", transforms=("title-in-row",)),
    # untitled tables one after another in the linearised families: only the next 项目名称 block bounds a table
    "untitled-cells": Variant(style="cell-lines", transforms=("untitled",), formats=TEXT_ONLY),
    "untitled-web": Variant(style="web-dump", transforms=("untitled",), formats=TEXT_ONLY),
    "untitled-spaces": Variant(style="spaces", transforms=("untitled", "merged-cells"), formats=TEXT_ONLY),
    # wrapped cells and page breaks in the linearised families (PDF text layers)
    "wrapped-cell-lines": Variant(style="cell-lines", transforms=("wrapped-cells",), formats=TEXT_ONLY),
    # text copied from a PDF with no layout: cells cut at the column width, their tails on lines of their own
    "wrapped-spaces": Variant(style="spaces", transforms=("wrapped-cells", "merged-cells"), formats=TEXT_ONLY),
    "wrapped-web": Variant(style="web-dump", transforms=("wrapped-cells",), formats=TEXT_ONLY),
    "wrapped-pipes": Variant(style="pipe-bare", transforms=("wrapped-cells",), formats=TEXT_ONLY),
    "wrapped-indented": Variant(style="indented", transforms=("wrapped-cells",), formats=TEXT_ONLY),
    "wrapped-run-together": Variant(style="run-together", transforms=("wrapped-cells",), formats=TEXT_ONLY),
    # fixed-width columns (pdftotext -layout): positions tell the columns, a wrapped cell goes on below at its own
    "fixed-columns": Variant(style="columns", transforms=("merged-cells",), formats=TEXT_ONLY),
    "wrapped-columns": Variant(style="columns", transforms=("wrapped-cells", "merged-cells"), formats=TEXT_ONLY),
    "page-breaks-cells": Variant(style="cell-lines", transforms=("page-breaks",), formats=TEXT_ONLY),
    "page-breaks-spaces": Variant(style="spaces", transforms=("page-breaks", "merged-cells"), formats=TEXT_ONLY),  # `title | ||||` as web tables print it
    "long-annual": Variant(transforms=("long-annual",)),
    "period-annual": Variant(transforms=("period-annual",)),
    "standard-column": Variant(transforms=("standard-column",)),
    "unit-column": Variant(transforms=("unit-column",)),
    "extra-columns": Variant(transforms=("extra-columns",)),
    "level-names": Variant(transforms=("level-names", "merged-cells")),
    "wrapped-cells": Variant(transforms=("wrapped-cells", "merged-cells")),
    "page-breaks": Variant(transforms=("page-breaks", "merged-cells"), html_charset="gb2312"),
    "reordered": Variant(transforms=("reordered", "merged-cells")),
    "yuan": Variant(transforms=("yuan",), text_encoding="gb18030", html_charset="gb2312"),
    "header-lines": Variant(transforms=("header-lines",), formats=TEXT_ONLY),
    "label-synonyms": Variant(transforms=("label-synonyms",), text_encoding="gb18030"),
    # a 序号 column of row numbers left of the levels, in the text families that keep no column positions
    "serial-column": Variant(transforms=("merged-cells", "serial-column")),
    # column names over two rows (绩效指标 over 一级/二级/三级, 指标值 and the rest merged down both)
    "stacked-header": Variant(transforms=("merged-cells", "stacked-header")),
    "stacked-header-spaces": Variant(style="spaces", transforms=("merged-cells", "stacked-header"), formats=TEXT_ONLY),
    "stacked-header-pipes": Variant(style="pipe-bare", transforms=("stacked-header",), formats=TEXT_ONLY),
    "serial-spaces": Variant(style="spaces", transforms=("merged-cells", "serial-column"), formats=TEXT_ONLY),
    "serial-pipes": Variant(style="pipe-bare", transforms=("wrapped-cells", "serial-column"), formats=TEXT_ONLY),
    "serial-cells": Variant(style="cell-lines", transforms=("serial-column",), formats=TEXT_ONLY),
    # merged level names on lines of their own above the rows, each row's number after them
    "serial-indented": Variant(style="indented", transforms=("serial-column",), formats=TEXT_ONLY),
    "serial-run-together": Variant(style="run-together", transforms=("serial-column",), formats=TEXT_ONLY),
    "serial-wrapped-spaces": Variant(style="spaces", transforms=("wrapped-cells", "merged-cells", "serial-column"),
                                     formats=TEXT_ONLY),
    # the comparison of each value in a column of its own (比较符: ≥ | 90%)
    "comparison-column": Variant(transforms=("comparison-column",)),
    "comparison-spaces": Variant(style="spaces", transforms=("merged-cells", "comparison-column"), formats=TEXT_ONLY),
    "comparison-run-together": Variant(style="run-together", transforms=("comparison-column",), formats=TEXT_ONLY),
    # level names numbered as an outline (一、产出指标 / （一）数量指标)
    "outline-numbers": Variant(transforms=("outline-numbers",)),
    "outline-spaces": Variant(style="spaces", transforms=("outline-numbers", "merged-cells"), formats=TEXT_ONLY),
    "outline-cells": Variant(style="cell-lines", transforms=("outline-numbers",), formats=TEXT_ONLY),
    # no grid at all: indicators printed as lines (level paths with — or -, several a line; labelled cells)
    "inline-path": Variant(style="inline-path", transforms=("values-only",), formats=TEXT_ONLY),
    "inline-hyphen": Variant(style="inline-hyphen", transforms=("values-only",), formats=TEXT_ONLY),
    "inline-labelled": Variant(style="inline-labelled", formats=TEXT_ONLY),
    "outline-list": Variant(style="outline-list", transforms=("values-only",), formats=TEXT_ONLY),
    "inline-untitled": Variant(style="inline-path", transforms=("values-only", "untitled"), formats=TEXT_ONLY),
}
# The CI subset: one of each kind (text families, titles, columns, merges, page breaks, 元).
QUICK_VARIANTS = ("tabs", "pipe-bare", "cell-lines", "web-dump", "merged-cells", "indented", "untitled",
                  "long-annual", "unit-column", "wrapped-cells", "page-breaks", "yuan")
