/**
 * Benchmark: logging metric points into the embedded store (a local `sqlite:///mlflow.db`, no
 * server), side by side in one session with the Python client logging into its own
 * `sqlite:///mlflow.db`:
 *
 * - mlflow-ts `client.runs.logBatch` of 1000 points in a loop;
 * - mlflow-ts logger: `run.logMetric` per point, then `await run.flush()` (the batcher);
 * - Python (bench/sqlite-logging.py): `MlflowClient.log_batch` of 1000 `Metric`s in a loop, and
 *   `log_metric` per point (on fewer points: each call is a transaction of its own).
 *
 * Each mode writes BENCH_KEYS keys (default 100) × (points / keys) steps into a fresh database in a fresh folder, runs
 * in its own process (so CPU time and peak RSS are its own), and is repeated BENCH_REPEAT times
 * in alternation; the table shows the median. The history of one key is read back to check the
 * count. Not a test: it prints a table for docs/embedded-store.md.
 *
 *   npx tsx bench/sqlite-logging.ts
 *   BENCH_POINTS=100000 BENCH_REPEAT=1 BENCH_PYTHON=/path/to/python npx tsx bench/sqlite-logging.ts
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { MlflowClient } from "../src/client/client.js";
import { startRun } from "../src/logging/fluent.js";
import { runJsonProcess } from "./run-json-process.js";

const POINTS = Number(process.env.BENCH_POINTS ?? 200_000);
const PER_CALL_POINTS = Number(process.env.BENCH_PER_CALL_POINTS ?? 2_000);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
const BATCH = 1000;
const KEY_COUNT = Number(process.env.BENCH_KEYS ?? 100);
const KEYS = Array.from({ length: KEY_COUNT }, (_, i) => `m${String(i).padStart(2, "0")}`);
const SELF = fileURLToPath(import.meta.url);
const PYTHON_SCRIPT = fileURLToPath(new URL("./sqlite-logging.py", import.meta.url));
const QUIET = { MLFLOW_TS_QUIET_LOCAL_STORE: "true" };

/** What one mode measured. */
interface Result {
  mode: string;
  points: number;
  seconds: number;
  cpu_seconds: number;
  peak_rss_mb: number;
  db_mb?: number;
}

// ---------------------------------------------------------------- workers (one per process)

/** `client.runs.logBatch` of 1000 points in a loop, batches built inside the timed loop. */
async function logBatchWorker(dir: string, points: number): Promise<Result> {
  const client = new MlflowClient({ trackingUri: `sqlite:///${join(dir, "mlflow.db")}`, env: QUIET });
  const run = await client.runs.create({ experiment_id: "0" });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let start = 0; start < points; start += BATCH) {
    const timestamp = Date.now();
    const metrics = [];
    for (let i = start; i < Math.min(points, start + BATCH); i++)
      metrics.push({ key: KEYS[i % KEY_COUNT]!, value: i * 0.001, timestamp, step: Math.floor(i / KEY_COUNT) });
    await client.runs.logBatch(run.info.run_id, { metrics });
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await client.runs.update(run.info.run_id, { status: "FINISHED", end_time: Date.now() });
  await client.close();
  return result("mlflow-ts client.runs.logBatch (1000/call)", points, seconds, cpu);
}

/** The logger: `run.logMetric` per point, then one `flush()`. */
async function loggerWorker(dir: string, points: number): Promise<Result> {
  const client = new MlflowClient({ trackingUri: `sqlite:///${join(dir, "mlflow.db")}`, env: QUIET });
  const run = await startRun({ client, experimentId: "0", exitHooks: false });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < points; i++) run.logMetric(KEYS[i % KEY_COUNT]!, i * 0.001, { step: Math.floor(i / KEY_COUNT) });
  await run.flush();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const stats = run.stats();
  if (stats.sent !== points || stats.failed !== 0) throw new Error(`the logger delivered ${stats.sent} of ${points}`);
  await run.end();
  await client.close();
  return result("mlflow-ts logger run.logMetric + flush", points, seconds, cpu);
}

function result(mode: string, points: number, seconds: number, cpu: NodeJS.CpuUsage): Result {
  return { mode, points, seconds, cpu_seconds: (cpu.user + cpu.system) / 1e6, peak_rss_mb: process.resourceUsage().maxRSS / 1024 };
}

// ---------------------------------------------------------------- orchestrator

function runProcess(command: string, args: string[], cwd: string): Promise<Result> {
  const env = { ...QUIET, MLFLOW_TRACKING_URI: "", MLFLOW_DISABLE_TELEMETRY: "true", DO_NOT_TRACK: "true", PYTHONWARNINGS: "ignore" };
  return runJsonProcess<Result>(command, args, { env, cwd });
}

/** The Python with MLflow: BENCH_PYTHON, else the stack's STACK_PYTHON. */
function benchPython(): string {
  if (process.env.BENCH_PYTHON) return process.env.BENCH_PYTHON;
  try {
    return (JSON.parse(readFileSync(".stack/env.json", "utf8")) as Record<string, string>).STACK_PYTHON!;
  } catch {
    throw new Error("No Python with MLflow: set BENCH_PYTHON, or start the stack (bash scripts/stack/up) for STACK_PYTHON.");
  }
}

/** Counts the points of key m00 in the database of a finished mode. */
async function checkDelivered(dir: string, points: number): Promise<number> {
  const client = new MlflowClient({ trackingUri: `sqlite:///${join(dir, "mlflow.db")}`, env: QUIET });
  const runs = await client.runs.search({ experiment_ids: ["0"] });
  let count = 0;
  for await (const _ of client.metrics.getHistory(runs[0]!.info.run_id, "m00")) count++;
  await client.close();
  if (count !== points / KEY_COUNT) throw new Error(`${dir}: m00 has ${count} points, expected ${points / KEY_COUNT}`);
  return statSync(join(dir, "mlflow.db")).size / 2 ** 20;
}

async function main(): Promise<void> {
  const python = benchPython();
  type Mode = { name: string; points: number; start: (dir: string) => Promise<Result> };
  const nodeMode = (name: string, kind: "log-batch" | "logger"): Mode => ({
    name,
    points: POINTS,
    start: (dir) => runProcess(process.execPath, ["--import", "tsx", SELF, "worker", kind, dir, String(POINTS)], process.cwd()),
  });
  const pythonMode = (name: string, kind: string, points: number): Mode => ({
    name,
    points,
    start: (dir) => runProcess(python, [PYTHON_SCRIPT, kind, String(points)], dir),
  });
  const modes: Mode[] = [
    nodeMode("mlflow-ts client.runs.logBatch (1000/call)", "log-batch"),
    nodeMode("mlflow-ts logger run.logMetric + flush", "logger"),
    pythonMode("python MlflowClient.log_batch (1000/call)", "log_batch", POINTS),
    pythonMode("python MlflowClient.log_metric (1/call)", "log_metric", PER_CALL_POINTS),
  ];
  const results = new Map<string, Result[]>();
  for (let round = 0; round < REPEAT; round++) {
    for (const mode of modes) {
      const dir = mkdtempSync(join(tmpdir(), "mlflow-ts-bench-sqlite-"));
      try {
        const measured = await mode.start(dir);
        const dbMb = await checkDelivered(dir, mode.points);
        results.set(mode.name, [...(results.get(mode.name) ?? []), { ...measured, mode: mode.name, db_mb: dbMb }]);
        process.stderr.write(`${mode.name}: ${fmt(measured.points / measured.seconds)} points/s\n`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  printTable(results, python);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function printTable(results: Map<string, Result[]>, python: string): void {
  const versions = execFileSync(python, ["-c", "import mlflow, sqlite3, sys; print(mlflow.__version__, sqlite3.sqlite_version, sys.version.split()[0])"], {
    encoding: "utf8",
    env: { ...process.env, PYTHONWARNINGS: "ignore" },
  })
    .trim()
    .split(" ");
  const driver = (JSON.parse(readFileSync("node_modules/better-sqlite3/package.json", "utf8")) as { version: string }).version;
  console.log(
    `\nLogging into a local sqlite:///mlflow.db — node ${process.version}, better-sqlite3 ${driver}; Python ${versions[2]}, mlflow ${versions[0]}, sqlite ${versions[1]};`,
  );
  console.log(`${KEY_COUNT} keys per run, 1000 points per batch, journal ${process.env.MLFLOW_TS_SQLITE_JOURNAL_MODE ?? "wal"};`);
  console.log(
    `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${fmt(totalmem() / 2 ** 30)} GiB, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")} at the end; median of ${REPEAT} run(s) per mode\n`,
  );
  console.log("| mode | points | seconds | points/s | points/s, all runs (min–max) | CPU s | CPU µs/point | peak RSS MB | db MB |");
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const [name, runs] of results) {
    const seconds = median(runs.map((r) => r.seconds));
    const rates = runs.map((r) => r.points / r.seconds);
    const rate = median(rates);
    const range = `${fmt(Math.min(...rates))}–${fmt(Math.max(...rates))}`;
    const cpu = median(runs.map((r) => r.cpu_seconds));
    const points = runs[0]!.points;
    const db = median(runs.map((r) => r.db_mb ?? 0));
    console.log(
      `| ${name} | ${fmt(points)} | ${fmt(seconds, 2)} | ${fmt(rate)} | ${range} | ${fmt(cpu, 2)} | ${fmt((cpu / points) * 1e6, 1)} | ${fmt(Math.max(...runs.map((r) => r.peak_rss_mb)))} | ${fmt(db, 1)} |`,
    );
  }
}

if (process.argv[2] === "worker") {
  const [, , , kind, dir, points] = process.argv;
  const worker = kind === "logger" ? loggerWorker : logBatchWorker;
  console.log(JSON.stringify(await worker(dir!, Number(points))));
  process.exit(0);
} else {
  await main();
}
