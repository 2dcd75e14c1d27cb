#!/usr/bin/env bash
# Checks the package as npm would publish it (needs the build: dist/): packs it once into
# .test-results/package/, then publint (package.json fields, exports, files; warnings fail) and
# Are the Types Wrong (every entry point's types resolve, for ESM consumers under node16 and bundler
# resolution: the `esm-only` profile, since the package is ESM only and does not serve require()).
# `--no-definitely-typed`: the package ships its types, and the check must not ask the registry
# (nor may npx: the tools run from node_modules/.bin).
#   bash scripts/check-package.sh       (npm run package:check builds first)
set -euo pipefail
cd "$(dirname "$0")/.."
out=.test-results/package
rm -rf "$out"
mkdir -p "$out"
if [ ! -f dist/index.d.ts ]; then
  echo "dist/index.d.ts does not exist. Fix: run \`npm run build\` first." >&2
  exit 1
fi
tarball="$out/$(npm pack --silent --pack-destination "$out" | tail -n 1)"
echo "packed $tarball ($(du -k "$tarball" | cut -f1) KiB)"
status=0
node_modules/.bin/publint run --strict "$tarball" || status=1
node_modules/.bin/attw "$tarball" --profile esm-only --no-definitely-typed --no-emoji --no-color || status=1
exit $status
