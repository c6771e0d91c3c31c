"""What a hostile model claims never reaches the batch JSON, the store or a draft; the batch says what it rejected."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.llm.fake_server import FakeLLM
from tests.llm.oracle import Oracle
from tests.llm.test_truthful import STEM, _bump_numbers, _invent


def _hostile(answer, chunk):
    return _bump_numbers(_invent(answer, chunk), chunk)


def _bumped_values(req) -> list[str]:
    good = json.loads(Oracle(STEM)(req).content)
    bad = json.loads(Oracle(STEM, edit=_hostile)(req).content)
    return [b["value"] for b, g in zip(bad.get("indicators", []), good.get("indicators", []))
            if b["value"] != g["value"]]


@pytest.fixture
def one_file(tmp_path):
    from tests.conftest import CORPUS
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(CORPUS / f"{STEM}.txt", folder)
    return folder


def test_batch_summary_and_failures_list_what_was_rejected(one_file, tmp_path, monkeypatch):
    from perfdraft.core import settings as settings_mod
    from perfdraft.extraction.batch import FAILURES, BatchOptions, run_batch

    with FakeLLM(responder=Oracle(STEM, edit=_hostile)) as fake:
        for k, v in dict(PERFDRAFT_LLM_BASE_URL=fake.url, PERFDRAFT_LLM_MODEL="m", PERFDRAFT_LLM_MAX_REASKS="0",
                         PERFDRAFT_DATA_DIR=str(tmp_path / "data")).items():
            monkeypatch.setenv(k, v)
        settings_mod.get_settings.cache_clear()
        try:
            summary = run_batch([one_file], BatchOptions(out_dir=tmp_path / "out", backend="llm", isolate=False))
        finally:
            settings_mod.get_settings.cache_clear()
        bumped = [v for r in fake.requests if "department goals" not in FakeLLM.user_text(r)
                  for v in _bumped_values(r)]
    (o,) = summary.outcomes
    assert o.status == "partial" and o.kind == "llm-rejected" and summary.rejected == len(o.rejected) > 0
    written = (tmp_path / "out" / f"{STEM}.json").read_text(encoding="utf-8")
    assert "虚构" not in written
    assert bumped and not any(json.dumps(v, ensure_ascii=False) in written for v in bumped)
    (record,) = [json.loads(x) for x in (tmp_path / "out" / FAILURES).read_text(encoding="utf-8").splitlines()]
    claimed = {r["claimed"] for r in record["rejected"]}
    assert "用于虚构的采购项目" in claimed and set(bumped) <= claimed  # the text the model claimed, listed


@pytest.mark.slow
def test_store_and_draft_never_hold_a_rejected_value(one_file, tmp_path, settings_for):
    from perfdraft.core.models import ProjectBrief
    from perfdraft.drafting.drafter import draft
    from perfdraft.ingest.store import Store
    from perfdraft.pipeline.store_ingest import ingest_file

    with FakeLLM(responder=Oracle(STEM, edit=_hostile)) as fake:
        s = settings_for(fake.url, llm_max_reasks=0)
        store = Store(s, path=tmp_path / "store")
        out = ingest_file(store, one_file / f"{STEM}.txt", backend="llm", settings=s)
        bumped = [v for r in fake.requests if "department goals" not in FakeLLM.user_text(r)
                  for v in _bumped_values(r)]
    assert out.status == "stored" and out.rows > 0
    stored = json.dumps([p.project.model_dump() for p in store.projects()], ensure_ascii=False)
    assert "虚构" not in stored and not any(json.dumps(v, ensure_ascii=False) in stored for v in bumped)
    result = draft(ProjectBrief(name="城乡居民基本医疗保险专项资金", budget_wan=2000, year=2026), store, k=3)
    drafted = result.project.model_dump_json()
    assert result.project.indicators and "虚构" not in drafted
