/**
 * Delivering one request of the batcher: sending it until the server acknowledges it, it fails for
 * good, or its delivery deadline passes (on the shared retry loop, core/retry/retry-until.ts, with
 * the logger's `deliveryCurve`), and, when the server refuses it as invalid, splitting it so that
 * one refused key does not sink the rest. Every outcome is recorded here: the `flush` event and the
 * `sent` counter for what was acknowledged, the failure ledger for what was not.
 *
 * The journal (issue #14): once a request is settled, its entries are acknowledged in the run's
 * journal when the server took them or refused them for good (reported as failed, replaying cannot
 * help). A request still failing transiently when its deadline passes, or aborted by the run's end,
 * is kept: not acknowledged, reported as pending with the journal's folder (`FailureLedger.keep`).
 * Without a journal, or once it is degraded, such a request fails as before. A kept request's
 * metrics go to the read-back's kept set (read-back.ts) and its params and tags are held by their
 * buffers (key-value-buffers.ts): this process sends them again once the server answers. A request
 * read from the journal is kept even when the journal has since degraded (its points are on disk),
 * and a re-delivery still failing is kept again without a second report. A request split to isolate
 * a refused key is settled part by part: what was delivered or refused is acknowledged, what was
 * kept is sent again, so no part is sent twice and none is left to recovery while the process lives.
 * Every attempt tells the spill policy whether the server answered (spill-policy.ts).
 */
import { messageOf } from "../../core/error-text.js";
import { AbortError, InvalidParameterError, MlflowError } from "../../core/errors.js";
import { type BackoffCurve, deliveryCurve } from "../../core/retry/backoff.js";
import { retryAfterOf } from "../../core/retry/policy.js";
import { retryUntil } from "../../core/retry/retry-until.js";
import type { MetricInput } from "../../protocol/endpoints.js";
import type { TrackingStore } from "../../store/tracking-store.js";
import { BatchDeliveryError, describeCounts, type RefusedKey } from "../errors.js";
import type { TypedEmitter } from "../events.js";
import type { ResolvedLoggerOptions } from "../options.js";
import { type Batch, type BatchOrigin, countsOf, distinctKeys, type Entities, entityCount, type Outcome, type PendingKeyValue, toKeyValue } from "./batch.js";
import type { FailureLedger } from "./failures.js";
import type { JournalFeed } from "./journal-feed.js";
import type { ReadBack } from "./read-back.js";
import type { SpillPolicy } from "./spill-policy.js";
import type { DeliveryCounters, RunEvents } from "./stats.js";

// Refused keys whose server message is quoted in a failure's message; `refused` has all of them.
const REFUSALS_IN_MESSAGE = 5;

/** What a {@link Delivery} works with, shared with the rest of the batcher. @internal */
export interface DeliveryInit {
  runId: string;
  store: TrackingStore;
  options: ResolvedLoggerOptions;
  /** Aborted when the run's end stops delivery; `abortReason()` then says why. */
  signal: AbortSignal;
  abortReason: () => string;
  counters: DeliveryCounters;
  failures: FailureLedger;
  events: TypedEmitter<RunEvents>;
  /** The run's journal, where settled requests are acknowledged. */
  journal?: JournalFeed | undefined;
  /** Where kept metrics are owed again (with a journal). */
  readBack?: ReadBack | undefined;
  /** Where kept params and tags are held until they are sent again (with a journal). */
  onKept?: ((params: readonly PendingKeyValue[], tags: readonly PendingKeyValue[]) => void) | undefined;
  /** Told after every attempt whether the server answered. */
  reachability?: Pick<SpillPolicy, "serverAnswered" | "serverFailed"> | undefined;
}

/**
 * Sends the requests of one run and records their outcomes.
 *
 * @example
 * await delivery.deliver({ metrics, params: [], tags: [] }); // never throws
 * @internal
 */
export class Delivery {
  readonly #init: DeliveryInit;
  readonly #curve: BackoffCurve;

  constructor(init: DeliveryInit) {
    this.#init = init;
    this.#curve = deliveryCurve(init.options.retryInitialDelayMs, init.options.retryMaxDelayMs);
  }

  /**
   * Delivers a request. When the server refuses it as invalid, the refused entries are isolated
   * ({@link Delivery.#isolateRefused}) so that one key the server refuses does not sink the rest.
   * Each part is then acknowledged in the journal, or kept there and owed again ({@link Delivery.#conclude}).
   * Never throws: failures go to the ledger.
   */
  async deliver(batch: Batch): Promise<void> {
    const startedAt = Date.now();
    const deadline = startedAt + this.#init.options.deliveryTimeoutMs;
    const outcome = await this.#send(batch, deadline);
    const groups = isRefusal(outcome.error) ? keyGroupsOf(batch) : [];
    if (groups.length > 1) {
      await this.#isolateRefused(groups, batch, outcome, deadline, startedAt);
      return;
    }
    const metricRanges: SeqRange[] = batch.metrics.length > 0 ? [[batch.firstMetric, batch.firstMetric + batch.metrics.length]] : [];
    this.#conclude(batch, metricRanges, this.#record(batch, outcome, startedAt, batch.origin), batch.origin);
  }

  /**
   * Settles a request or a part of one in the journal: acknowledged when the server took it or
   * refused it for good; when it was kept, its metrics are owed again by the read-back and its params
   * and tags held by their buffers, so this process sends them again once the server answers. A
   * re-delivery of kept entries that is not kept again settles them: they are no longer pending.
   */
  #conclude(entities: Entities, metricRanges: readonly SeqRange[], kept: boolean, origin: BatchOrigin): void {
    if (!kept) {
      const settled = origin === "redelivery" ? entityCount(entities) : entityCount(entities) - entityCount(firstDeliveries(entities));
      if (settled > 0) this.#init.failures.settleKept(settled);
    }
    if (kept) {
      for (const [from, to] of metricRanges) this.#init.readBack?.addKept(from, to - from);
      this.#init.onKept?.(entities.params, entities.tags);
      return;
    }
    const journal = this.#init.journal;
    if (journal === undefined) return;
    for (const [from, to] of metricRanges) journal.acknowledge({ firstMetric: from, metricCount: to - from, params: [], tags: [] });
    journal.acknowledge({ firstMetric: 0, metricCount: 0, params: entities.params, tags: entities.tags });
  }

  /**
   * A request of several keys was refused as invalid. An empty request first tells a refusal of the
   * request (the run was deleted: every request for it is refused) from a refusal of some entries
   * (a key a newer server refuses, a param another writer logged with another value). Only the
   * latter is bisected: the keys are halved until each refused part holds one key, every part
   * the server accepts is delivered, and the refused keys are reported in one failure. Entries of
   * one key stay together (a key logged at every step would otherwise cost a request per point).
   * Bounded: at most 2·⌈log2 k⌉ requests per refused key among k keys, all within the request's
   * delivery deadline; the parts go one after the other, so tag order is untouched.
   */
  async #isolateRefused(groups: KeyGroup[], batch: Batch, refusal: Outcome, deadline: number, startedAt: number): Promise<void> {
    const probe = await this.#send({ metrics: [], params: [], tags: [] }, deadline);
    if (probe.error !== undefined) {
      const { entities, metricRanges } = entitiesOf(groups);
      this.#conclude(
        entities,
        metricRanges,
        this.#record(batch, { ...refusal, attempts: refusal.attempts + probe.attempts }, startedAt, batch.origin),
        batch.origin,
      );
      return;
    }
    const refused: RefusedGroup[] = [];
    const requests = { count: refusal.attempts + probe.attempts };
    await this.#bisect(groups, deadline, startedAt, refused, requests, batch.origin);
    if (refused.length === 0) return;
    const { entities: refusedEntities, metricRanges } = entitiesOf(refused.map((group) => group.entries));
    // Refused for good: reported below, acknowledged (replaying cannot help).
    this.#conclude(refusedEntities, metricRanges, false, batch.origin);
    const counts = countsOf(refusedEntities);
    const keys = distinctKeys(refusedEntities);
    const first = refused[0]!.outcome;
    const details = refused.slice(0, REFUSALS_IN_MESSAGE).map((group) => `${group.entries.kind} "${group.entries.key}": ${messageOf(group.outcome.error)}`);
    if (refused.length > REFUSALS_IN_MESSAGE) details.push(`… ${refused.length - REFUSALS_IN_MESSAGE} more keys`);
    const reason = `the server refused ${describeCounts(counts)} of the request (isolated by splitting it; everything else was delivered): ${details.join("; ")}`;
    const refusals = refused.map(
      ({ entries, outcome }): RefusedKey => ({ kind: entries.kind, key: entries.key, count: entries.list.length, error: outcome.error as MlflowError }),
    );
    const { runId, failures } = this.#init;
    failures.record(new BatchDeliveryError({ runId, counts, keys, attempts: requests.count, reason, cause: first.error, refused: refusals }));
  }

  /**
   * Sends each half of `groups` (refused together) and settles it ({@link Delivery.#conclude});
   * recurses into a refused half of several keys.
   */
  async #bisect(
    groups: KeyGroup[],
    deadline: number,
    startedAt: number,
    refused: RefusedGroup[],
    requests: { count: number },
    origin: BatchOrigin,
  ): Promise<void> {
    const middle = Math.ceil(groups.length / 2);
    for (const half of [groups.slice(0, middle), groups.slice(middle)]) {
      const { entities, metricRanges } = entitiesOf(half);
      const outcome = await this.#send(entities, deadline);
      requests.count += outcome.attempts;
      if (!isRefusal(outcome.error)) this.#conclude(entities, metricRanges, this.#record(entities, outcome, startedAt, origin), origin);
      else if (half.length === 1) refused.push({ entries: half[0]!, outcome });
      else await this.#bisect(half, deadline, startedAt, refused, requests, origin);
    }
  }

  /** Sends entities until they are delivered, fail for good, or the deadline passes. Never throws. */
  async #send(entities: Entities, deadline: number): Promise<Outcome> {
    const { runId, store, signal, counters } = this.#init;
    const request = { run_id: runId, metrics: entities.metrics, params: entities.params.map(toKeyValue), tags: entities.tags.map(toKeyValue) };
    const result = await retryUntil<undefined, unknown>({
      curve: this.#curve,
      deadlineAt: deadline,
      signal,
      keepAlive: false,
      attempt: async () => {
        counters.requests++;
        try {
          // One attempt per call: the transport's retries would hide failures from this loop's deadline.
          await store.call("runs.logBatch", request, { maxRetries: 0, deadlineMs: Math.max(1, deadline - Date.now()), signal });
          this.#init.reachability?.serverAnswered();
          return { done: undefined };
        } catch (error) {
          if (!isTransient(error)) {
            if (!(error instanceof AbortError)) this.#init.reachability?.serverAnswered();
            return { stop: error };
          }
          this.#init.reachability?.serverFailed();
          return { retry: error, waitMs: retryAfterOf(error) };
        }
      },
      onRetry: () => {
        counters.retried++;
      },
    });
    const { attempts } = result;
    if (result.ok) return { attempts };
    if (result.gaveUp === "aborted")
      return { attempts, error: result.failure, reason: withLastError(this.#init.abortReason(), result.failure), transient: true };
    if (result.gaveUp === "stopped") return { attempts, error: result.failure, reason: messageOf(result.failure) };
    const why = `still failing when the delivery deadline (deliveryTimeoutMs ${this.#init.options.deliveryTimeoutMs} ms) passed`;
    return { attempts, error: result.failure, reason: withLastError(why, result.failure), transient: true };
  }

  /**
   * Counts a delivery, or reports a failure: kept in the journal (pending) when it was transient and
   * the journal writes or the entities were read from it, failed otherwise. A re-delivery kept again
   * was reported already (a request from memory may carry params and tags sent again: only the
   * others are reported).
   * @returns whether the entities were kept in the journal (and must not be acknowledged).
   */
  #record(entities: Entities, outcome: Outcome, startedAt: number, origin: BatchOrigin): boolean {
    if (outcome.error === undefined && outcome.reason === undefined) {
      this.#init.counters.sent += entityCount(entities);
      this.#init.events.emit("flush", { ...countsOf(entities), attempts: outcome.attempts, durationMs: Date.now() - startedAt });
      return false;
    }
    const { runId, failures, journal } = this.#init;
    const failureOf = (of: Entities): BatchDeliveryError =>
      new BatchDeliveryError({
        runId,
        counts: countsOf(of),
        keys: distinctKeys(of),
        attempts: outcome.attempts,
        reason: outcome.reason ?? "failed",
        cause: outcome.error,
      });
    if (outcome.transient === true && (journal?.active === true || origin !== "memory")) {
      const fresh = origin === "redelivery" ? undefined : firstDeliveries(entities);
      if (fresh !== undefined && entityCount(fresh) > 0) failures.keep(failureOf(fresh));
      return true;
    }
    failures.record(failureOf(entities));
    return false;
  }
}

/** The entities of a request sent for the first time: without the params and tags sent again (reported already). */
function firstDeliveries(entities: Entities): Entities {
  const first = (entry: PendingKeyValue): boolean => entry.redelivery !== true;
  if (entities.params.every(first) && entities.tags.every(first)) return entities;
  return { metrics: entities.metrics, params: entities.params.filter(first), tags: entities.tags.filter(first) };
}

/** Network errors, timeouts, 408, 429 and 5xx except 501: worth another attempt. */
function isTransient(error: unknown): boolean {
  return error instanceof MlflowError && error.retryable && !(error instanceof AbortError);
}

function withLastError(reason: string, lastError: unknown): string {
  return lastError === undefined ? reason : `${reason}; last error: ${messageOf(lastError)}`;
}

/** The entries of one key of one kind in a request: the unit the server refuses. */
interface KeyGroup {
  kind: "metric" | "param" | "tag";
  key: string;
  list: (MetricInput | PendingKeyValue)[];
  /** For metrics, the sequence number of each point of `list` (a request's metrics are a contiguous range). */
  seqs: number[];
}

/** A range `[from, to)` of metric sequence numbers. */
type SeqRange = [from: number, to: number];

/** A key the server refused, with the answer to the request that carried only it. */
interface RefusedGroup {
  entries: KeyGroup;
  outcome: Outcome;
}

/** 400 `INVALID_PARAMETER_VALUE` / `BAD_REQUEST`: the server refused what the request carries. */
function isRefusal(error: unknown): boolean {
  return error instanceof InvalidParameterError;
}

/** The request's entries grouped by kind and key: params, then tags, then metrics in logging order. Off the hot path. */
function keyGroupsOf(batch: Batch): KeyGroup[] {
  const groups = new Map<string, KeyGroup>();
  const add = (kind: KeyGroup["kind"], entry: MetricInput | PendingKeyValue, seq = 0): void => {
    const id = `${kind}\u0000${entry.key}`;
    let group = groups.get(id);
    if (group === undefined) {
      group = { kind, key: entry.key, list: [], seqs: [] };
      groups.set(id, group);
    }
    group.list.push(entry);
    if (kind === "metric") group.seqs.push(seq);
  };
  for (const param of batch.params) add("param", param);
  for (const tag of batch.tags) add("tag", tag);
  for (let index = 0; index < batch.metrics.length; index++) add("metric", batch.metrics[index]!, batch.firstMetric + index);
  return [...groups.values()];
}

/** The entities of some key groups, and the sequence ranges their metrics cover, merged. */
function entitiesOf(groups: KeyGroup[]): { entities: Entities; metricRanges: SeqRange[] } {
  const entities: Entities = { metrics: [], params: [], tags: [] };
  const seqs: number[] = [];
  for (const group of groups) {
    if (group.kind === "metric") {
      entities.metrics.push(...(group.list as MetricInput[]));
      seqs.push(...group.seqs);
    } else if (group.kind === "param") entities.params.push(...(group.list as PendingKeyValue[]));
    else entities.tags.push(...(group.list as PendingKeyValue[]));
  }
  seqs.sort((a, b) => a - b);
  const metricRanges: SeqRange[] = [];
  for (const seq of seqs) {
    const last = metricRanges.at(-1);
    if (last !== undefined && last[1] === seq) last[1]++;
    else metricRanges.push([seq, seq + 1]);
  }
  return { entities, metricRanges };
}
