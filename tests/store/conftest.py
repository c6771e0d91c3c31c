"""Store test helpers: a fresh on-disk store per test and the gold documents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from perfdraft.ingest.embed import HashEmbedder
from perfdraft.ingest.store import Store
from perfdraft.core.models import PerformanceDocument
from perfdraft.core.settings import Settings

GOLD = Path(__file__).resolve().parents[2] / "eval" / "fixtures" / "gold"


def gold_docs() -> list[PerformanceDocument]:
    return [PerformanceDocument.model_validate(json.loads(f.read_text(encoding="utf-8")))
            for f in sorted(GOLD.glob("*.json"))]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", _env_file=None)


@pytest.fixture
def store(settings: Settings) -> Store:
    return Store(settings, embedder=HashEmbedder())


@pytest.fixture
def gold_store(store: Store) -> Store:
    for perf in gold_docs():
        store.add_document(perf, source=perf.source)
    return store
