"""CSV and TSV loader (a sheet exported from Excel or WPS, an open-data download): rows with two or more cells in a
run become one table grid, single-cell rows text lines, as the XLSX loader reads a sheet.

The delimiter is sniffed (comma, tab, semicolon, the full-width comma), the encoding decoded as text files are
(UTF-8 with or without BOM, GB18030). A CSV has no merged cells: a merged level printed once leaves empty cells
below it, which the rules fill down as they do for any grid.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from perfdraft.core.errors import CorruptDocument
from perfdraft.core.models import Document
from perfdraft.ingest.digest import sha256_of
from perfdraft.ingest.rawgrid import Item, RawCell, RawLine, RawTable, build_pages
from perfdraft.ingest.text import decode_bytes

_DELIMITERS = ",\t;，"


def _rows(text: str) -> list[list[str]]:
    """The file's rows, cells stripped, trailing empty cells dropped."""
    sample = text[:20000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=_DELIMITERS)
    except csv.Error:  # one column, or a sample the sniffer cannot decide: the commonest delimiter wins
        counts = {d: sample.count(d) for d in _DELIMITERS}
        best = max(counts, key=counts.get)
        dialect = csv.excel_tab if best == "\t" else csv.excel
        if best not in ",\t":
            dialect = type("Sniffed", (csv.excel,), {"delimiter": best})
    out = []
    for row in csv.reader(io.StringIO(text), dialect):
        cells = [c.strip() for c in row]
        while cells and not cells[-1]:
            cells.pop()
        out.append(cells)
    return out


def _items(rows: list[list[str]]) -> list[Item]:
    """Reading order: runs of multi-cell rows are tables, the other rows lines (blank rows end a table)."""
    items: list[Item] = []
    k = 0
    while k < len(rows):
        if len(rows[k]) < 2:
            for t in rows[k][:1]:
                for line in (x.strip() for x in t.split("\n")):
                    if line:
                        items.append(Item(y=len(items), line=RawLine(text=line, page=1)))
            k += 1
            continue
        start = k
        while k < len(rows) and len(rows[k]) >= 2:
            k += 1
        block = rows[start:k]
        cells = [RawCell(row=r, col=c, page=1, lines=[RawLine(text=x.strip(), page=1) for x in t.split("\n")
                                                           if x.strip()])
                 for r, row in enumerate(block) for c, t in enumerate(row) if t]
        items.append(Item(y=len(items), table=RawTable(n_rows=len(block), n_cols=max(len(r) for r in block),
                                                       cells=cells, origin="csv", page=1, pages=[1])))
    return items


def load_delimited(path: str | Path) -> Document:
    """Load a .csv / .tsv file into a one-page Document."""
    p = Path(path)
    try:
        text, _encoding = decode_bytes(p.read_bytes())
        rows = _rows(text)
    except (ValueError, csv.Error) as exc:
        raise CorruptDocument(f"not a readable CSV file ({exc})", file=str(p)) from None
    pages, tables = build_pages([(1, None, None, _items(rows))])
    status = "ok" if any(pg.lines for pg in pages) else "empty"
    return Document(source=str(p), name=p.name, sha256=sha256_of(p), format="csv", pages=pages, tables=tables,
                    status=status, warnings=[] if status == "ok" else ["file has no text"])
