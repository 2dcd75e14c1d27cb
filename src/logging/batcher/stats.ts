/**
 * What a run's logger tells its user about delivery: the counters of `run.stats()` and the events
 * `error`, `backpressure` and `flush`. The parts of the batcher update the counters; nothing here
 * decides anything.
 */
import type { BatchDeliveryError, EntryCounts } from "../errors.js";

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
  /** Entries appended to the run's journal (docs/journal.md); 0 without a journal. */
  journaled: number;
  /** Journaled entries on disk: they survive a kill of the process. */
  durable: number;
  /** Journaled entries the server acknowledged (or that need no delivery: superseded tag writes, refusals reported). */
  acknowledged: number;
  /**
   * Journaled entries not acknowledged yet: buffered, in flight, or kept in the journal after their
   * delivery deadline (this process sends their metrics again once the server answers; what is left
   * at exit goes to `mlflow-ts recover` or the next run's background recovery).
   */
  pending: number;
  /**
   * Metric points that left memory for the journal only (memory at `maxBufferedEntries`, or the
   * server unreachable for `spillAfterMs`), since the run began; 0 without a journal.
   * See docs/journal.md "Bounded memory".
   */
  spilled: number;
  /**
   * Metric points read back from the journal into requests, since the run began: spilled points,
   * and points kept at their delivery deadline sent again (each time); 0 without a journal.
   */
  readBack: number;
}

/**
 * What `run.flush()` resolves with: everything logged before the call is settled and nothing failed
 * since the last report. Entries the server did not take within `deliveryTimeoutMs` (an outage
 * longer than the delivery deadline) are not failed: they are kept in the run's journal, this
 * process sends them again once the server answers, and `pending` counts them.
 */
export interface FlushResult {
  /** Entries of the run the server has acknowledged so far (`stats().sent`). */
  delivered: number;
  /**
   * Entries kept in the run's journal and not on the server yet, all the run's so far (the same
   * count as `LogDeliveryError.journaled`); 0 when everything logged before the call arrived.
   */
  pending: number;
  /** The journal folder that keeps them, when `pending` > 0. */
  journalPath: string | undefined;
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

/** The delivery counters the parts of the batcher update (the rest of {@link LoggerStats} is read from the buffers). @internal */
export interface DeliveryCounters {
  sent: number;
  failed: number;
  /** Entries given up on in memory but kept in the journal (reported as pending). */
  kept: number;
  requests: number;
  retried: number;
}
