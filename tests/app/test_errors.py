"""Failures reach the user as a message, never as a traceback."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.app.conftest import APP


def test_unreachable_store_is_a_message_not_a_traceback(data_dir, monkeypatch):
    monkeypatch.setenv("PERFDRAFT_CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("PERFDRAFT_CHROMA_PORT", "9")  # discard port: nothing listens
    at = AppTest.from_file(str(APP), default_timeout=180).run()
    assert not at.exception
    assert any("Chroma" in e.value for e in at.error), [e.value for e in at.error]
    assert any(b.label == "生成草稿" for b in at.button), "the form is still usable"


def test_bad_setting_is_a_message(data_dir, monkeypatch):
    monkeypatch.setenv("PERFDRAFT_MAX_UPLOAD_MB", "lots")
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception
    assert any("输入有误" in e.value and "max_upload_mb" in e.value for e in at.error), [e.value for e in at.error]
