/**
 * The batcher of one run: buffers metrics, params and tags, coalesces them into `log-batch`
 * requests within the server's limits, sends up to `maxInFlight` of them at once through a
 * p-queue, retries transient failures until the delivery deadline, and reports what failed.
 *
 * Ordering: metrics are an append-only history, so their batches may arrive in any order. A tag
 * key is never in two requests at once: a later write of the key waits until the request carrying
 * the earlier one has settled, so `setTag("phase", "b")` cannot be overtaken by an earlier
 * `setTag("phase", "a")`. Writes of a key that are still buffered coalesce (the last one wins).
 *
 * Flushes: when a chunk of 1000 metrics is full, when 100 params or tags wait, every
 * `flushIntervalMs`, on `flush()` and on `close()`.
 */
import PQueue from "p-queue";
import { messageOf } from "../../core/error-text.js";
import { AbortError, InvalidParameterError, MlflowError } from "../../core/errors.js";
import { type BackoffCurve, deliveryCurve } from "../../core/retry/backoff.js";
import { retryAfterOf } from "../../core/retry/policy.js";
import { retryUntil } from "../../core/retry/retry-until.js";
import type { MetricInput } from "../../protocol/endpoints.js";
import type { KeyValue } from "../../protocol/entities/tracking.js";
import {
  keyValueBytes,
  MAX_BATCH_BYTES,
  MAX_ENTITIES_PER_BATCH,
  MAX_METRICS_PER_BATCH,
  MAX_PARAMS_PER_BATCH,
  MAX_TAGS_PER_BATCH,
} from "../../protocol/log-batch.js";
import type { TrackingStore } from "../../store/tracking-store.js";
import { BatchDeliveryError, describeCounts, type EntryCounts, LogDeliveryError, type RefusedKey } from "../errors.js";
import { TypedEmitter } from "../events.js";
import type { ResolvedLoggerOptions } from "../options.js";
import { MetricBuffer, type MetricLink } from "./metric-buffer.js";

/** Counters of a run's logger, from {@link ActiveRun.stats}. */
export interface LoggerStats {
  /** Entries accepted by the logging calls (a param re-logged with the same value is not counted). */
  logged: number;
  /** Entries buffered, not yet in a request. */
  queued: number;
  /** Entries in requests being sent or retried. */
  inFlight: number;
  /** Entries the server acknowledged. */
  sent: number;
  /** Entries given up on; each failure is reported by the `error` event and by `flush()`/`end()`. */
  failed: number;
  /** Tag writes replaced by a later write of the same key before they were sent. */
  coalesced: number;
  /** Entries dropped: always 0, the logger never drops an entry. */
  dropped: number;
  /** `log-batch` requests made, retries included. */
  requests: number;
  /** Requests that repeated a failed attempt. */
  retried: number;
}

/** What one delivered request carried, from the `flush` event. */
export interface FlushEvent extends EntryCounts {
  /** Requests it took (1 when the first attempt succeeded). */
  attempts: number;
  /** From the first attempt to the acknowledgement, ms. */
  durationMs: number;
}

/** What the `backpressure` event carries. */
export interface BackpressureEvent {
  /** Entries buffered when it fired. */
  queued: number;
  /** The configured `maxBufferedEntries`. */
  maxBufferedEntries: number;
}

/** Events of a run's logger. */
export type RunEvents = {
  /** A batch could not be delivered (permission, validation, or its deadline passed). */
  error: [error: BatchDeliveryError];
  /** The buffer reached `maxBufferedEntries`; fires once until it drains below half of it. */
  backpressure: [event: BackpressureEvent];
  /** A `log-batch` request was acknowledged by the server. */
  flush: [event: FlushEvent];
};

/** A param or tag waiting to be sent. */
interface PendingKeyValue {
  key: string;
  value: string;
  /** Estimated JSON size. */
  bytes: number;
  /** Position in the run's param stream, or of the first write of a coalesced tag. */
  seq: number;
}

/** Entities of one request. */
interface Entities {
  metrics: MetricInput[];
  params: PendingKeyValue[];
  tags: PendingKeyValue[];
}

/** A request being delivered, with the sequence numbers `flush()` waits on. */
interface Batch extends Entities {
  firstMetric: number;
  firstParam: number;
  firstTag: number;
}

/** The result of sending entities: `error` is undefined when they were delivered. */
interface Outcome {
  attempts: number;
  error?: unknown;
  reason?: string;
}

/** A `flush()` call waiting for everything logged before it. */
interface Waiter {
  metrics: number;
  params: number;
  tags: number;
  resolve: () => void;
}

// JSON around the entities: {"run_id":"…","metrics":[],"params":[],"tags":[]}
const ENVELOPE_BYTES = 400;
const MAX_FAILURES_KEPT = 10;
const MAX_KEYS_IN_FAILURE = 100;
// Refused keys whose server message is quoted in a failure's message; `refused` has all of them.
const REFUSALS_IN_MESSAGE = 5;
// Holds the event loop while someone awaits flush() or close(); never fires in practice.
const KEEP_ALIVE_MS = 2 ** 30;

/**
 * Buffers and delivers the metrics, params and tags of one run. Created by `startRun`; use the
 * {@link ActiveRun} methods rather than this class.
 * @internal
 */
export class Batcher {
  readonly runId: string;
  readonly events = new TypedEmitter<RunEvents>();
  readonly #store: TrackingStore;
  readonly #options: ResolvedLoggerOptions;
  readonly #metrics = new MetricBuffer();
  readonly #params: PendingKeyValue[] = [];
  readonly #tags = new Map<string, PendingKeyValue>();
  readonly #lockedTagKeys = new Set<string>();
  readonly #inFlight = new Set<Batch>();
  readonly #queue: PQueue;
  readonly #waiters: Waiter[] = [];
  readonly #abort = new AbortController();
  readonly #timer: NodeJS.Timeout;
  readonly #curve: BackoffCurve;
  #keepAlive: NodeJS.Timeout | undefined;
  #abortReason = "";
  #paramsPushed = 0;
  #paramsTaken = 0;
  #tagsPushed = 0;
  #tickDue = false;
  #closing = false;
  #pumpScheduled = false;
  #backpressureArmed = true;
  #unreported: BatchDeliveryError[] = [];
  #unreportedCounts: EntryCounts = { metrics: 0, params: 0, tags: 0 };
  #unreportedKeys = new Set<string>();
  readonly #stats = { inFlight: 0, sent: 0, failed: 0, coalesced: 0, requests: 0, retried: 0 };

  constructor(init: { runId: string; store: TrackingStore; options: ResolvedLoggerOptions }) {
    this.runId = init.runId;
    this.#store = init.store;
    this.#options = init.options;
    this.#queue = new PQueue({ concurrency: init.options.maxInFlight });
    this.#curve = deliveryCurve(init.options.retryInitialDelayMs, init.options.retryMaxDelayMs);
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
    this.#params.push({ key, value, bytes: keyValueBytes({ key, value }), seq: this.#paramsPushed++ });
    if (this.#params.length >= MAX_PARAMS_PER_BATCH) this.#schedulePump();
    this.#checkBackpressure();
  }

  /** Buffers a tag (already validated); replaces a buffered write of the same key. */
  pushTag(key: string, value: string): void {
    const seq = this.#tagsPushed++;
    const bytes = keyValueBytes({ key, value });
    const pending = this.#tags.get(key);
    if (pending !== undefined) {
      pending.value = value;
      pending.bytes = bytes;
      this.#stats.coalesced++;
      return;
    }
    this.#tags.set(key, { key, value, bytes, seq });
    if (this.#tags.size >= MAX_TAGS_PER_BATCH) this.#schedulePump();
    this.#checkBackpressure();
  }

  /** A snapshot of the counters. */
  stats(): LoggerStats {
    return {
      logged: this.#metrics.pushed + this.#paramsPushed + this.#tagsPushed,
      queued: this.#queued(),
      inFlight: this.#stats.inFlight,
      sent: this.#stats.sent,
      failed: this.#stats.failed,
      coalesced: this.#stats.coalesced,
      dropped: 0,
      requests: this.#stats.requests,
      retried: this.#stats.retried,
    };
  }

  /**
   * Sends everything buffered now and resolves when all of it is settled (entries logged later
   * are not waited for). Once `close()` has begun, the failures are left for its report too (a
   * flush still waiting when the run ends must not take the counts away from the end's error).
   * @throws {LogDeliveryError} when entries failed since the last report, or `timeoutMs` expired.
   */
  async flush(timeoutMs?: number): Promise<void> {
    const settled = await this.#waitSettled(timeoutMs);
    this.#throwIfFailed(settled ? undefined : timeoutMs, !this.#closing);
  }

  /**
   * Flushes, then stops: when `timeoutMs` expires first, in-flight requests are aborted and every
   * entry not yet delivered counts as failed. Releases the timer either way.
   * @throws {LogDeliveryError} when some entries were not delivered.
   */
  async close(timeoutMs?: number): Promise<void> {
    this.#closing = true;
    try {
      const settled = await this.#waitSettled(timeoutMs);
      if (!settled) {
        this.#abortAll(`not delivered within the ${timeoutMs} ms the run's end allowed for delivery`);
        await this.#waitSettled();
      }
      this.#throwIfFailed();
    } finally {
      clearInterval(this.#timer);
    }
  }

  /** Entries buffered or in flight. */
  get pending(): number {
    return this.#queued() + this.#stats.inFlight;
  }

  #queued(): number {
    return this.#metrics.size + this.#params.length + this.#tags.size;
  }

  #onChunkFull(): void {
    this.#metrics.seal();
    this.#checkBackpressure();
    this.#schedulePump();
  }

  #onTick(): void {
    if (this.#queued() === 0) return;
    this.#tickDue = true;
    this.#pump();
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

  #schedulePump(): void {
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    queueMicrotask(() => {
      this.#pumpScheduled = false;
      this.#pump();
    });
  }

  /** Starts requests while slots are free and something is due. */
  #pump(): void {
    while (this.#inFlight.size < this.#options.maxInFlight && !this.#abort.signal.aborted) {
      const batch = this.#nextBatch();
      if (batch === undefined) {
        this.#tickDue = false;
        return;
      }
      this.#start(batch);
    }
  }

  /**
   * Builds the next request, or `undefined` when nothing is due. Full metric chunks are always due;
   * partial ones, and params or tags below 100, only on a tick, a flush or close. Params and tags
   * ride along with any request that has room.
   */
  #nextBatch(): Batch | undefined {
    const urgent = this.#tickDue || this.#waiters.length > 0 || this.#closing;
    if (urgent && this.#metrics.ready === 0) this.#metrics.seal();
    const sendableTags = this.#countSendableTags();
    const paramsDue = this.#params.length >= MAX_PARAMS_PER_BATCH || (urgent && this.#params.length > 0);
    const tagsDue = sendableTags >= MAX_TAGS_PER_BATCH || (urgent && sendableTags > 0);
    if (this.#metrics.ready === 0 && !paramsDue && !tagsDue) return undefined;

    const batch: Batch = { metrics: [], params: [], tags: [], firstMetric: Infinity, firstParam: Infinity, firstTag: Infinity };
    let bytes = ENVELOPE_BYTES;
    while (batch.params.length < MAX_PARAMS_PER_BATCH && this.#params.length > 0 && bytes + this.#params[0]!.bytes <= MAX_BATCH_BYTES) {
      const param = this.#params.shift()!;
      this.#paramsTaken++;
      batch.firstParam = Math.min(batch.firstParam, param.seq);
      batch.params.push(param);
      bytes += param.bytes;
    }
    for (const tag of this.#tags.values()) {
      if (batch.tags.length >= MAX_TAGS_PER_BATCH || bytes + tag.bytes > MAX_BATCH_BYTES) break;
      if (this.#lockedTagKeys.has(tag.key)) continue;
      this.#tags.delete(tag.key);
      batch.firstTag = Math.min(batch.firstTag, tag.seq);
      batch.tags.push(tag);
      bytes += tag.bytes;
    }
    const room = Math.min(MAX_METRICS_PER_BATCH, MAX_ENTITIES_PER_BATCH - batch.params.length - batch.tags.length);
    if (room > 0 && this.#metrics.ready > 0) {
      batch.firstMetric = this.#metrics.taken;
      batch.metrics = this.#metrics.take(room, MAX_BATCH_BYTES - bytes);
    }
    return batch;
  }

  #countSendableTags(): number {
    let count = 0;
    for (const key of this.#tags.keys()) {
      if (!this.#lockedTagKeys.has(key)) count++;
      if (count >= MAX_TAGS_PER_BATCH) break;
    }
    return count;
  }

  #start(batch: Batch): void {
    this.#inFlight.add(batch);
    for (const tag of batch.tags) this.#lockedTagKeys.add(tag.key);
    this.#stats.inFlight += entityCount(batch);
    void this.#queue.add(() => this.#deliver(batch));
  }

  /**
   * Delivers a batch. When the server refuses it as invalid, the refused entries are isolated
   * ({@link Batcher.#isolateRefused}) so that one key the server refuses does not sink the rest.
   */
  async #deliver(batch: Batch): Promise<void> {
    const startedAt = Date.now();
    const deadline = startedAt + this.#options.deliveryTimeoutMs;
    const outcome = await this.#send(batch, deadline);
    if (isRefusal(outcome.error) && keyGroupsOf(batch).length > 1) await this.#isolateRefused(batch, outcome, deadline, startedAt);
    else this.#record(batch, outcome, startedAt);
    this.#settle(batch);
  }

  /**
   * A batch of several keys was refused as invalid. An empty request first tells a refusal of the
   * request (the run was deleted: every request for it is refused) from a refusal of some entries
   * (a key a newer server refuses, a param another writer logged with another value). Only the
   * latter is bisected: the keys are halved until each refused part holds one key, every part
   * the server accepts is delivered, and the refused keys are reported in one failure. Entries of
   * one key stay together (a key logged at every step would otherwise cost a request per point).
   * Bounded: at most 2·⌈log2 k⌉ requests per refused key among k keys, all within the batch's
   * delivery deadline; the parts go one after the other, so tag order is untouched.
   */
  async #isolateRefused(batch: Batch, refusal: Outcome, deadline: number, startedAt: number): Promise<void> {
    const probe = await this.#send({ metrics: [], params: [], tags: [] }, deadline);
    if (probe.error !== undefined) {
      this.#record(batch, { ...refusal, attempts: refusal.attempts + probe.attempts }, startedAt);
      return;
    }
    const refused: RefusedGroup[] = [];
    const requests = { count: refusal.attempts + probe.attempts };
    await this.#bisect(keyGroupsOf(batch), deadline, startedAt, refused, requests);
    if (refused.length === 0) return;
    const entities = entitiesOf(refused.map((group) => group.entries));
    const counts = countsOf(entities);
    const keys = distinctKeys(entities);
    const first = refused[0]!.outcome;
    const details = refused.slice(0, REFUSALS_IN_MESSAGE).map((group) => `${group.entries.kind} "${group.entries.key}": ${messageOf(group.outcome.error)}`);
    if (refused.length > REFUSALS_IN_MESSAGE) details.push(`… ${refused.length - REFUSALS_IN_MESSAGE} more keys`);
    const reason = `the server refused ${describeCounts(counts)} of the request (isolated by splitting it; everything else was delivered): ${details.join("; ")}`;
    const refusals = refused.map(
      ({ entries, outcome }): RefusedKey => ({ kind: entries.kind, key: entries.key, count: entries.list.length, error: outcome.error as MlflowError }),
    );
    this.#fail(new BatchDeliveryError({ runId: this.runId, counts, keys, attempts: requests.count, reason, cause: first.error, refused: refusals }));
  }

  /** Sends each half of `groups` (refused together); recurses into a refused half of several keys. */
  async #bisect(groups: KeyGroup[], deadline: number, startedAt: number, refused: RefusedGroup[], requests: { count: number }): Promise<void> {
    const middle = Math.ceil(groups.length / 2);
    for (const half of [groups.slice(0, middle), groups.slice(middle)]) {
      const entities = entitiesOf(half);
      const outcome = await this.#send(entities, deadline);
      requests.count += outcome.attempts;
      if (!isRefusal(outcome.error)) this.#record(entities, outcome, startedAt);
      else if (half.length === 1) refused.push({ entries: half[0]!, outcome });
      else await this.#bisect(half, deadline, startedAt, refused, requests);
    }
  }

  /** Sends entities until they are delivered, fail for good, or the deadline passes. Never throws. */
  async #send(entities: Entities, deadline: number): Promise<Outcome> {
    const request = { run_id: this.runId, metrics: entities.metrics, params: entities.params.map(toKeyValue), tags: entities.tags.map(toKeyValue) };
    const signal = this.#abort.signal;
    const result = await retryUntil<undefined, unknown>({
      curve: this.#curve,
      deadlineAt: deadline,
      signal,
      keepAlive: false,
      attempt: async () => {
        this.#stats.requests++;
        try {
          // One attempt per call: the transport's retries would hide failures from this loop's deadline.
          await this.#store.call("runs.logBatch", request, { maxRetries: 0, deadlineMs: Math.max(1, deadline - Date.now()), signal });
          return { done: undefined };
        } catch (error) {
          return isTransient(error) ? { retry: error, waitMs: retryAfterOf(error) } : { stop: error };
        }
      },
      onRetry: () => {
        this.#stats.retried++;
      },
    });
    const { attempts } = result;
    if (result.ok) return { attempts };
    if (result.gaveUp === "aborted") return { attempts, error: result.failure, reason: withLastError(this.#abortReason, result.failure) };
    if (result.gaveUp === "stopped") return { attempts, error: result.failure, reason: messageOf(result.failure) };
    const why = `still failing when the delivery deadline (deliveryTimeoutMs ${this.#options.deliveryTimeoutMs} ms) passed`;
    return { attempts, error: result.failure, reason: withLastError(why, result.failure) };
  }

  #record(entities: Entities, outcome: Outcome, startedAt: number): void {
    const counts = { metrics: entities.metrics.length, params: entities.params.length, tags: entities.tags.length };
    const total = counts.metrics + counts.params + counts.tags;
    if (outcome.error === undefined && outcome.reason === undefined) {
      this.#stats.sent += total;
      this.events.emit("flush", { ...counts, attempts: outcome.attempts, durationMs: Date.now() - startedAt });
      return;
    }
    const keys = distinctKeys(entities);
    this.#fail(
      new BatchDeliveryError({ runId: this.runId, counts, keys, attempts: outcome.attempts, reason: outcome.reason ?? "failed", cause: outcome.error }),
    );
  }

  #fail(failure: BatchDeliveryError): void {
    const { counts } = failure;
    this.#stats.failed += counts.metrics + counts.params + counts.tags;
    this.#unreportedCounts = addCounts(this.#unreportedCounts, counts);
    if (this.#unreported.length < MAX_FAILURES_KEPT) this.#unreported.push(failure);
    for (const key of failure.keys) if (this.#unreportedKeys.size < MAX_KEYS_IN_FAILURE) this.#unreportedKeys.add(key);
    if (!this.events.emit("error", failure)) process.emitWarning(failure.message, { code: "MLFLOW_TS_LOG_DELIVERY" });
  }

  #settle(batch: Batch): void {
    this.#inFlight.delete(batch);
    for (const tag of batch.tags) this.#lockedTagKeys.delete(tag.key);
    this.#stats.inFlight -= entityCount(batch);
    this.#checkBackpressure();
    this.#checkWaiters();
    this.#pump();
  }

  /** Stops every request and counts what is left as failed, with `reason`. */
  #abortAll(reason: string): void {
    this.#abortReason = reason;
    this.#abort.abort(new AbortError(reason));
    const entities: Entities = { metrics: [], params: this.#params.splice(0), tags: [...this.#tags.values()] };
    this.#paramsTaken += entities.params.length;
    this.#tags.clear();
    const drained = this.#metrics.drain();
    const counts = { metrics: drained.count, params: entities.params.length, tags: entities.tags.length };
    if (counts.metrics + counts.params + counts.tags > 0) {
      const keys = [...new Set([...drained.keys, ...distinctKeys(entities)])].slice(0, MAX_KEYS_IN_FAILURE);
      this.#fail(new BatchDeliveryError({ runId: this.runId, counts, keys, attempts: 0, reason: reason }));
    }
    this.#checkWaiters();
  }

  /** Resolves `true` once everything logged so far is settled, `false` if `timeoutMs` expires first. */
  #waitSettled(timeoutMs?: number): Promise<boolean> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const waiter: Waiter = {
        metrics: this.#metrics.pushed,
        params: this.#paramsPushed,
        tags: this.#tagsPushed,
        resolve: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
      if (this.#isSettled(waiter)) {
        resolve(true);
        return;
      }
      this.#addWaiter(waiter);
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          this.#removeWaiter(waiter);
          resolve(false);
        }, timeoutMs);
      }
      this.#pump();
    });
  }

  #addWaiter(waiter: Waiter): void {
    this.#waiters.push(waiter);
    this.#keepAlive ??= setInterval(() => undefined, KEEP_ALIVE_MS);
  }

  #removeWaiter(waiter: Waiter): void {
    const index = this.#waiters.indexOf(waiter);
    if (index >= 0) this.#waiters.splice(index, 1);
    if (this.#waiters.length > 0) return;
    clearInterval(this.#keepAlive);
    this.#keepAlive = undefined;
  }

  #checkWaiters(): void {
    for (const waiter of [...this.#waiters]) {
      if (!this.#isSettled(waiter)) continue;
      this.#removeWaiter(waiter);
      waiter.resolve();
    }
  }

  /** Whether every entry logged before `waiter` was created has been delivered or has failed. */
  #isSettled(waiter: Waiter): boolean {
    let metrics = this.#metrics.taken;
    let params = this.#paramsTaken;
    let tags = Infinity;
    for (const tag of this.#tags.values()) tags = Math.min(tags, tag.seq);
    for (const batch of this.#inFlight) {
      metrics = Math.min(metrics, batch.firstMetric);
      params = Math.min(params, batch.firstParam);
      tags = Math.min(tags, batch.firstTag);
    }
    return metrics >= waiter.metrics && params >= waiter.params && tags >= waiter.tags;
  }

  /** Throws the failures not reported yet (and the pending count after a timeout); `consume` marks them reported. */
  #throwIfFailed(timeoutMs?: number, consume = true): void {
    const failed = this.#unreportedCounts;
    const hasFailures = failed.metrics + failed.params + failed.tags > 0;
    if (!hasFailures && timeoutMs === undefined) return;
    const failures = this.#unreported;
    const keys = [...this.#unreportedKeys];
    if (consume) {
      this.#unreported = [];
      this.#unreportedCounts = { metrics: 0, params: 0, tags: 0 };
      this.#unreportedKeys = new Set();
    }
    const pending = timeoutMs === undefined ? 0 : this.pending;
    throw new LogDeliveryError({ runId: this.runId, failed, pending, failures, keys, timeoutMs });
  }
}

/** Network errors, timeouts, 408, 429 and 5xx except 501: worth another attempt. */
function isTransient(error: unknown): boolean {
  return error instanceof MlflowError && error.retryable && !(error instanceof AbortError);
}

function withLastError(reason: string, lastError: unknown): string {
  return lastError === undefined ? reason : `${reason}; last error: ${messageOf(lastError)}`;
}

function toKeyValue(entry: PendingKeyValue): KeyValue {
  return { key: entry.key, value: entry.value };
}

function entityCount(entities: Entities): number {
  return entities.metrics.length + entities.params.length + entities.tags.length;
}

/** The entries of one key of one kind in a batch: the unit the server refuses. */
interface KeyGroup {
  kind: "metric" | "param" | "tag";
  key: string;
  list: (MetricInput | PendingKeyValue)[];
}

/** A key the server refused, with the answer to the request that carried only it. */
interface RefusedGroup {
  entries: KeyGroup;
  outcome: Outcome;
}

/** 400 `INVALID_PARAMETER_VALUE` / `BAD_REQUEST`: the server refused what the request carries. */
function isRefusal(error: unknown): boolean {
  return error instanceof InvalidParameterError;
}

/** The batch's entries grouped by kind and key: params, then tags, then metrics in logging order. Off the hot path. */
function keyGroupsOf(batch: Entities): KeyGroup[] {
  const groups = new Map<string, KeyGroup>();
  const add = (kind: KeyGroup["kind"], entry: MetricInput | PendingKeyValue): void => {
    const id = `${kind}\u0000${entry.key}`;
    const group = groups.get(id);
    if (group === undefined) groups.set(id, { kind, key: entry.key, list: [entry] });
    else group.list.push(entry);
  };
  for (const param of batch.params) add("param", param);
  for (const tag of batch.tags) add("tag", tag);
  for (const metric of batch.metrics) add("metric", metric);
  return [...groups.values()];
}

function entitiesOf(groups: KeyGroup[]): Entities {
  const entities: Entities = { metrics: [], params: [], tags: [] };
  for (const group of groups) {
    if (group.kind === "metric") entities.metrics.push(...(group.list as MetricInput[]));
    else if (group.kind === "param") entities.params.push(...(group.list as PendingKeyValue[]));
    else entities.tags.push(...(group.list as PendingKeyValue[]));
  }
  return entities;
}

function countsOf(entities: Entities): EntryCounts {
  return { metrics: entities.metrics.length, params: entities.params.length, tags: entities.tags.length };
}

function distinctKeys(entities: Entities): string[] {
  const keys = new Set<string>();
  for (const list of [entities.metrics, entities.params, entities.tags]) {
    for (const entry of list) {
      if (keys.size >= MAX_KEYS_IN_FAILURE) return [...keys];
      keys.add(entry.key);
    }
  }
  return [...keys];
}

function addCounts(a: EntryCounts, b: EntryCounts): EntryCounts {
  return { metrics: a.metrics + b.metrics, params: a.params + b.params, tags: a.tags + b.tags };
}
