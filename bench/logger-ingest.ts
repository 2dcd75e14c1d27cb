/**
 * Benchmark (b): end-to-end ingest of metric points into one run on the real stack
 * (`.stack/env.json`: mlflow server on PostgreSQL), side by side in one session:
 *
 * - the Python reference client (`STACK_PYTHON`, bench/python/logger_ingest.py): `log_metric` per
 *   call, `log_batch` of 1000 in a loop, and async logging (`MLFLOW_ENABLE_ASYNC_LOGGING=true`)
 *   with `log_metric` per call and with `log_metrics` of 100 keys per step;
 * - mlflow-ts: `run.logMetric` per point, then `await run.flush()`, for several `maxInFlight`;
 * - the ceiling: a raw `log-batch` loop (Node http, keep-alive, bodies of 1000 metrics serialised
 *   before the clock starts, no client logic) at the same concurrency.
 *
 * Every mode writes 100 keys × (points / 100) steps into its own fresh run, and runs in its own
 * process so that CPU time (process.cpuUsage / getrusage) and peak RSS are its own. Each mode runs
 * BENCH_REPEAT times, the order reversed every other round; the per-call Python modes (orders of
 * magnitude slower) run in the first round only. The table shows medians; the ratios are computed
 * within each round (same server state) and their median is shown. The history of one key is read
 * back after each mode to check the count.
 *
 * BENCH_SIDES (default python,raw,mlflow-ts) picks the sides that run: scripts/bench-compare.sh runs
 * mlflow-ts alone in two trees. The last line is the JSON result line (bench/result-line.ts).
 *
 *   npx tsx bench/logger-ingest.ts
 *   BENCH_POINTS=50000 BENCH_REPEAT=2 BENCH_CONCURRENCY=1,2,4 npx tsx bench/logger-ingest.ts
 *   BENCH_SIDES=mlflow-ts BENCH_REPEAT=1 BENCH_CONCURRENCY=2 npx tsx bench/logger-ingest.ts
 */
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import http from "node:http";
import { cpus, totalmem } from "node:os";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { MlflowClient } from "../src/client/client.js";
import { startRun } from "../src/logging/fluent.js";
import { type BenchMetric, printResultLine } from "./result-line.js";
import { runJsonProcess } from "./run-json-process.js";

const POINTS = Number(process.env.BENCH_POINTS ?? 100_000);
const PER_CALL_POINTS = Number(process.env.BENCH_PER_CALL_POINTS ?? 1_000);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 4);
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? "1,2,3,4").split(",").map(Number);
const SIDE_NAMES = ["python", "raw", "mlflow-ts"] as const;
const SIDES = new Set((process.env.BENCH_SIDES ?? SIDE_NAMES.join(",")).split(","));
for (const side of SIDES) {
  if (!(SIDE_NAMES as readonly string[]).includes(side))
    throw new Error(`BENCH_SIDES has "${side}". Fix: a comma-separated subset of ${SIDE_NAMES.join(",")}.`);
}
const KEYS = Array.from({ length: 100 }, (_, i) => `m${String(i).padStart(2, "0")}`);
const SELF = fileURLToPath(import.meta.url);
const PYTHON_SCRIPT = fileURLToPath(new URL("./python/logger_ingest.py", import.meta.url));

/** What one mode measured. */
interface Result {
  mode: string;
  points: number;
  seconds: number;
  cpu_seconds: number;
  peak_rss_mb: number;
}

// ---------------------------------------------------------------- workers (one per process)

async function oursWorker(trackingUri: string, runId: string, points: number, concurrency: number): Promise<Result> {
  const client = new MlflowClient({ trackingUri, env: {} });
  const run = await startRun({ client, runId, maxInFlight: concurrency, exitHooks: false });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < points; i++) run.logMetric(KEYS[i % 100]!, i * 0.001, { step: Math.floor(i / 100) });
  await run.flush();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const stats = run.stats();
  if (stats.sent !== points || stats.failed !== 0) throw new Error(`mlflow-ts delivered ${stats.sent} of ${points}`);
  await run.end();
  return {
    mode: `mlflow-ts maxInFlight=${concurrency}`,
    points,
    seconds,
    cpu_seconds: (cpu.user + cpu.system) / 1e6,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
  };
}

async function rawWorker(trackingUri: string, runId: string, points: number, concurrency: number): Promise<Result> {
  const bodies: string[] = [];
  const now = Date.now();
  for (let start = 0; start < points; start += 1000) {
    const metrics = [];
    for (let i = start; i < Math.min(points, start + 1000); i++)
      metrics.push({ key: KEYS[i % 100], value: i * 0.001, timestamp: now, step: Math.floor(i / 100) });
    bodies.push(JSON.stringify({ run_id: runId, metrics }));
  }
  const url = new URL(`${trackingUri}/api/2.0/mlflow/runs/log-batch`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const post = (body: string) =>
    new Promise<void>((resolve, reject) => {
      const req = http.request(
        url,
        { method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } },
        (res) => {
          res.resume();
          res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
        },
      );
      req.setTimeout(120_000, () => req.destroy(new Error("timeout")));
      req.on("error", reject);
      req.end(body);
    });
  // Same start as mlflow-ts (whose startRun reads the run): one request on the agent before the clock.
  await new Promise<void>((resolve, reject) => {
    http.get(`${trackingUri}/api/2.0/mlflow/runs/get?run_id=${runId}`, { agent }, (res) => res.resume().on("end", resolve)).on("error", reject);
  });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < bodies.length) await post(bodies[next++]!);
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  agent.destroy();
  return {
    mode: `raw log-batch loop, concurrency ${concurrency}`,
    points,
    seconds,
    cpu_seconds: (cpu.user + cpu.system) / 1e6,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
  };
}

// ---------------------------------------------------------------- orchestrator

function stackEnv(): Record<string, string> {
  try {
    return JSON.parse(readFileSync(".stack/env.json", "utf8")) as Record<string, string>;
  } catch {
    throw new Error("No .stack/env.json: start the stack first (bash scripts/stack/up).");
  }
}

function runProcess(command: string, args: string[], env: Record<string, string | undefined>): Promise<Result> {
  return runJsonProcess<Result>(command, args, { env });
}

async function main(): Promise<void> {
  const env = stackEnv();
  const trackingUri = env.MLFLOW_TRACKING_URI!;
  const python = env.STACK_PYTHON!;
  const client = new MlflowClient({ trackingUri, env: {} });
  const experimentId = await client.experiments.create({ name: `bench-logger-${randomUUID()}` });

  type Mode = { name: string; points: number; start: (runId: string) => Promise<Result> };
  const pythonMode = (mode: string, points: number): Mode => ({
    name: `python ${mode}`,
    points,
    start: (runId) => runProcess(python, [PYTHON_SCRIPT, mode, runId, String(points)], { MLFLOW_TRACKING_URI: trackingUri, PYTHONWARNINGS: "ignore" }),
  });
  const nodeMode = (kind: "ours" | "raw", concurrency: number): Mode => ({
    name: modeName(kind, concurrency),
    points: POINTS,
    start: (runId) => runProcess(process.execPath, ["--import", "tsx", SELF, "worker", kind, trackingUri, runId, String(POINTS), String(concurrency)], {}),
  });
  // Per-call modes are orders of magnitude slower: they run in the first round only.
  const withPython = SIDES.has("python");
  const slowModes = withPython ? [pythonMode("log_metric", PER_CALL_POINTS), pythonMode("async_log_metric", 5 * PER_CALL_POINTS)] : [];
  const modes: Mode[] = [
    ...(withPython ? [pythonMode("log_batch", POINTS), pythonMode("async_log_metrics", POINTS)] : []),
    ...CONCURRENCY.flatMap((c) => [...(SIDES.has("raw") ? [nodeMode("raw", c)] : []), ...(SIDES.has("mlflow-ts") ? [nodeMode("ours", c)] : [])]),
  ];

  const rounds: Map<string, Result>[] = [];
  for (let round = 0; round < REPEAT; round++) {
    // Alternate the order so that no mode always follows the same one (server warm-up, vacuum).
    const order = round % 2 === 0 ? modes : [...modes].reverse();
    const results = new Map<string, Result>();
    for (const mode of round === 0 ? [...slowModes, ...order] : order) {
      const result = await measure(client, experimentId, mode, round);
      results.set(mode.name, { ...result, mode: mode.name });
      process.stderr.write(`round ${round + 1}: ${mode.name}: ${fmt(result.points / result.seconds)} points/s\n`);
    }
    rounds.push(results);
  }
  await client.experiments.delete(experimentId);
  printTables(
    rounds,
    [...slowModes, ...modes].map((mode) => mode.name),
    env,
  );
  printResultLine("logger-ingest", resultMetrics(rounds));
}

/** The headline figures of mlflow-ts per maxInFlight: medians over rounds of points/s and client CPU ms. */
function resultMetrics(rounds: Map<string, Result>[]): Record<string, BenchMetric> {
  const metrics: Record<string, BenchMetric> = {};
  if (!SIDES.has("mlflow-ts")) return metrics;
  for (const c of CONCURRENCY) {
    const runs = rounds.map((round) => round.get(modeName("ours", c))!);
    metrics[`pointsPerSecond(maxInFlight=${c})`] = { value: median(runs.map((r) => r.points / r.seconds)), better: "higher" };
    metrics[`clientCpuMs(maxInFlight=${c})`] = { value: median(runs.map((r) => r.cpu_seconds * 1000)), better: "lower" };
  }
  return metrics;
}

/**
 * Runs a mode on a fresh run and checks what arrived. The stack is shared: when a mode fails (a
 * server restarted by another job resets the raw loop's connection), it is measured again on a new
 * run, up to twice.
 */
async function measure(
  client: MlflowClient,
  experimentId: string,
  mode: { name: string; points: number; start: (runId: string) => Promise<Result> },
  round: number,
): Promise<Result> {
  for (let attempt = 1; ; attempt++) {
    const run = await client.runs.create({ experiment_id: experimentId, run_name: `${mode.name} #${round + 1}` });
    try {
      const result = await mode.start(run.info.run_id);
      await checkDelivered(client, run.info.run_id, mode.points);
      return result;
    } catch (error) {
      if (attempt >= 3) throw error;
      process.stderr.write(`round ${round + 1}: ${mode.name} failed (${String(error).slice(0, 200)}); measuring it again\n`);
    } finally {
      await client.runs.update(run.info.run_id, { status: "FINISHED", end_time: Date.now() });
    }
  }
}

function modeName(kind: "ours" | "raw", concurrency: number): string {
  return kind === "ours" ? `mlflow-ts maxInFlight=${concurrency}` : `raw log-batch loop, concurrency ${concurrency}`;
}

/** Reads back the history of one key and checks its length. */
async function checkDelivered(client: MlflowClient, runId: string, points: number): Promise<void> {
  let count = 0;
  for await (const _ of client.metrics.getHistory(runId, "m00")) count++;
  if (count !== points / 100) throw new Error(`run ${runId}: m00 has ${count} points, expected ${points / 100}`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function printTables(rounds: Map<string, Result>[], names: string[], env: Record<string, string>): void {
  const runsOf = (name: string): Result[] => rounds.flatMap((round) => (round.has(name) ? [round.get(name)!] : []));
  const rateIn = (round: Map<string, Result>, name: string): number => round.get(name)!.points / round.get(name)!.seconds;
  console.log(`\nEnd-to-end ingest into one run — node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${fmt(totalmem() / 2 ** 30)} GiB,`);
  console.log(`mlflow ${env.STACK_MLFLOW_VERSION ?? "?"} server, PostgreSQL ${postgresVersion(env)}; ${REPEAT} rounds, modes alternating; medians\n`);
  console.log("| mode | points | rounds | seconds | points/s (median) | points/s (min–max) | client CPU s | CPU µs/point | peak RSS MB |");
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const name of names) {
    const runs = runsOf(name);
    const rates = runs.map((r) => r.points / r.seconds);
    const cpu = median(runs.map((r) => r.cpu_seconds));
    const points = runs[0]!.points;
    console.log(
      `| ${name} | ${fmt(points)} | ${runs.length} | ${fmt(median(runs.map((r) => r.seconds)), 2)} | ${fmt(median(rates))} | ${fmt(Math.min(...rates))}–${fmt(Math.max(...rates))} | ` +
        `${fmt(cpu, 2)} | ${fmt((cpu / points) * 1e6, 1)} | ${fmt(Math.max(...runs.map((r) => r.peak_rss_mb)))} |`,
    );
  }
  if (!SIDES.has("mlflow-ts") || !SIDES.has("python") || !SIDES.has("raw")) return;
  // Ratios are paired within a round (same server state), then the median over rounds is shown.
  console.log("\n| ratio (median over rounds of the per-round ratio) | value | per round |");
  console.log("|---|---:|---|");
  for (const c of CONCURRENCY) {
    const ours = modeName("ours", c);
    const vsPython = rounds.map((round) => rateIn(round, ours) / Math.max(rateIn(round, "python log_batch"), rateIn(round, "python async_log_metrics")));
    const vsRaw = rounds.map((round) => rateIn(round, ours) / rateIn(round, modeName("raw", c)));
    console.log(`| ${ours} ÷ best Python mode of the round | ${fmt(median(vsPython), 2)} | ${vsPython.map((r) => fmt(r, 2)).join(", ")} |`);
    console.log(`| ${ours} ÷ raw loop at concurrency ${c} | ${fmt(100 * median(vsRaw), 0)} % | ${vsRaw.map((r) => `${fmt(100 * r, 0)} %`).join(", ")} |`);
  }
}

function postgresVersion(env: Record<string, string>): string {
  try {
    const script = "import sys,psycopg2;c=psycopg2.connect(sys.argv[1]);cur=c.cursor();cur.execute('show server_version');print(cur.fetchone()[0])";
    return execFileSync(env.STACK_PYTHON!, ["-c", script, env.STACK_PG_URI!], { encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}

if (process.argv[2] === "worker") {
  const [, , , kind, trackingUri, runId, points, concurrency] = process.argv;
  const worker = kind === "ours" ? oursWorker : rawWorker;
  const result = await worker(trackingUri!, runId!, Number(points), Number(concurrency));
  console.log(JSON.stringify(result));
  process.exit(0);
} else {
  await main();
}
