/**
 * Benchmark: an MLflow outage against the real stack (`.stack/env.json`; issue #14 item 2,
 * docs/journal.md "Bounded memory"). In one process, one session:
 *
 * 1. normal ingest: `logMetric` of BENCH_POINTS points (100 keys) into a fresh run as fast as the
 *    loop goes (yielding every 10,000), then `flush()`: points / seconds from the first call to
 *    the flush's resolution;
 * 2. an outage: a second run logs at BENCH_OUTAGE_RATE points/s while the MLflow server is stopped
 *    (scripts/stack/stop-service) for BENCH_OUTAGE_MS, with `maxBufferedEntries` BENCH_CAP, so the
 *    points past the cap go to the journal only; RSS and live heap + external (after a full GC;
 *    run with `--expose-gc`) are sampled every 500 ms;
 * 3. the drain: the server is started again (scripts/stack/start-service, which returns once it
 *    answers) and `flush()` waits for every point: points delivered after the restart / seconds
 *    from the restart to the flush's resolution, with the server's start-up (a row of its own) and
 *    without it;
 * 4. normal ingest again, into a third run: the two ingests bracket what the machine's load did
 *    to the run (the ratio is taken against both).
 *
 * Prints a table: ingest and drain rates (and their ratio), peak RSS and live memory during the
 * outage against the bound docs/journal.md states (cap × 36 B + 8 MiB above the footprint before
 * logging). The last line is the JSON result line (bench/result-line.ts).
 *
 *   node --expose-gc --import tsx bench/outage-drain.ts
 *   BENCH_OUTAGE_MS=600000 node --expose-gc --import tsx bench/outage-drain.ts   # the 10-minute outage
 */
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep, setImmediate as yieldToLoop } from "node:timers/promises";
import { MlflowClient } from "../src/client/client.js";
import { startRun } from "../src/logging/fluent.js";
import { printResultLine } from "./result-line.js";

const POINTS = Number(process.env.BENCH_POINTS ?? 500_000);
const OUTAGE_MS = Number(process.env.BENCH_OUTAGE_MS ?? 60_000);
const OUTAGE_RATE = Number(process.env.BENCH_OUTAGE_RATE ?? 20_000);
const CAP = Number(process.env.BENCH_CAP ?? 100_000);
const KEYS = Array.from({ length: 100 }, (_, i) => `train/metric_${String(i).padStart(2, "0")}`);
const BOUND_BYTES = CAP * 36 + 8 * 1024 * 1024;
const collect = (globalThis as { gc?: () => void }).gc;
if (collect === undefined) throw new Error("run with node --expose-gc --import tsx bench/outage-drain.ts");

function stackEnv(): Record<string, string> {
  try {
    return JSON.parse(readFileSync(".stack/env.json", "utf8")) as Record<string, string>;
  } catch {
    throw new Error("No .stack/env.json: start the stack first (source .stack-ports.sh && bash scripts/stack/up).");
  }
}

function live(): number {
  collect!();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.external;
}

const env = stackEnv();
const client = new MlflowClient({ trackingUri: env.MLFLOW_TRACKING_URI!, env: { MLFLOW_TS_QUIET_RETRIES: "true" } });
const experimentId = await client.experiments.create({ name: `bench-outage-${randomUUID()}` });
const journalDir = await mkdtemp(join(tmpdir(), "mlflow-ts-bench-outage-"));

/** Normal ingest: POINTS points into a fresh run as fast as the loop goes, then `flush()`; seconds. */
async function ingest(): Promise<number> {
  const normal = await startRun({ client, experimentId, journalDir, journalRecover: false, exitHooks: false });
  const start = performance.now();
  for (let i = 0; i < POINTS; i++) {
    normal.logMetric(KEYS[i % 100]!, i * 0.001, { step: Math.floor(i / 100) });
    if (i % 10_000 === 9_999) await yieldToLoop();
  }
  await normal.flush();
  const seconds = (performance.now() - start) / 1000;
  await normal.end();
  return seconds;
}

// 1. Normal ingest (again after the drain: the two bracket the machine's load during the run).
const ingestSeconds = await ingest();

// 2. The outage.
const run = await startRun({ client, experimentId, journalDir, journalRecover: false, exitHooks: false, maxBufferedEntries: CAP });
run.on("error", () => undefined);
const baseline = live();
const peak = { rss: 0, live: 0 };
const sampler = setInterval(() => {
  peak.live = Math.max(peak.live, live());
  peak.rss = Math.max(peak.rss, process.memoryUsage().rss);
}, 500);
execFileSync("bash", ["scripts/stack/stop-service", "mlflow-direct"], { stdio: "pipe", timeout: 180_000 });
const outageStart = performance.now();
let logged = 0;
while (performance.now() - outageStart < OUTAGE_MS) {
  const due = Math.floor(((performance.now() - outageStart) / 1000) * OUTAGE_RATE);
  for (; logged < due; logged++) run.logMetric(KEYS[logged % 100]!, logged * 0.001, { step: Math.floor(logged / 100) });
  await sleep(50);
}
const atRestart = run.stats();

// 3. The drain.
const drainStart = performance.now();
execFileSync("bash", ["scripts/stack/start-service", "mlflow-direct"], { stdio: "pipe", timeout: 180_000 });
const serverUpSeconds = (performance.now() - drainStart) / 1000;
const sentAtServerUp = run.stats().sent;
await run.flush();
const drainSeconds = (performance.now() - drainStart) / 1000;
clearInterval(sampler);
const stats = run.stats();
await run.end();
const ingestAfterSeconds = await ingest();
await client.experiments.delete(experimentId).catch(() => undefined);
await client.close();
await rm(journalDir, { recursive: true, force: true });

const drained = stats.sent - atRestart.sent;
const ingestRate = POINTS / ingestSeconds;
const ingestAfterRate = POINTS / ingestAfterSeconds;
const drainRate = drained / drainSeconds;
// While start-service ran (the event loop blocked), nothing was sent: sentAtServerUp counts what came before.
const drainUpRate = (stats.sent - sentAtServerUp) / (drainSeconds - serverUpSeconds);
const fmt = (n: number): string => Math.round(n).toLocaleString("en-US");
const mib = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);
console.log(
  `machine: ${cpus()[0]?.model ?? "?"} (${cpus().length} cores, ${mib(totalmem())} MiB), Node ${process.version}, MLflow ${env.STACK_MLFLOW_VERSION ?? "?"}, journal in ${tmpdir()}`,
);
console.log(`outage: MLflow server stopped ${fmt(OUTAGE_MS)} ms while logging ${fmt(OUTAGE_RATE)} points/s; maxBufferedEntries ${fmt(CAP)}`);
console.log("| phase | points | seconds | points/s |");
console.log("|---|---:|---:|---:|");
console.log(`| normal ingest (server up), before the outage | ${fmt(POINTS)} | ${ingestSeconds.toFixed(1)} | ${fmt(ingestRate)} |`);
console.log(`| drain after the outage, the server's restart included | ${fmt(drained)} | ${drainSeconds.toFixed(1)} | ${fmt(drainRate)} |`);
console.log(`| drain once the server answers | ${fmt(stats.sent - sentAtServerUp)} | ${(drainSeconds - serverUpSeconds).toFixed(1)} | ${fmt(drainUpRate)} |`);
console.log(`| normal ingest (server up), after the drain | ${fmt(POINTS)} | ${ingestAfterSeconds.toFixed(1)} | ${fmt(ingestAfterRate)} |`);
console.log(
  `drain / normal ingest before the outage: ${((drainRate / ingestRate) * 100).toFixed(0)} % with the restart, ${((drainUpRate / ingestRate) * 100).toFixed(0)} % without; spilled ${fmt(stats.spilled)}, read back ${fmt(stats.readBack)}, failed ${fmt(stats.failed)}`,
);
console.log(`drain once the server answers / normal ingest after the drain: ${((drainUpRate / ingestAfterRate) * 100).toFixed(0)} %`);
console.log("| memory during the outage | peak | bound |");
console.log("|---|---:|---:|");
console.log(`| live heap + external above the footprint before logging | ${mib(peak.live - baseline)} MiB | ${mib(BOUND_BYTES)} MiB |`);
console.log(`| RSS (whole process) | ${mib(peak.rss)} MiB | — |`);
printResultLine("outage-drain", {
  ingestPointsPerSecond: { value: Math.round(ingestRate), better: "higher" },
  ingestAfterPointsPerSecond: { value: Math.round(ingestAfterRate), better: "higher" },
  drainPointsPerSecond: { value: Math.round(drainRate), better: "higher" },
  drainOnceUpPointsPerSecond: { value: Math.round(drainUpRate), better: "higher" },
  peakLiveBytesAboveBaseline: { value: peak.live - baseline, better: "lower" },
});
