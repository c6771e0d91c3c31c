"""The command line with an unreachable endpoint: one line naming the URL and the setting, no traceback."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest

from tests.conftest import CORPUS, ROOT
from tests.llm.conftest import SECRET

DOC = CORPUS / "000_bcf204015f35a258.txt"


def _run(tmp_path, backend: str, url: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PERFDRAFT_", "OPENAI_"))}
    env.update(PERFDRAFT_LLM_BASE_URL=url, PERFDRAFT_LLM_MODEL="m", PERFDRAFT_LLM_API_KEY=SECRET,
               PERFDRAFT_LLM_TRANSPORT_RETRIES="0", PERFDRAFT_DATA_DIR=str(tmp_path / "data"))
    return subprocess.run([sys.executable, "-m", "perfdraft", "extract", str(DOC), "--out", str(tmp_path / backend),
                           "--backend", backend], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def _closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/v1"


@pytest.mark.slow
def test_extract_llm_unreachable_runs_as_rules_with_one_clear_warning(tmp_path):
    url = _closed_port_url()
    proc = _run(tmp_path, "llm", url)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out  # a fallback is a warning, not a failure
    lines = [ln for ln in out.splitlines() if url in ln and "PERFDRAFT_LLM_BASE_URL" in ln]
    assert len(lines) == 1 and "ran as rules" in lines[0], out
    assert "1 with warnings" in out
    assert "Traceback" not in out and SECRET not in out


@pytest.mark.slow
def test_extract_hybrid_unreachable_writes_the_rules_result(tmp_path):
    from perfdraft.extraction.api import extract_rules
    from perfdraft.ingest.load import load_document

    proc = _run(tmp_path, "hybrid", _closed_port_url())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    written = json.loads((tmp_path / "hybrid" / f"{DOC.stem}.json").read_text(encoding="utf-8"))
    rules = json.loads(extract_rules(load_document(DOC)).to_json())
    assert written["projects"] == rules["projects"]
    assert "Traceback" not in proc.stderr
