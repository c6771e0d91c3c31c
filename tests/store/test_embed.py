"""Embedders: the hashing default is deterministic and CJK-aware; the OpenAI one talks HTTP to a fake server."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import numpy as np
import pytest

from perfdraft.ingest.embed import HashEmbedder, OpenAIEmbedder, char_ngrams, make_embedder
from perfdraft.core.errors import ConfigError, StoreError
from perfdraft.core.settings import Settings


def test_hash_embedder_is_deterministic_and_unit_length():
    a, b = HashEmbedder(), HashEmbedder()
    va, vb = a.query("印刷费"), b.passages(["印刷费"])[0]
    assert np.allclose(va, vb)
    assert abs(float(np.linalg.norm(va)) - 1.0) < 1e-5
    assert abs(float(np.linalg.norm(a.query(""))) - 1.0) < 1e-5  # empty text still a valid vector


def test_hash_embedder_ranks_shared_characters_higher():
    e = HashEmbedder()
    q = e.query("网络租赁费")
    same, other = e.passages(["网络租赁费用", "物业管理费"])
    assert float(q @ same) > float(q @ other)


def test_char_ngrams_ignore_punctuation():
    assert "费（" not in char_ngrams("印刷费（2025）")
    assert "印刷" in char_ngrams("印刷费（2025）")


class _FakeEmbeddings(BaseHTTPRequestHandler):
    calls: list[dict] = []

    def do_POST(self):  # noqa: N802 - http.server API
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).calls.append(body)
        if body["model"] == "broken":
            self.send_response(400)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"error": {"message": "no such model"}}')
            return
        data = [{"object": "embedding", "index": i, "embedding": [float(len(t)), 1.0, 0.0]}
                for i, t in enumerate(body["input"])]
        out = json.dumps({"object": "list", "data": data, "model": body["model"],
                          "usage": {"prompt_tokens": 1, "total_tokens": 1}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *a):
        pass


@pytest.fixture
def fake_endpoint():
    srv = HTTPServer(("127.0.0.1", 0), _FakeEmbeddings)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    _FakeEmbeddings.calls = []
    yield f"http://127.0.0.1:{srv.server_port}/v1"
    srv.shutdown()


def test_openai_embedder_batches_and_normalises(fake_endpoint):
    s = Settings(llm_base_url=fake_endpoint, embed_model="bge-m3", embeddings="openai", llm_transport_retries=0,
                 _env_file=None)
    e = make_embedder(s)
    assert isinstance(e, OpenAIEmbedder) and e.key == "oa-bge-m3"
    e._batch = 2
    m = e.passages(["a", "bb", "ccc"])
    assert m.shape == (3, 3)
    assert np.allclose(np.linalg.norm(m, axis=1), 1.0)
    assert [len(c["input"]) for c in _FakeEmbeddings.calls] == [2, 1]


def test_openai_embedder_errors_are_store_errors(fake_endpoint):
    s = Settings(llm_base_url=fake_endpoint, embed_model="broken", llm_transport_retries=0, _env_file=None)
    with pytest.raises(StoreError, match="embeddings endpoint failed"):
        OpenAIEmbedder(s).query("x")


def test_openai_embedder_needs_configuration():
    with pytest.raises(ConfigError, match="PERFDRAFT_EMBED_MODEL"):
        OpenAIEmbedder(Settings(llm_base_url="http://127.0.0.1:1/v1", _env_file=None))


@pytest.mark.slow
def test_e5_embedder_ships_in_the_package_and_ranks_by_meaning():
    from perfdraft.ingest.embed import E5Embedder
    e = E5Embedder()
    q = e.query("印刷费")
    printing, property_fee = e.passages(["印刷费 用于印制宣传材料", "物业管理费 保洁保安"])
    assert q.shape == (e.dim,) and abs(float(np.linalg.norm(q)) - 1.0) < 1e-4
    assert float(q @ printing) > float(q @ property_fee)


def test_each_embedder_gets_its_own_collections(tmp_path):
    from perfdraft.ingest.store import Store
    from .conftest import gold_docs
    s = Settings(data_dir=tmp_path, _env_file=None)
    perf = gold_docs()[0]
    a = Store(s, embedder=HashEmbedder(dim=1024))
    a.add_document(perf, source=perf.source)
    b = Store(s, embedder=HashEmbedder(dim=256))  # other vector space: must not mix with the 1024-d records
    assert b.count() == (0, 0) and a.count()[0] == len(perf.projects)
