/**
 * Options of the logger (batching, delivery, exit) with their environment variables and defaults.
 * Order: option > environment variable > default. Every duration is in milliseconds, and every
 * variable name says its unit.
 */
import { z } from "zod";
import { type Env, type NumberRule, numberProblem, readNumberEnv } from "../config/env.js";
import { ConfigurationError } from "../core/errors.js";

/** Default interval between background flushes: 1000 ms. */
export const DEFAULT_FLUSH_INTERVAL_MS = 1_000;
/**
 * Default `log-batch` requests in flight per run: 2. The benchmark in docs/logger.md picks it:
 * a second request hides the client/server round trip, more only queue on PostgreSQL row locks
 * (every batch of a run updates the same `latest_metrics` rows).
 */
export const DEFAULT_MAX_IN_FLIGHT = 2;
/**
 * Default `log-batch` requests in flight per run on the embedded SQLite store: 16. The store
 * commits the requests that arrive together in one transaction (see docs/embedded-store.md), and
 * with many keys per run one commit of 16,000 points costs far less than sixteen of 1000: each
 * commit rewrites every index page it touched. The benchmark there picks it.
 */
export const DEFAULT_MAX_IN_FLIGHT_EMBEDDED = 16;
/** Default time a batch is retried before it counts as failed: 10 minutes. */
export const DEFAULT_DELIVERY_TIMEOUT_MS = 600_000;
/** Default number of buffered entries at which `backpressure` fires: 1,000,000 (about 32 MB of metrics). */
export const DEFAULT_MAX_BUFFERED_ENTRIES = 1_000_000;
/** Default bound of the flush at process exit, SIGINT/SIGTERM and uncaught exceptions: 30 s. */
export const DEFAULT_EXIT_TIMEOUT_MS = 30_000;
/** Default first retry delay of a failed batch: 250 ms (doubling up to the maximum, with jitter). */
export const DEFAULT_RETRY_INITIAL_DELAY_MS = 250;
/** Default longest retry delay of a failed batch: 10 s. */
export const DEFAULT_RETRY_MAX_DELAY_MS = 10_000;

/**
 * Options of the logger. Each falls back to the environment variable named in its description
 * (read from the client's environment), then to the default.
 */
export interface LoggerOptions {
  /** Interval of background flushes, ms. Env `MLFLOW_TS_FLUSH_INTERVAL_MS`. @defaultValue 1000 */
  flushIntervalMs?: number | undefined;
  /** `log-batch` requests in flight per run, 1–32. Env `MLFLOW_TS_MAX_IN_FLIGHT`. @defaultValue 2 on a tracking server, 16 on the embedded SQLite store */
  maxInFlight?: number | undefined;
  /** How long a batch is retried after transient failures before it counts as failed, ms. Env `MLFLOW_TS_DELIVERY_TIMEOUT_MS`. @defaultValue 600000 */
  deliveryTimeoutMs?: number | undefined;
  /** Buffered entries at which `backpressure` fires (nothing is dropped above it). Env `MLFLOW_TS_MAX_BUFFERED_ENTRIES`. @defaultValue 1000000 */
  maxBufferedEntries?: number | undefined;
  /** Bound of the final flush at process exit, on SIGINT/SIGTERM and on an uncaught exception, ms. Env `MLFLOW_TS_EXIT_TIMEOUT_MS`. @defaultValue 30000 */
  exitTimeoutMs?: number | undefined;
  /** First retry delay, ms; doubles per attempt up to `retryMaxDelayMs`, with jitter. @defaultValue 250 */
  retryInitialDelayMs?: number | undefined;
  /** Longest retry delay, ms. @defaultValue 10000 */
  retryMaxDelayMs?: number | undefined;
  /** Install the process hooks (exit, signals, uncaught exceptions) while the run is active. @defaultValue true */
  exitHooks?: boolean | undefined;
}

/** Logger options after defaults and environment were applied. */
export type ResolvedLoggerOptions = Readonly<Required<LoggerOptions>>;

/** Schema of {@link LoggerOptions}; merged into the `startRun` options schema. @internal */
export const loggerOptionsShape = {
  flushIntervalMs: z.number().int().min(1).optional(),
  maxInFlight: z.number().int().min(1).max(32).optional(),
  deliveryTimeoutMs: z.number().int().min(0).optional(),
  maxBufferedEntries: z.number().int().min(1).optional(),
  exitTimeoutMs: z.number().int().min(0).optional(),
  retryInitialDelayMs: z.number().int().min(0).optional(),
  retryMaxDelayMs: z.number().int().min(0).optional(),
  exitHooks: z.boolean().optional(),
};

const ENV_RULES: Record<"flushIntervalMs" | "maxInFlight" | "deliveryTimeoutMs" | "maxBufferedEntries" | "exitTimeoutMs", [string, NumberRule]> = {
  flushIntervalMs: ["MLFLOW_TS_FLUSH_INTERVAL_MS", { min: 1, integer: true, unit: "milliseconds" }],
  maxInFlight: ["MLFLOW_TS_MAX_IN_FLIGHT", { min: 1, max: 32, integer: true }],
  deliveryTimeoutMs: ["MLFLOW_TS_DELIVERY_TIMEOUT_MS", { min: 0, integer: true, unit: "milliseconds" }],
  maxBufferedEntries: ["MLFLOW_TS_MAX_BUFFERED_ENTRIES", { min: 1, integer: true }],
  exitTimeoutMs: ["MLFLOW_TS_EXIT_TIMEOUT_MS", { min: 0, integer: true, unit: "milliseconds" }],
};

/**
 * Applies the environment and the defaults to logger options (already checked by the schema).
 *
 * @param storeKind - What the run logs to: `rest` (a tracking server) or `sqlite` (the embedded
 *   store); only the default of `maxInFlight` depends on it. @defaultValue "rest"
 * @throws {ConfigurationError} naming the variable when an environment value is malformed.
 * @example
 * resolveLoggerOptions({}, { MLFLOW_TS_FLUSH_INTERVAL_MS: "250" }).flushIntervalMs // 250
 * @internal
 */
export function resolveLoggerOptions(options: LoggerOptions, env: Env, storeKind: "rest" | "sqlite" = "rest"): ResolvedLoggerOptions {
  const fromEnv = (key: keyof typeof ENV_RULES): number | undefined => readNumberEnv(env, ENV_RULES[key][0], ENV_RULES[key][1]);
  const resolved = {
    flushIntervalMs: options.flushIntervalMs ?? fromEnv("flushIntervalMs") ?? DEFAULT_FLUSH_INTERVAL_MS,
    maxInFlight: options.maxInFlight ?? fromEnv("maxInFlight") ?? (storeKind === "sqlite" ? DEFAULT_MAX_IN_FLIGHT_EMBEDDED : DEFAULT_MAX_IN_FLIGHT),
    deliveryTimeoutMs: options.deliveryTimeoutMs ?? fromEnv("deliveryTimeoutMs") ?? DEFAULT_DELIVERY_TIMEOUT_MS,
    maxBufferedEntries: options.maxBufferedEntries ?? fromEnv("maxBufferedEntries") ?? DEFAULT_MAX_BUFFERED_ENTRIES,
    exitTimeoutMs: options.exitTimeoutMs ?? fromEnv("exitTimeoutMs") ?? DEFAULT_EXIT_TIMEOUT_MS,
    retryInitialDelayMs: options.retryInitialDelayMs ?? DEFAULT_RETRY_INITIAL_DELAY_MS,
    retryMaxDelayMs: options.retryMaxDelayMs ?? DEFAULT_RETRY_MAX_DELAY_MS,
    exitHooks: options.exitHooks ?? true,
  };
  if (resolved.retryMaxDelayMs < resolved.retryInitialDelayMs) {
    throw new ConfigurationError(
      "retryMaxDelayMs",
      `retryMaxDelayMs (${resolved.retryMaxDelayMs}) must not be smaller than retryInitialDelayMs (${resolved.retryInitialDelayMs}).`,
    );
  }
  return Object.freeze(resolved);
}

/**
 * Checks a `timeoutMs` argument of `flush()`/`end()`.
 * @throws {ConfigurationError} when it is not a whole number of milliseconds ≥ 0.
 * @internal
 */
export function checkTimeoutMs(value: number | undefined): void {
  if (value === undefined) return;
  const problem = numberProblem(value, { min: 0, integer: true, unit: "milliseconds" });
  if (problem !== undefined) throw new ConfigurationError("timeoutMs", `timeoutMs must be ${problem}; got ${String(value)}.`);
}
