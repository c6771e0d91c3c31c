"""The same Store code path against a real `chroma run` server on loopback (random port)."""

from __future__ import annotations

from pathlib import Path

import pytest

from perfdraft.ingest.embed import HashEmbedder
from perfdraft.ingest.store import Store
from perfdraft.core.settings import Settings

from .chroma_server import free_port, start_chroma, stop_chroma
from .conftest import gold_docs


@pytest.fixture
def chroma_server(tmp_path: Path):
    proc, port = start_chroma(tmp_path / "server")
    try:
        yield port
    finally:
        stop_chroma(proc)


@pytest.mark.slow
def test_server_store_behaves_like_local(chroma_server: int, tmp_path: Path):
    settings = Settings(data_dir=tmp_path / "unused", chroma_host="127.0.0.1", chroma_port=chroma_server,
                        _env_file=None)
    store = Store(settings, embedder=HashEmbedder())
    assert store.location.startswith("http://127.0.0.1:")
    assert not (tmp_path / "unused" / "store").exists()  # nothing written locally
    perf = gold_docs()[3]
    rows = store.add_document(perf, source=perf.source)
    assert store.add_document(perf, source=perf.source) == rows
    assert store.count() == (len(perf.projects), rows)
    # a second client (another team member) sees the same records
    other = Store(settings, embedder=HashEmbedder())
    hits = other.search_projects("综合业务会议费", k=3)
    assert [h.project.name for h in hits] == ["综合业务会议费"] * 3
    # its lexical index is built now; a write by the first client is still found (the generation changed)
    renamed = perf.model_copy(update={"projects": [p.model_copy(update={"name": p.name + "甲乙丙"})
                                                   for p in perf.projects]})
    store.add_document(renamed, source="renamed.txt")
    assert {h.document for h in other.search_projects("甲乙丙", k=3, ranking="lexical")} == {"renamed.txt"}
    assert store.search_projects("综合业务会议费", k=3, ranking="lexical") == \
        other.search_projects("综合业务会议费", k=3, ranking="lexical")
    assert not (tmp_path / "unused").exists()  # no index files for a server store either
    assert other.delete_document(perf.source) == rows
    assert other.delete_document("renamed.txt") == rows
    assert store.count() == (0, 0)
    assert store.search_projects("甲乙丙", k=3, ranking="lexical") == []


def test_unreachable_server_is_a_store_error_naming_it(tmp_path: Path):
    from perfdraft.core.errors import StoreError
    port = free_port()  # nothing listens there
    settings = Settings(data_dir=tmp_path, chroma_host="127.0.0.1", chroma_port=port, _env_file=None)
    with pytest.raises(StoreError) as info:
        Store(settings, embedder=HashEmbedder())
    assert f"127.0.0.1:{port}" in info.value.one_line()
