/**
 * The failures of a run's delivery not reported yet: each one is announced at once (the `error`
 * event, or a process warning when nobody listens) and kept, bounded, until `flush()` or `end()`
 * reports them all in one `LogDeliveryError` with the counts and keys.
 */

import { type BatchDeliveryError, type EntryCounts, LogDeliveryError } from "../errors.js";
import type { TypedEmitter } from "../events.js";
import { addCounts, MAX_KEYS_IN_FAILURE } from "./batch.js";
import type { DeliveryCounters, RunEvents } from "./stats.js";

/** Failures kept in full for the report; the counts and keys cover all of them. */
const MAX_FAILURES_KEPT = 10;

/**
 * Failed entries of one run since the last report.
 *
 * @example
 * failures.record(new BatchDeliveryError({ … }));
 * failures.throwIfAny({ pending: 0 }); // throws LogDeliveryError
 * @internal
 */
export class FailureLedger {
  readonly #runId: string;
  readonly #events: TypedEmitter<RunEvents>;
  readonly #counters: DeliveryCounters;
  #unreported: BatchDeliveryError[] = [];
  #counts: EntryCounts = { metrics: 0, params: 0, tags: 0 };
  #keys = new Set<string>();

  constructor(runId: string, events: TypedEmitter<RunEvents>, counters: DeliveryCounters) {
    this.#runId = runId;
    this.#events = events;
    this.#counters = counters;
  }

  /** Counts a failure, keeps it for the next report and announces it. */
  record(failure: BatchDeliveryError): void {
    const { counts } = failure;
    this.#counters.failed += counts.metrics + counts.params + counts.tags;
    this.#counts = addCounts(this.#counts, counts);
    if (this.#unreported.length < MAX_FAILURES_KEPT) this.#unreported.push(failure);
    for (const key of failure.keys) if (this.#keys.size < MAX_KEYS_IN_FAILURE) this.#keys.add(key);
    if (!this.#events.emit("error", failure)) process.emitWarning(failure.message, { code: "MLFLOW_TS_LOG_DELIVERY" });
  }

  /**
   * Throws the failures not reported yet, and after a timeout the entries still `pending`.
   * `consume` marks them reported.
   * @throws {LogDeliveryError} when something failed, or `timeoutMs` is given (a wait that expired).
   */
  throwIfAny(report: { pending: number; timeoutMs?: number | undefined; consume?: boolean }): void {
    const failed = this.#counts;
    const hasFailures = failed.metrics + failed.params + failed.tags > 0;
    if (!hasFailures && report.timeoutMs === undefined) return;
    const failures = this.#unreported;
    const keys = [...this.#keys];
    if (report.consume ?? true) {
      this.#unreported = [];
      this.#counts = { metrics: 0, params: 0, tags: 0 };
      this.#keys = new Set();
    }
    const pending = report.timeoutMs === undefined ? 0 : report.pending;
    throw new LogDeliveryError({ runId: this.#runId, failed, pending, failures, keys, timeoutMs: report.timeoutMs });
  }
}
