/**
 * Options of the logger (batching, delivery, exit) with their environment variables and defaults.
 * Order: option > environment variable > default. The environment and the defaults are resolved
 * with the client's configuration (config/logger-settings.ts); a run's options override them here.
 * Every duration is in milliseconds, and every variable name says its unit.
 */
import { z } from "zod";
import type { LoggerSettings } from "../config/logger-settings.js";
import { numberProblem } from "../config/number-rule.js";
import { ConfigurationError } from "../core/errors.js";

export {
  DEFAULT_DELIVERY_TIMEOUT_MS,
  DEFAULT_EXIT_TIMEOUT_MS,
  DEFAULT_FLUSH_INTERVAL_MS,
  DEFAULT_MAX_BUFFERED_ENTRIES,
  DEFAULT_MAX_IN_FLIGHT,
  DEFAULT_MAX_IN_FLIGHT_EMBEDDED,
  DEFAULT_RETRY_INITIAL_DELAY_MS,
  DEFAULT_RETRY_MAX_DELAY_MS,
  DEFAULT_SPILL_AFTER_MS,
} from "../config/defaults.js";

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
  /**
   * Buffered entries at which `backpressure` fires (nothing is dropped above it) and, when the run
   * has a journal, new metric chunks go to the journal only and are read back from it (memory stays
   * bounded; docs/journal.md "Bounded memory"). Env `MLFLOW_TS_MAX_BUFFERED_ENTRIES`. @defaultValue 1000000
   */
  maxBufferedEntries?: number | undefined;
  /**
   * How long the tracking server may stay unreachable before, with a journal, new metric chunks go
   * to the journal only and are read back from it once it answers, ms; 0 spills at once.
   * Env `MLFLOW_TS_SPILL_AFTER_MS`. @defaultValue 30000
   */
  spillAfterMs?: number | undefined;
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
export type ResolvedLoggerOptions = LoggerSettings;

/** Schema of {@link LoggerOptions}; merged into the `startRun` options schema. @internal */
export const loggerOptionsShape = {
  flushIntervalMs: z.number().int().min(1).optional(),
  maxInFlight: z.number().int().min(1).max(32).optional(),
  deliveryTimeoutMs: z.number().int().min(0).optional(),
  maxBufferedEntries: z.number().int().min(1).optional(),
  spillAfterMs: z.number().int().min(0).optional(),
  exitTimeoutMs: z.number().int().min(0).optional(),
  retryInitialDelayMs: z.number().int().min(0).optional(),
  retryMaxDelayMs: z.number().int().min(0).optional(),
  exitHooks: z.boolean().optional(),
};

/**
 * Applies a run's logger options (already checked by the schema) over the client's logger settings
 * (the environment and the defaults, resolved with its configuration).
 *
 * @param settings - `client.config.logger`.
 * @throws {ConfigurationError} when `retryMaxDelayMs` ends up smaller than `retryInitialDelayMs`.
 * @example
 * resolveLoggerOptions({ flushIntervalMs: 250 }, client.config.logger).flushIntervalMs // 250
 * @internal
 */
export function resolveLoggerOptions(options: LoggerOptions, settings: LoggerSettings): ResolvedLoggerOptions {
  const resolved: LoggerSettings = {
    flushIntervalMs: options.flushIntervalMs ?? settings.flushIntervalMs,
    maxInFlight: options.maxInFlight ?? settings.maxInFlight,
    deliveryTimeoutMs: options.deliveryTimeoutMs ?? settings.deliveryTimeoutMs,
    maxBufferedEntries: options.maxBufferedEntries ?? settings.maxBufferedEntries,
    spillAfterMs: options.spillAfterMs ?? settings.spillAfterMs,
    exitTimeoutMs: options.exitTimeoutMs ?? settings.exitTimeoutMs,
    retryInitialDelayMs: options.retryInitialDelayMs ?? settings.retryInitialDelayMs,
    retryMaxDelayMs: options.retryMaxDelayMs ?? settings.retryMaxDelayMs,
    exitHooks: options.exitHooks ?? settings.exitHooks,
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
