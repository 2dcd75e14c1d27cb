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
 *
 * Bounded memory (issue #14, docs/journal.md "Bounded memory"): while `spilling` is set, a sealed
 * chunk is journaled and set aside instead of queued; once the journal says its points are durable
 * ({@link MetricBuffer.release}) it is recycled and its sequence range handed to the read-back
 * (read-back.ts), which sends it from disk. Each chunk is queued or spilled, never both, so every
 * point is sent once whichever side it took. Should the journal degrade first, the chunks set aside
 * go back to the queue ({@link MetricBuffer.unspill}).
 */

import type { MetricColumns } from "../../journal/index.js";
import type { MetricInput } from "../../protocol/endpoints.js";
import { MAX_METRICS_PER_BATCH, type MetricSource, metricBytes, metricLinkBytes, withMetricLink } from "../../protocol/log-batch.js";

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
  /** Sequence number of its entry 0 in the run's metric stream. */
  seq = 0;
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
 * in the run's metric stream (0, 1, 2…); queued chunks are taken oldest first.
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
  /** Queued chunks, by sequence number. */
  readonly #sealed: MetricChunk[] = [];
  /** Chunks journaled while spilling, held until their points are durable. */
  readonly #spilled: MetricChunk[] = [];
  readonly #free: MetricChunk[] = [];
  #pushed = 0;
  /** Points that left memory: taken, drained or released to the journal. */
  #removed = 0;
  #spilledHeld = 0;
  /**
   * Whether chunks sealed from now on go to the journal only (set by the batcher's spill policy,
   * spill-policy.ts; needs a sink). Read at each seal, never by `push`.
   */
  spilling = false;
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

  /**
   * Closes the open chunk (when it holds anything): it is queued for {@link take}, or, while
   * `spilling` (and there is a sink), journaled and held until {@link MetricBuffer.release}.
   */
  seal(): void {
    const chunk = this.#open;
    if (chunk.end === 0) return;
    this.journalOpen();
    if (this.spilling && this.#sink !== undefined) {
      this.#spilled.push(chunk);
      this.#spilledHeld += chunk.end;
    } else this.#sealed.push(chunk);
    this.#open = this.#free.pop() ?? new MetricChunk(this.#links);
    this.#open.seq = this.#pushed;
  }

  /**
   * Recycles the spilled chunks whose points are all below `durable` (on disk), oldest first, and
   * hands each one's sequence range `[from, to)` to `onReleased` (the read-back).
   */
  release(durable: number, onReleased: (from: number, to: number) => void): void {
    while (this.#spilled.length > 0 && this.#spilled[0]!.seq + this.#spilled[0]!.end <= durable) {
      const chunk = this.#spilled.shift()!;
      onReleased(chunk.seq, chunk.seq + chunk.end);
      this.#spilledHeld -= chunk.end;
      this.#removed += chunk.end;
      this.#recycle(chunk);
    }
  }

  /** The journal stopped writing: the spilled chunks not yet released are queued again, in order. */
  unspill(): void {
    this.spilling = false;
    if (this.#spilled.length === 0) return;
    this.#sealed.push(...this.#spilled.splice(0));
    this.#sealed.sort((a, b) => a.seq - b.seq);
    this.#spilledHeld = 0;
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

  /** Sequence number of the next point {@link take} returns (`Infinity` when nothing is queued). */
  get nextSeq(): number {
    const chunk = this.#sealed[0];
    return chunk === undefined ? Number.POSITIVE_INFINITY : chunk.seq + chunk.start;
  }

  /** The lowest sequence number still in memory (queued, spilled and held, or open); `pushed` when none. */
  get oldest(): number {
    return Math.min(this.nextSeq, this.#spilled[0]?.seq ?? Number.POSITIVE_INFINITY, this.#open.seq);
  }

  /** Metrics in memory (queued, spilled and not yet durable, open). */
  get size(): number {
    return this.#pushed - this.#removed;
  }

  /** Metrics in the open chunk (not yet sealed). */
  get openCount(): number {
    return this.#open.end;
  }

  /** Metrics in spilled chunks held until they are durable. */
  get spilledHeld(): number {
    return this.#spilledHeld;
  }

  /** Metrics in queued chunks, ready to be taken. */
  get ready(): number {
    return this.size - this.#open.end - this.#spilledHeld;
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
        metrics.push(link.bytes > 0 ? withMetricLink(metric, link) : metric);
        chunk.start++;
      }
      if (chunk.start === chunk.end) this.#recycle(this.#sealed.shift()!);
    }
    return this.#count(metrics);
  }

  /** Empties the buffer (spilled chunks held too); returns the keys and the sequence ranges of the points removed. */
  drain(): { count: number; keys: Set<string>; ranges: [number, number][] } {
    this.spilling = false;
    this.seal();
    this.unspill();
    const keys = new Set<string>();
    const ranges: [number, number][] = [];
    let count = 0;
    for (const chunk of this.#sealed) {
      for (let index = chunk.start; index < chunk.end; index++) keys.add(chunk.keys[index]!);
      count += chunk.end - chunk.start;
      ranges.push([chunk.seq + chunk.start, chunk.seq + chunk.end]);
    }
    while (this.#sealed.length > 0) this.#recycle(this.#sealed.shift()!);
    this.#removed += count;
    return { count, keys, ranges };
  }

  #count(metrics: MetricInput[]): MetricInput[] {
    this.#removed += metrics.length;
    return metrics;
  }

  #recycle(chunk: MetricChunk): void {
    chunk.reset();
    if (this.#free.length < MAX_FREE_CHUNKS) this.#free.push(chunk);
  }
}
