"""The table finder fed with the loader's own characters: same Documents as PyMuPDF's public path, one text pass."""

from __future__ import annotations

import logging

import pymupdf
import pytest

from perfdraft.ingest import pdf_finder
from perfdraft.ingest.load import load_document
from tests import docgen
from perfdraft.eval.zoo.generate import render as zoo_render

ZOO_VARIANTS = ("merged-cells", "wrapped-cells", "page-breaks", "extra-columns", "title-in-row")


@pytest.fixture(scope="module")
def inputs(rendered, tmp_path_factory) -> list:
    """PDFs of the project's two renderers (docgen's exporter and the layout zoo), a rotated and a rule-less one."""
    d = tmp_path_factory.mktemp("finder")
    paths = [rendered[k] for k in ("small.pdf", "sparse.pdf", "split.pdf", "split_merge.pdf")]
    gold = docgen.load_gold("002_9d927ef525b240df")
    paths += [zoo_render("002_9d927ef525b240df", gold, v, "pdf", d).path for v in ZOO_VARIANTS]
    rotated = pymupdf.open(rendered["small.pdf"])
    rotated[0].set_rotation(90)  # only the first page: the rest still takes the hooked path
    rotated.save(d / "rotated.pdf")
    plain = pymupdf.open()
    plain.new_page().insert_text((72, 72), "项目支出绩效目标表（无表格线）", fontname="china-s",
                                 fontsize=12)
    plain.save(d / "plain.pdf")
    return paths + [d / "rotated.pdf", d / "plain.pdf"]


@pytest.fixture
def text_passes(monkeypatch) -> list:
    """Pages given to Page.get_textpage (one per text extraction), as they happen."""
    calls: list[int] = []
    real = pymupdf.Page.get_textpage

    def counting(self, *args, **kwargs):
        calls.append(self.number)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(pymupdf.Page, "get_textpage", counting)
    return calls


def _pages(path) -> int:
    with pymupdf.open(path) as doc:
        return doc.page_count


def test_hooked_documents_equal_the_public_paths_with_one_text_pass_per_page(inputs, text_passes):
    tables = 0
    for path in inputs:
        text_passes.clear()
        hooked = load_document(path)
        hooked_passes = len(text_passes)
        text_passes.clear()
        with pdf_finder.public_path():
            public = load_document(path)
        assert hooked.model_dump_json() == public.model_dump_json(), path.name
        if path.name != "rotated.pdf":  # PyMuPDF reads a rotated page itself, derotated
            assert hooked_passes == _pages(path), path.name
        if public.tables:
            assert len(text_passes) > hooked_passes, path.name  # the public path extracts text a second time
        tables += len(hooked.tables)
    assert tables >= 30  # the inputs do hold ruled tables


def test_an_untested_pymupdf_takes_the_public_path_with_one_warning(rendered, monkeypatch, caplog, text_passes):
    monkeypatch.setattr(pymupdf, "VersionBind", "9.9.0")
    monkeypatch.setattr(pdf_finder, "_hooked", None)  # decide again, for this version
    path = rendered["small.pdf"]
    with caplog.at_level(logging.WARNING, logger="perfdraft.ingest.pdf"):
        first = load_document(path)
        load_document(rendered["sparse.pdf"])
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and "9.9.0" in r.getMessage()]
    assert len(warnings) == 1
    assert not pdf_finder.install()
    text_passes.clear()
    load_document(path)
    assert len(text_passes) > _pages(path)  # PyMuPDF built its own characters
    with pdf_finder.public_path():
        assert load_document(path).model_dump_json() == first.model_dump_json()


def test_only_the_tested_versions_and_their_patch_releases_are_hooked():
    v = pdf_finder.TESTED_VERSIONS[0]
    assert pdf_finder.tested(v) and pdf_finder.tested(v + ".3")
    assert not pdf_finder.tested(v + "1") and not pdf_finder.tested("0.1") and not pdf_finder.tested("")
