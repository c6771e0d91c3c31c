"""Shared set-up for the page tests: a fresh data directory per test, an AppTest on app.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app.py"


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    """A temporary PERFDRAFT_DATA_DIR (store, uploads, exports) and no LLM configured."""
    d = tmp_path / "data"
    monkeypatch.setenv("PERFDRAFT_DATA_DIR", str(d))
    for var in ("PERFDRAFT_STORE", "PERFDRAFT_CHROMA_HOST", "PERFDRAFT_LLM_BASE_URL", "PERFDRAFT_LLM_MODEL",
                "PERFDRAFT_BACKEND"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)  # a stray relative path would land here, not in the repo
    return d


@pytest.fixture
def app(data_dir):
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file(str(APP), default_timeout=180)
    at.run()
    return at


def shown(text: str) -> str:
    """Text as the browser shows it: the page backslash-escapes Markdown in document text."""
    return re.sub(r"\\(.)", r"\1", text).replace("\u200b", "")


def messages(at, kind: str) -> list[str]:
    return [shown(e.value) for e in getattr(at, kind)]


def assert_clean(at) -> None:
    """No traceback and no error message on the page."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, messages(at, "error")


def fill_brief(at, name="印刷费", budget=12.0, year=2026, department="唐山市医疗保障局", purpose=""):
    at.text_input(key="brief_name").set_value(name)
    at.number_input(key="brief_budget").set_value(budget)
    at.number_input(key="brief_year").set_value(year)
    at.text_input(key="brief_department").set_value(department)
    at.text_area(key="brief_purpose").set_value(purpose)
    submit = next(b for b in at.button if b.label == "生成草稿")
    submit.click()
    at.run()
    return at
