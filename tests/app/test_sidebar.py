"""The sidebar says plainly which backend runs the work, and shows the token ledger for the LLM."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.app.conftest import APP


def _sidebar_text(at) -> str:
    return " ".join(e.value for e in at.sidebar.info) + " " + " ".join(e.value for e in at.sidebar.markdown)


def test_rules_only_by_default(app):
    assert "仅规则" in _sidebar_text(app)
    assert app.sidebar.radio(key="backend").options == ["规则（内置）"]


def test_configured_llm_is_named_with_its_ledger(data_dir, monkeypatch):
    monkeypatch.setenv("PERFDRAFT_LLM_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("PERFDRAFT_LLM_MODEL", "qwen-test")
    at = AppTest.from_file(str(APP), default_timeout=180).run()
    assert "仅规则" in _sidebar_text(at)  # rules stay the default until the user switches
    at.sidebar.radio(key="backend").set_value("llm").run()
    text = _sidebar_text(at)
    assert "http://127.0.0.1:9/v1" in text and "qwen-test" in text
    assert "合计 token：0" in text
