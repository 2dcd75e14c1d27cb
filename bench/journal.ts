/**
 * Benchmark of the journal's storage layer (issue #14): what group-committing metrics costs, and
 * whether the logger stays above 1,000,000 logMetric calls/s with the journal beside it.
 *
 * 1. Encoding: appendMetrics of 1000-point chunks (what a group commit does on the main thread).
 * 2. Group commits to disk, by group size: write(2) + fdatasync per commit; points/s, MB/s, bytes per point.
 * 3. fdatasync alone, after a 28 kB write: the price of the sync policy (0 ms = every commit).
 * 4. The logger's hot path (run.logMetric, network cut off, as bench/logger-hot-path.ts), 5 rounds
 *    of 2 M calls each way, alternating, without and with a journal fed as the wiring step will
 *    feed it (10 M points journaled): every 1000 calls the
 *    chunk is appended (encoded on the main thread), commits run every 100 ms off the thread. The
 *    "with" loop also copies each point into a column chunk of its own (the wired batcher will hand
 *    over its own chunks), so it overstates the cost; a third mode measures that copy alone.
 *
 *   npx tsx bench/journal.ts                     # journal folder under the OS temp dir
 *   BENCH_JOURNAL_DIR=/mnt/ssd/tmp npx tsx bench/journal.ts
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, open, rm } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { setImmediate as yieldToLoop } from "node:timers/promises";
import { MlflowClient } from "../src/client/client.js";
import type { MetricColumns } from "../src/journal/entries.js";
import { Journal } from "../src/journal/journal.js";
import { DEFAULT_JOURNAL_COMMIT_BYTES, DEFAULT_JOURNAL_COMMIT_INTERVAL_MS, DEFAULT_JOURNAL_SEGMENT_BYTES } from "../src/journal/options.js";
import { resolveLoggerOptions } from "../src/logging/options.js";
import { ActiveRun } from "../src/logging/run.js";

// The hot path runs in alternating rounds (off, on, off, on…) so that load from elsewhere on the
// machine weighs on both modes alike; each mode gets HOT_PATH_ROUNDS × 2 M calls.
const HOT_PATH_ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const HOT_PATH_CALLS = 2_000_000;
const KEYS = Array.from({ length: 100 }, (_, i) => `train/metric_${String(i).padStart(2, "0")}`);
const CHUNK = 1000;
const base = process.env.BENCH_JOURNAL_DIR ?? tmpdir();

function chunkColumns(): MetricColumns & { keys: string[] } {
  return { keys: new Array<string>(CHUNK).fill(""), values: new Float64Array(CHUNK), timestamps: new Float64Array(CHUNK), steps: new Float64Array(CHUNK) };
}

function fill(columns: ReturnType<typeof chunkColumns>, first: number): void {
  for (let i = 0; i < CHUNK; i++) {
    const n = first + i;
    columns.keys[i] = KEYS[n % 100]!;
    columns.values[i] = n * 0.001;
    columns.timestamps[i] = 1_700_000_000_000 + n;
    columns.steps[i] = n;
  }
}

async function newJournal(dir: string, overrides: { commitIntervalMs?: number; commitBytes?: number; syncIntervalMs?: number } = {}): Promise<Journal> {
  const options = { dir, commitIntervalMs: 60_000, commitBytes: 1 << 30, syncIntervalMs: 0, segmentBytes: DEFAULT_JOURNAL_SEGMENT_BYTES, ...overrides };
  const journal = await Journal.create({ runId: "0".repeat(32), trackingUri: "http://127.0.0.1:9", options, onDegraded: (d) => console.error(d.message) });
  if (journal.degraded) throw new Error(journal.degraded.message);
  return journal;
}

async function encoding(dir: string): Promise<{ pointsPerSecond: number; nsPerPoint: number }> {
  const journal = await newJournal(dir);
  const columns = chunkColumns();
  fill(columns, 0);
  const rounds = 2000; // 2 M points, committed every 100 chunks so memory stays flat
  let encodeMs = 0;
  for (let round = 0; round < rounds; round++) {
    const t0 = performance.now();
    journal.appendMetrics(columns, 0, CHUNK);
    encodeMs += performance.now() - t0;
    if (round % 100 === 99) await journal.commit();
  }
  await journal.remove();
  const points = rounds * CHUNK;
  return { pointsPerSecond: points / (encodeMs / 1000), nsPerPoint: (encodeMs * 1e6) / points };
}

async function groupCommits(
  dir: string,
  groupPoints: number,
  totalPoints = Math.max(500_000, groupPoints * 20),
): Promise<{ pointsPerSecond: number; mbPerSecond: number; msPerCommit: number; bytesPerPoint: number }> {
  const journal = await newJournal(dir);
  const columns = chunkColumns();
  let written = 0;
  let commits = 0;
  const start = performance.now();
  while (written < totalPoints) {
    for (let inGroup = 0; inGroup < groupPoints; inGroup += CHUNK) {
      fill(columns, written);
      journal.appendMetrics(columns, 0, CHUNK);
      written += CHUNK;
    }
    await journal.commit(); // write + fdatasync (syncIntervalMs 0)
    commits++;
  }
  const seconds = (performance.now() - start) / 1000;
  const { bytes } = journal.stats();
  await journal.remove();
  return { pointsPerSecond: written / seconds, mbPerSecond: bytes / 1e6 / seconds, msPerCommit: (seconds * 1000) / commits, bytesPerPoint: bytes / written };
}

async function fsyncCost(dir: string): Promise<number> {
  const handle = await open(join(dir, "fsync-probe"), "w");
  const block = Buffer.alloc(28_000, 7);
  const times: number[] = [];
  for (let i = 0; i < 50; i++) {
    await handle.write(block, 0, block.length, i * block.length);
    const t0 = performance.now();
    await handle.datasync();
    times.push(performance.now() - t0);
  }
  await handle.close();
  return median(times);
}

/** A run whose server is a closed port, as in bench/logger-hot-path.ts. */
function cutOffRun(): ActiveRun {
  const client = new MlflowClient({ trackingUri: "http://127.0.0.1:9", maxRetries: 0, env: {} });
  const info = { run_id: "0".repeat(32), experiment_id: "0", run_name: "bench", status: "RUNNING", artifact_uri: "", lifecycle_stage: "active" } as const;
  const run = new ActiveRun({ client, info, options: resolveLoggerOptions({ exitHooks: false }, client.config.logger) });
  run.on("error", () => undefined);
  return run;
}

/** `undefined`: logMetric only; "copy": also copies each point into a chunk (the bench's own overhead); a journal: also appends each full chunk. */
async function hotPath(journal: Journal | "copy" | undefined): Promise<number> {
  const run = cutOffRun();
  const columns = chunkColumns();
  let elapsedMs = 0;
  let start = performance.now();
  for (let i = 0; i < HOT_PATH_CALLS; i++) {
    const key = KEYS[i % 100]!;
    const value = i * 0.001;
    run.logMetric(key, value, { step: i });
    if (journal !== undefined) {
      const slot = i % CHUNK;
      columns.keys[slot] = key;
      columns.values[slot] = value;
      columns.timestamps[slot] = 1_700_000_000_000;
      columns.steps[slot] = i;
      if (slot === CHUNK - 1 && journal !== "copy") journal.appendMetrics(columns, 0, CHUNK);
    }
    if (i % 100_000 === 99_999) {
      // A training loop yields between steps: the batcher's timers and the journal's commits run here.
      elapsedMs += performance.now() - start;
      await yieldToLoop();
      start = performance.now();
    }
  }
  elapsedMs += performance.now() - start;
  if (run.stats().logged !== HOT_PATH_CALLS) throw new Error("lost calls");
  await run.end({ timeoutMs: 0 }).catch(() => undefined);
  await run.client.close();
  return HOT_PATH_CALLS / (elapsedMs / 1000);
}

/** Writes back every dirty page (`sync`), where the command exists. */
function settleDisk(): void {
  try {
    execFileSync("sync", { stdio: "ignore", timeout: 60_000 });
  } catch {
    // no sync command (Windows): the phases run unsettled
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

const dir = await mkdtemp(join(base, "mlflow-ts-bench-journal-"));
try {
  // Warm-up (compiled code, file-system caches): its figures are not printed.
  for (const size of [1000, 10_000]) await groupCommits(dir, size, 200_000);
  // Each disk phase starts with the page cache written back, so that one phase's dirty data does not
  // slow the next one's fdatasyncs (ext4 data=ordered commits other files' data with a sync).
  const groups = [];
  for (const size of [1000, 10_000, 37_000]) {
    settleDisk();
    groups.push({ size, ...(await groupCommits(dir, size)) });
  }
  settleDisk();
  const syncMs = await fsyncCost(dir);
  const encode = await encoding(dir);
  const journal = await newJournal(dir, { commitIntervalMs: DEFAULT_JOURNAL_COMMIT_INTERVAL_MS, commitBytes: DEFAULT_JOURNAL_COMMIT_BYTES });
  const offRates: number[] = [];
  const copyRates: number[] = [];
  const onRates: number[] = [];
  for (let round = 0; round < HOT_PATH_ROUNDS; round++) {
    offRates.push(await hotPath(undefined));
    copyRates.push(await hotPath("copy"));
    onRates.push(await hotPath(journal));
  }
  await journal.commit({ sync: true });
  const journaled = journal.stats();
  await journal.remove();
  const off = median(offRates);
  const copy = median(copyRates);
  const on = median(onRates);

  console.log(`\nJournal storage layer — node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, folder ${base}\n`);
  console.log("| measure | value |");
  console.log("|---|---|");
  console.log(
    `| encode (appendMetrics, 1000-point chunks, no disk) | ${fmt(encode.pointsPerSecond / 1e6, 1)} M points/s = ${fmt(encode.nsPerPoint, 1)} ns/point |`,
  );
  for (const g of groups) {
    console.log(
      `| group commit of ${fmt(g.size)} points, write + fdatasync each | ${fmt(g.pointsPerSecond / 1e6, 2)} M points/s, ${fmt(g.mbPerSecond, 0)} MB/s, ${fmt(g.msPerCommit, 2)} ms/commit |`,
    );
  }
  console.log(`| bytes per point on disk | ${fmt(groups[1]!.bytesPerPoint, 1)} |`);
  console.log(`| fdatasync after a 28 kB write (median of 50) | ${fmt(syncMs, 2)} ms |`);
  const total = fmt((HOT_PATH_ROUNDS * HOT_PATH_CALLS) / 1e6);
  console.log(
    `| logMetric, journal off (median of ${HOT_PATH_ROUNDS} rounds, ${total} M calls) | ${fmt(off / 1e6, 2)} M calls/s (slowest round ${fmt(Math.min(...offRates) / 1e6, 2)}) |`,
  );
  console.log(`| logMetric + the bench's chunk copy, no journal (median of ${HOT_PATH_ROUNDS} rounds) | ${fmt(copy / 1e6, 2)} M calls/s |`);
  console.log(
    `| logMetric + chunk copy + appendMetrics every 1000, commits every ${DEFAULT_JOURNAL_COMMIT_INTERVAL_MS} ms (median of ${HOT_PATH_ROUNDS} rounds, ${total} M calls) | ${fmt(on / 1e6, 2)} M calls/s (slowest round ${fmt(Math.min(...onRates) / 1e6, 2)}) = ${fmt(off / on, 2)}× the cost of off |`,
  );
  console.log(`| points journaled in that run (durable) | ${fmt(journaled.durable.metric)} |`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
process.exit(0);
