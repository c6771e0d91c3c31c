#!/usr/bin/env bash
# Create .venv and install perfdraft with the pinned dependencies (requirements.lock). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
# uv resolves nothing here (the lock is complete); it only makes the install fast.
.venv/bin/python -m pip install -q uv==0.13.9
.venv/bin/python -m uv pip install -q --python .venv/bin/python -r requirements.lock --override scripts/uv-overrides.txt
.venv/bin/python -m uv pip install -q --python .venv/bin/python --no-deps -e .
# Bytecode for the installed packages and perfdraft's own folders (uv does not write it, and with
# PYTHONDONTWRITEBYTECODE=1 Python never caches it): without it every start compiles each imported module again,
# ~0.4 s of a one-file `perfdraft extract`. Once per venv ~30-60 s on 2 cores; afterwards only new or changed
# files (a file edited later runs from source until the next setup; __pycache__ is git-ignored).
.venv/bin/python -m compileall -q -j 0 "$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')" \
  perfdraft ingest extraction drafting eval \
  >/dev/null || echo "setup: some files did not compile to bytecode (they still run from source)" >&2
