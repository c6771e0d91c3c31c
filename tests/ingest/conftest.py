"""Rendered documents shared by the loader tests (built once per session from the gold fixtures)."""

from __future__ import annotations

from pathlib import Path

import pytest

from perfdraft.drafting.export import ExportOptions
from tests import docgen

SMALL = "000_bcf204015f35a258"  # 3 tables, every field filled
SPARSE = "001_6fdd445ec51644fc"  # 11 tables, no code/unit in some, empty description/basis cells


@pytest.fixture(scope="session")
def rendered(tmp_path_factory) -> dict[str, Path]:
    """name -> path of generated documents."""
    d = tmp_path_factory.mktemp("rendered")
    small, sparse = docgen.load_gold(SMALL), docgen.load_gold(SPARSE)
    out = {
        "small.pdf": docgen.render(small, d / "small.pdf"),
        "small.docx": docgen.render(small, d / "small.docx"),
        "small.xlsx": docgen.render(small, d / "small.xlsx"),
        "split.pdf": docgen.split_table_pdf(small, d / "split.pdf", after=3, split_cell=True),
        "split_merge.pdf": docgen.split_table_pdf(small, d / "split_merge.pdf", after=1, split_cell=False),
        "sparse.pdf": docgen.render(sparse, d / "sparse.pdf"),
        "sparse.docx": docgen.render(sparse, d / "sparse.docx"),
        "period.docx": docgen.render(small, d / "period.docx", ExportOptions(period_column=True)),
    }
    return out


@pytest.fixture(scope="session")
def small_gold():
    return docgen.load_gold(SMALL)


@pytest.fixture(scope="session")
def sparse_gold():
    return docgen.load_gold(SPARSE)
