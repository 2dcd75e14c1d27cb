/**
 * Metrics read back from the run's journal (issue #14, bounded memory; docs/journal.md "Bounded
 * memory"): the send loop's second metric source, beside the memory buffer. It owes two sets of
 * sequence ranges, each point in at most one:
 *
 * - **spilled**: chunks dropped from memory once durable (metric-buffer.ts `release`), never sent;
 * - **kept**: requests still failing at their delivery deadline, sent again once the server answers
 *   (or as the one probe when nothing else is in flight): the deadline no longer gives them up.
 *
 * It walks `journal.cursor()` (unacknowledged entries, committed ones only) and holds one window:
 * one owed range's points, up to a full request (`MAX_METRICS_PER_BATCH`), across as many records
 * as it spans. The window must span records: the logger appends what it accepted on every journal
 * tick (100 ms) as one record, so a run logging 500 points/s writes records of about 50 points, and
 * a window of one record made every request of the drain after an outage carry 50 points where a
 * request from memory carries 1000 (the drain ran at 14 % of normal ingest; docs/journal.md
 * "Benchmark"). `take` removes what it returns from its set, so no point is handed out twice; a
 * range owed behind the cursor rewinds it. A point read back keeps its links to a logged model and a
 * dataset (journal format 2), as the memory buffer's requests carry them, so a run that links its
 * points spills like any other. Memory: the decoded records of one window (the whole records in it
 * hold fewer than 1000 points; the first and the last may be larger, each ≤ 32,768 points, ≤ 1.2 MB)
 * and the cursor's 1 MiB read buffer, whatever the outage.
 */
import { type Journal, type JournalCursor, type JournalRecord, type MetricLinkEntry, RangeSet } from "../../journal/index.js";
import type { MetricInput } from "../../protocol/endpoints.js";
import { MAX_METRICS_PER_BATCH, type MetricSource, metricBytes, metricLinkBytes, withMetricLink } from "../../protocol/log-batch.js";

type MetricsRecord = Extract<JournalRecord, { kind: "metrics" }>;

/** The part of one record in a window: points `[from, to)` (sequence numbers). */
interface Part {
  record: MetricsRecord;
  from: number;
  to: number;
}

/** Points being handed out: consecutive parts of one owed range, each part's `to` the next one's `from`. */
interface Window {
  parts: Part[];
  /** Index of the part `take` reads next (the ones before it are used up). */
  head: number;
  /** Points left in the window. */
  size: number;
  /** From the kept set: a second delivery. */
  redelivery: boolean;
}

/**
 * The metrics owed from the journal, handed out in requests.
 *
 * @example
 * const readBack = new ReadBack(journal, { onReady: () => loop.schedule(), mayRedeliver: () => policy.reachable });
 * readBack.addSpilled(5000, 6000);          // a chunk left memory, durable
 * if (readBack.ready > 0) readBack.take(1000, 1_000_000); // points 5000…5999, read from disk
 * @internal
 */
export class ReadBack implements MetricSource<MetricInput> {
  readonly #journal: Journal;
  readonly #onReady: () => void;
  readonly #mayRedeliver: () => boolean;
  readonly #spilled = new RangeSet();
  readonly #kept = new RangeSet();
  #cursor: JournalCursor | undefined;
  /** Metric sequence number up to which the cursor has read. */
  #cursorSeq = 0;
  #rewind = false;
  /** The record the window came from, searched again from `#recordSeq` once the window is empty. */
  #record: MetricsRecord | undefined;
  #recordSeq = 0;
  #window: Window | undefined;
  #filling = false;
  #closed = false;
  readonly #linkSizes = new WeakMap<MetricLinkEntry, number>();
  /** Points dropped from memory to the journal only, since the run began. */
  spilledTotal = 0;
  /** Points handed out from the journal, since the run began (a re-delivery counts again). */
  readTotal = 0;

  /**
   * @param hooks.onReady - Called when a window of points became ready (the send loop pumps).
   * @param hooks.mayRedeliver - Whether kept points may be sent again now (the server answers, or nothing else is in flight).
   */
  constructor(journal: Journal, hooks: { onReady: () => void; mayRedeliver: () => boolean }) {
    this.#journal = journal;
    this.#onReady = hooks.onReady;
    this.#mayRedeliver = hooks.mayRedeliver;
  }

  /** Points `[from, to)` left memory and are durable in the journal: send them from there. */
  addSpilled(from: number, to: number): void {
    this.#spilled.add(from, to);
    this.spilledTotal += to - from;
    // A re-delivery waiting for the server gives way; its points stay owed in the kept set.
    if (this.#window?.redelivery === true) this.#window = undefined;
    this.#owe(from);
  }

  /** Points `[from, from + count)` were kept in the journal at their deadline: send them again later. */
  addKept(from: number, count: number): void {
    if (this.#closed || count <= 0) return;
    this.#kept.add(from, from + count);
    this.#owe(from);
  }

  /** Points ready to be taken now (0 for a re-delivery the server is not answering for). */
  get ready(): number {
    const window = this.#window;
    if (window === undefined || (window.redelivery && !this.#mayRedeliver())) return 0;
    return window.size;
  }

  /** Sequence number of the next point {@link ReadBack.take} returns. */
  get nextSeq(): number {
    const window = this.#window;
    return window === undefined ? Number.POSITIVE_INFINITY : window.parts[window.head]!.from;
  }

  /** Whether the points {@link ReadBack.take} returns now are a re-delivery. */
  get redelivery(): boolean {
    return this.#window?.redelivery ?? false;
  }

  /** Spilled points not yet handed out (what `flush()` waits for). */
  get owedSpilled(): number {
    return this.#spilled.count;
  }

  /** Kept points not yet handed out again. */
  get owedKept(): number {
    return this.#kept.count;
  }

  /** The lowest spilled sequence number not yet handed out (`Infinity` when none). */
  get oldestSpilled(): number {
    return this.#spilled.first;
  }

  /** The lowest kept sequence number not yet handed out (`Infinity` when none). */
  get oldestKept(): number {
    return this.#kept.first;
  }

  /** Removes up to `max` points of the window whose estimated JSON fits in `maxBytes` (the first always). */
  take(max: number, maxBytes: number): MetricInput[] {
    const window = this.#window;
    const metrics: MetricInput[] = [];
    if (window === undefined) return metrics;
    const first = this.nextSeq;
    let bytes = 0;
    while (window.size > 0 && metrics.length < max) {
      const part = window.parts[window.head]!;
      if (part.from === part.to) {
        window.head++;
        continue;
      }
      const { record } = part;
      const index = part.from - record.firstSeq;
      const key = record.keys[index]!;
      const link = record.links?.[index];
      bytes += metricBytes(key, link === undefined ? 0 : this.#linkBytes(link));
      if (bytes > maxBytes && metrics.length > 0) break;
      const metric: MetricInput = { key, value: record.values[index]!, timestamp: record.timestamps[index]!, step: record.steps[index]! };
      metrics.push(withMetricLink(metric, link));
      part.from++;
      window.size--;
    }
    // The window's parts are consecutive: what was taken is one range.
    (window.redelivery ? this.#kept : this.#spilled).delete(first, first + metrics.length);
    // The last spilled point handed out: the kept ones, behind the cursor, come next.
    if (!window.redelivery && this.#spilled.size === 0 && this.#kept.size > 0) this.#rewind = true;
    this.readTotal += metrics.length;
    if (window.size === 0) {
      this.#window = undefined;
      this.fill();
    } else if (window.parts[window.head]!.from === window.parts[window.head]!.to) window.head++;
    return metrics;
  }

  /** Reads ahead until a window is ready (one read at a time); call when more may be committed. */
  fill(): void {
    if (this.#filling || this.#closed || this.#window !== undefined) return;
    if (this.#spilled.size + this.#kept.size === 0) return;
    this.#filling = true;
    // Not `finally`: the window is published once `#filling` is clear, so that a send loop taking
    // all of it at once (in the microtask `onReady` schedules) can start the next read right away.
    void this.#read().then(
      (window) => {
        this.#filling = false;
        this.#publish(window);
      },
      (error: unknown) => {
        this.#filling = false;
        throw error;
      },
    );
  }

  /** Forgets everything owed (the run's end gave up on it: it stays journaled) and closes the cursor. */
  close(): { spilled: number; kept: number } {
    const owed = { spilled: this.#spilled.count, kept: this.#kept.count };
    this.#closed = true;
    this.#window = undefined;
    this.#record = undefined;
    this.#spilled.delete(0, Number.POSITIVE_INFINITY);
    this.#kept.delete(0, Number.POSITIVE_INFINITY);
    if (!this.#filling) void this.#cursor?.close();
    return owed;
  }

  /** JSON size of a link's fields, computed once per link (a segment's points share its link objects). */
  #linkBytes(link: MetricLinkEntry): number {
    let bytes = this.#linkSizes.get(link);
    if (bytes === undefined) {
      bytes = metricLinkBytes(link);
      this.#linkSizes.set(link, bytes);
    }
    return bytes;
  }

  #owe(from: number): void {
    if (from < this.#cursorSeq) this.#rewind = true;
    if (this.#record !== undefined && from < this.#recordSeq) this.#recordSeq = Math.max(this.#record.firstSeq, from);
    this.fill();
  }

  /** Reads records until a window is ready (or what is committed ends); the caller publishes it. */
  async #read(): Promise<Window | undefined> {
    let window: Window | undefined;
    // Bounded: every turn reads one record further; the cursor ends at what is committed.
    while (!this.#closed) {
      // Spilled points came while a re-delivery was being read: they go first (the kept ones stay owed).
      if (window?.redelivery === true && this.#spilled.size > 0) window = undefined;
      if (this.#record !== undefined) {
        const part = this.#partIn(this.#record, this.#recordSeq, window);
        if (part === undefined) {
          // The window's range does not go on into this record: hand it out; the record is searched again next time.
          if (window !== undefined) break;
          this.#record = undefined;
        } else {
          this.#recordSeq = part.to;
          if (window === undefined) window = { parts: [part], head: 0, size: part.to - part.from, redelivery: this.#spilled.size === 0 };
          else {
            window.parts.push(part);
            window.size += part.to - part.from;
          }
          if (!this.#goesOn(window, part)) break;
          // Used up to its end, and the range goes on: into the next record.
          this.#record = undefined;
        }
      }
      if (window === undefined && this.#spilled.size + this.#kept.size === 0) break;
      if (this.#rewind || this.#cursor === undefined) {
        // Hand out what was read before going back.
        if (window !== undefined) break;
        await this.#cursor?.close();
        this.#cursor = this.#journal.cursor();
        this.#cursorSeq = 0;
        this.#rewind = false;
      }
      const record = await this.#cursor!.next();
      if (record === undefined) break;
      if (record.kind !== "metrics") continue;
      this.#cursorSeq = record.firstSeq + record.count;
      this.#record = record;
      this.#recordSeq = record.firstSeq;
    }
    return window;
  }

  /** Makes a window read by {@link ReadBack.#read} the one `take` hands out, and tells the send loop. */
  #publish(window: Window | undefined): void {
    if (this.#closed) {
      void this.#cursor?.close();
      return;
    }
    if (window === undefined) return;
    // Spilled points came while a re-delivery was being read: they go first (the kept ones stay owed).
    if (window.redelivery && this.#spilled.size > 0) {
      this.fill();
      return;
    }
    this.#window = window;
    this.#onReady();
  }

  /**
   * The next owed part of `record`: with a window being read, the part that goes on with its range
   * (from the window's end, in the window's set); otherwise the first owed part at or after `fromSeq`,
   * spilled points first (a `flush()` waits for them; kept ones were tried already), kept ones once
   * no spilled point is owed.
   */
  #partIn(record: MetricsRecord, fromSeq: number, window: Window | undefined): Part | undefined {
    const end = record.firstSeq + record.count;
    const start = window === undefined ? fromSeq : window.parts.at(-1)!.to;
    const set = (window === undefined ? this.#spilled.size === 0 : window.redelivery) ? this.#kept : this.#spilled;
    if (window !== undefined && (start < record.firstSeq || start >= end)) return undefined;
    for (const [from, to] of set.ranges()) {
      if (to <= start) continue;
      if (from >= end) break;
      // Going on with a window: only from its very end.
      if (window !== undefined && from > start) return undefined;
      return { record, from: Math.max(from, start), to: Math.min(to, end) };
    }
    return undefined;
  }

  /** Whether the window should take in the next record: short of a full request, its range going on past this record. */
  #goesOn(window: Window, last: Part): boolean {
    if (window.size >= MAX_METRICS_PER_BATCH || last.to !== last.record.firstSeq + last.record.count) return false;
    return (window.redelivery ? this.#kept : this.#spilled).has(last.to);
  }
}
