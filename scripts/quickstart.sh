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
# The AWS SDK warns on every run under Node 20 about its releases of 2027 (as in src/cli/main.ts).
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED="${AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED:-true}"
exec node_modules/.bin/tsx examples/quickstart.ts "$@"
