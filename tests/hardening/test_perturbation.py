"""Perturbed shared documents: extraction stays correct or warns, never crashes, never invents a value."""

from __future__ import annotations

import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from perfdraft.extraction.api import extract_file
from perfdraft.core.models import ExtractionResult
from tests.hardening.perturb import PERTURBATIONS

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "eval" / "fixtures" / "corpus"
GOLD = ROOT / "eval" / "fixtures" / "gold"
DOCS = sorted(p.stem for p in CORPUS.glob("*.txt"))


def norm(s: str | None) -> str:
    return "".join(unicodedata.normalize("NFKC", s or "").split()).replace("百分比", "%")


def rows(result: ExtractionResult) -> Counter:
    doc = result.document
    return Counter((norm(i.level3), norm(i.value)) for p in doc.projects for i in p.indicators)


def n_warnings(result: ExtractionResult) -> int:
    doc = result.document
    return (len(result.warnings) + len(doc.warnings)
            + sum(len(p.warnings) + sum(len(i.warnings) for i in p.indicators) for p in doc.projects))


@pytest.fixture(scope="module")
def clean() -> dict[str, ExtractionResult]:
    return {stem: extract_file(CORPUS / f"{stem}.txt") for stem in DOCS}


@pytest.mark.parametrize("how", sorted(PERTURBATIONS))
@pytest.mark.parametrize("stem", DOCS)
def test_perturbed_document(stem: str, how: str, clean, tmp_path: Path):
    text = (CORPUS / f"{stem}.txt").read_text(encoding="utf-8")
    perturbed = PERTURBATIONS[how](text, GOLD / f"{stem}.json")
    assert perturbed != text, "the perturbation must change the document"
    path = tmp_path / f"{stem}.txt"
    path.write_text(perturbed, encoding="utf-8")

    result = extract_file(path)  # never raises: the API turns errors into a status
    assert result.status in ("success", "partial_success"), result.errors
    base = clean[stem]
    assert base.document is not None and result.document is not None

    # never a value that is not in the text (values joined from wrapped cells are known from the clean run)
    haystack = norm(perturbed)
    known = {v for _, v in rows(base)}
    for p in result.document.projects:
        for i in p.indicators:
            assert norm(i.value) in haystack or norm(i.value) in known, (p.name, i.level3, i.value)

    got, want = rows(result), rows(base)
    if got != want:  # degraded: then it must say so
        lost = sum((want - got).values())
        assert n_warnings(result) > n_warnings(base), (
            f"{how}: {lost} of {sum(want.values())} rows differ from the clean extraction without a new warning;"
            f" e.g. missing {list((want - got))[:3]}, extra {list((got - want))[:3]}")
