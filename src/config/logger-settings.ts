/**
 * The logger's settings as the environment and the defaults give them, resolved once with the rest
 * of the configuration: `startRun`'s options (src/logging/options.ts) override them per run. Order:
 * option > environment variable > default. Every duration is in milliseconds, and every variable
 * name says its unit.
 */
import {
  DEFAULT_DELIVERY_TIMEOUT_MS,
  DEFAULT_EXIT_TIMEOUT_MS,
  DEFAULT_FLUSH_INTERVAL_MS,
  DEFAULT_MAX_BUFFERED_ENTRIES,
  DEFAULT_MAX_IN_FLIGHT,
  DEFAULT_MAX_IN_FLIGHT_EMBEDDED,
  DEFAULT_RETRY_INITIAL_DELAY_MS,
  DEFAULT_RETRY_MAX_DELAY_MS,
  DEFAULT_SPILL_AFTER_MS,
} from "./defaults.js";
import { readNumberEnv } from "./env.js";
import type { NumberRule } from "./number-rule.js";
import type { Env } from "./options.js";

/** The logger's settings with every default applied (the shape of `LoggerOptions`, all required). */
export interface LoggerSettings {
  /** Interval of background flushes, ms. */
  readonly flushIntervalMs: number;
  /** `log-batch` requests in flight per run. */
  readonly maxInFlight: number;
  /** How long a batch is retried before it counts as failed, ms. */
  readonly deliveryTimeoutMs: number;
  /** Buffered entries at which `backpressure` fires and, with a journal, new metric chunks go to the journal only. */
  readonly maxBufferedEntries: number;
  /** Time the server may stay unreachable before new metric chunks go to the journal only, ms. */
  readonly spillAfterMs: number;
  /** Bound of the final flush at process exit, ms. */
  readonly exitTimeoutMs: number;
  /** First retry delay of a failed batch, ms. */
  readonly retryInitialDelayMs: number;
  /** Longest retry delay of a failed batch, ms. */
  readonly retryMaxDelayMs: number;
  /** Whether the process hooks (exit, signals, uncaught exceptions) are installed while a run is active. */
  readonly exitHooks: boolean;
}

/** The variables of the logger and their rules. */
const ENV_RULES = {
  flushIntervalMs: ["MLFLOW_TS_FLUSH_INTERVAL_MS", { min: 1, integer: true, unit: "milliseconds" }],
  maxInFlight: ["MLFLOW_TS_MAX_IN_FLIGHT", { min: 1, max: 32, integer: true }],
  deliveryTimeoutMs: ["MLFLOW_TS_DELIVERY_TIMEOUT_MS", { min: 0, integer: true, unit: "milliseconds" }],
  maxBufferedEntries: ["MLFLOW_TS_MAX_BUFFERED_ENTRIES", { min: 1, integer: true }],
  exitTimeoutMs: ["MLFLOW_TS_EXIT_TIMEOUT_MS", { min: 0, integer: true, unit: "milliseconds" }],
  spillAfterMs: ["MLFLOW_TS_SPILL_AFTER_MS", { min: 0, integer: true, unit: "milliseconds" }],
} as const satisfies Record<string, readonly [string, NumberRule]>;

/**
 * The logger's settings from the environment, else the defaults.
 *
 * @param storeKind - What runs log to: only the default of `maxInFlight` depends on it (2 on a
 *   tracking server, 16 on the embedded SQLite store).
 * @throws {ConfigurationError} naming the variable when a value is malformed.
 * @example
 * resolveLoggerSettings({ MLFLOW_TS_FLUSH_INTERVAL_MS: "250" }, "rest").flushIntervalMs // 250
 * @internal
 */
export function resolveLoggerSettings(env: Env, storeKind: "rest" | "sqlite"): LoggerSettings {
  const fromEnv = (key: keyof typeof ENV_RULES): number | undefined => readNumberEnv(env, ENV_RULES[key][0], ENV_RULES[key][1]);
  return {
    flushIntervalMs: fromEnv("flushIntervalMs") ?? DEFAULT_FLUSH_INTERVAL_MS,
    maxInFlight: fromEnv("maxInFlight") ?? (storeKind === "sqlite" ? DEFAULT_MAX_IN_FLIGHT_EMBEDDED : DEFAULT_MAX_IN_FLIGHT),
    deliveryTimeoutMs: fromEnv("deliveryTimeoutMs") ?? DEFAULT_DELIVERY_TIMEOUT_MS,
    maxBufferedEntries: fromEnv("maxBufferedEntries") ?? DEFAULT_MAX_BUFFERED_ENTRIES,
    exitTimeoutMs: fromEnv("exitTimeoutMs") ?? DEFAULT_EXIT_TIMEOUT_MS,
    spillAfterMs: fromEnv("spillAfterMs") ?? DEFAULT_SPILL_AFTER_MS,
    retryInitialDelayMs: DEFAULT_RETRY_INITIAL_DELAY_MS,
    retryMaxDelayMs: DEFAULT_RETRY_MAX_DELAY_MS,
    exitHooks: true,
  };
}
