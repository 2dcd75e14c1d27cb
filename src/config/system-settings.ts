/**
 * What the environment says about the system side of a run, resolved once with the rest of the
 * configuration: system-metrics logging (MLflow's `SystemMetricsMonitor` variables, same names and
 * units) and the extra system tags of `MLFLOW_RUN_CONTEXT`.
 */
import { ConfigurationError } from "../core/errors.js";
import { DEFAULT_SYSTEM_METRICS_SAMPLES_BEFORE_LOGGING, DEFAULT_SYSTEM_METRICS_SAMPLING_INTERVAL_MS } from "./defaults.js";
import { readBoolEnv, readEnv, readNumberEnv } from "./env.js";
import type { Env } from "./options.js";

/** Settings of system-metrics logging. */
export interface SystemMetricsSettings {
  /** Whether to log system metrics at all (`startRun`'s `logSystemMetrics` overrides it). */
  enabled: boolean;
  /** Time between two samples, ms. */
  samplingIntervalMs: number;
  /** Samples averaged into one logged point. */
  samplesBeforeLogging: number;
  /** Inserted into the names (`system/<nodeId>/…`) to tell the machines of a distributed job apart. */
  nodeId: string | undefined;
}

/**
 * Reads `MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING`, `MLFLOW_SYSTEM_METRICS_SAMPLING_INTERVAL` (seconds,
 * as in Python), `MLFLOW_SYSTEM_METRICS_SAMPLES_BEFORE_LOGGING` and `MLFLOW_SYSTEM_METRICS_NODE_ID`.
 *
 * @throws {ConfigurationError} naming the variable when a value is malformed.
 * @example
 * resolveSystemMetricsSettings({ MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING: "true" }).enabled // true
 * @internal
 */
export function resolveSystemMetricsSettings(env: Env): SystemMetricsSettings {
  const intervalSeconds = readNumberEnv(env, "MLFLOW_SYSTEM_METRICS_SAMPLING_INTERVAL", { min: 0.001, unit: "seconds" });
  return {
    enabled: readBoolEnv(env, "MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING") ?? false,
    samplingIntervalMs: intervalSeconds === undefined ? DEFAULT_SYSTEM_METRICS_SAMPLING_INTERVAL_MS : Math.round(intervalSeconds * 1000),
    samplesBeforeLogging:
      readNumberEnv(env, "MLFLOW_SYSTEM_METRICS_SAMPLES_BEFORE_LOGGING", { min: 1, integer: true }) ?? DEFAULT_SYSTEM_METRICS_SAMPLES_BEFORE_LOGGING,
    nodeId: readEnv(env, "MLFLOW_SYSTEM_METRICS_NODE_ID"),
  };
}

/**
 * `MLFLOW_RUN_CONTEXT`: a JSON object of extra tags for new runs, as in the Python client (values
 * that are not strings are sent as JSON).
 *
 * @throws {ConfigurationError} when it is set but is not a JSON object.
 * @example
 * runContextTags({ MLFLOW_RUN_CONTEXT: '{"team": "vision"}' }) // { team: "vision" }
 * @internal
 */
export function runContextTags(env: Env): Record<string, string> {
  const raw = readEnv(env, "MLFLOW_RUN_CONTEXT");
  if (raw === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new ConfigurationError(
      "MLFLOW_RUN_CONTEXT",
      'MLFLOW_RUN_CONTEXT must be a JSON object of tags, e.g. {"team": "vision"}. Fix: correct it or unset it.',
    );
  }
  return Object.fromEntries(Object.entries(parsed).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]));
}
