"""Every shared gold document rendered by test code as HTML, .xls, .doc and CSV extracts like its text version."""

from __future__ import annotations

import shutil

import pytest

from perfdraft.eval import scores
from perfdraft.extraction.api import extract_file
from tests import docgen
from tests.ingest import gold_render

CORPUS = docgen.ROOT / "eval" / "fixtures" / "corpus"
STEMS = [p.stem for p in docgen.gold_paths()]
QUICK = STEMS[:2]  # the default run; the larger documents run with -m slow


def _headline(stem, path):
    result = extract_file(path)
    assert result.status == "success", result.errors
    return scores.score_document(stem, docgen.load_gold(stem), result.document).headline()


@pytest.fixture(scope="module")
def text_scores():
    return {}


def _text(text_scores, stem):
    if stem not in text_scores:
        text_scores[stem] = _headline(stem, CORPUS / f"{stem}.txt")
    return text_scores[stem]


@pytest.fixture(scope="module")
def doc_files(tmp_path_factory):
    """All .doc renderings made by one LibreOffice run of the test's own (set-up speed)."""
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    out = tmp_path_factory.mktemp("doc")
    return dict(zip(STEMS, gold_render.many_to_doc({s: docgen.load_gold(s) for s in STEMS}, out)))


def _render(kind, stem, out_dir, request):
    if kind == "doc":
        return request.getfixturevalue("doc_files")[stem]
    gold = docgen.load_gold(stem)
    if kind == "html":
        return gold_render.to_html(gold, out_dir / f"{stem}.html")
    if kind == "utf8-wrapped.htm":
        return gold_render.to_html(gold, out_dir / f"{stem}.htm", encoding="utf-8", layout_wrapper=True)
    if kind == "gbk.csv":
        return gold_render.to_csv(gold, out_dir / f"{stem}.csv")
    return gold_render.to_xls(gold, out_dir / f"{stem}.xls")


KINDS = ["html", "utf8-wrapped.htm", "xls", "doc", "gbk.csv"]
CASES = [pytest.param(s, k, marks=() if s in QUICK else pytest.mark.slow) for s in STEMS for k in KINDS]


@pytest.mark.parametrize(("stem", "kind"), CASES)
def test_rendering_extracts_like_the_text(tmp_path, request, text_scores, stem, kind):
    got = _headline(stem, _render(kind, stem, tmp_path, request))
    want = _text(text_scores, stem)
    assert got["row_f1"] == pytest.approx(want["row_f1"])
    worse = {k: (v, got.get(k)) for k, v in want.items()
             if k != "grounding" and v is not None and (got.get(k) is None or got[k] < v - 1e-9)}
    assert not worse
