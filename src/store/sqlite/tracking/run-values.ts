/**
 * The checks the tracking server applies to logged values before they reach its store, with the
 * SDK's rules (`src/protocol/validation.ts`): keys, value lengths, metric values, timestamps and steps.
 * Requests that come through the resources were already checked; these keep direct
 * `store.call(…)` users (and the `sync` command) to the same rules. Valid keys are remembered, so a
 * training loop's repeated keys are checked once.
 */
import { ValidationError } from "../../../core/errors.js";
import { decodeDouble } from "../../../core/wire.js";
import type { MetricInput } from "../../../protocol/endpoints.js";
import { validateKey, validateMetricPosition, validateParamValue, validateRunTagValue } from "../../../protocol/validation.js";

const MAX_REMEMBERED_KEYS = 10_000;
const validMetricKeys = new Set<string>();

/** Largest double; what the SQL store stores for ±Infinity. */
export const MAX_DOUBLE = 1.7976931348623157e308;

/**
 * A metric as the SQL store keeps it: NaN as value 0 with `isNan = 1`, ±Infinity as ±{@link MAX_DOUBLE}
 * (`sanitize_metric_value`), the step defaulted to 0.
 */
export interface StoredMetric {
  key: string;
  value: number;
  isNan: 0 | 1;
  timestamp: number;
  step: number;
  model_id?: string | undefined;
  dataset_name?: string | undefined;
  dataset_digest?: string | undefined;
}

/**
 * Checks one metric of a request, decodes its value (`"NaN"`, `"Infinity"` … or a number) and
 * sanitises it for storage.
 * @throws {ValidationError} for a bad key, a non-numeric value, a negative or fractional timestamp, a fractional step.
 * @internal
 */
export function toStoredMetric(metric: MetricInput): StoredMetric {
  if (!validMetricKeys.has(metric.key)) {
    validateKey(metric.key, "metric");
    if (validMetricKeys.size >= MAX_REMEMBERED_KEYS) validMetricKeys.clear();
    validMetricKeys.add(metric.key);
  }
  const value = decodeMetricValue(metric.key, metric.value);
  const step = metric.step ?? 0;
  validateMetricPosition(metric.key, metric.timestamp, step);
  const isNan = Number.isNaN(value);
  return {
    key: metric.key,
    value: isNan ? 0 : value === Infinity ? MAX_DOUBLE : value === -Infinity ? -MAX_DOUBLE : value,
    isNan: isNan ? 1 : 0,
    timestamp: metric.timestamp,
    step,
    model_id: metric.model_id,
    dataset_name: metric.dataset_name,
    dataset_digest: metric.dataset_digest,
  };
}

function decodeMetricValue(key: string, raw: unknown): number {
  if (typeof raw === "number") return raw;
  if (typeof raw === "string") {
    const value = decodeDouble(raw);
    if (!Number.isNaN(value) || raw.trim().toLowerCase() === "nan") return value;
  }
  throw new ValidationError(key, "metric-value", `The metric "${key}" must have a number value, got ${JSON.stringify(raw)}.`);
}

/**
 * Checks a param key and value (at most 6000 characters).
 * @throws {ValidationError}
 * @internal
 */
export function validateParam(key: string, value: string | undefined): void {
  validateKey(key, "param");
  validateParamValue(key, value ?? "");
}

/**
 * Checks a run tag key and value (at most 8000 characters).
 * @throws {ValidationError}
 * @internal
 */
export function validateRunTag(key: string, value: string | undefined): void {
  validateKey(key, "tag");
  validateRunTagValue(key, value ?? "");
}
