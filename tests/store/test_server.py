"""The same Store code path against a real `chroma run` server on loopback (random port)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from perfdraft.ingest.embed import HashEmbedder
from perfdraft.ingest.store import Store
from perfdraft.core.settings import Settings

from .conftest import gold_docs

CHROMA = Path(sys.executable).with_name("chroma")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def chroma_server(tmp_path: Path):
    exe = str(CHROMA) if CHROMA.exists() else shutil.which("chroma")
    if not exe:
        pytest.skip("the chroma CLI is not installed")
    port = _free_port()
    proc = subprocess.Popen([exe, "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail("chroma run exited early")
                time.sleep(0.2)
        else:
            pytest.fail("chroma run did not start listening")
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


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
    assert other.delete_document(perf.source) == rows
    assert store.count() == (0, 0)


def test_unreachable_server_is_a_store_error_naming_it(tmp_path: Path):
    from perfdraft.core.errors import StoreError
    port = _free_port()  # nothing listens there
    settings = Settings(data_dir=tmp_path, chroma_host="127.0.0.1", chroma_port=port, _env_file=None)
    with pytest.raises(StoreError) as info:
        Store(settings, embedder=HashEmbedder())
    assert f"127.0.0.1:{port}" in info.value.one_line()
