"""The program's start freezes its import-time objects out of the garbage collector's sight, and only there."""

import gc
import sys

import pytest

from perfdraft.cli import main
from perfdraft.core.settings import get_settings
from tests.conftest import CORPUS


@pytest.fixture
def unfrozen(tmp_path, monkeypatch):
    monkeypatch.setenv("PERFDRAFT_DATA_DIR", str(tmp_path))
    for var in ("PERFDRAFT_STORE_LEXICON", "PERFDRAFT_LLM_EXAMPLES"):  # --no-store sets both: undone after the test
        monkeypatch.setenv(var, "1")
    get_settings.cache_clear()
    gc.unfreeze()
    yield
    gc.unfreeze()  # the test process's objects back under collection
    gc.enable()
    get_settings.cache_clear()


def _extract_args(tmp_path):
    return ["extract", str(next(CORPUS.glob("000_*.txt"))), "--out", str(tmp_path / "out"), "--force", "-q",
            "--no-store"]


def test_the_program_start_freezes_and_collection_is_on_for_the_command(tmp_path, monkeypatch, unfrozen):
    monkeypatch.setattr(sys, "argv", ["perfdraft", *_extract_args(tmp_path)])
    assert main() == 0
    assert gc.get_freeze_count() > 0
    assert gc.isenabled()


def test_a_call_with_arguments_leaves_the_collector_alone(tmp_path, unfrozen):
    assert main(_extract_args(tmp_path)) == 0
    assert gc.get_freeze_count() == 0
    assert gc.isenabled()


def test_a_usage_error_at_start_still_turns_collection_back_on(monkeypatch, unfrozen):
    monkeypatch.setattr(sys, "argv", ["perfdraft", "extract", "--no-such-option"])
    with pytest.raises(SystemExit):
        main()
    assert gc.isenabled()
