#!/usr/bin/env bash
# Install everything the tests need (Python deps, Debian's Chromium for the browser test) and run the suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Debian packages: Chromium drives the browser test; LibreOffice checks that exports open cleanly and reads
# legacy Office/WPS files.
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# Noto CJK: the browser test's page and the OCR tests' drawn scans (tests/ingest/scanrender.py) need it
[ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || need+=(fonts-noto-cjk)
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-calc-nogui libreoffice-writer-nogui)
# python3-uno lets one warm LibreOffice convert every .doc/.wps/.et of a batch (ingest/office.py)
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c "import uno" >/dev/null 2>&1 || need+=(python3-uno)
# tesseract: the second OCR engine, compared with rapidocr in bench/ocr_bench.py and tests/ingest/test_ocr.py
command -v tesseract >/dev/null 2>&1 || need+=(tesseract-ocr tesseract-ocr-chi-sim)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" \
      >/dev/null) || echo "warning: could not install ${need[*]}; the tests needing them will be skipped" >&2
  else
    echo "warning: ${need[*]} missing and not root; the tests needing them will be skipped" >&2
  fi
fi
exec .venv/bin/python -m pytest "$@"
