/**
 * Errors of the logger: one batch that could not be delivered ({@link BatchDeliveryError}), the
 * aggregate that `run.flush()` and `run.end()` reject with ({@link LogDeliveryError}), and what
 * `run.end()` rejects with when the final status could not be set ({@link RunEndError}).
 */

import { messageOf } from "../core/error-text.js";
import { MlflowError, TimeoutError } from "../core/errors.js";
import type { RunStatus } from "../protocol/entities/tracking.js";

/** How many entries of each kind a batch or a failure covers. */
export interface EntryCounts {
  metrics: number;
  params: number;
  tags: number;
}

/** Keys quoted in a message before it is cut short. */
const KEYS_IN_MESSAGE = 8;
/** Distinct keys a {@link LogDeliveryError} lists. */
const MAX_KEYS = 100;

/**
 * One key whose entries the server refused (400 `INVALID_PARAMETER_VALUE`), isolated from the rest
 * of its request, which was delivered.
 */
export interface RefusedKey {
  /** What the key names. */
  kind: "metric" | "param" | "tag";
  key: string;
  /** Entries of that key in the request (metric points; 1 for a param or a tag). */
  count: number;
  /** The server's answer to the request that carried only this key. */
  error: MlflowError;
}

/**
 * Entries of one `log-batch` request the logger gave up on: the server refused them (permission,
 * validation), their delivery deadline passed while the server stayed unreachable, or the run
 * ended with a timeout before they went out. `cause` is the last error the server or the network
 * gave. When the server refused only some entries of a request, the rest was delivered and
 * {@link BatchDeliveryError.refused} names each refused key with the server's answer.
 *
 * @example
 * run.on("error", (e) => console.error(e.message, e.keys, e.refused.map((r) => r.error.message)));
 */
export class BatchDeliveryError extends MlflowError {
  /** The run the entries belong to. */
  readonly runId: string;
  /** Entries of each kind that were not delivered. */
  readonly counts: EntryCounts;
  /** The distinct metric, param and tag keys of those entries (at most 100). */
  readonly keys: string[];
  /** Requests made for them (0 when they never went out). */
  readonly attempts: number;
  /** The keys the server refused while the rest of their request was delivered; empty otherwise. */
  readonly refused: RefusedKey[];

  constructor(init: { runId: string; counts: EntryCounts; keys: string[]; attempts: number; reason: string; cause?: unknown; refused?: RefusedKey[] }) {
    super(
      `Could not deliver ${describeCounts(init.counts)} to run ${init.runId} (keys: ${quoteKeys(init.keys)}) ` +
        `after ${init.attempts} attempt${init.attempts === 1 ? "" : "s"}: ${init.reason}`,
      { cause: init.cause },
    );
    this.runId = init.runId;
    this.counts = init.counts;
    this.keys = init.keys;
    this.attempts = init.attempts;
    this.refused = init.refused ?? [];
  }
}

/**
 * `run.flush()` or `run.end()` could not confirm delivery: some entries failed for good (see
 * {@link LogDeliveryError.failures}), or a `timeoutMs` expired while entries were still pending —
 * or, for `end()` only, entries are still kept in the run's journal (`journaled`), left to recovery.
 * Nothing is dropped silently: the counts say exactly what did not arrive.
 *
 * @example
 * try { await run.flush() } catch (e) { if (e instanceof LogDeliveryError) console.error(e.failed, e.failures[0]?.cause) }
 */
export class LogDeliveryError extends MlflowError {
  readonly runId: string;
  /** Entries that failed for good since the last flush or end that reported failures. */
  readonly failed: EntryCounts;
  /** Entries still buffered or in flight when the error was raised (after a `timeoutMs`). */
  readonly pending: number;
  /** The first failures (at most 10), each with the server's error as `cause`. */
  readonly failures: BatchDeliveryError[];
  /** The distinct metric, param and tag keys of every failure since the last report (at most 100). */
  readonly keys: string[];
  /**
   * Entries not delivered in time but kept in the run's journal (not failed; `flush()` resolves with
   * the same count as `pending` when nothing failed): this process sends their metrics again while
   * it runs; what is left at exit is delivered by `npx mlflow-ts recover` or the next run's
   * background recovery. 0 without a journal.
   */
  readonly journaled: number;
  /** The journal folder holding them, when `journaled` > 0. */
  readonly journalPath: string | undefined;

  /**
   * @param init - the counts, failures and keys.
   * @param summary - for subclasses ({@link RunEndError}): their own message and cause instead of
   *   the delivery summary and the first failure.
   */
  constructor(init: LogDeliveryInit, summary?: { message: string; cause: unknown }) {
    const keys = keysOf(init);
    const first = init.failures[0];
    super(summary?.message ?? `Run ${init.runId}: ${deliverySummary(init, keys)}.${first ? ` First failure: ${first.message}` : ""}`, {
      cause: summary ? summary.cause : first,
    });
    this.runId = init.runId;
    this.failed = init.failed;
    this.pending = init.pending;
    this.failures = init.failures;
    this.keys = keys;
    this.journaled = init.journaled ?? 0;
    this.journalPath = init.journalPath;
  }
}

/** What a {@link LogDeliveryError} counts. */
export interface LogDeliveryInit {
  /** The run the entries belong to. */
  runId: string;
  /** Entries that failed for good, by kind. */
  failed: EntryCounts;
  /** Entries still buffered or in flight. */
  pending: number;
  /** The first failures (at most 10). */
  failures: BatchDeliveryError[];
  /** The distinct keys of every failure. @defaultValue the keys of `failures` */
  keys?: string[] | undefined;
  /** The `timeoutMs` that expired while entries were pending, ms. */
  timeoutMs?: number | undefined;
  /** Entries kept in the journal instead of delivered. @defaultValue 0 */
  journaled?: number | undefined;
  /** The journal folder holding them. */
  journalPath?: string | undefined;
}

/**
 * `run.end()` could not set the run's final status: the `runs/update` request failed (`cause` is
 * its `ConnectionError`, `TimeoutError` or `MlflowApiError`), or the end's deadline left no time to
 * send it. The run stays RUNNING on the server (unless an update that got no answer was applied
 * after all). As a {@link LogDeliveryError}, it also counts what was not delivered — `failed`,
 * `keys` and `failures` are zero and empty when every entry arrived.
 *
 * @example
 * try {
 *   await run.end({ timeoutMs: 20_000 });
 * } catch (e) {
 *   if (e instanceof RunEndError) console.error(`${e.runId} stays RUNNING; undelivered: ${JSON.stringify(e.failed)}`, e.cause);
 * }
 */
export class RunEndError extends LogDeliveryError {
  /** The status `end()` tried to set. */
  readonly status: RunStatus;

  /**
   * @param init - the delivery counts; `status` the end status, `updateError` the status update's
   *   error (none when no time was left to send it), `deadlineMs` the end's deadline.
   */
  constructor(init: LogDeliveryInit & { status: RunStatus; updateError?: unknown; deadlineMs: number }) {
    const keys = keysOf(init);
    const failedTotal = init.failed.metrics + init.failed.params + init.failed.tags;
    const why =
      init.updateError === undefined
        ? `no time was left to send it within the end's ${init.deadlineMs} ms deadline`
        : `the status update failed: ${messageOf(init.updateError)}`;
    const state = unanswered(init.updateError) ? "it may stay RUNNING on the server (the update got no answer in time)" : "it stays RUNNING on the server";
    const delivered = failedTotal > 0 || init.pending > 0 || (init.journaled ?? 0) > 0 ? deliverySummary(init, keys) : "every logged entry was delivered";
    super(init, {
      message:
        `Run ${init.runId} was not ended ${init.status} — ${why}; ${state}. ${capitalize(delivered)}. ` +
        `Fix: once the server is reachable, set the status with client.runs.update("${init.runId}", { status: "${init.status}" }), or give the end more time (end({ timeoutMs }), exitTimeoutMs).`,
      cause: init.updateError,
    });
    this.status = init.status;
  }
}

/** Whether a failed request may have been applied: its last attempt got no answer (a timeout). */
function unanswered(error: unknown): boolean {
  if (!(error instanceof TimeoutError)) return false;
  return error.kind === "request" || error.cause === undefined || unanswered(error.cause);
}

function keysOf(init: LogDeliveryInit): string[] {
  return (init.keys ?? [...new Set(init.failures.flatMap((failure) => failure.keys))]).slice(0, MAX_KEYS);
}

/** "3 metrics could not be delivered (keys: loss); 5 entries were still pending after 100 ms". */
function deliverySummary(init: LogDeliveryInit, keys: readonly string[]): string {
  const parts: string[] = [];
  const failedTotal = init.failed.metrics + init.failed.params + init.failed.tags;
  if (failedTotal > 0) parts.push(`${describeCounts(init.failed)} could not be delivered (keys: ${quoteKeys(keys)})`);
  if (init.pending > 0) parts.push(`${init.pending} entries were still pending after ${init.timeoutMs ?? 0} ms (delivery continues in the background)`);
  if ((init.journaled ?? 0) > 0)
    parts.push(
      `${init.journaled} entries are pending, kept in the journal at ${init.journalPath} (their metrics are sent again while this process runs and the server answers; what is left at exit is delivered by \`npx mlflow-ts recover\` or the next run's background recovery)`,
    );
  return parts.join("; ");
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * "3 metrics, 1 param" style text for messages.
 * @internal
 */
export function describeCounts(counts: EntryCounts): string {
  const parts = [plural(counts.metrics, "metric"), plural(counts.params, "param"), plural(counts.tags, "tag")].filter((part) => part !== "");
  return parts.length > 0 ? parts.join(", ") : "0 entries";
}

function plural(count: number, noun: string): string {
  if (count === 0) return "";
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

function quoteKeys(keys: readonly string[]): string {
  const shown = keys.slice(0, KEYS_IN_MESSAGE).join(", ");
  return keys.length > KEYS_IN_MESSAGE ? `${shown}, … ${keys.length - KEYS_IN_MESSAGE} more` : shown || "none";
}
