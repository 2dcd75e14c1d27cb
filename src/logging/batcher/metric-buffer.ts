/**
 * The metric buffer behind `run.logMetric`: a FIFO of fixed-size chunks stored as struct-of-arrays
 * (a key array, three `Float64Array`s and a `Uint32Array` of links), so that logging a point writes
 * five slots and allocates nothing. A chunk holds exactly one `log-batch` worth of metrics (1000);
 * chunks are recycled once their entries are taken. A link (MLflow 3: the model and dataset a point
 * belongs to) is interned once per run and stored by index; 0 means none.
 *
 * With a journal (issue #14), a chunk's points go to it in place, as columns (with their links, read
 * through the chunk's `linkTable`): a sealed chunk's at the seal, the open chunk's on the journal's tick ({@link MetricBuffer.journalOpen}); `journaled` marks
 * how far each chunk went, so no point is appended twice and `push` stays four stores and a count.
 */

import type { MetricColumns } from "../../journal/index.js";
import type { MetricInput } from "../../protocol/endpoints.js";
import { MAX_METRICS_PER_BATCH, type MetricSource, metricBytes, metricLinkBytes } from "../../protocol/log-batch.js";

/** Metrics per chunk: one full `log-batch`. */
export const CHUNK_SIZE = MAX_METRICS_PER_BATCH;
/** Empty chunks kept for reuse; more are left to the garbage collector after a burst. */
const MAX_FREE_CHUNKS = 8;

/** The logged model and dataset a metric point is linked to (`model_id`, `dataset_name`, `dataset_digest`). */
export interface MetricLink {
  model_id?: string | undefined;
  dataset_name?: string | undefined;
  dataset_digest?: string | undefined;
}

/** One chunk of buffered metrics. @internal */
class MetricChunk {
  /** The buffer's interned links, which {@link MetricChunk.links} index: the journal reads a point's link through it. */
  readonly linkTable: readonly MetricLink[];
  readonly keys: string[] = new Array<string>(CHUNK_SIZE).fill("");
  readonly values = new Float64Array(CHUNK_SIZE);
  readonly timestamps = new Float64Array(CHUNK_SIZE);
  readonly steps = new Float64Array(CHUNK_SIZE);
  readonly links = new Uint32Array(CHUNK_SIZE);
  /** Index of the first entry not yet taken. */
  start = 0;
  /** Number of entries written. */
  end = 0;
  /** Entries before this index were handed to the journal sink. */
  journaled = 0;

  constructor(linkTable: readonly MetricLink[]) {
    this.linkTable = linkTable;
  }

  reset(): void {
    this.start = 0;
    this.end = 0;
    this.journaled = 0;
  }
}

/** Receives points `[start, end)` of a chunk's columns (the journal's `appendMetrics`); must not keep the columns. */
export type MetricSink = (columns: MetricColumns, start: number, end: number) => void;

/**
 * Buffered metrics of one run, in logging order. Every metric has a sequence number: its position
 * in the run's metric stream (0, 1, 2…); `taken` metrics have left the buffer in order.
 *
 * @example
 * const buffer = new MetricBuffer();
 * if (buffer.push("loss", 0.5, Date.now(), 1)) buffer.seal(); // a chunk is full
 * const { metrics } = buffer.take(1000);
 * @internal
 */
export class MetricBuffer implements MetricSource<MetricInput> {
  /** Interned links; index 0 is "no link". */
  readonly #links: (MetricLink & { bytes: number })[] = [{ bytes: 0 }];
  #open = new MetricChunk(this.#links);
  readonly #sealed: MetricChunk[] = [];
  readonly #free: MetricChunk[] = [];
  #pushed = 0;
  #taken = 0;
  readonly #linkIndex = new Map<string, number>();
  readonly #sink: MetricSink | undefined;

  /** @param sink - Where every point goes once, in order, before it can be taken (the run's journal). */
  constructor(sink?: MetricSink) {
    this.#sink = sink;
  }

  /** The index of a link, interned on first use (call it off the hot path, once per link). */
  link(link: MetricLink): number {
    const id = `${link.model_id ?? ""}\u0000${link.dataset_name ?? ""}\u0000${link.dataset_digest ?? ""}`;
    let index = this.#linkIndex.get(id);
    if (index === undefined) {
      index = this.#links.length;
      const fields = Object.fromEntries(Object.entries(link).filter(([, value]) => value !== undefined)) as MetricLink;
      this.#links.push({ ...fields, bytes: metricLinkBytes(fields) });
      this.#linkIndex.set(id, index);
    }
    return index;
  }

  /**
   * Appends a point. O(1), no allocation. Returns `true` when the open chunk just became full;
   * the caller then calls {@link MetricBuffer.seal}.
   */
  push(key: string, value: number, timestamp: number, step: number, link = 0): boolean {
    const chunk = this.#open;
    const index = chunk.end;
    chunk.keys[index] = key;
    chunk.values[index] = value;
    chunk.timestamps[index] = timestamp;
    chunk.steps[index] = step;
    chunk.links[index] = link;
    chunk.end = index + 1;
    this.#pushed++;
    return index + 1 === CHUNK_SIZE;
  }

  /** Closes the open chunk (when it holds anything), making its points available to {@link take}. */
  seal(): void {
    if (this.#open.end === 0) return;
    this.journalOpen();
    this.#sealed.push(this.#open);
    this.#open = this.#free.pop() ?? new MetricChunk(this.#links);
  }

  /** Hands the open chunk's points not yet journaled to the sink (on the journal's tick and at seal). */
  journalOpen(): void {
    const chunk = this.#open;
    if (this.#sink === undefined || chunk.journaled === chunk.end) return;
    this.#sink(chunk, chunk.journaled, chunk.end);
    chunk.journaled = chunk.end;
  }

  /** Metrics pushed so far: the sequence number of the next one. */
  get pushed(): number {
    return this.#pushed;
  }

  /** Metrics taken so far: every metric with a lower sequence number has left the buffer. */
  get taken(): number {
    return this.#taken;
  }

  /** Metrics in the buffer. */
  get size(): number {
    return this.#pushed - this.#taken;
  }

  /** Metrics in sealed chunks, ready to be taken. */
  get ready(): number {
    return this.size - this.#open.end;
  }

  /**
   * Removes up to `max` metrics from the sealed chunks, oldest first, as request entities.
   * `maxBytes` bounds their estimated JSON size (`metricBytes` of protocol/log-batch.ts); the first
   * is taken even when it alone is larger.
   */
  take(max: number, maxBytes = Number.POSITIVE_INFINITY): MetricInput[] {
    const metrics: MetricInput[] = [];
    let bytes = 0;
    while (metrics.length < max && this.#sealed.length > 0) {
      const chunk = this.#sealed[0]!;
      while (chunk.start < chunk.end && metrics.length < max) {
        const key = chunk.keys[chunk.start]!;
        const link = this.#links[chunk.links[chunk.start]!]!;
        bytes += metricBytes(key, link.bytes);
        if (bytes > maxBytes && metrics.length > 0) return this.#count(metrics);
        const metric: MetricInput = { key, value: chunk.values[chunk.start]!, timestamp: chunk.timestamps[chunk.start]!, step: chunk.steps[chunk.start]! };
        if (link.bytes > 0) {
          if (link.model_id !== undefined) metric.model_id = link.model_id;
          if (link.dataset_name !== undefined) metric.dataset_name = link.dataset_name;
          if (link.dataset_digest !== undefined) metric.dataset_digest = link.dataset_digest;
        }
        metrics.push(metric);
        chunk.start++;
      }
      if (chunk.start === chunk.end) this.#recycle();
    }
    return this.#count(metrics);
  }

  /** Empties the buffer; returns the keys and the number of points removed. */
  drain(): { count: number; keys: Set<string> } {
    this.seal();
    const keys = new Set<string>();
    let count = 0;
    for (const chunk of this.#sealed) {
      for (let index = chunk.start; index < chunk.end; index++) keys.add(chunk.keys[index]!);
      count += chunk.end - chunk.start;
    }
    while (this.#sealed.length > 0) this.#recycle();
    this.#taken += count;
    return { count, keys };
  }

  #count(metrics: MetricInput[]): MetricInput[] {
    this.#taken += metrics.length;
    return metrics;
  }

  #recycle(): void {
    const chunk = this.#sealed.shift()!;
    chunk.reset();
    if (this.#free.length < MAX_FREE_CHUNKS) this.#free.push(chunk);
  }
}
