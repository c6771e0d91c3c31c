"""Session fixtures: the bad-input corpus under tests/data/bad/ and big generated files in a temp folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hardening import badcorpus

BAD_DIR = Path(__file__).resolve().parents[1] / "data" / "bad"


@pytest.fixture(scope="session")
def bad_files() -> dict[str, Path]:
    return badcorpus.build(BAD_DIR)


@pytest.fixture(scope="session")
def big_files(tmp_path_factory) -> dict[str, Path]:
    """The 100 MB text file and the 1 GB-inflating DOCX zip bomb (never in the repo)."""
    folder = tmp_path_factory.mktemp("big")
    badcorpus.huge_text(folder / "huge.txt", mb=100)
    badcorpus.docx_zip_bomb(folder / "zipbomb.docx", inflated_mb=1024)
    return {"huge.txt": folder / "huge.txt", "zipbomb.docx": folder / "zipbomb.docx"}
