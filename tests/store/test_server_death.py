"""A Chroma server dying mid-ingest: one clear line and exit 2 (as `perfdraft ingest --help` documents)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from .chroma_server import start_chroma, stop_chroma

ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "eval" / "fixtures" / "corpus" / "003_c5a160bc6509b21b.txt"


def test_server_killed_mid_ingest_gives_one_line_and_exit_2(tmp_path: Path):
    src = tmp_path / "src"
    src.mkdir()
    n = 30
    text = BASE.read_text(encoding="utf-8")
    for i in range(n):  # distinct content, so nothing is skipped as already stored
        (src / f"doc{i:02d}.txt").write_text(text + f"\n（副本 {i}）\n", encoding="utf-8")
    server, port = start_chroma(tmp_path / "server")
    env = dict(os.environ, PYTHONPATH=str(ROOT), PERFDRAFT_CHROMA_HOST="127.0.0.1", PERFDRAFT_CHROMA_PORT=str(port),
               PERFDRAFT_DATA_DIR=str(tmp_path / "data"))
    ingest = subprocess.Popen([sys.executable, "-m", "perfdraft.cli", "ingest", str(src)], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        buf, seen = "", 0
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and seen < 3:  # tqdm "k/n" progress on stderr
            ch = ingest.stderr.read(1)
            if not ch:
                break
            buf = (buf + ch)[-300:]
            seen = max([int(m.split("/")[0]) for m in buf.replace("\r", " ").split()
                        if m.endswith(f"/{n}") and m.split("/")[0].isdigit()], default=0)
        assert seen >= 3, buf
        server.send_signal(signal.SIGKILL)  # the server dies under a running ingest
        server.wait()
        out, err = ingest.communicate(timeout=120)
    finally:
        if ingest.poll() is None:
            ingest.kill()
        stop_chroma(server)
    last = (buf + err).replace("\r", "\n").strip().splitlines()[-1]
    assert ingest.returncode == 2, err[-2000:]
    assert last.startswith("perfdraft: error:") and "Chroma server stopped answering" in last, last
    assert f"127.0.0.1:{port}" in last or "PERFDRAFT_CHROMA_HOST" in last
    assert "Traceback" not in err and "httpx" not in err
    failed_lines = [ln for ln in err.splitlines() if ln.startswith("perfdraft ingest: failed:")]
    assert not failed_lines  # not one raw error per remaining file
