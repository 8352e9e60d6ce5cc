#!/usr/bin/env bash
# Runs the OpenAI-client end-to-end suite against build/slm: installs the npm dependencies once,
# then `node --test`. Exits 77 (CTest: skipped) when node or npm is not installed.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "SKIPPED: node/npm not installed (apt-get install nodejs npm); the OpenAI-client e2e suite did not run"
  exit 77
fi
if [ ! -d node_modules/openai ]; then
  npm ci --no-audit --no-fund >/dev/null 2>&1 || npm install --no-audit --no-fund
fi
exec node --test
