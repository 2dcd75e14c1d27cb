/**
 * Errors of the logger: one batch that could not be delivered ({@link BatchDeliveryError}), and the
 * aggregate that `run.flush()` and `run.end()` reject with ({@link LogDeliveryError}).
 */
import { MlflowError } from "../core/errors.js";

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
 * {@link LogDeliveryError.failures}), or a `timeoutMs` expired while entries were still pending.
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

  constructor(init: { runId: string; failed: EntryCounts; pending: number; failures: BatchDeliveryError[]; keys?: string[]; timeoutMs?: number }) {
    const parts: string[] = [];
    const keys = (init.keys ?? [...new Set(init.failures.flatMap((failure) => failure.keys))]).slice(0, MAX_KEYS);
    const failedTotal = init.failed.metrics + init.failed.params + init.failed.tags;
    if (failedTotal > 0) parts.push(`${describeCounts(init.failed)} could not be delivered (keys: ${quoteKeys(keys)})`);
    if (init.pending > 0) parts.push(`${init.pending} entries were still pending after ${init.timeoutMs ?? 0} ms (delivery continues in the background)`);
    const first = init.failures[0];
    super(`Run ${init.runId}: ${parts.join("; ")}.${first ? ` First failure: ${first.message}` : ""}`, { cause: first });
    this.runId = init.runId;
    this.failed = init.failed;
    this.pending = init.pending;
    this.failures = init.failures;
    this.keys = keys;
  }
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
