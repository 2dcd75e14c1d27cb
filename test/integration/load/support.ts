/**
 * The pieces of the load test (`test/integration/load.test.ts`) that are not the test itself: its
 * sizes (CI subset or the whole, from the environment), the worker made runnable by plain `node`
 * against the built library, the overload the proxy plays, and the report (figures for
 * docs/load.md).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import ts from "typescript";
import type { Fault, FaultContext, SeenRequest } from "../support/http-proxy.js";
import type { PauseReport } from "../support/pause.js";
import type { WorkerResult } from "./worker.js";

/** Sizes and timings of one load run. */
export interface LoadSettings {
  /** Whether this is the whole configuration (`MLFLOW_TS_LOAD_FULL=1`) rather than the CI subset. */
  full: boolean;
  processes: number;
  pointsPerProcess: number;
  /** Metric keys per run; points are spread over them (points / keys steps each). */
  keys: number;
  /** Points logged between two pauses of the training loop. */
  epochPoints: number;
  /** Pause of the training loop between epochs, ms. */
  epochMs: number;
  params: number;
  tags: number;
  /** How long the proxy plays the overloaded server, ms (from the first `log-batch` it sees). */
  windowMs: number;
  /** How long the MLflow server, then PostgreSQL, are frozen inside the window, ms. */
  pauseMs: number;
  /** A process with nothing pending at the proxy and no request sent or answered for this long is stuck: it is killed, ms. */
  stallMs: number;
  /** Every process must have exited by then (from its start), ms; stragglers are killed. */
  deadlineMs: number;
}

/** The whole configuration of issue #11: 32 processes × 50,000 points. */
const FULL = { processes: 32, pointsPerProcess: 50_000 };
/** What `npm test` runs: the same 32 processes and the same overload, with fewer points each. */
const CI_SUBSET = { processes: 32, pointsPerProcess: 5_000 };

/**
 * Reads the sizes: `MLFLOW_TS_LOAD_FULL=1` for the whole configuration, else the CI subset;
 * `MLFLOW_TS_LOAD_PROCESSES`, `MLFLOW_TS_LOAD_POINTS`, `MLFLOW_TS_LOAD_WINDOW_S`,
 * `MLFLOW_TS_LOAD_PAUSE_S`, `MLFLOW_TS_LOAD_STALL_S` and `MLFLOW_TS_LOAD_DEADLINE_S` override single values.
 * @throws {Error} naming the variable when a value is not a whole number in range.
 */
export function loadSettings(env: NodeJS.ProcessEnv = process.env): LoadSettings {
  const full = env.MLFLOW_TS_LOAD_FULL === "1" || env.MLFLOW_TS_LOAD_FULL === "true";
  const base = full ? FULL : CI_SUBSET;
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new Error(`${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}. Fix: unset it or give a value in range.`);
    }
    return value;
  };
  const keys = 10;
  const processes = int("MLFLOW_TS_LOAD_PROCESSES", base.processes, 1, 256);
  const pointsPerProcess = int("MLFLOW_TS_LOAD_POINTS", base.pointsPerProcess, keys, 10_000_000);
  if (pointsPerProcess % keys !== 0)
    throw new Error(`MLFLOW_TS_LOAD_POINTS must be a multiple of ${keys} (the keys per run), got ${pointsPerProcess}. Fix: round it.`);
  return {
    full,
    processes,
    pointsPerProcess,
    keys,
    epochPoints: 1_000,
    epochMs: 1_000,
    params: 20,
    tags: 10,
    windowMs: int("MLFLOW_TS_LOAD_WINDOW_S", 30, 1, 600) * 1000,
    pauseMs: int("MLFLOW_TS_LOAD_PAUSE_S", 5, 1, 20) * 1000,
    stallMs: int("MLFLOW_TS_LOAD_STALL_S", 300, 150, 3600) * 1000,
    deadlineMs: int("MLFLOW_TS_LOAD_DEADLINE_S", full ? 3 * 3600 : 30 * 60, 60, 6 * 3600) * 1000,
  };
}

/** The worker as plain JavaScript, and the built library it loads. */
export interface PreparedWorker {
  /** Path of the transpiled worker (`worker.mjs` in a temporary folder). */
  script: string;
  /** `file:` URL of `dist/index.js`. */
  libraryUrl: string;
  /** The temporary folder (the workers also write their artifact there). */
  dir: string;
  /** Whether `dist/` was older than `src/` and was rebuilt first. */
  rebuilt: boolean;
}

const ROOT = resolve(import.meta.dirname, "../../..");
const BUILD_TIMEOUT_MS = 10 * 60_000;

/**
 * Makes `dist/` current (rebuilds it with `tsc -p tsconfig.build.json` when a file in `src/` is
 * newer than `dist/index.js`, or it is missing) and transpiles `worker.ts` to JavaScript.
 */
export function prepareWorker(): PreparedWorker {
  const library = join(ROOT, "dist", "index.js");
  const rebuilt = !existsWithMtime(library) || newestMtimeMs(join(ROOT, "src")) > statSync(library).mtimeMs;
  if (rebuilt)
    execFileSync(join(ROOT, "node_modules", ".bin", "tsc"), ["-p", "tsconfig.build.json"], { cwd: ROOT, stdio: "inherit", timeout: BUILD_TIMEOUT_MS });
  const source = readFileSync(join(import.meta.dirname, "worker.ts"), "utf8");
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    fileName: "worker.ts",
  });
  const dir = mkdtempSync(join(tmpdir(), "mlflow-ts-load-"));
  const script = join(dir, "worker.mjs");
  writeFileSync(script, outputText);
  return { script, libraryUrl: pathToFileURL(library).href, dir, rebuilt };
}

function existsWithMtime(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

function newestMtimeMs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** Whether the proxy plays the overloaded server, and how many requests arrived while it did. */
export interface OverloadWindow {
  open: boolean;
  /** Requests that arrived while the window was open. */
  seen: number;
}

/**
 * What the overloaded server does to the requests arriving during the window, in turn: 50 %
 * refused (503 with and without `Retry-After`, 429), 10 % processed but answered 504 (the
 * response is lost: the retry must not double anything), 20 % answered 3 s late, 20 % untouched.
 */
export const OVERLOAD_PATTERN: readonly (Fault | undefined)[] = [
  { kind: "refuse", status: 503, retryAfterSeconds: 1 },
  { kind: "refuse", status: 503, retryAfterSeconds: 1 },
  { kind: "refuse", status: 503 },
  { kind: "refuse", status: 429, retryAfterSeconds: 1 },
  { kind: "refuse", status: 429, retryAfterSeconds: 1 },
  { kind: "lose", status: 504 },
  { kind: "delay", delayMs: 3_000 },
  { kind: "delay", delayMs: 3_000 },
  undefined,
  undefined,
];

/**
 * Errors injected into one request (same method, path and body) at most: its fourth attempt at the
 * latest goes through. A brief overload is survivable by design — the transport retries a call 7 times, the
 * logger a batch until its delivery deadline — and this keeps the test deterministic; what happens
 * when a call's retries are spent is the transport's unit tests' business.
 */
export const MAX_INJECTED_ERRORS_PER_REQUEST = 3;

/** The proxy's `fault` function: {@link OVERLOAD_PATTERN} while `window.open`, nothing otherwise. */
export function overloadFault(window: OverloadWindow): (request: FaultContext) => Fault | undefined {
  return (request) => {
    if (!window.open) return undefined;
    const fault = OVERLOAD_PATTERN[window.seen++ % OVERLOAD_PATTERN.length];
    if (fault && fault.kind !== "delay" && request.repeat >= MAX_INJECTED_ERRORS_PER_REQUEST) return undefined;
    return fault;
  };
}

/** How one process ended. */
export type ProcessOutcome = { worker: number; exitedAtMs: number } & (
  | { ok: true; result: WorkerResult }
  /** `result`: what a process that failed still printed (its stats, CPU, RSS). */
  | { ok: false; error: string; result?: Partial<WorkerResult> }
);

/** A pause of a service during the window, with the traffic it met. */
export interface PauseFigures extends PauseReport {
  /** Requests the proxy had forwarded and not settled yet when the pause began. */
  pendingAtStart: number;
  /** Requests that arrived while the service was frozen. */
  arrivedDuring: number;
  /** Offset of the pause from the window's start, ms. */
  startOffsetMs: number;
}

/** Minimum, median and maximum (and other quantiles when asked for: `p95`…). */
export interface Spread {
  min: number;
  median: number;
  max: number;
  [quantile: `p${number}`]: number;
}

/** The figures of one load run (written to `.test-results/load-report.json`, summarised in docs/load.md). */
export interface LoadReport {
  settings: LoadSettings;
  totalPoints: number;
  /** From the first process started to the last one exited, ms. */
  durationMs: number;
  pointsPerSecond: number;
  window: { durationMs: number; requests: number; byStatus: Record<string, number>; injected: Record<string, number>; errorRate: number };
  outsideWindow: { requests: number; byStatus: Record<string, number>; errorRate: number };
  /** Statuses the MLflow server itself answered (to forwarded requests), whole run. */
  serverStatuses: Record<string, number>;
  pauses: PauseFigures[];
  /** From arrival at the proxy to the end of the answer, of the log-batch requests answered 200, ms (min / p50 / p95 / max). */
  logBatchLatencyMs: Spread;
  /** Connections closed before an answer, by who closed them (the client's timeout, or the server). */
  closed: Record<string, number>;
  /** Processes that did not exit 0. */
  failedProcesses: number;
  /** Entries the processes' loggers gave up on (`stats().failed`, summed). */
  failedEntries: number;
  perProcess: {
    /** `run.stats().retried`: `log-batch` attempts that repeated a failed one. */
    batchRetries: Spread;
    /** `run.stats().requests`: `log-batch` attempts. */
    batchRequests: Spread;
    /** Every request the proxy saw from the process (all endpoints, retries included). */
    requestsSeen: Spread;
    /** Of those, answered 429, 5xx, MLflow's 400 for an exhausted pool, or not at all (injected or not). */
    errorsSeen: Spread;
    peakRssMiB: Spread;
    cpuSeconds: Spread;
    /** From `startRun` to `end()` resolved. */
    seconds: Spread;
    /** Slowest epoch of 1000 logging calls (must stay small: the hot path never waits). */
    slowestEpochMs: Spread;
  };
  machine: {
    cpus: string;
    memoryGiB: number;
    node: string;
    mlflow: string;
    postgres: string;
    s3: string;
    loadAverage: { start: number; max: number; end: number };
  };
}

/** Inputs of {@link buildReport}. */
export interface ReportInputs {
  settings: LoadSettings;
  startedAtMs: number;
  outcomes: ProcessOutcome[];
  requests: readonly SeenRequest[];
  window: { startMs: number; endMs: number };
  pauses: PauseFigures[];
  postgres: string;
  mlflow: string;
  s3: string;
  loadAverage: number[];
}

/** Computes the figures of a load run. */
export function buildReport(inputs: ReportInputs): LoadReport {
  const { settings, outcomes, requests, window } = inputs;
  const totalPoints = settings.processes * settings.pointsPerProcess;
  const durationMs = Math.max(...outcomes.map((o) => o.exitedAtMs)) - inputs.startedAtMs;
  const inWindow = requests.filter((r) => r.atMs >= window.startMs && r.atMs < window.endMs);
  const outside = requests.filter((r) => r.atMs < window.startMs || r.atMs >= window.endMs);
  const results = outcomes.flatMap((o) => (o.ok ? [o.result] : []));
  // Every process that printed its figures, failed ones included (their stats say what failed).
  const printed = outcomes.flatMap((o) => (o.result?.stats ? [o.result as Partial<WorkerResult> & Pick<WorkerResult, "stats">] : []));
  const batches = requests.filter((r) => r.path.endsWith("/runs/log-batch"));
  const answered = batches.filter((r) => r.status === 200 && r.settledAtMs !== undefined);
  const byClient = new Map<string, SeenRequest[]>();
  for (const r of requests) {
    const list = byClient.get(r.client ?? "?") ?? [];
    list.push(r);
    byClient.set(r.client ?? "?", list);
  }
  const clients = [...byClient.values()];
  return {
    settings,
    totalPoints,
    durationMs,
    pointsPerSecond: Math.round(totalPoints / (durationMs / 1000)),
    window: {
      durationMs: window.endMs - window.startMs,
      requests: inWindow.length,
      byStatus: countBy(inWindow, statusLabel),
      injected: countBy(
        inWindow.filter((r) => r.fault),
        (r) => `${r.fault}${r.fault === "delay" ? "" : ` ${r.status ?? "closed"}`}`,
      ),
      errorRate: errorRate(inWindow),
    },
    outsideWindow: { requests: outside.length, byStatus: countBy(outside, statusLabel), errorRate: errorRate(outside) },
    serverStatuses: countBy(
      requests.filter((r) => r.upstreamStatus !== undefined),
      (r) => (r.upstreamStatus === 400 && /QueuePool limit/.test(r.upstreamError ?? "") ? "400 pool exhausted" : String(r.upstreamStatus)),
    ),
    pauses: inputs.pauses,
    logBatchLatencyMs: spread(
      answered.map((r) => r.settledAtMs! - r.atMs),
      [0.5, 0.95],
    ),
    closed: countBy(
      requests.filter((r) => r.closedBy),
      (r) => `by the ${r.closedBy}`,
    ),
    failedProcesses: outcomes.filter((o) => !o.ok).length,
    failedEntries: printed.reduce((sum, r) => sum + r.stats.failed, 0),
    perProcess: {
      batchRetries: spread(printed.map((r) => r.stats.retried)),
      batchRequests: spread(printed.map((r) => r.stats.requests)),
      requestsSeen: spread(clients.map((list) => list.length)),
      errorsSeen: spread(clients.map((list) => list.filter(isError).length)),
      peakRssMiB: spread(printed.map((r) => Math.round((r.peakRssBytes ?? 0) / 2 ** 20))),
      cpuSeconds: spread(printed.map((r) => round((r.cpuMs ?? 0) / 1000, 2))),
      seconds: spread(results.map((r) => round(r.totalMs / 1000, 1))),
      slowestEpochMs: spread(results.map((r) => round(r.slowestEpochMs, 1))),
    },
    machine: {
      cpus: `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}`,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      mlflow: inputs.mlflow,
      postgres: inputs.postgres,
      s3: inputs.s3,
      loadAverage: { start: inputs.loadAverage[0] ?? 0, max: Math.max(...inputs.loadAverage), end: inputs.loadAverage.at(-1) ?? 0 },
    },
  };
}

/** The report as the lines a person reads (the test prints them). */
export function formatReport(report: LoadReport): string {
  const { settings: s, perProcess: p, window: w } = report;
  const spreadText = (x: Spread, unit = ""): string => `${x.min}${unit} / ${x.median}${unit} / ${x.max}${unit}`;
  const counts = (record: Record<string, number>): string =>
    Object.entries(record)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}: ${v}`)
      .join(", ");
  const lines = [
    `load: ${s.processes} processes × ${s.pointsPerProcess.toLocaleString("en")} points = ${report.totalPoints.toLocaleString("en")} points (+ ${s.params} params, ${s.tags + 2} tags, 1 artifact each)${s.full ? "" : " [CI subset]"}`,
    `  duration ${(report.durationMs / 1000).toFixed(1)} s, ${report.pointsPerSecond.toLocaleString("en")} points/s`,
    `  overload window ${(w.durationMs / 1000).toFixed(1)} s: ${w.requests} requests, error rate ${(w.errorRate * 100).toFixed(1)} %; answered ${counts(w.byStatus)}`,
    `    injected: ${counts(w.injected)}`,
    ...report.pauses.map(
      (x) =>
        `    ${x.service} frozen at +${(x.startOffsetMs / 1000).toFixed(1)} s for ${(x.pausedMs / 1000).toFixed(1)} s (${x.processes} processes): ${x.pendingAtStart} requests pending, ${x.arrivedDuring} arrived meanwhile`,
    ),
    `  outside the window: ${report.outsideWindow.requests} requests, error rate ${(report.outsideWindow.errorRate * 100).toFixed(1)} %; answered ${counts(report.outsideWindow.byStatus)}`,
    `  the MLflow server answered: ${counts(report.serverStatuses)}; connections closed before an answer: ${counts(report.closed) || "none"}`,
    `  log-batch answered 200 in ${spreadText(report.logBatchLatencyMs, " ms")} (min / median / max), p95 ${report.logBatchLatencyMs.p95 ?? 0} ms`,
    `  processes that failed: ${report.failedProcesses}; entries their loggers gave up on: ${report.failedEntries}`,
    `  per process (min / median / max): log-batch retries ${spreadText(p.batchRetries)}, log-batch requests ${spreadText(p.batchRequests)}, requests seen by the proxy ${spreadText(p.requestsSeen)} of which errors ${spreadText(p.errorsSeen)}`,
    `    peak RSS ${spreadText(p.peakRssMiB, " MiB")}, CPU ${spreadText(p.cpuSeconds, " s")}, run ${spreadText(p.seconds, " s")}, slowest epoch of ${s.epochPoints} logging calls ${spreadText(p.slowestEpochMs, " ms")}`,
    `  machine: ${report.machine.cpus}, ${report.machine.memoryGiB} GiB, Node ${report.machine.node}, MLflow ${report.machine.mlflow}, PostgreSQL ${report.machine.postgres}, ${report.machine.s3}; load average ${report.machine.loadAverage.start.toFixed(1)} at the start, ${report.machine.loadAverage.max.toFixed(1)} at most, ${report.machine.loadAverage.end.toFixed(1)} at the end`,
  ];
  return lines.join("\n");
}

function statusLabel(r: SeenRequest): string {
  if (r.status === undefined) return "closed";
  return poolExhausted(r) ? "400 pool exhausted" : String(r.status);
}

/** MLflow's 400 for an exhausted database connection pool (see src/core/retry/policy.ts). */
function poolExhausted(r: SeenRequest): boolean {
  return r.status === 400 && r.upstreamStatus === 400 && /QueuePool limit/.test(r.upstreamError ?? "");
}

/**
 * An overload error: 429, a 5xx, MLflow's 400 for an exhausted pool, or no answer. A 404 (an
 * experiment looked up before it exists) is an answer.
 */
function isError(r: SeenRequest): boolean {
  return r.status === undefined || r.status === 429 || r.status >= 500 || poolExhausted(r);
}

function errorRate(list: readonly SeenRequest[]): number {
  return list.length === 0 ? 0 : round(list.filter(isError).length / list.length, 4);
}

function countBy<T>(list: readonly T[], key: (item: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of list) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
}

function spread(values: number[], quantiles: number[] = []): Spread {
  if (values.length === 0) return { min: 0, median: 0, max: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const out: Spread = { min: sorted[0]!, median: sorted[Math.floor((sorted.length - 1) / 2)]!, max: sorted.at(-1)! };
  for (const q of quantiles) if (q !== 0.5) out[`p${Math.round(q * 100)}`] = at(q);
  return out;
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
