/**
 * The failures of a run's delivery not reported yet: each one is announced at once (the `error`
 * event, or a process warning when nobody listens) and kept, bounded, until `flush()` or `end()`
 * reports them all in one `LogDeliveryError` with the counts and keys.
 *
 * With a journal, entries still failing when their delivery deadline passes (the server unreachable)
 * are not failures: they stay journaled and are pending, with the journal's folder. The first time,
 * one warning says so. The ledger counts the pending entries until this process re-delivers them
 * (or the server refuses them, then they fail): `flush()` resolves with that count (this process
 * sends them again), `end()` rejects with it (what is left goes to recovery once the process exits).
 */

import { type BatchDeliveryError, describeCounts, type EntryCounts, LogDeliveryError } from "../errors.js";
import type { TypedEmitter } from "../events.js";
import { addCounts, MAX_KEYS_IN_FAILURE } from "./batch.js";
import type { JournalFeed } from "./journal-feed.js";
import type { DeliveryCounters, RunEvents } from "./stats.js";

/** Failures kept in full for the report; the counts and keys cover all of them. */
const MAX_FAILURES_KEPT = 10;

/**
 * Failed entries of one run since the last report.
 *
 * @example
 * failures.record(new BatchDeliveryError({ … }));
 * failures.throwIfFailed({ pending: 0 }); // throws LogDeliveryError
 * @internal
 */
export class FailureLedger {
  readonly #runId: string;
  readonly #events: TypedEmitter<RunEvents>;
  readonly #counters: DeliveryCounters;
  #unreported: BatchDeliveryError[] = [];
  #counts: EntryCounts = { metrics: 0, params: 0, tags: 0 };
  #keys = new Set<string>();
  readonly #journal: JournalFeed | undefined;
  /** Entries kept in the journal and not settled since (re-delivered, or refused on re-delivery). */
  #kept = 0;
  #warnedKept = false;

  constructor(runId: string, events: TypedEmitter<RunEvents>, counters: DeliveryCounters, journal?: JournalFeed) {
    this.#runId = runId;
    this.#events = events;
    this.#counters = counters;
    this.#journal = journal;
  }

  /**
   * Entries the server did not take before their deadline, kept in the journal: counted as pending
   * (not failed) until {@link FailureLedger.settleKept}; the first time, one warning names what is
   * pending and where (once per run, not per flush).
   */
  keep(failure: BatchDeliveryError): void {
    const { counts } = failure;
    const entries = counts.metrics + counts.params + counts.tags;
    this.#counters.kept += entries;
    this.#kept += entries;
    if (this.#warnedKept) return;
    this.#warnedKept = true;
    process.emitWarning(
      `mlflow-ts: run ${this.#runId}: the tracking server did not take ${describeCounts(counts)} in time (${failure.message}). ` +
        `They are kept in the journal at ${this.#journal?.path ?? "(none)"}, with everything else not yet delivered, and this process sends them again once the server answers; ` +
        "what is still there when it exits is delivered by `npx mlflow-ts recover` or the next run's background recovery. Fix: check that the tracking server is reachable from here.",
      { code: "MLFLOW_TS_SERVER_UNREACHABLE" },
    );
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
   * A re-delivery of kept entries settled: delivered, or refused for good (then also recorded as a
   * failure). They are no longer pending.
   */
  settleKept(entries: number): void {
    this.#kept = Math.max(0, this.#kept - entries);
  }

  /** Entries kept in the journal that this process has not delivered since (pending). */
  get pending(): number {
    return this.#kept;
  }

  /**
   * For `flush()`: throws the failures not reported yet, and after a timeout the entries still
   * `pending`. Entries kept in the journal alone do not throw (this process sends them again); an
   * error that is thrown counts them too. `consume` marks the failures reported.
   * @throws {LogDeliveryError} when something failed since the last report, or `timeoutMs` is given
   *   (a wait that expired).
   */
  throwIfFailed(report: { pending: number; timeoutMs?: number | undefined; consume?: boolean }): void {
    this.#throw(report, false);
  }

  /**
   * For the run's end: as {@link FailureLedger.throwIfFailed}, and also when entries are still kept
   * in the journal (left to recovery once the process exits).
   * @throws {LogDeliveryError} when something failed since the last report or is still kept in the journal.
   */
  throwIfUndelivered(report: { pending: number }): void {
    this.#throw(report, true);
  }

  #throw(report: { pending: number; timeoutMs?: number | undefined; consume?: boolean }, keptThrows: boolean): void {
    const failed = this.#counts;
    const hasFailures = failed.metrics + failed.params + failed.tags > 0;
    const kept = this.#kept;
    if (!hasFailures && (kept === 0 || !keptThrows) && report.timeoutMs === undefined) return;
    const failures = this.#unreported;
    const keys = [...this.#keys];
    if (report.consume ?? true) {
      this.#unreported = [];
      this.#counts = { metrics: 0, params: 0, tags: 0 };
      this.#keys = new Set();
    }
    const pending = report.timeoutMs === undefined ? 0 : report.pending;
    const journal = kept > 0 ? { journaled: kept, journalPath: this.#journal?.path ?? "" } : {};
    throw new LogDeliveryError({ runId: this.#runId, failed, pending, failures, keys, timeoutMs: report.timeoutMs, ...journal });
  }
}
