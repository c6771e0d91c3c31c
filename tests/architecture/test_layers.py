"""The layer contract (pyproject [tool.importlinter]) holds and no module imports itself through a cycle."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.architecture.staging import ROOT, package_sources, stage

CHECK = Path(__file__).with_name("graph_check.py")


def run_check(tree: Path) -> dict:
    """Lint a staged tree in a fresh interpreter (the staged perfdraft shadows the editable install there)."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run([sys.executable, str(CHECK), str(ROOT / "pyproject.toml")], cwd=tree, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1]) | {"report": done.stdout}


@pytest.fixture(scope="module")
def staged(tmp_path_factory) -> Path:
    return stage(tmp_path_factory.mktemp("staged"))


def test_every_mapped_package_is_staged(staged):
    for pkg, src in package_sources().items():
        assert (src / "__init__.py").is_file(), f"{pkg}: {src} has no __init__.py"
        assert (staged.joinpath(*pkg.split(".")) / "__init__.py").is_file()


def test_layer_contract_is_kept_and_there_are_no_cycles(staged):
    result = run_check(staged)
    assert result["modules"] > 60  # the whole namespace was seen, not just perfdraft/
    assert result["lint_imports"] == 0, result["report"]
    assert result["cycles"] == [], result["cycles"]


def test_the_check_catches_an_upward_import_and_a_cycle(tmp_path):
    tree = stage(tmp_path)
    # core reaching up into drafting breaks the layers; two ingest modules importing each other make a cycle
    (tree / "perfdraft" / "core" / "upward.py").write_text("from perfdraft.drafting import drafter\n")
    (tree / "perfdraft" / "ingest" / "ping.py").write_text("from perfdraft.ingest import pong\n")
    (tree / "perfdraft" / "ingest" / "pong.py").write_text("from perfdraft.ingest import ping\n")
    result = run_check(tree)
    assert result["lint_imports"] != 0
    assert "perfdraft.core.upward" in result["report"]
    assert ["perfdraft.ingest.ping", "perfdraft.ingest.pong"] in result["cycles"]
