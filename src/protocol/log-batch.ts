/**
 * Packing `log-batch` requests the server accepts: at most 1000 metrics, 100 params, 100 tags, 1000
 * entities in total and about 1 MB of JSON each. One packer ({@link packBatch}) and one byte
 * estimator (the `…Bytes` functions) serve every sender: the logger's batcher (from its buffers),
 * `client.runs.logBatch` and sync (from arrays, through {@link splitBatch}).
 *
 * The packing is the Python client's (`MlflowClient.log_batch`): a request takes up to 100 params,
 * up to 100 tags, then as many metrics as the entity limit leaves room for; once params and tags
 * are gone, metrics go in requests of 1000. Order within each kind is kept.
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

/**
 * JSON around the entities of one request, bytes: `{"run_id":"…","metrics":[],"params":[],"tags":[]}`
 * with room for any run id.
 * @internal
 */
export const LOG_BATCH_ENVELOPE_BYTES = 400;

/**
 * Bytes of one metric's JSON besides its key's characters and its link fields. The longest form:
 * `{"key":"","value":-0.0000012345678901234567,"timestamp":-9007199254740991,"step":-9007199254740991},`
 * is 100 bytes (`NaN` and `±Infinity` travel as shorter strings).
 */
const METRIC_OVERHEAD_BYTES = 100;
/** Bytes of one param's or tag's JSON besides its two strings: `{"key":,"value":},`. */
const KEY_VALUE_OVERHEAD_BYTES = 18;
/** Bytes of an optional field besides its name and value: `,"":`. */
const FIELD_OVERHEAD_BYTES = 4;

/** Bytes of a string once JSON-encoded, quotes and escapes included. */
function jsonStringBytes(text: string): number {
  return Buffer.byteLength(JSON.stringify(text));
}

/**
 * Upper bound of the JSON size of a valid key (metric, param or tag), bytes, without encoding it:
 * valid keys need no escaping, and a UTF-16 unit is at most 3 UTF-8 bytes. Cheap enough to call
 * for every metric a request takes.
 *
 * @example
 * keyBytes("loss") // 14
 */
function keyBytes(key: string): number {
  return 2 + key.length * 3;
}

/**
 * JSON size of a metric's link fields (`model_id`, `dataset_name`, `dataset_digest`), bytes.
 * Computed once per distinct link by the batcher.
 *
 * @example
 * metricLinkBytes({ model_id: "m-1" }) // 17: `,"model_id":"m-1"`
 * @internal
 */
export function metricLinkBytes(link: Pick<MetricInput, "model_id" | "dataset_name" | "dataset_digest">): number {
  let bytes = 0;
  if (link.model_id !== undefined) bytes += FIELD_OVERHEAD_BYTES + "model_id".length + jsonStringBytes(link.model_id);
  if (link.dataset_name !== undefined) bytes += FIELD_OVERHEAD_BYTES + "dataset_name".length + jsonStringBytes(link.dataset_name);
  if (link.dataset_digest !== undefined) bytes += FIELD_OVERHEAD_BYTES + "dataset_digest".length + jsonStringBytes(link.dataset_digest);
  return bytes;
}

/**
 * Copies the link fields (`model_id`, `dataset_name`, `dataset_digest`) that `link` has onto
 * `metric`: the one place a point gets its links, whether it comes from the logger's buffer, the
 * journal's read-back or recovery. Nothing is copied for `undefined` (no link).
 *
 * @example
 * withMetricLink({ key: "loss", value: 1, timestamp: 0, step: 0 }, { model_id: "m-1" }); // model_id "m-1"
 * @internal
 */
export function withMetricLink<M extends Pick<MetricInput, "model_id" | "dataset_name" | "dataset_digest">>(
  metric: M,
  link: Readonly<Pick<MetricInput, "model_id" | "dataset_name" | "dataset_digest">> | undefined,
): M {
  if (link === undefined) return metric;
  if (link.model_id !== undefined) metric.model_id = link.model_id;
  if (link.dataset_name !== undefined) metric.dataset_name = link.dataset_name;
  if (link.dataset_digest !== undefined) metric.dataset_digest = link.dataset_digest;
  return metric;
}

/**
 * Upper bound of the JSON size of a metric with key `key` and link fields of `linkBytes`
 * ({@link metricLinkBytes}), bytes.
 *
 * @example
 * metricBytes("loss") // 114
 * @internal
 */
export function metricBytes(key: string, linkBytes = 0): number {
  return METRIC_OVERHEAD_BYTES + keyBytes(key) + linkBytes;
}

/**
 * JSON size of a param or tag, bytes (escapes of the value included).
 *
 * @example
 * keyValueBytes({ key: "lr", value: "0.1" }) // 31: 18 + keyBytes("lr") 8 + `"0.1"` 5
 * @internal
 */
export function keyValueBytes(entry: KeyValue): number {
  return KEY_VALUE_OVERHEAD_BYTES + keyBytes(entry.key) + jsonStringBytes(entry.value);
}

/**
 * A queue of params or tags the packer takes from, front first.
 * @internal
 */
export interface KeyValueSource<E> {
  /** Estimated JSON size of the entry that {@link KeyValueSource.take} would return; `undefined` when none can go now. */
  nextBytes(): number | undefined;
  /** Removes and returns that entry. */
  take(): E;
}

/**
 * The metrics the packer takes from, oldest first.
 * @internal
 */
export interface MetricSource<M> {
  /**
   * Removes up to `max` metrics whose estimated JSON ({@link metricBytes}) fits in `maxBytes`; the
   * first one is taken even when it alone is larger, so that every request makes progress.
   */
  take(max: number, maxBytes: number): M[];
}

/** One request's worth of entities, as taken from the sources. @internal */
export interface PackedBatch<M, P, T> {
  metrics: M[];
  params: P[];
  tags: T[];
}

/**
 * Takes the next request's entities from the sources: params, then tags, then metrics, within every
 * limit. An entity larger than the byte budget still goes, alone, when the request is empty. Returns
 * an empty batch when the sources have nothing to give.
 *
 * @example
 * const batch = packBatch({ params: paramQueue, tags: tagQueue, metrics: metricBuffer });
 * @internal
 */
export function packBatch<M, P, T>(sources: { params: KeyValueSource<P>; tags: KeyValueSource<T>; metrics: MetricSource<M> }): PackedBatch<M, P, T> {
  const params: P[] = [];
  const tags: T[] = [];
  let bytes = LOG_BATCH_ENVELOPE_BYTES;
  for (let size = sources.params.nextBytes(); size !== undefined && params.length < MAX_PARAMS_PER_BATCH; size = sources.params.nextBytes()) {
    if (bytes + size > MAX_BATCH_BYTES && params.length > 0) break;
    params.push(sources.params.take());
    bytes += size;
  }
  for (let size = sources.tags.nextBytes(); size !== undefined && tags.length < MAX_TAGS_PER_BATCH; size = sources.tags.nextBytes()) {
    if (bytes + size > MAX_BATCH_BYTES && params.length + tags.length > 0) break;
    tags.push(sources.tags.take());
    bytes += size;
  }
  const room = Math.min(MAX_METRICS_PER_BATCH, MAX_ENTITIES_PER_BATCH - params.length - tags.length);
  const metrics = room > 0 && bytes < MAX_BATCH_BYTES ? sources.metrics.take(room, MAX_BATCH_BYTES - bytes) : [];
  return { metrics, params, tags };
}

/**
 * Splits entities into requests within every server limit, packed by {@link packBatch}, keeping
 * their order within each kind.
 *
 * @example
 * splitBatch({ metrics: points, params: [], tags: [] }).length // ceil(points.length / 1000)
 * @internal
 */
export function splitBatch(entities: BatchEntities): BatchEntities[] {
  const sources = { params: arraySource(entities.params), tags: arraySource(entities.tags), metrics: metricArraySource(entities.metrics) };
  const batches: BatchEntities[] = [];
  for (;;) {
    const batch = packBatch(sources);
    if (batch.metrics.length + batch.params.length + batch.tags.length === 0) return batches;
    batches.push(batch);
  }
}

function arraySource(entries: readonly KeyValue[]): KeyValueSource<KeyValue> {
  let next = 0;
  return {
    nextBytes: () => (next < entries.length ? keyValueBytes(entries[next]!) : undefined),
    take: () => entries[next++]!,
  };
}

function metricArraySource(metrics: readonly MetricInput[]): MetricSource<MetricInput> {
  let next = 0;
  return {
    take: (max, maxBytes) => {
      const start = next;
      let bytes = 0;
      while (next < metrics.length && next - start < max) {
        const metric = metrics[next]!;
        bytes += metricBytes(metric.key, metricLinkBytes(metric));
        if (bytes > maxBytes && next > start) break;
        next++;
      }
      return metrics.slice(start, next);
    },
  };
}
