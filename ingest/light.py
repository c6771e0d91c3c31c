"""Light lines, cells and grids for the text hot path: core.models' fields, no validation; pydantic at the boundary.

A text file of a few thousand lines makes thousands of TextLine/TableCell objects, and building each as a pydantic
model costs several times what loading and extracting it costs otherwise (issue 17). The text loader and the
layout reconstructor build these plain objects instead; `LightDocument.to_document()` turns them into the
pydantic Document for every caller that asks for one (`load_document`), field for field, and the rules extractor
reads either kind (it only reads fields). Only the methods those readers call are here.
"""

from __future__ import annotations

from perfdraft.core.models import Document, covering_cell, span_matrix


class LightLine:
    """A TextLine's fields (text, page, lineno, table; bbox and confidence are None for text files)."""

    __slots__ = ("text", "page", "lineno", "table")
    bbox = confidence = None  # never set for a text line: read from the class, not stored per line

    def __init__(self, text: str, page: int = 1, lineno: int = 0, table: int | None = None):
        self.text, self.page, self.lineno, self.table = text, page, lineno, table

    def model_copy(self, update: dict | None = None) -> LightLine:
        """A copy with some fields replaced, as TextLine.model_copy (what the layout reconstructor uses)."""
        out = LightLine(self.text, self.page, self.lineno, self.table)
        for k, v in (update or {}).items():
            setattr(out, k, v)
        return out

    def fields(self) -> dict:
        """TextLine's fields as the text loader sets them."""
        if self.table is None:
            return {"text": self.text, "page": self.page, "lineno": self.lineno}
        return {"text": self.text, "page": self.page, "lineno": self.lineno, "table": self.table}


class LightCell:
    """A TableCell's fields as the layout reconstructor fills them (no spans, no boxes)."""

    __slots__ = ("text", "row", "col", "page", "lineno")
    rowspan = colspan = 1  # a text layout's cells never span, nor have boxes: read from the class, not stored
    bbox = confidence = None

    def __init__(self, text: str, row: int, col: int, page: int | None, lineno: int | None):
        self.text, self.row, self.col, self.page, self.lineno = text, row, col, page, lineno

    def fields(self) -> dict:
        """TableCell's fields as the layout reconstructor sets them."""
        return {"text": self.text, "row": self.row, "col": self.col, "page": self.page, "lineno": self.lineno}


class LightGrid:
    """A TableGrid's fields with light cells."""

    __slots__ = ("index", "page", "pages", "n_rows", "n_cols", "cells", "origin", "line_start", "line_end")

    def __init__(self, index: int, page: int, pages: list[int], n_rows: int, n_cols: int, cells: list[LightCell],
                 origin: str, line_start: int, line_end: int):
        self.index, self.page, self.pages, self.n_rows, self.n_cols = index, page, pages, n_rows, n_cols
        self.cells, self.origin, self.line_start, self.line_end = cells, origin, line_start, line_end

    def matrix(self, fill_merged: bool = False) -> list[list[str]]:
        return span_matrix(self.cells, self.n_rows, self.n_cols, fill_merged)

    def cell_at(self, row: int, col: int):
        return covering_cell(self.cells, row, col)

    def fields(self) -> dict:
        """TableGrid's fields, cells included."""
        return {"index": self.index, "page": self.page, "pages": self.pages, "n_rows": self.n_rows,
                "n_cols": self.n_cols, "cells": [c.fields() for c in self.cells], "origin": self.origin,
                "line_start": self.line_start, "line_end": self.line_end}


class LightPage:
    __slots__ = ("number", "lines")

    def __init__(self, number: int, lines: list[LightLine]):
        self.number, self.lines = number, lines


class LightDocument:
    """A Document's fields with light pages and grids: what the text loader builds and the rules backend reads."""

    __slots__ = ("source", "name", "sha256", "format", "encoding", "_pages", "tables", "status", "warnings", "_lines")

    def __init__(self, source: str, name: str, sha256: str, format: str, encoding: str | None,
                 pages: list[LightPage], tables: list | None = None, status: str = "ok",
                 warnings: list[str] | None = None):
        self.source, self.name, self.sha256, self.format, self.encoding = source, name, sha256, format, encoding
        self.pages, self.tables, self.status = pages, tables if tables is not None else [], status
        self.warnings = warnings if warnings is not None else []

    @property
    def pages(self) -> list[LightPage]:
        return self._pages

    @pages.setter
    def pages(self, pages: list[LightPage]) -> None:
        self._pages, self._lines = pages, None

    @property
    def lines(self) -> list[LightLine]:
        # kept: the extractor asks ~10 times per document, and a loaded document's pages are never changed in
        # place (setting .pages anew forgets it); a copy, so that a caller may change its list freely
        if self._lines is None:
            self._lines = [ln for p in self._pages for ln in p.lines]
        return list(self._lines)

    @property
    def text(self) -> str:
        return "\n".join(ln.text for ln in self.lines)

    def model_copy(self, update: dict | None = None) -> LightDocument:
        """A shallow copy with some fields replaced, as Document.model_copy."""
        out = LightDocument(**{k.lstrip("_"): getattr(self, k) for k in self.__slots__ if k != "_lines"})
        for k, v in (update or {}).items():
            setattr(out, k, v)
        return out

    def to_document(self) -> Document:
        """The pydantic Document with the same content (the boundary: every caller outside the hot path)."""
        # one validation of the whole tree: cheaper than a model built per line and cell
        fields = {"source": self.source, "name": self.name, "sha256": self.sha256, "format": self.format,
                  "encoding": self.encoding,
                  "pages": [{"number": p.number, "lines": [ln.fields() for ln in p.lines]} for p in self.pages],
                  "tables": [g.fields() for g in self.tables]}
        if self.status != "ok" or self.warnings:
            fields.update(status=self.status, warnings=list(self.warnings))
        return Document.model_validate(fields)
