"""Settings come from PERFDRAFT_* variables and ./.env, under the values a caller passes."""

from __future__ import annotations

import subprocess
import sys

import pytest
from pydantic import ValidationError

from perfdraft.core.settings import Settings


@pytest.fixture
def env(monkeypatch, tmp_path):
    """A clean environment (no PERFDRAFT_* or OPENAI_API_KEY) in an empty working folder."""
    import os
    for key in list(os.environ):
        if key.lower().startswith("perfdraft_") or key == "OPENAI_API_KEY":
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    return monkeypatch


def test_defaults_and_derived_paths(env):
    s = Settings()
    assert s.backend == "rules" and s.chroma_port == 8000 and s.llm_examples is True
    assert str(s.store) == "data/store" and str(s.cache_path) == "data/llm-cache.sqlite"
    assert s.llm_api_key is None


def test_prefixed_variables_in_any_case_are_parsed_to_their_types(env):
    env.setenv("PERFDRAFT_DATA_DIR", "/srv/pd")
    env.setenv("perfdraft_chroma_port", "9001")
    env.setenv("PERFDRAFT_LLM_EXAMPLES", "0")
    env.setenv("PERFDRAFT_LLM_TOKEN_BUDGET", "5000")
    env.setenv("PERFDRAFT_NOT_A_SETTING", "x")
    env.setenv("DATA_DIR", "/not/prefixed")
    s = Settings()
    assert str(s.data_dir) == "/srv/pd" and str(s.store) == "/srv/pd/store"
    assert s.chroma_port == 9001 and s.llm_examples is False and s.llm_token_budget == 5000


def test_given_values_beat_the_environment_which_beats_the_env_file(env, tmp_path):
    (tmp_path / ".env").write_text("PERFDRAFT_LLM_MODEL=from-file\nPERFDRAFT_CHROMA_HOST=file-host\n"
                                   "export PERFDRAFT_STORE=\"/a b/store\"\nOTHER=1\n", encoding="utf-8")
    env.setenv("PERFDRAFT_CHROMA_HOST", "env-host")
    s = Settings(llm_timeout=5)
    assert (s.llm_model, s.chroma_host, str(s.store), s.llm_timeout) == ("from-file", "env-host", "/a b/store", 5.0)
    assert Settings(chroma_host="given").chroma_host == "given"


def test_env_file_none_skips_the_file(env, tmp_path):
    (tmp_path / ".env").write_text("PERFDRAFT_LLM_MODEL=from-file\n", encoding="utf-8")
    assert Settings(_env_file=None).llm_model is None
    other = tmp_path / "other.env"
    other.write_text("PERFDRAFT_LLM_MODEL=other\n", encoding="utf-8")
    assert Settings(_env_file=other).llm_model == "other"


def test_api_key_falls_back_to_openai_api_key(env):
    env.setenv("OPENAI_API_KEY", "sk-openai")
    assert Settings().llm_api_key.get_secret_value() == "sk-openai"
    env.setenv("PERFDRAFT_LLM_API_KEY", "sk-own")
    assert Settings().llm_api_key.get_secret_value() == "sk-own"
    assert "sk-own" not in repr(Settings())


@pytest.mark.parametrize("name, value", [("PERFDRAFT_MAX_UPLOAD_MB", "lots"), ("PERFDRAFT_EMBEDDINGS", "word2vec"),
                                         ("PERFDRAFT_STORE_LOCK_TIMEOUT", "-1")])
def test_a_bad_value_is_a_validation_error_naming_the_setting(env, name, value):
    env.setenv(name, value)
    with pytest.raises(ValidationError) as err:
        Settings()
    assert err.value.errors()[0]["loc"] == (name.lower().removeprefix("perfdraft_"),)


def test_reading_settings_does_not_import_pydantic_settings_or_asyncio(env):
    code = ("import sys; from perfdraft.core.settings import Settings; Settings(); "
            "print(sorted(m for m in ('pydantic_settings', 'asyncio') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
