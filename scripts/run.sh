#!/usr/bin/env bash
# Install, load the bundled sample corpus into the store (embedded default: no LLM), open the Streamlit page.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PERFDRAFT_DATA_DIR=${PERFDRAFT_DATA_DIR:-data}
if .venv/bin/perfdraft --help 2>/dev/null | grep -q " ingest"; then
  .venv/bin/perfdraft ingest eval/fixtures/corpus
else
  .venv/bin/perfdraft extract eval/fixtures/corpus --out "$PERFDRAFT_DATA_DIR/extracted"
fi
if [ -f app.py ] && [ -z "${PERFDRAFT_NO_UI:-}" ]; then
  exec .venv/bin/streamlit run app.py --server.headless true --browser.gatherUsageStats false \
    --server.maxUploadSize "${PERFDRAFT_MAX_UPLOAD_MB:-50}" \
    --server.port "${PORT:-8501}"
fi
