#!/usr/bin/env bash
# The README's main-job command (`npm run quickstart`): installs what is missing, then logs a run
# with examples/quickstart.ts. With no MLFLOW_TRACKING_URI the run goes to ./mlflow.db (MLflow's
# own SQLite schema); with MLFLOW_TRACKING_URI=http://host:5000 it goes to that server.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x node_modules/.bin/tsx ]; then
  echo "installing npm dependencies (npm ci)…"
  npm ci --no-audit --no-fund
fi
exec node_modules/.bin/tsx examples/quickstart.ts "$@"
