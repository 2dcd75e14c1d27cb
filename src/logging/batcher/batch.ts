/**
 * What travels between the parts of the batcher: a param or tag waiting to be sent, the entities of
 * one request, a request in flight with the sequence numbers `flush()` waits on, and the outcome of
 * sending it. Small helpers over them live here too, so that no part re-counts entities its own way.
 */
import type { MetricInput } from "../../protocol/endpoints.js";
import type { KeyValue } from "../../protocol/entities/tracking.js";
import type { EntryCounts } from "../errors.js";

/** Keys named in one failure (and in the report of all unreported ones). */
export const MAX_KEYS_IN_FAILURE = 100;

/** A param or tag waiting to be sent. @internal */
export interface PendingKeyValue {
  key: string;
  value: string;
  /** Estimated JSON size (`keyValueBytes`). */
  bytes: number;
  /** Position in the run's param stream, or of the first write of a coalesced tag. */
  seq: number;
  /** Position of its latest write: a param's own, a coalesced tag's last (what the journal acknowledges). */
  last: number;
  /**
   * Sent again by this process after a request carrying it was kept in the journal at its deadline
   * (reported as pending then: kept again, it is not reported twice).
   */
  redelivery?: boolean;
}

/** Entities of one request. @internal */
export interface Entities {
  metrics: MetricInput[];
  params: PendingKeyValue[];
  tags: PendingKeyValue[];
}

/**
 * Where a request's metrics come from: the memory buffer, the journal (spilled, first delivery), or
 * the journal again (kept at an earlier deadline: a re-delivery). @internal
 */
export type BatchOrigin = "memory" | "journal" | "redelivery";

/** A request being delivered, with the sequence numbers `flush()` waits on. @internal */
export interface Batch extends Entities {
  /** Where its metrics come from; a request from the journal carries metrics only, a contiguous range. */
  origin: BatchOrigin;
  /** Sequence number of its first metric (`Infinity` when it has none); its metrics are a contiguous range. */
  firstMetric: number;
  /** Lowest sequence number of its params sent for the first time (`Infinity` when none). */
  firstParam: number;
  /** Lowest sequence number of its tags sent for the first time (`Infinity` when none). */
  firstTag: number;
}

/** The result of sending entities: `error` is undefined when they were delivered. @internal */
export interface Outcome {
  /** Requests made, retries included. */
  attempts: number;
  error?: unknown;
  reason?: string;
  /** It failed for lack of time (deadline, abort), not because the server refused it: worth replaying later. */
  transient?: boolean;
}

/** Metrics, params and tags of `entities`. @internal */
export function countsOf(entities: Entities): EntryCounts {
  return { metrics: entities.metrics.length, params: entities.params.length, tags: entities.tags.length };
}

/** Entities in `entities`, all kinds together. @internal */
export function entityCount(entities: Entities): number {
  return entities.metrics.length + entities.params.length + entities.tags.length;
}

/** The sum of two counts. @internal */
export function addCounts(a: EntryCounts, b: EntryCounts): EntryCounts {
  return { metrics: a.metrics + b.metrics, params: a.params + b.params, tags: a.tags + b.tags };
}

/** The distinct keys of `entities`, at most {@link MAX_KEYS_IN_FAILURE}. @internal */
export function distinctKeys(entities: Entities): string[] {
  const keys = new Set<string>();
  for (const list of [entities.metrics, entities.params, entities.tags]) {
    for (const entry of list) {
      if (keys.size >= MAX_KEYS_IN_FAILURE) return [...keys];
      keys.add(entry.key);
    }
  }
  return [...keys];
}

/**
 * The lowest sequence number among `entries` (`Infinity` when none), re-deliveries only with
 * `redeliveries` (a `flush()` does not wait for them, the run's end does).
 * @internal
 */
export function lowestSeq(entries: Iterable<PendingKeyValue>, redeliveries: boolean): number {
  let lowest = Number.POSITIVE_INFINITY;
  for (const entry of entries) if (redeliveries || entry.redelivery !== true) lowest = Math.min(lowest, entry.seq);
  return lowest;
}

/** The wire form of a pending param or tag. @internal */
export function toKeyValue(entry: PendingKeyValue): KeyValue {
  return { key: entry.key, value: entry.value };
}
