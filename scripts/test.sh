#!/usr/bin/env bash
# Install everything the tests need (Python deps, Debian's Chromium for the browser test) and run the suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null) \
      || echo "warning: could not install chromium; the browser test will be skipped" >&2
  else
    echo "warning: chromium missing and not root; the browser test will be skipped" >&2
  fi
fi
exec .venv/bin/python -m pytest "$@"
