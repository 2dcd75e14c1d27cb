/**
 * One training process of the load test (`test/integration/load.test.ts`), run as its own OS
 * process: `startRun` → `logMetric` × points, in epochs → `logParams` / `setTags` → `logArtifact`
 * → `end()`, then one JSON line with its logger stats, CPU time and peak RSS. It must exit on its
 * own (the event loop empties): a process that does not is what the test calls stuck.
 *
 * The test transpiles this file to plain JavaScript and runs it with `node`, loading the built
 * library (`dist/`) from `LOAD_LIBRARY_URL`: 32 processes compiling the sources with tsx would
 * cost about three times the CPU (measured: 1.9 s against 0.6 s per process) on two cores shared
 * with the server. The types come from `src/`, so the file is checked with the rest.
 *
 * Environment: the stack's client variables (`MLFLOW_TRACKING_URI` → the test's proxy,
 * `MLFLOW_S3_ENDPOINT_URL`, `AWS_*`), `MLFLOW_EXPERIMENT_NAME` (shared: the processes race to
 * create it), and `LOAD_WORKER`, `LOAD_POINTS`, `LOAD_KEYS`, `LOAD_EPOCH_POINTS`, `LOAD_EPOCH_MS`,
 * `LOAD_PARAMS`, `LOAD_TAGS`, `LOAD_ARTIFACT_DIR`, `LOAD_CLIENT_HEADER`.
 *
 * Point i of key `m<k>` at step s has the value s + k/16 (exact in binary), so PostgreSQL can
 * check every row's value.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

import type { ActiveRun } from "../../../src/index.js";

type Library = typeof import("../../../src/index.js");

/** What the process prints on its last stdout line. */
export interface WorkerResult {
  worker: number;
  runId: string;
  /** `run.stats()` after `end()`. */
  stats: ReturnType<ActiveRun["stats"]>;
  /** From `startRun` to the end of the logging loop, ms. */
  loggingMs: number;
  /** From `startRun` to `end()` resolved, ms. */
  totalMs: number;
  /** Slowest epoch of logging calls (the hot path must not wait on the overloaded server), ms. */
  slowestEpochMs: number;
  /** User + system CPU of the whole process, ms. */
  cpuMs: number;
  /** Peak resident set size of the process, bytes. */
  peakRssBytes: number;
  /** The error that ended the process, when it failed. */
  error?: string;
}

/** The settings a worker reads from its environment. */
interface Settings {
  worker: number;
  points: number;
  keys: number;
  epochPoints: number;
  epochMs: number;
  params: number;
  tags: number;
  artifactDir: string;
  clientHeader: string;
}

function settings(env: NodeJS.ProcessEnv): Settings {
  const int = (name: string): number => {
    const value = Number(env[name]);
    if (!Number.isInteger(value) || value < 0)
      throw new Error(`${name} must be a whole number ≥ 0, got ${JSON.stringify(env[name])}. Fix: start workers through load.test.ts.`);
    return value;
  };
  return {
    worker: int("LOAD_WORKER"),
    points: int("LOAD_POINTS"),
    keys: int("LOAD_KEYS"),
    epochPoints: int("LOAD_EPOCH_POINTS"),
    epochMs: int("LOAD_EPOCH_MS"),
    params: int("LOAD_PARAMS"),
    tags: int("LOAD_TAGS"),
    artifactDir: env.LOAD_ARTIFACT_DIR ?? "",
    clientHeader: env.LOAD_CLIENT_HEADER ?? "",
  };
}

/** Figures of the process so far: CPU time and peak RSS. */
function usage(): Pick<WorkerResult, "cpuMs" | "peakRssBytes"> {
  const u = process.resourceUsage();
  return { cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000, peakRssBytes: u.maxRSS * 1024 };
}

/** What a failed process can still tell: its run (for the stats) and how its logging went. */
const progress: { run?: ActiveRun; loggingMs?: number; slowestEpochMs?: number } = {};

async function main(lib: Library, s: Settings): Promise<WorkerResult> {
  const id = String(s.worker);
  const startedAt = performance.now();
  const run = await lib.startRun({ client: { headers: { [s.clientHeader]: id } }, runName: `load-${id}`, tags: { "load.worker": id } });
  progress.run = run;
  run.setTag("phase", "warmup");
  run.logParams(Object.fromEntries(Array.from({ length: s.params }, (_, i) => [`p${String(i).padStart(2, "0")}`, `w${id}-p${i}`])));
  run.setTag("phase", "train");
  const keys = Array.from({ length: s.keys }, (_, k) => `m${k}`);
  let slowestEpochMs = 0;
  for (let i = 0; i < s.points; ) {
    const epochStart = performance.now();
    for (const end = Math.min(s.points, i + s.epochPoints); i < end; i++) {
      const k = i % s.keys;
      const step = Math.floor(i / s.keys);
      run.logMetric(keys[k]!, step + k / 16, { step });
    }
    slowestEpochMs = Math.max(slowestEpochMs, performance.now() - epochStart);
    await sleep(s.epochMs);
  }
  const loggingMs = performance.now() - startedAt;
  run.setTags(Object.fromEntries(Array.from({ length: s.tags }, (_, i) => [`t${i}`, `w${id}-t${i}`])));
  const summary = join(s.artifactDir, `summary-w${id}.json`);
  writeFileSync(summary, JSON.stringify({ worker: s.worker, runId: run.runId, points: s.points }));
  await run.logArtifact(summary, { artifactPath: "load" });
  run.setTag("phase", "done");
  Object.assign(progress, { loggingMs, slowestEpochMs });
  await run.end();
  return { worker: s.worker, runId: run.runId, stats: run.stats(), loggingMs, totalMs: performance.now() - startedAt, slowestEpochMs, ...usage() };
}

const s = settings(process.env);
try {
  const lib = (await import(process.env.LOAD_LIBRARY_URL ?? "")) as Library;
  console.log(JSON.stringify(await main(lib, s)));
} catch (error) {
  // The JSON line still tells the test which worker failed, why, and its figures; the exit code says it failed.
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const { run, loggingMs, slowestEpochMs } = progress;
  console.log(JSON.stringify({ worker: s.worker, runId: run?.runId, stats: run?.stats(), loggingMs, slowestEpochMs, ...usage(), error: message }));
  process.exitCode = 1;
}
