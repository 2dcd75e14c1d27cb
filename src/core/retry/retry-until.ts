/**
 * The one retry loop of mlflow-ts: attempts, waits on the backoff curve, gives up at a deadline,
 * after a number of retries, when the caller's signal aborts or when an attempt says stop. The
 * HTTP transport, the logger's delivery of a batch, the lookups of an ambiguous create, the S3
 * multipart clean-up, the model registry's retried creates and its wait for READY all run on it; what differs between
 * them is the attempt (what counts as transient) and the numbers (core/retry/backoff.ts).
 *
 * It never throws on its own: the result says how the loop ended, and each caller turns that into
 * its own error (a `TimeoutError` for the transport, a delivery failure for the logger). An error
 * an attempt throws is passed through unchanged.
 */
import { delay } from "../signals.js";
import { type BackoffCurve, backoffMs } from "./backoff.js";

/** What one attempt tells the loop. @internal */
export type AttemptResult<T, F> =
  /** Done: the loop returns `value`. */
  | { done: T }
  /** Failed for good: the loop ends with `failure`. */
  | { stop: F }
  /**
   * Failed, worth another attempt. `waitMs` replaces the curve's wait (a server's `Retry-After`);
   * `maxWaitMs` bounds it (what is left of a shorter deadline).
   */
  | { retry: F; waitMs?: number | undefined; maxWaitMs?: number | undefined };

/** Where the loop is, for an attempt. @internal */
export interface AttemptInfo {
  /** 1 for the first attempt. */
  attempt: number;
  /** No retry is left after this attempt (`maxRetries` reached): a `retry` ends the loop. */
  lastAttempt: boolean;
}

/** What the `onRetry` hook is told just before the loop waits for the next attempt. @internal */
export interface RetryEvent<F> {
  /** 1 for the first retry. */
  retry: number;
  failure: F;
  waitMs: number;
}

/** How {@link retryUntil} ended. `attempts` counts the attempts started. @internal */
export type RetryResult<T, F> =
  | { ok: true; value: T; attempts: number }
  /** `stopped`: an attempt said stop; `retries`: `maxRetries` were spent; `deadline`: the next wait would end at or past it. */
  | { ok: false; gaveUp: "stopped" | "retries" | "deadline"; failure: F; attempts: number }
  /** The signal aborted; `failure` is the last failure before the abort (none when it came first). */
  | { ok: false; gaveUp: "aborted"; failure: F | undefined; attempts: number };

/** What {@link retryUntil} runs. @internal */
export interface RetryUntilOptions<T, F> {
  /** One attempt. May throw: the error leaves the loop unchanged. */
  attempt: (info: AttemptInfo) => Promise<AttemptResult<T, F>>;
  /** The waits between attempts (see core/retry/backoff.ts for each caller's). */
  curve: BackoffCurve;
  /** When the loop gives up, ms since the epoch: no wait is started that would end at or past it. */
  deadlineAt: number;
  /** Retries after the first attempt. @defaultValue unbounded (the deadline bounds the loop) */
  maxRetries?: number | undefined;
  /** Ends the loop before the next attempt and during a wait. */
  signal?: AbortSignal | undefined;
  /** Called once per retry, just before the wait (a "retrying…" line, a counter). */
  onRetry?: ((event: RetryEvent<F>) => void) | undefined;
  /** Whether the waits keep the process alive. @defaultValue true */
  keepAlive?: boolean | undefined;
  /** Uniform in [0, 1), for the curve's jitter. @defaultValue Math.random */
  random?: (() => number) | undefined;
}

/**
 * Runs `options.attempt` until it is done, says stop, or the retries, the deadline or the signal
 * end the loop. A failure an attempt reports after the signal aborted is the abort's echo (a
 * request cut short) and is not reported; the result carries the failure before it.
 *
 * @returns How the loop ended; it never rejects unless an attempt throws.
 * @example
 * const result = await retryUntil({
 *   curve: transportCurve(2_000, 1_000),
 *   deadlineAt: Date.now() + 60_000,
 *   maxRetries: 7,
 *   attempt: async () => {
 *     const res = await fetch(url);
 *     return res.ok ? { done: res } : res.status >= 500 ? { retry: res.status } : { stop: res.status };
 *   },
 * });
 * if (!result.ok) throw new Error(`gave up (${result.gaveUp}) after ${result.attempts} attempts`);
 * @internal
 */
export async function retryUntil<T, F>(options: RetryUntilOptions<T, F>): Promise<RetryResult<T, F>> {
  const { signal, curve, deadlineAt } = options;
  const maxRetries = options.maxRetries ?? Number.POSITIVE_INFINITY;
  let last: F | undefined;
  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) return { ok: false, gaveUp: "aborted", failure: last, attempts: attempt - 1 };
    const result = await options.attempt({ attempt, lastAttempt: attempt > maxRetries });
    if ("done" in result) return { ok: true, value: result.done, attempts: attempt };
    if (signal?.aborted) return { ok: false, gaveUp: "aborted", failure: last, attempts: attempt };
    if ("stop" in result) return { ok: false, gaveUp: "stopped", failure: result.stop, attempts: attempt };
    last = result.retry;
    if (attempt > maxRetries) return { ok: false, gaveUp: "retries", failure: last, attempts: attempt };
    const waitMs = Math.min(result.maxWaitMs ?? Number.POSITIVE_INFINITY, result.waitMs ?? backoffMs(attempt, curve, options.random));
    if (Date.now() + waitMs >= deadlineAt) return { ok: false, gaveUp: "deadline", failure: last, attempts: attempt };
    options.onRetry?.({ retry: attempt, failure: last, waitMs });
    try {
      await delay(waitMs, signal, options.keepAlive ?? true);
    } catch {
      return { ok: false, gaveUp: "aborted", failure: last, attempts: attempt };
    }
  }
}
