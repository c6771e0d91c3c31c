"""Concurrent `perfdraft ingest --force` runs with random SIGKILLs never corrupt or lose the store."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hardening.concurrent_ingest import fault_trials


def assert_all_survived(reference: dict, results: list) -> None:
    assert reference["rows"] > 400 and reference["documents"]  # the whole corpus, not an empty store
    assert sum(r.kills for r in results) > 0  # the trials really killed writers
    problems = [(i, r.problem) for i, r in enumerate(results) if not r.consistent]
    assert not problems, problems
    assert sum(r.lost_rows for r in results) == 0


def test_three_trials_of_three_concurrent_ingests_with_kills(tmp_path: Path):
    assert_all_survived(*fault_trials(tmp_path, trials=3, seed=3))


@pytest.mark.slow
def test_twenty_trials_of_three_concurrent_ingests_with_kills(tmp_path: Path):
    assert_all_survived(*fault_trials(tmp_path, trials=20, seed=16))
