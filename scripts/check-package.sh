#!/usr/bin/env bash
# Checks the package as npm would publish it (needs the build: dist/): packs it once into
# .test-results/package/, then publint (package.json fields, exports, files; warnings fail) and
# Are the Types Wrong (every entry point of package.json "exports" — `mlflow-ts` and each
# `mlflow-ts/<subpath>` — has types that resolve, for ESM consumers under node16 and bundler
# resolution: the `esm-only` profile, since the package is ESM only and does not serve require()).
# `--no-definitely-typed`: the package ships its types, and the check must not ask the registry
# (nor may npx: the tools run from node_modules/.bin).
#   bash scripts/check-package.sh       (npm run package:check builds first)
set -euo pipefail
cd "$(dirname "$0")/.."
out=.test-results/package
rm -rf "$out"
mkdir -p "$out"
# Every file "exports" names must be built, or the checks below would only say "cannot resolve".
missing=$(node -e 'const fs = require("node:fs"); const files = Object.values(require("./package.json").exports).flatMap((e) => (typeof e === "string" ? [e] : Object.values(e))); console.log(files.filter((f) => !fs.existsSync(f)).join(" "))')
if [ -n "$missing" ]; then
  echo "$missing: not built. Fix: run \`npm run build\` first." >&2
  exit 1
fi
tarball="$out/$(npm pack --silent --pack-destination "$out" | tail -n 1)"
echo "packed $tarball ($(du -k "$tarball" | cut -f1) KiB)"
status=0
node_modules/.bin/publint run --strict "$tarball" || status=1
node_modules/.bin/attw "$tarball" --profile esm-only --no-definitely-typed --no-emoji --no-color || status=1
exit $status
