/**
 * The batcher of one run: buffers metrics, params and tags, coalesces them into `log-batch`
 * requests within the server's limits, sends up to `maxInFlight` of them at once, retries transient
 * failures until the delivery deadline, and reports what failed. This file holds the public surface
 * and the lifecycle (flush, close, backpressure); each job is a file of its own:
 *
 * - metric-buffer.ts, key-value-buffers.ts: the buffers (the hot path writes there, nothing else);
 * - send-loop.ts: when a request is due, packing it, the requests in flight;
 * - delivery.ts: sending one request with retries, isolating refused keys, recording the outcome;
 * - waiters.ts: `flush()`/`close()` waiting for what was logged before them;
 * - failures.ts, stats.ts: what is reported (events, counters, `LogDeliveryError`).
 *
 * Ordering: metrics are an append-only history, so their requests may arrive in any order. A tag
 * key is never in two requests at once (see key-value-buffers.ts), so `setTag("phase", "b")` cannot
 * be overtaken by an earlier `setTag("phase", "a")`. Writes of a key still buffered coalesce.
 *
 * Flushes: when a chunk of 1000 metrics is full, when 100 params or tags wait, every
 * `flushIntervalMs`, on `flush()` and on `close()`.
 *
 * The journal of issue #14 (when the run has one): journal-feed.ts appends every entry off the hot
 * path (chunk seal, its own tick, `flush()`, `close()`) and delivery.ts acknowledges what the server
 * took. What is still failing when its delivery deadline passes, or when `close()` gives up, stays
 * journaled and is reported as pending (with the journal's folder), not failed, and this process
 * sends it again once the server answers: its metrics through the read-back (read-back.ts), its
 * params and tags held by their buffers and released into them (key-value-buffers.ts).
 *
 * Bounded memory (docs/journal.md "Bounded memory"): when spill-policy.ts says so (memory at
 * `maxBufferedEntries`, or the server unreachable for `spillAfterMs`), chunks sealed from then on
 * are journaled and dropped from memory once durable (the journal's tick, `#onCommitted`), and the
 * send loop reads them back from the journal (read-back.ts) until it has caught up. Without a
 * journal, or once it is degraded, everything stays in memory as before.
 */
import { AbortError } from "../../core/errors.js";
import type { CommitResult, Journal } from "../../journal/index.js";
import type { TrackingStore } from "../../store/tracking-store.js";
import { BatchDeliveryError } from "../errors.js";
import { TypedEmitter } from "../events.js";
import type { ResolvedLoggerOptions } from "../options.js";
import { distinctKeys, type Entities, MAX_KEYS_IN_FAILURE, type PendingKeyValue } from "./batch.js";
import { Delivery } from "./delivery.js";
import { FailureLedger } from "./failures.js";
import { JournalFeed } from "./journal-feed.js";
import { ParamBuffer, TagBuffer } from "./key-value-buffers.js";
import { MetricBuffer, type MetricLink } from "./metric-buffer.js";
import { ReadBack } from "./read-back.js";
import { SendLoop } from "./send-loop.js";
import { SpillPolicy } from "./spill-policy.js";
import type { DeliveryCounters, FlushResult, LoggerStats, RunEvents } from "./stats.js";
import { FlushWaiters, type StreamMark } from "./waiters.js";

export type { BackpressureEvent, FlushEvent, FlushResult, LoggerStats, RunEvents } from "./stats.js";

const NO_JOURNAL = { journaled: 0, durable: 0, acknowledged: 0, pending: 0 } as const;

/**
 * Buffers and delivers the metrics, params and tags of one run. Created by `startRun`; use the
 * {@link ActiveRun} methods rather than this class.
 * @internal
 */
export class Batcher {
  readonly runId: string;
  readonly events = new TypedEmitter<RunEvents>();
  readonly #options: ResolvedLoggerOptions;
  readonly #metrics: MetricBuffer;
  readonly #params = new ParamBuffer();
  readonly #tags: TagBuffer;
  readonly #journal: JournalFeed | undefined;
  readonly #readBack: ReadBack | undefined;
  readonly #spill: SpillPolicy;
  readonly #counters: DeliveryCounters = { sent: 0, failed: 0, kept: 0, requests: 0, retried: 0 };
  readonly #failures: FailureLedger;
  readonly #loop: SendLoop;
  readonly #waiters: FlushWaiters;
  readonly #abort = new AbortController();
  readonly #timer: NodeJS.Timeout;
  #abortReason = "";
  #closing = false;
  /** Whether `close()` was given a deadline: only then does it wait for re-deliveries while the server is not known to answer. */
  #closeBounded = false;
  #backpressureArmed = true;

  /**
   * @param init.journal - The run's journal (see journal-feed.ts) and its commit interval, ms; without
   *   one, delivery is from memory only.
   */
  constructor(init: { runId: string; store: TrackingStore; options: ResolvedLoggerOptions; journal?: { journal: Journal; commitIntervalMs: number } }) {
    this.runId = init.runId;
    this.#options = init.options;
    this.#spill = new SpillPolicy(init.options);
    const feed =
      init.journal &&
      new JournalFeed(
        init.journal.journal,
        init.journal.commitIntervalMs,
        () => this.#metrics.journalOpen(),
        (result) => this.#onCommitted(result),
      );
    this.#journal = feed;
    this.#readBack =
      feed &&
      new ReadBack(feed.journal, {
        onReady: () => this.#loop.schedule(),
        mayRedeliver: () => this.#spill.reachable || this.#loop.inFlightEntries === 0,
      });
    this.#metrics = new MetricBuffer(feed?.appendMetrics);
    this.#tags = new TagBuffer(feed && ((seq) => feed.supersede(seq)));
    this.#failures = new FailureLedger(init.runId, this.events, this.#counters, feed);
    const delivery = new Delivery({
      runId: init.runId,
      store: init.store,
      options: init.options,
      signal: this.#abort.signal,
      abortReason: () => this.#abortReason,
      counters: this.#counters,
      failures: this.#failures,
      events: this.events,
      journal: feed,
      readBack: this.#readBack,
      onKept: (params, tags) => {
        this.#params.hold(params);
        this.#tags.hold(tags);
      },
      reachability: this.#spill,
    });
    this.#waiters = new FlushWaiters((mark) => this.#isSettled(mark));
    this.#loop = new SendLoop({
      maxInFlight: init.options.maxInFlight,
      sources: { metrics: this.#metrics, params: this.#params, tags: this.#tags, readBack: this.#readBack },
      urgent: () => this.#waiters.waiting || this.#closing,
      deliver: (batch) => delivery.deliver(batch),
      onSettled: () => {
        this.#releaseKept();
        this.#checkBackpressure();
        this.#waiters.check();
      },
      signal: this.#abort.signal,
    });
    this.#timer = setInterval(() => this.#onTick(), init.options.flushIntervalMs);
    this.#timer.unref();
  }

  /** Buffers a metric point (already validated); `link` from {@link Batcher.metricLink}. O(1), allocates nothing. */
  pushMetric(key: string, value: number, timestamp: number, step: number, link = 0): void {
    if (this.#metrics.push(key, value, timestamp, step, link)) this.#onChunkFull();
  }

  /** The index of a model/dataset link for {@link Batcher.pushMetric} (interned once per run). */
  metricLink(link: MetricLink): number {
    return this.#metrics.link(link);
  }

  /** Buffers a param (already validated, not logged before in this run). */
  pushParam(key: string, value: string): void {
    this.#journal?.param(key, value);
    if (this.#params.push(key, value)) this.#loop.schedule();
    this.#checkBackpressure();
  }

  /** Buffers a tag (already validated); replaces a buffered write of the same key. */
  pushTag(key: string, value: string): void {
    this.#journal?.tag(key, value);
    if (this.#tags.push(key, value)) this.#loop.schedule();
    this.#checkBackpressure();
  }

  /** The run's journal, when it has one (the end status goes there, see `ActiveRun.end`). */
  get journal(): JournalFeed | undefined {
    return this.#journal;
  }

  /** A snapshot of the counters. */
  stats(): LoggerStats {
    const journal = this.#journal?.counts() ?? NO_JOURNAL;
    return {
      logged: this.#metrics.pushed + this.#params.pushed + this.#tags.pushed,
      queued: this.#queued(),
      inFlight: this.#loop.inFlightEntries,
      sent: this.#counters.sent,
      failed: this.#counters.failed,
      coalesced: this.#tags.coalesced,
      dropped: 0,
      requests: this.#counters.requests,
      retried: this.#counters.retried,
      ...journal,
      spilled: this.#readBack?.spilledTotal ?? 0,
      readBack: this.#readBack?.readTotal ?? 0,
    };
  }

  /**
   * Sends everything buffered now and resolves when all of it is settled (entries logged later
   * are not waited for), with what is still pending in the journal (kept past the delivery
   * deadline: this process sends it again). Once `close()` has begun, the failures are left for its
   * report too (a flush still waiting when the run ends must not take the counts away from the
   * end's error).
   * @throws {LogDeliveryError} when entries failed since the last report, or `timeoutMs` expired.
   */
  async flush(timeoutMs?: number): Promise<FlushResult> {
    this.#journal?.sync();
    const settled = await this.#waitSettled(timeoutMs);
    this.#failures.throwIfFailed({ pending: this.pending, timeoutMs: settled ? undefined : timeoutMs, consume: !this.#closing });
    return this.flushResult();
  }

  /** What `flush()` resolves with, now: acknowledged entries, and those kept in the journal. */
  flushResult(): FlushResult {
    const pending = this.#failures.pending;
    return { delivered: this.#counters.sent, pending, journalPath: pending > 0 ? this.#journal?.path : undefined };
  }

  /**
   * Flushes, then stops: when `timeoutMs` expires first, in-flight requests are aborted and every
   * entry not yet delivered counts as failed (with the journal: pending, kept there). Releases the
   * timer either way.
   * @throws {LogDeliveryError} when some entries were not delivered: failed, or kept in the journal
   *   (this process will not send them again: recovery will).
   */
  async close(timeoutMs?: number): Promise<void> {
    this.#closing = true;
    this.#closeBounded = timeoutMs !== undefined;
    this.#journal?.sync();
    this.#releaseKept(); // kept params and tags go now (or as the next probe): the end waits for them within its deadline
    try {
      const settled = await this.#waitSettled(timeoutMs);
      if (!settled) {
        this.#abortAll(`not delivered within the ${timeoutMs} ms the run's end allowed for delivery`);
        await this.#waitSettled();
      } else if (this.#loop.inFlightEntries > 0) {
        // A guard (the end waits for re-deliveries in flight, so none should be left): whatever is
        // still in flight stays journaled, and none may reach the server after the end, unacknowledged.
        this.#abortReason = "the run ended while the server did not answer";
        this.#abort.abort(new AbortError(this.#abortReason));
        await this.#loop.idle();
      }
      this.#failures.throwIfUndelivered({ pending: this.pending });
    } finally {
      clearInterval(this.#timer);
      this.#readBack?.close();
    }
  }

  /** Entries buffered or in flight. */
  get pending(): number {
    return this.#queued() + this.#loop.inFlightEntries;
  }

  /** Entries waiting for a request: in memory, owed from the journal, and params and tags held for a re-delivery. */
  #queued(): number {
    const owed = this.#readBack === undefined ? 0 : this.#readBack.owedSpilled + this.#readBack.owedKept;
    return this.#metrics.size + owed + this.#params.size + this.#params.held + this.#tags.size + this.#tags.held;
  }

  /**
   * Kept params and tags go back to their buffers to be sent again once the server answers (or as
   * the one probe when nothing is in flight), as kept metrics do (read-back.ts `mayRedeliver`).
   */
  #releaseKept(): void {
    if (this.#params.held + this.#tags.held === 0 || this.#abort.signal.aborted) return;
    if (!this.#spill.reachable && this.#loop.inFlightEntries > 0) return;
    this.#params.release();
    this.#tags.release();
    this.#loop.schedule();
  }

  /** Once per chunk (never per point) and per journal tick: whether chunks sealed from now on spill. */
  #decideSpill(): void {
    if (this.#readBack === undefined) return;
    const metrics = this.#metrics;
    metrics.spilling = this.#spill.shouldSpill({
      buffered: metrics.size,
      owed: this.#readBack.owedSpilled + metrics.spilledHeld,
      journalWrites: this.#journal?.active === true && !this.#closing,
    });
  }

  /** After a tick's commit: spilled chunks now durable leave memory and are owed from the journal. */
  #onCommitted(result: CommitResult): void {
    const readBack = this.#readBack;
    if (readBack === undefined) return;
    if (this.#journal?.active === true) this.#metrics.release(result.durable.metric, (from, to) => readBack.addSpilled(from, to));
    else if (this.#metrics.spilling || this.#metrics.spilledHeld > 0) {
      this.#metrics.unspill();
      this.#loop.schedule();
    }
    this.#decideSpill();
    readBack.fill();
  }

  #onChunkFull(): void {
    this.#decideSpill();
    this.#metrics.seal();
    this.#checkBackpressure();
    this.#loop.schedule();
  }

  #onTick(): void {
    if (this.#queued() === 0) return;
    this.#releaseKept();
    this.#loop.tick();
  }

  #checkBackpressure(): void {
    const queued = this.#queued();
    if (this.#backpressureArmed && queued >= this.#options.maxBufferedEntries) {
      this.#backpressureArmed = false;
      this.events.emit("backpressure", { queued, maxBufferedEntries: this.#options.maxBufferedEntries });
    } else if (!this.#backpressureArmed && queued < this.#options.maxBufferedEntries / 2) {
      this.#backpressureArmed = true;
    }
  }

  /**
   * Stops every request and counts what is left as failed, with `reason` — or, while the journal
   * writes, as pending: it is journaled (appended here first) and stays there for recovery.
   */
  #abortAll(reason: string): void {
    this.#abortReason = reason;
    this.#abort.abort(new AbortError(reason));
    this.#journal?.sync();
    // Params and tags sent again were kept in the journal, and reported, already: they stay there.
    const firstTime = (entry: PendingKeyValue): boolean => entry.redelivery !== true;
    const entities: Entities = { metrics: [], params: this.#params.drain().filter(firstTime), tags: this.#tags.drain().filter(firstTime) };
    const drained = this.#metrics.drain();
    // What is owed from the journal is on disk: it stays there, pending (kept points were reported already).
    const owedSpilled = this.#readBack?.close().spilled ?? 0;
    const counts = { metrics: drained.count, params: entities.params.length, tags: entities.tags.length };
    if (counts.metrics + counts.params + counts.tags > 0) {
      const keys = [...new Set([...drained.keys, ...distinctKeys(entities)])].slice(0, MAX_KEYS_IN_FAILURE);
      const failure = new BatchDeliveryError({ runId: this.runId, counts, keys, attempts: 0, reason: reason });
      if (this.#journal?.active) this.#failures.keep(failure);
      else {
        this.#failures.record(failure);
        for (const [from, to] of drained.ranges) this.#journal?.acknowledge({ firstMetric: from, metricCount: to - from, params: [], tags: [] });
        this.#journal?.acknowledge({ firstMetric: 0, metricCount: 0, params: entities.params, tags: entities.tags });
      }
    }
    if (owedSpilled > 0) {
      const counts = { metrics: owedSpilled, params: 0, tags: 0 };
      this.#failures.keep(new BatchDeliveryError({ runId: this.runId, counts, keys: [], attempts: 0, reason }));
    }
    this.#waiters.check();
  }

  /** Resolves `true` once everything logged so far is settled, `false` if `timeoutMs` expires first. */
  #waitSettled(timeoutMs?: number): Promise<boolean> {
    const mark = { metrics: this.#metrics.pushed, params: this.#params.pushed, tags: this.#tags.pushed };
    return this.#waiters.wait(mark, timeoutMs, () => this.#loop.pump());
  }

  /**
   * Whether every entry logged before `mark` has been delivered, has failed or was kept in the
   * journal. Once the run is closing, kept entries sent again count as not settled yet, whether or
   * not a request has told the process that the server answers: the end waits for them within its
   * one deadline, so a server that has just come back gets them (the probe in flight, or the next
   * one, is answered and the rest follows); a server that stays down keeps them journaled when the
   * end's deadline passes (reported pending, left to recovery). A `close()` without a deadline
   * (`detach()`, the CLI's one-shot logging) waits for them only while the server answers: a
   * re-delivery failing again is kept again, so waiting for it there would never end. Once delivery
   * is aborted, nothing is sent again: what is kept is settled as kept.
   */
  #isSettled(mark: StreamMark): boolean {
    const redeliveries = this.#closing && !this.#abort.signal.aborted && (this.#closeBounded || this.#spill.reachable);
    const inFlight = this.#loop.oldestInFlight(redeliveries);
    const readBack = this.#readBack;
    const owed =
      readBack === undefined ? Number.POSITIVE_INFINITY : Math.min(readBack.oldestSpilled, redeliveries ? readBack.oldestKept : Number.POSITIVE_INFINITY);
    const metrics = Math.min(this.#metrics.oldest, owed, inFlight.metrics);
    const params = Math.min(this.#params.oldest(redeliveries), inFlight.params);
    const tags = Math.min(this.#tags.oldest(redeliveries), inFlight.tags);
    return metrics >= mark.metrics && params >= mark.params && tags >= mark.tags;
  }
}
