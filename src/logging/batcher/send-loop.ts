/**
 * The send loop of a run's batcher: decides when a request is due, packs it from the buffers (the
 * one packer, `packBatch` in protocol/log-batch.ts), and runs up to `maxInFlight` deliveries at once
 * through a p-queue. It keeps the requests in flight: their sequence numbers (what `flush()` waits
 * on) and their tag keys (locked until they settle, so tag writes keep their order).
 *
 * Due: full metric chunks always; 100 params or 100 sendable tags; anything at all on a tick of
 * `flushIntervalMs`, while a `flush()` waits, and once the run is closing. Params and tags ride
 * along with any request that has room.
 *
 * The journal of issue #14: its entries are appended by journal-feed.ts and acknowledged by the
 * delivery (delivery.ts) before `onSettled`. Metrics spilled to the journal come back through
 * `sources.readBack` (read-back.ts): the loop takes from whichever of memory and read-back holds the
 * lower sequence number, so requests start in logging order across a switch; a request from the
 * journal carries metrics only (params and tags stay with memory's requests; kept ones are held by
 * their buffers and released into them to be sent again, see key-value-buffers.ts).
 */
import PQueue from "p-queue";
import { type KeyValueSource, packBatch } from "../../protocol/log-batch.js";
import { type Batch, entityCount, lowestSeq, type PendingKeyValue } from "./batch.js";
import type { ParamBuffer, TagBuffer } from "./key-value-buffers.js";
import type { MetricBuffer } from "./metric-buffer.js";
import type { ReadBack } from "./read-back.js";
import type { StreamMark } from "./waiters.js";

/** No params or tags: what a request from the journal packs beside its metrics. */
const NOTHING: KeyValueSource<PendingKeyValue> = {
  nextBytes: () => undefined,
  take: () => {
    throw new Error("NOTHING has no entries");
  },
};

/** What the loop drains and calls. @internal */
export interface SendLoopInit {
  /** Requests in flight at most. */
  maxInFlight: number;
  /** The buffers requests are packed from; `readBack` when the run has a journal. */
  sources: { metrics: MetricBuffer; params: ParamBuffer; tags: TagBuffer; readBack?: ReadBack | undefined };
  /** Whether partial requests should go now (a `flush()` waits, or the run is closing). */
  urgent: () => boolean;
  /** Sends one request and records its outcome; never throws. */
  deliver: (batch: Batch) => Promise<void>;
  /** Runs after a request settled (delivered or failed). */
  onSettled: (batch: Batch) => void;
  /** Once aborted, no request is started. */
  signal: AbortSignal;
}

/**
 * Starts requests while slots are free and something is due.
 *
 * @example
 * const loop = new SendLoop({ maxInFlight: 2, sources, urgent, deliver, onSettled, signal });
 * loop.schedule(); // after a buffer filled a request
 * @internal
 */
export class SendLoop {
  readonly #init: SendLoopInit;
  readonly #queue: PQueue;
  readonly #inFlight = new Set<Batch>();
  #inFlightEntries = 0;
  #tickDue = false;
  #pumpScheduled = false;

  constructor(init: SendLoopInit) {
    this.#init = init;
    this.#queue = new PQueue({ concurrency: init.maxInFlight });
  }

  /** Entries in requests being sent or retried. */
  get inFlightEntries(): number {
    return this.#inFlightEntries;
  }

  /**
   * The lowest sequence numbers of the requests in flight (`Infinity` where none); re-deliveries
   * only with `redeliveries` (a `flush()` does not wait for them, the run's end does).
   */
  oldestInFlight(redeliveries = false): StreamMark {
    const oldest = { metrics: Number.POSITIVE_INFINITY, params: Number.POSITIVE_INFINITY, tags: Number.POSITIVE_INFINITY };
    for (const batch of this.#inFlight) {
      if (batch.origin === "redelivery" && !redeliveries) continue;
      oldest.metrics = Math.min(oldest.metrics, batch.firstMetric);
      oldest.params = Math.min(oldest.params, redeliveries ? lowestSeq(batch.params, true) : batch.firstParam);
      oldest.tags = Math.min(oldest.tags, redeliveries ? lowestSeq(batch.tags, true) : batch.firstTag);
    }
    return oldest;
  }

  /** Resolves once no request is in flight (after an abort: promptly). */
  idle(): Promise<void> {
    return this.#queue.onIdle();
  }

  /** Pumps once the current task is done (coalesces the calls of one tick). */
  schedule(): void {
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    queueMicrotask(() => {
      this.#pumpScheduled = false;
      this.pump();
    });
  }

  /** A tick of the flush interval: whatever is buffered is due. */
  tick(): void {
    this.#tickDue = true;
    this.pump();
  }

  /** Starts requests while slots are free and something is due. */
  pump(): void {
    while (this.#inFlight.size < this.#init.maxInFlight && !this.#init.signal.aborted) {
      const batch = this.#nextBatch();
      if (batch === undefined) {
        this.#tickDue = false;
        return;
      }
      this.#start(batch);
    }
  }

  /** Packs the next request, or `undefined` when nothing is due. */
  #nextBatch(): Batch | undefined {
    const { metrics, params, tags, readBack } = this.#init.sources;
    const urgent = this.#tickDue || this.#init.urgent();
    if (urgent && metrics.ready === 0) metrics.seal();
    if (readBack !== undefined && readBack.ready > 0 && (metrics.ready === 0 || readBack.nextSeq < metrics.nextSeq)) {
      const origin = readBack.redelivery ? "redelivery" : "journal";
      const firstMetric = readBack.nextSeq;
      const packed = packBatch({ params: NOTHING, tags: NOTHING, metrics: readBack });
      const none = Number.POSITIVE_INFINITY;
      return { ...packed, origin, firstMetric, firstParam: none, firstTag: none };
    }
    if (metrics.ready === 0 && !params.due(urgent) && !tags.due(urgent)) return undefined;
    const firstMetric = metrics.nextSeq;
    const packed = packBatch({ params, tags: tags.source(), metrics });
    return {
      ...packed,
      origin: "memory",
      firstMetric: packed.metrics.length > 0 ? firstMetric : Number.POSITIVE_INFINITY,
      firstParam: lowestSeq(packed.params, false),
      firstTag: lowestSeq(packed.tags, false),
    };
  }

  #start(batch: Batch): void {
    this.#inFlight.add(batch);
    this.#init.sources.tags.lock(batch.tags);
    this.#inFlightEntries += entityCount(batch);
    void this.#queue.add(async () => {
      await this.#init.deliver(batch);
      this.#settle(batch);
    });
  }

  #settle(batch: Batch): void {
    this.#inFlight.delete(batch);
    this.#init.sources.tags.unlock(batch.tags);
    this.#inFlightEntries -= entityCount(batch);
    this.#init.onSettled(batch);
    this.pump();
  }
}
