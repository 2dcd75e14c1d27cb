/**
 * Benchmark: what `import("mlflow-ts")` (the built root entry, dist/index.js) costs a script that
 * only logs metrics — the time the import takes and the process's RSS after it — and what the
 * first S3 use adds later (the AWS SDK is loaded then, by artifacts/s3/lazy-s3.ts).
 *
 * Each measurement is a fresh `node` process (no module cache), the variants alternate, and the
 * order is reversed every round; the table shows the median of BENCH_ROUNDS rounds and each
 * variant's ratio to the base. The base is a second build of the root entry (BENCH_BASE_DIST, e.g.
 * the commit before a change built into .bench-out/dist-base); without it the base is `dist/` plus
 * an eager import of `@aws-sdk/client-s3`, which is what the root entry cost when it loaded S3 at
 * import. Needs `npm run build` first.
 *
 *   npm run build && npx tsx bench/import-cost.ts
 *   BENCH_BASE_DIST=.bench-out/dist-base BENCH_ROUNDS=15 npx tsx bench/import-cost.ts
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { printResultLine } from "./result-line.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const BASE_DIST = process.env.BENCH_BASE_DIST;
/** Longest one measuring process may take. */
const CHILD_TIMEOUT_MS = 60_000;
const MiB = 1024 * 1024;

interface Variant {
  name: string;
  /** Module body run in the child after `t0`; it imports what is measured. */
  body: string;
}

interface Sample {
  importMs: number;
  rssMiB: number;
}

const head = pathToFileURL(resolve("dist/index.js")).href;
const lazyS3 = pathToFileURL(resolve("dist/artifacts/s3/lazy-s3.js")).href;
const variants: Variant[] = [
  BASE_DIST
    ? { name: `base (${BASE_DIST}/index.js)`, body: `await import(${JSON.stringify(pathToFileURL(resolve(BASE_DIST, "index.js")).href)});` }
    : { name: "base (dist + eager @aws-sdk/client-s3)", body: `await import(${JSON.stringify(head)}); await import("@aws-sdk/client-s3");` },
  { name: "root entry (dist/index.js)", body: `await import(${JSON.stringify(head)});` },
  {
    name: "root entry, then first S3 use",
    body: `await import(${JSON.stringify(head)}); await (await import(${JSON.stringify(lazyS3)})).loadS3Runtime();`,
  },
];

/** One fresh process: the import's duration and the RSS once it is done. */
function measure(variant: Variant): Sample {
  const script = `const t0 = performance.now(); ${variant.body} const importMs = performance.now() - t0;
    globalThis.gc?.(); console.log(JSON.stringify({ importMs, rssMiB: process.memoryUsage().rss / ${MiB} }));`;
  const child = spawnSync(process.execPath, ["--expose-gc", "--input-type=module", "-e", script], {
    cwd: process.cwd(),
    encoding: "utf8",
    timeout: CHILD_TIMEOUT_MS,
  });
  if (child.status !== 0) throw new Error(`${variant.name}: exited with ${child.status}: ${child.stderr.slice(0, 2000)}`);
  return JSON.parse(child.stdout.trim().split("\n").at(-1)!) as Sample;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function main(): void {
  for (const file of ["dist/index.js", "dist/artifacts/s3/lazy-s3.js", ...(BASE_DIST ? [`${BASE_DIST}/index.js`] : [])]) {
    if (!existsSync(file)) throw new Error(`${file} is missing. Fix: run npm run build (and build the base into BENCH_BASE_DIST) first.`);
  }
  const samples = new Map<string, Sample[]>(variants.map((v) => [v.name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? variants : [...variants].reverse();
    for (const variant of order) samples.get(variant.name)!.push(measure(variant));
  }
  const base = samples.get(variants[0]!.name)!;
  const baseMs = median(base.map((s) => s.importMs));
  const baseRss = median(base.map((s) => s.rssMiB));
  console.log(`Root entry import cost, ${ROUNDS} rounds (fresh node ${process.version} per sample, median; range min–max)\n`);
  console.log("| Variant | Import ms | Range ms | Ratio to base | RSS MiB | Range MiB | Ratio to base |");
  console.log("|---|---:|---:|---:|---:|---:|---:|");
  for (const variant of variants) {
    const runs = samples.get(variant.name)!;
    const ms = runs.map((s) => s.importMs);
    const rss = runs.map((s) => s.rssMiB);
    const range = (values: number[]) => `${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)}`;
    console.log(
      `| ${variant.name} | ${median(ms).toFixed(0)} | ${range(ms)} | ${(median(ms) / baseMs).toFixed(2)} | ${median(rss).toFixed(1)} | ${range(rss)} | ${(median(rss) / baseRss).toFixed(2)} |`,
    );
  }
  const root = samples.get(variants[1]!.name)!;
  printResultLine("import-cost", {
    rootImportMs: { value: median(root.map((s) => s.importMs)), better: "lower" },
    rootRssMiB: { value: median(root.map((s) => s.rssMiB)), better: "lower" },
  });
}

main();
