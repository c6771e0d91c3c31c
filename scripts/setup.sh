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
