"""SourceRef.file means one thing for every producer: the source file's name, never the path it was read from."""

from __future__ import annotations

import shutil

import pytest

from perfdraft.core.models import PerformanceDocument, SourceRef
from perfdraft.extraction.api import extract_file
from tests.conftest import CORPUS
from tests.llm.conftest import make_settings
from tests.llm.fake_server import FakeLLM
from tests.llm.oracle import Oracle

STEM = "000_bcf204015f35a258"


def refs(perf: PerformanceDocument) -> list[SourceRef]:
    out = [p.source for p in perf.projects] + [i.source for p in perf.projects for i in p.indicators]
    out += [g.source for g in perf.department_goals]
    return [r for r in out if r is not None]


@pytest.mark.parametrize("backend", ["rules", "llm"])
def test_every_source_ref_names_the_file_not_its_path(tmp_path, backend):
    path = tmp_path / "deep" / "folder" / f"{STEM}.txt"
    path.parent.mkdir(parents=True)
    shutil.copy2(CORPUS / path.name, path)
    with FakeLLM(responder=Oracle(STEM)) as fake:
        result = extract_file(path, backend=backend, settings=make_settings(tmp_path, fake.url))
    found = refs(result.document)
    assert len(found) > 10
    assert {r.file for r in found} == {path.name}
