/**
 * Splitting a `log-batch` payload into requests the server accepts: at most 1000 metrics, 100
 * params, 100 tags, 1000 entities in total and about 1 MB of JSON each. Order is kept: params and
 * tags go first in chunks of 100 topped up with metrics, as the Python client does, then the
 * remaining metrics in chunks of 1000.
 */

import type { MetricInput } from "./endpoints.js";
import type { KeyValue } from "./entities/tracking.js";

/** At most 1000 metrics per `log-batch`. */
export const MAX_METRICS_PER_BATCH = 1000;
/** At most 100 params per `log-batch`. */
export const MAX_PARAMS_PER_BATCH = 100;
/** At most 100 tags per `log-batch`. */
export const MAX_TAGS_PER_BATCH = 100;
/** At most 1000 metrics, params and tags together per `log-batch`. */
export const MAX_ENTITIES_PER_BATCH = 1000;
/** Target size of one `log-batch` body in bytes (the server's limit is 1 MB). */
export const MAX_BATCH_BYTES = 900_000;

/** The entities of a `log-batch` request. */
export interface BatchEntities {
  metrics: MetricInput[];
  params: KeyValue[];
  tags: KeyValue[];
}

// Bytes of JSON around one entity besides its strings: braces, quotes, commas, field names, and
// for a metric the longest value, timestamp and step numbers.
const METRIC_OVERHEAD_BYTES = 96;
const KEY_VALUE_OVERHEAD_BYTES = 32;
const OPTIONAL_FIELD_OVERHEAD_BYTES = 20;

/** Bytes of a string once JSON-encoded (quotes and escapes included). */
function jsonStringBytes(text: string): number {
  return Buffer.byteLength(JSON.stringify(text));
}

/**
 * Upper bound of the JSON size of a metric, in bytes.
 * @internal
 */
export function metricBytes(metric: MetricInput): number {
  let bytes = METRIC_OVERHEAD_BYTES + jsonStringBytes(metric.key);
  for (const field of [metric.model_id, metric.dataset_name, metric.dataset_digest]) {
    if (field !== undefined) bytes += OPTIONAL_FIELD_OVERHEAD_BYTES + jsonStringBytes(field);
  }
  return bytes;
}

/**
 * JSON size of a param or tag, in bytes (escapes included).
 * @internal
 */
export function keyValueBytes(entry: KeyValue): number {
  return KEY_VALUE_OVERHEAD_BYTES + jsonStringBytes(entry.key) + jsonStringBytes(entry.value);
}

/**
 * Splits entities into batches within every server limit, keeping their order within each kind.
 *
 * @example
 * splitBatch({ metrics: points, params: [], tags: [] }).length // ceil(points.length / 1000)
 * @internal
 */
export function splitBatch(entities: BatchEntities): BatchEntities[] {
  const batches: BatchEntities[] = [];
  let current = emptyBatch();
  let bytes = 0;
  const flush = (): void => {
    if (current.metrics.length + current.params.length + current.tags.length === 0) return;
    batches.push(current);
    current = emptyBatch();
    bytes = 0;
  };
  const add = (kind: keyof BatchEntities, entry: MetricInput & KeyValue, size: number, max: number): void => {
    if (current[kind].length >= max || count(current) >= MAX_ENTITIES_PER_BATCH || bytes + size > MAX_BATCH_BYTES) flush();
    (current[kind] as (MetricInput | KeyValue)[]).push(entry);
    bytes += size;
  };
  for (const param of entities.params) add("params", param as MetricInput & KeyValue, keyValueBytes(param), MAX_PARAMS_PER_BATCH);
  for (const tag of entities.tags) add("tags", tag as MetricInput & KeyValue, keyValueBytes(tag), MAX_TAGS_PER_BATCH);
  for (const metric of entities.metrics) add("metrics", metric as MetricInput & KeyValue, metricBytes(metric), MAX_METRICS_PER_BATCH);
  flush();
  return batches;
}

function emptyBatch(): BatchEntities {
  return { metrics: [], params: [], tags: [] };
}

function count(batch: BatchEntities): number {
  return batch.metrics.length + batch.params.length + batch.tags.length;
}
