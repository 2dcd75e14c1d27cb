#!/usr/bin/env bash
# Benchmarks side by side, base and head in one session: runs each benchmark in the tree of
# <base-ref> (exported to a temporary folder with `git archive`, node_modules and .stack linked) and
# in this working tree, alternately — BENCH_REPEAT rounds, the order reversed every round — and prints
# one table per benchmark: the median of each headline figure per side, the ratio head ÷ base, and the
# range (min–max) of each side's runs; "no regression" reads as "head's range not apart from base's
# on the worse side". Benchmarks are not tests: this fails nothing (exit 0); a failed run is reported
# and left out.
# Each benchmark's figures are its last stdout line (bench/result-line.ts), added in commit C1 of
# issue #13: a base older than that has none (use C1 or later as the base).
#
#   bash scripts/bench-compare.sh <base-ref> [hot-path] [ingest] [upload]      (default: hot-path)
#   npm run bench:compare -- <base-ref> hot-path ingest upload
#
# hot-path needs nothing; ingest and upload need the real stack (bash scripts/stack/up; in a worktree,
# source its .stack-ports.sh first) and run mlflow-ts only (no Python side).
# Settings (environment): BENCH_REPEAT rounds (default 3); BENCH_ROUNDS hot-path rounds per run
# (default 3); BENCH_POINTS and BENCH_CONCURRENCY for ingest (default 100000 and 2, the logger's
# default maxInFlight); BENCH_UPLOAD_ARGS for upload (default "--cases file,dir --file-mib 256
# --files 200"); BENCH_TIMEOUT_S, the longest one run may take (default 1800).
# Output: the tables on stdout; every run's full output in .bench-out/compare/<bench>.<side>.<round>.log.
set -uo pipefail
cd "$(dirname "$0")/.."

usage="usage: bash scripts/bench-compare.sh <base-ref> [hot-path] [ingest] [upload]"
if [ $# -lt 1 ]; then
  echo "$usage" >&2
  exit 2
fi
base_ref=$1
shift
benches=("$@")
[ ${#benches[@]} -gt 0 ] || benches=(hot-path)
for name in "${benches[@]}"; do
  case $name in
    hot-path | ingest | upload) ;;
    *) echo "unknown benchmark \"$name\". Fix: name hot-path, ingest or upload. $usage" >&2; exit 2 ;;
  esac
done
if ! base_sha=$(git rev-parse --verify --quiet "$base_ref^{commit}"); then
  echo "\"$base_ref\" is not a commit of this repository. Fix: pass a branch, tag or commit hash (C1 of issue #13 or later)." >&2
  exit 2
fi
repeat=${BENCH_REPEAT:-3}
timeout_s=${BENCH_TIMEOUT_S:-1800}
out=.bench-out/compare
rm -rf "$out"
mkdir -p "$out"

base_tree=$(mktemp -d "${TMPDIR:-/tmp}/mlflow-ts-bench-base.XXXXXX")
trap 'rm -rf "$base_tree"' EXIT
git archive --format=tar "$base_sha" | tar -x -C "$base_tree"
ln -s "$PWD/node_modules" "$base_tree/node_modules"
stack_dir=${MLFLOW_TS_STACK_DIR:-$PWD/.stack}
[ -d "$stack_dir" ] && ln -s "$stack_dir" "$base_tree/.stack"

# run_bench TREE NAME LOG: one run of a benchmark inside TREE, its output in LOG.
run_bench() {
  local tree=$1 name=$2 log=$3
  (
    cd "$tree" || exit 1
    case $name in
      hot-path) BENCH_ROUNDS=${BENCH_ROUNDS:-3} timeout -k 30 "$timeout_s" npx tsx bench/logger-hot-path.ts ;;
      ingest)
        BENCH_SIDES=mlflow-ts BENCH_REPEAT=1 BENCH_POINTS=${BENCH_POINTS:-100000} BENCH_CONCURRENCY=${BENCH_CONCURRENCY:-2} \
          timeout -k 30 "$timeout_s" npx tsx bench/logger-ingest.ts
        ;;
      upload)
        # shellcheck disable=SC2086 # BENCH_UPLOAD_ARGS is a list of arguments
        timeout -k 30 "$timeout_s" npx tsx bench/artifacts.ts --sides ours --reps 1 ${BENCH_UPLOAD_ARGS:---cases file,dir --file-mib 256 --files 200}
        ;;
    esac
  ) >"$log" 2>&1
}

for ((round = 1; round <= repeat; round++)); do
  if ((round % 2 == 1)); then order=(base head); else order=(head base); fi
  for name in "${benches[@]}"; do
    for side in "${order[@]}"; do
      tree=$PWD
      [ "$side" = base ] && tree=$base_tree
      log="$out/$name.$side.$round.log"
      printf 'round %s/%s: %s, %s … ' "$round" "$repeat" "$name" "$side" >&2
      start=$SECONDS
      if run_bench "$tree" "$name" "$log"; then
        tail -n 1 "$log" >>"$out/$name.$side.jsonl"
        echo "$((SECONDS - start)) s" >&2
      else
        echo "FAILED (exit $?; see $log)" >&2
      fi
    done
  done
done

dirty=""
[ -z "$(git status --porcelain --untracked-files=no)" ] || dirty=" + uncommitted changes"
echo
echo "Base $(git log -1 --format='%h %s' "$base_sha")"
echo "Head $(git log -1 --format='%h %s' HEAD)$dirty"
echo "$repeat rounds, alternating; node $(node --version), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
node --input-type=module - "$out" "${benches[@]}" <<'EOF'
import { existsSync, readFileSync } from "node:fs";
const [dir, ...benches] = process.argv.slice(2);
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const fmt = (n) => (Math.abs(n) >= 100 ? Math.round(n).toLocaleString("en-US") : n.toPrecision(3));
/** The result lines of one side: each must be {"bench", "metrics"}; anything else is reported. */
function read(name, side) {
  const file = `${dir}/${name}.${side}.jsonl`;
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8").trim().split("\n").flatMap((line) => {
    try {
      const parsed = JSON.parse(line);
      if (parsed && typeof parsed.metrics === "object") return [parsed.metrics];
    } catch {}
    console.log(`(${name}, ${side}: a run ended without a result line: "${line.slice(0, 80)}")`);
    return [];
  });
}
for (const name of benches) {
  const base = read(name, "base");
  const head = read(name, "head");
  console.log(`\n${name}: ${base.length} base runs, ${head.length} head runs\n`);
  if (base.length === 0 || head.length === 0) {
    console.log("no comparison: a side has no result (see the logs above; a base before C1 of issue #13 prints none)");
    continue;
  }
  console.log("| figure | better | base median | head median | head ÷ base | base min–max | head min–max | reading |");
  console.log("|---|---|---:|---:|---:|---:|---:|---|");
  for (const key of Object.keys(base[0])) {
    const b = base.flatMap((m) => (m[key] ? [m[key].value] : []));
    const h = head.flatMap((m) => (m[key] ? [m[key].value] : []));
    if (b.length === 0 || h.length === 0) continue;
    const better = base[0][key].better;
    const [bMin, bMax, hMin, hMax] = [Math.min(...b), Math.max(...b), Math.min(...h), Math.max(...h)];
    // Apart: every head run beats (or loses to) every base run; otherwise the runs overlap.
    const headAbove = hMin > bMax;
    const headBelow = hMax < bMin;
    const reading = !headAbove && !headBelow ? "ranges overlap" : headAbove === (better === "higher") ? "head better (apart)" : "head WORSE (apart)";
    const range = (lo, hi) => `${fmt(lo)}–${fmt(hi)}`;
    console.log(`| ${key} | ${better} | ${fmt(median(b))} | ${fmt(median(h))} | ${(median(h) / median(b)).toFixed(3)} | ${range(bMin, bMax)} | ${range(hMin, hMax)} | ${reading} |`);
  }
}
EOF
exit 0
