/**
 * Benchmark (a): the cost of `run.logMetric` on the training loop's thread, with the network cut
 * off (the tracking URI is a closed port on 127.0.0.1, so every request fails with ECONNREFUSED
 * and is retried in the background; nothing is ever delivered and the buffer only grows).
 *
 * Prints calls per second (10 rounds of 1,000,000 untimed-per-call calls) and the latency
 * distribution of single calls (10 rounds of 1,000,000 calls, each timed with performance.now(),
 * whose own cost is measured and printed alongside). Between rounds the loop yields once, as a
 * training loop does, so the batcher runs. The last line is the JSON result line (bench/result-line.ts).
 *
 *   npx tsx bench/logger-hot-path.ts            # defaults
 *   BENCH_ROUNDS=3 npx tsx bench/logger-hot-path.ts
 */
import { cpus } from "node:os";
import { performance } from "node:perf_hooks";
import { setImmediate as yieldToLoop } from "node:timers/promises";
import { MlflowClient } from "../src/client/client.js";
import { resolveLoggerOptions } from "../src/logging/options.js";
import { ActiveRun } from "../src/logging/run.js";
import { printResultLine } from "./result-line.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const CALLS_PER_ROUND = 1_000_000;
const KEYS = Array.from({ length: 100 }, (_, i) => `train/metric_${String(i).padStart(2, "0")}`);
// Latency histogram: 10 ns buckets up to 1 ms, then one overflow bucket.
const BUCKET_NS = 10;
const BUCKETS = 100_000;

/** A run whose server is a closed port: requests fail at once and are retried in the background. */
function cutOffRun(): ActiveRun {
  const client = new MlflowClient({ trackingUri: "http://127.0.0.1:9", maxRetries: 0, env: {} });
  const info = { run_id: "0".repeat(32), experiment_id: "0", run_name: "bench", status: "RUNNING", artifact_uri: "", lifecycle_stage: "active" } as const;
  const run = new ActiveRun({ client, info, options: resolveLoggerOptions({ exitHooks: false }, client.config.logger) });
  run.on("error", () => undefined); // every batch fails by design here
  return run;
}

async function discard(run: ActiveRun): Promise<void> {
  await run.end({ timeoutMs: 0 }).catch(() => undefined);
  await run.client.close();
}

async function throughput(): Promise<number[]> {
  const rates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const run = cutOffRun();
    const start = performance.now();
    for (let i = 0; i < CALLS_PER_ROUND; i++) run.logMetric(KEYS[i % 100]!, i * 0.001, { step: i });
    const seconds = (performance.now() - start) / 1000;
    rates.push(CALLS_PER_ROUND / seconds);
    if (run.stats().logged !== CALLS_PER_ROUND) throw new Error("lost calls");
    await yieldToLoop();
    await discard(run);
  }
  return rates;
}

async function latency(): Promise<{ histogram: Uint32Array; overflow: number[]; timerNs: number }> {
  const histogram = new Uint32Array(BUCKETS);
  const overflow: number[] = [];
  const timer = new Float64Array(100_000);
  for (let i = 0; i < timer.length; i++) {
    const t0 = performance.now();
    timer[i] = (performance.now() - t0) * 1e6;
  }
  for (let round = 0; round < ROUNDS; round++) {
    const run = cutOffRun();
    for (let i = 0; i < CALLS_PER_ROUND; i++) {
      const t0 = performance.now();
      run.logMetric(KEYS[i % 100]!, i * 0.001, { step: i });
      const ns = (performance.now() - t0) * 1e6;
      const bucket = Math.floor(ns / BUCKET_NS);
      if (bucket < BUCKETS) histogram[bucket]!++;
      else overflow.push(ns);
    }
    await yieldToLoop();
    await discard(run);
  }
  return { histogram, overflow, timerNs: median([...timer]) };
}

function percentile(histogram: Uint32Array, overflow: number[], p: number): number {
  const total = histogram.reduce((sum, n) => sum + n, 0) + overflow.length;
  const target = Math.ceil(total * p);
  let seen = 0;
  for (let bucket = 0; bucket < BUCKETS; bucket++) {
    seen += histogram[bucket]!;
    if (seen >= target) return (bucket + 1) * BUCKET_NS;
  }
  const sorted = overflow.sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, target - seen - 1)]!;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

const rates = await throughput();
const { histogram, overflow, timerNs } = await latency();
const calls = ROUNDS * CALLS_PER_ROUND;
const max = overflow.length > 0 ? Math.max(...overflow) : percentile(histogram, overflow, 1);

console.log(`\nlogMetric hot path, network cut off — node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}\n`);
console.log("| measure | value |");
console.log("|---|---|");
console.log(`| calls per second, median of ${ROUNDS} rounds × ${fmt(CALLS_PER_ROUND)} | ${fmt(median(rates))} |`);
console.log(`| calls per second, slowest round | ${fmt(Math.min(...rates))} |`);
console.log(`| calls timed one by one | ${fmt(calls)} |`);
console.log(`| latency p50 | ${fmt(percentile(histogram, overflow, 0.5) / 1000, 2)} µs |`);
console.log(`| latency p99 | ${fmt(percentile(histogram, overflow, 0.99) / 1000, 2)} µs |`);
console.log(`| latency p99.9 | ${fmt(percentile(histogram, overflow, 0.999) / 1000, 2)} µs |`);
console.log(`| latency max | ${fmt(max / 1000, 1)} µs |`);
console.log(`| cost of the timer itself (median, included above) | ${fmt(timerNs, 0)} ns |`);
printResultLine("logger-hot-path", {
  callsPerSecond: { value: median(rates), better: "higher" },
  nsPerCall: { value: 1e9 / median(rates), better: "lower" },
  p99Ns: { value: percentile(histogram, overflow, 0.99), better: "lower" },
});
process.exit(0);
