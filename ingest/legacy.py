"""Legacy Office and WPS files: .xls read directly with xlrd; .doc/.wps/.et/.rtf converted by LibreOffice.

A converted file is read by the DOCX/XLSX loader and the Document then names the original file (path, name,
hash, format), so every provenance reference points at what the user gave us, not at a temporary copy.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from perfdraft.core.errors import CorruptDocument, EncryptedDocument
from perfdraft.core.models import Document
from perfdraft.ingest.digest import sha256_of
from perfdraft.ingest.docx import load_docx
from perfdraft.ingest.office import shared_office
from perfdraft.ingest.rawgrid import build_pages
from perfdraft.ingest.sniff import QuietLog
from perfdraft.ingest.xlsx import load_xlsx, sheet_items

MAX_LEGACY_BYTES = 64 * 1024 * 1024  # a budget table is well under 5 MB; xlrd holds the whole file in memory


# ------------------------------------------------------------------------------------------------ xls


@dataclass
class _Range:
    min_row: int
    max_row: int
    min_col: int
    max_col: int


@dataclass
class _Cell:
    row: int
    column: int
    value: object


class _MergedCells:
    def __init__(self, ranges: list[_Range]) -> None:
        self.ranges = ranges


class _XlrdSheet:
    """An xlrd sheet seen through the few openpyxl names the XLSX loader's sheet_items uses (1-based)."""

    def __init__(self, sheet, datemode: int) -> None:
        self.sheet = sheet
        self.datemode = datemode
        # xlrd's merged ranges are half-open and 0-based: (rlo, rhi, clo, chi)
        self.merged_cells = _MergedCells([_Range(rlo + 1, rhi, clo + 1, chi) for rlo, rhi, clo, chi
                                          in sheet.merged_cells])

    def _value(self, r: int, c: int):
        import xlrd
        cell = self.sheet.cell(r, c)
        if cell.ctype == xlrd.XL_CELL_DATE:
            try:
                return xlrd.xldate_as_datetime(cell.value, self.datemode)
            except (ValueError, OverflowError):
                return cell.value
        if cell.ctype == xlrd.XL_CELL_BOOLEAN:
            return bool(cell.value)
        if cell.ctype in (xlrd.XL_CELL_ERROR, xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
            return None
        return cell.value

    def iter_rows(self):
        for r in range(self.sheet.nrows):
            yield [_Cell(r + 1, c + 1, self._value(r, c)) for c in range(self.sheet.row_len(r))]


def load_xls(path: str | Path) -> Document:
    """Load an Excel 97-2003 workbook (BIFF) with xlrd: one page per sheet, merged cells as spans."""
    p = Path(path)
    import xlrd  # heavy: imported with the first .xls, not by every command that can read one
    try:
        book = xlrd.open_workbook(str(p), formatting_info=True, logfile=QuietLog(), on_demand=True)
    except xlrd.biffh.XLRDError as exc:
        if "encrypt" in str(exc).lower():
            raise EncryptedDocument("the workbook is password-protected", file=str(p)) from None
        return _converted(p, "xlsx", "xls")  # WPS .et and odd BIFF variants: LibreOffice reads more of them
    except (OSError, ValueError, IndexError, AssertionError, KeyError) as exc:
        raise CorruptDocument(f"not a readable Excel 97-2003 workbook ({type(exc).__name__}: {exc})",
                              file=str(p)) from None
    try:
        per_page = [(i, None, None, sheet_items(_XlrdSheet(book.sheet_by_index(i - 1), book.datemode), i))
                    for i in range(1, book.nsheets + 1)]
    finally:
        book.release_resources()
    pages, tables = build_pages(per_page)
    status = "ok" if any(pg.lines for pg in pages) else "empty"
    return Document(source=str(p), name=p.name, sha256=sha256_of(p), format="xls", pages=pages, tables=tables,
                    status=status, warnings=[] if status == "ok" else ["workbook has no text"])


# ------------------------------------------------------------------------------------------------ via LibreOffice

READERS = {"docx": load_docx, "xlsx": load_xlsx}


def _converted(p: Path, target: str, fmt: str) -> Document:
    """Convert p with LibreOffice to target, read that, and name the original file in the result."""
    work = Path(tempfile.mkdtemp(prefix="perfdraft-conv-"))
    try:
        converted = shared_office().convert(p, target, work)
        doc = READERS[target](converted)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return doc.model_copy(update={"source": str(p), "name": p.name, "sha256": sha256_of(p), "format": fmt})


def load_doc(path: str | Path) -> Document:
    """Word 97-2003 (.doc) or RTF via LibreOffice -> DOCX."""
    return _converted(Path(path), "docx", "doc")


def load_wps(path: str | Path) -> Document:
    """WPS Writer (.wps) via LibreOffice -> DOCX."""
    return _converted(Path(path), "docx", "wps")


def load_et(path: str | Path) -> Document:
    """WPS Spreadsheets (.et) via LibreOffice -> XLSX."""
    return _converted(Path(path), "xlsx", "et")
