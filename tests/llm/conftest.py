"""Fixtures for the LLM path: a fake endpoint per test and settings pointing at it."""

from __future__ import annotations

import pytest

from perfdraft.core.settings import Settings
from tests.llm.fake_server import FakeLLM

SECRET = "sk-test-DO-NOT-LEAK-4242"


@pytest.fixture
def fake_llm():
    with FakeLLM() as fake:
        yield fake


def make_settings(tmp_path, url: str | None, **kw) -> Settings:
    values = dict(llm_base_url=url, llm_model="fake-model" if url else None, llm_api_key=SECRET,
                  cache_path=tmp_path / "llm-cache.sqlite", data_dir=tmp_path, llm_timeout=5.0,
                  llm_transport_retries=3, llm_max_reasks=2, llm_max_concurrency=1)
    values.update(kw)
    return Settings(_env_file=None, **values)


@pytest.fixture
def settings_for(tmp_path):
    return lambda url, **kw: make_settings(tmp_path, url, **kw)


@pytest.fixture(autouse=True)
def _closed_breakers():
    """Each test starts with no endpoint marked dead (ports are reused between tests)."""
    from perfdraft.llm import breaker
    breaker._DOWN.clear()
    yield
    breaker._DOWN.clear()

