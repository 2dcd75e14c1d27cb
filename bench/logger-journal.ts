/**
 * Benchmark: `run.logMetric` with the run's journal on vs off, through the real batcher, with the
 * network cut off (the tracking URI is a closed port on 127.0.0.1: every request fails at once and
 * is retried in the background, nothing is delivered, the buffer only grows). Rounds alternate off
 * and on, so the machine's load hits both alike. A round is 1,000,000 calls in slices of 10,000
 * with one yield to the event loop between slices, as a training loop yields between steps, so the
 * journal's tick (append and group commit, every 100 ms) and the send loop run inside the timed
 * round: the "on" rate pays for encoding, CRC and the commits' main-thread share (the write(2) and
 * fdatasync run in libuv's pool). The last line is the JSON result line (bench/result-line.ts).
 *
 *   npx tsx bench/logger-journal.ts                     # 10 rounds each: 10 million points per side
 *   BENCH_ROUNDS=3 BENCH_JOURNAL_DIR=/scratch npx tsx bench/logger-journal.ts
 */
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { setImmediate as yieldToLoop } from "node:timers/promises";
import { MlflowClient } from "../src/client/client.js";
import { Journal, resolveJournalOptions } from "../src/journal/index.js";
import { resolveLoggerOptions } from "../src/logging/options.js";
import { ActiveRun } from "../src/logging/run.js";
import { printResultLine } from "./result-line.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const CALLS_PER_ROUND = 1_000_000;
const SLICE = 10_000;
const KEYS = Array.from({ length: 100 }, (_, i) => `train/metric_${String(i).padStart(2, "0")}`);
const RUN_ID = "0".repeat(32);

/** A run whose server is a closed port, with a journal in `dir` or none. */
async function cutOffRun(dir: string | undefined): Promise<ActiveRun> {
  const client = new MlflowClient({ trackingUri: "http://127.0.0.1:9", maxRetries: 0, env: {} });
  const info = { run_id: RUN_ID, experiment_id: "0", run_name: "bench", status: "RUNNING", artifact_uri: "", lifecycle_stage: "active" } as const;
  const options = resolveLoggerOptions({ exitHooks: false }, client.config.logger);
  let journal: { journal: Journal; commitIntervalMs: number } | undefined;
  if (dir !== undefined) {
    const journalOptions = resolveJournalOptions({ journalDir: dir }, client.config.journal);
    journal = {
      journal: await Journal.create({ runId: RUN_ID, trackingUri: client.trackingUri, options: journalOptions }),
      commitIntervalMs: journalOptions.commitIntervalMs,
    };
  }
  const run = new ActiveRun({ client, info, options, journal });
  run.on("error", () => undefined); // every batch fails by design here
  return run;
}

/** One round: calls per second, and the run's journal counters at its end. */
async function round(dir: string | undefined): Promise<{ rate: number; durable: number }> {
  const run = await cutOffRun(dir);
  const start = performance.now();
  for (let i = 0; i < CALLS_PER_ROUND; i++) {
    run.logMetric(KEYS[i % 100]!, i * 0.001, { step: i });
    if (i % SLICE === SLICE - 1) await yieldToLoop();
  }
  const seconds = (performance.now() - start) / 1000;
  if (run.stats().logged !== CALLS_PER_ROUND) throw new Error("lost calls");
  const { durable } = run.stats();
  await run.end({ timeoutMs: 0 }).catch(() => undefined);
  await run.client.close();
  return { rate: CALLS_PER_ROUND / seconds, durable };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 0 ? (sorted[middle - 1]! + sorted[middle]!) / 2 : sorted[middle]!;
}

const base = process.env.BENCH_JOURNAL_DIR ?? tmpdir();
const off: number[] = [];
const on: number[] = [];
let durableAtEnd = 0;
for (let r = 0; r < ROUNDS; r++) {
  off.push((await round(undefined)).rate);
  const dir = await mkdtemp(join(base, "mlflow-ts-bench-journal-"));
  const result = await round(dir);
  on.push(result.rate);
  durableAtEnd += result.durable;
  await rm(dir, { recursive: true, force: true });
}
const fmt = (n: number): string => Math.round(n).toLocaleString("en-US");
console.log(`logMetric through the real batcher, network cut off; ${ROUNDS} alternating rounds of ${fmt(CALLS_PER_ROUND)} calls per side`);
console.log(`machine: ${cpus()[0]?.model ?? "?"} (${cpus().length} cores), Node ${process.version}, journal in ${base}`);
console.log("| journal | calls/s median | min | max | points |");
console.log("|---|---:|---:|---:|---:|");
console.log(`| off | ${fmt(median(off))} | ${fmt(Math.min(...off))} | ${fmt(Math.max(...off))} | ${fmt(ROUNDS * CALLS_PER_ROUND)} |`);
console.log(`| on | ${fmt(median(on))} | ${fmt(Math.min(...on))} | ${fmt(Math.max(...on))} | ${fmt(ROUNDS * CALLS_PER_ROUND)} |`);
console.log(
  `cost of the journal: ${(median(off) / median(on)).toFixed(2)}× (off/on median rates); entries durable when the rounds ended: ${fmt(durableAtEnd)} of ${fmt(ROUNDS * (CALLS_PER_ROUND + 1))}`,
);
printResultLine("logger-journal", {
  callsPerSecondJournalOff: { value: Math.round(median(off)), better: "higher" },
  callsPerSecondJournalOn: { value: Math.round(median(on)), better: "higher" },
});
