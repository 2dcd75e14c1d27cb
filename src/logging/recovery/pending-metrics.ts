/**
 * Metric points read back from a journal, waiting to be replayed, with the sequence numbers they
 * carry so that each request acknowledges exactly its points. Records of the journal can be small
 * (the logger journals on every flush tick) or large (32,768 points): points of consecutive records
 * are packed into full `log-batch` requests by the one packer, `splitBatch`, so recovery makes
 * about one request per 1000 points whatever the record sizes.
 */
import type { MetricsRecord } from "../../journal/entries.js";
import { MAX_METRICS_PER_BATCH, splitBatch, withMetricLink } from "../../protocol/log-batch.js";

/**
 * A metric point as journaled: its original timestamp and step, so a replay is deduplicated by the
 * server, and its links to a logged model and a dataset when it had them.
 */
export interface JournaledPoint {
  key: string;
  value: number;
  timestamp: number;
  step: number;
  model_id?: string;
  dataset_name?: string;
  dataset_digest?: string;
}

/** The points of one request and the sequence ranges `[from, to)` they cover. */
export interface MetricRequest {
  metrics: JournaledPoint[];
  ranges: [from: number, to: number][];
}

// Taken points are dropped from the front of the array once this many have accumulated.
const COMPACT_AFTER = 4 * MAX_METRICS_PER_BATCH;

/**
 * A FIFO of journaled points.
 * @example
 * const pending = new PendingMetrics();
 * pending.push(record);
 * for (let request = pending.take(); request; request = pending.take()) await send(request);
 * @internal
 */
export class PendingMetrics {
  #points: JournaledPoint[] = [];
  /** Index of the first point not yet taken. */
  #head = 0;
  /** Sequence ranges of the points from `#head` on, in order. */
  readonly #ranges: [number, number][] = [];

  /** Points waiting. */
  get size(): number {
    return this.#points.length - this.#head;
  }

  /** Queues the points of a record (or of a slice of one). */
  push(record: MetricsRecord): void {
    const links = record.links;
    for (let i = 0; i < record.count; i++) {
      const point: JournaledPoint = { key: record.keys[i]!, value: record.values[i]!, timestamp: record.timestamps[i]!, step: record.steps[i]! };
      this.#points.push(withMetricLink(point, links?.[i]));
    }
    const last = this.#ranges.at(-1);
    if (last !== undefined && last[1] === record.firstSeq) last[1] += record.count;
    else this.#ranges.push([record.firstSeq, record.firstSeq + record.count]);
  }

  /**
   * The next request's points: as many from the front as one `log-batch` takes (at most 1000,
   * within the size limit). `undefined` when nothing waits, or, unless `partial`, when fewer than a
   * full request's points wait.
   */
  take(partial = false): MetricRequest | undefined {
    const size = this.size;
    if (size === 0 || (!partial && size < MAX_METRICS_PER_BATCH)) return undefined;
    const window = this.#points.slice(this.#head, this.#head + Math.min(size, MAX_METRICS_PER_BATCH));
    const first = splitBatch({ metrics: window, params: [], tags: [] })[0]!;
    const metrics = window.slice(0, first.metrics.length);
    this.#head += metrics.length;
    if (this.#head >= COMPACT_AFTER) {
      this.#points = this.#points.slice(this.#head);
      this.#head = 0;
    }
    return { metrics, ranges: this.#takeRanges(metrics.length) };
  }

  #takeRanges(count: number): [number, number][] {
    const taken: [number, number][] = [];
    let left = count;
    while (left > 0) {
      const range = this.#ranges[0]!;
      const n = Math.min(left, range[1] - range[0]);
      taken.push([range[0], range[0] + n]);
      range[0] += n;
      if (range[0] === range[1]) this.#ranges.shift();
      left -= n;
    }
    return taken;
  }
}
