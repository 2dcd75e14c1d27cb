/**
 * The retry policy in one place: which failures are transient, how long to wait before the next
 * attempt, and what `Retry-After` asks for. Same statuses and backoff curve as the Python client
 * (urllib3 `Retry` with `backoff_jitter`), plus MLflow's 400 for an exhausted database connection
 * pool, which the Python client does not retry.
 */

/**
 * How a call may be retried after a transient failure.
 * - `idempotent`: repeating it cannot change the result (reads, set-tag, log-batch: the server
 *   drops exact duplicate metric rows and identical params).
 * - `not-idempotent`: retried only when the request certainly did not reach the server
 *   (connection refused, 429, 503); otherwise the failure is reported as ambiguous.
 * - `recoverable`: like `not-idempotent`, but after an ambiguous failure the store first looks for
 *   the result of the lost attempt (see `store/rest-store.ts` and `core/retry/recovery.ts`), with backoff, and
 *   retries only when a lookup proves that nothing was created; after a timeout (the server may
 *   still be working on it) it never retries unless the lookups find the result.
 */
export type RetryPolicy = "idempotent" | "not-idempotent" | "recoverable";

/** Statuses retried like the Python client: 408, 429, 500, 502, 503, 504. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

/**
 * MLflow (3.17.2, `mlflow/store/db/utils.py`) turns every SQLAlchemy error that is not an
 * `OperationalError` into HTTP 400 `BAD_REQUEST` — among them the connection pool's timeout, which
 * a busy server answers after a request waited 30 s for a database connection ("QueuePool limit of
 * size 5 overflow 10 reached, connection timed out"). That is the server overloaded, not the
 * request wrong (many training processes on one server reach it: test/integration/load.test.ts).
 */
const POOL_EXHAUSTED = /QueuePool limit of size \d+ overflow -?\d+ reached, connection timed out/;

/**
 * Whether an error answer is worth another attempt: a status of {@link RETRYABLE_STATUSES}, or
 * MLflow's 400 for an exhausted database connection pool. Not repeated blindly for creates: a
 * 400 is not in {@link NOT_PROCESSED_STATUSES}.
 *
 * @example
 * isTransientAnswer(503, "") // true
 * isTransientAnswer(400, '{"error_code":"BAD_REQUEST","message":"QueuePool limit of size 5 overflow 10 reached, connection timed out, timeout 30.00"}') // true
 * isTransientAnswer(400, '{"error_code":"INVALID_PARAMETER_VALUE","message":"…"}') // false
 * @internal
 */
export function isTransientAnswer(status: number, body: string): boolean {
  return RETRYABLE_STATUSES.has(status) || (status === 400 && POOL_EXHAUSTED.test(body));
}

/**
 * Statuses that mean the server did not act on the request, so even a non-idempotent call may be
 * repeated: 429 (rate limited before processing) and 503 (unavailable).
 */
export const NOT_PROCESSED_STATUSES: ReadonlySet<number> = new Set([429, 503]);

/**
 * System error codes that mean the request never reached the server: safe to repeat any call.
 */
export const NOT_SENT_CODES: ReadonlySet<string> = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "EADDRNOTAVAIL"]);

/**
 * Statuses after which the server may still be working on the request: 504 (a gateway gave up
 * waiting for it). A per-attempt timeout of the client means the same. A create that failed so is
 * never sent again unless its result is found (see {@link recoveryLookupDelayMs}).
 */
export const STILL_PROCESSING_STATUSES: ReadonlySet<number> = new Set([504]);

/**
 * Lookups made to resolve an ambiguous create before giving up: 6, spread over about 8 × the
 * backoff factor (15.5 s with the default 2 s), within the call's deadline.
 */
export const MAX_RECOVERY_LOOKUPS = 6;

/**
 * System error codes that mean nothing answers at the address: connection refused, or a host name
 * that does not resolve. While a server has never answered a client, a call failing so retries only
 * for the unreachable deadline (`unreachableDeadlineMs`, default 10 s), not the whole curve.
 */
export const UNREACHABLE_CODES: ReadonlySet<string> = new Set(["ECONNREFUSED", "ENOTFOUND"]);

/** Environment variable of the unreachable deadline, in seconds (option `unreachableDeadlineMs`). */
export const UNREACHABLE_DEADLINE_ENV = "MLFLOW_TS_HTTP_UNREACHABLE_DEADLINE";

/** Environment variable that hides the line printed on stderr when a call starts retrying. */
export const QUIET_RETRIES_ENV = "MLFLOW_TS_QUIET_RETRIES";

/** Longest wait between two attempts, as urllib3's `BACKOFF_MAX`: 120 s. */
export const MAX_BACKOFF_MS = 120_000;

/**
 * Wait before retry number `retry` (1 for the first retry), as urllib3's `Retry.get_backoff_time`
 * computes it for the Python client: the first retry goes at once, retry n ≥ 2 waits
 * min(120 s, factor × 2^(n−1) + U(0, jitter)). With the defaults (factor 2 s, jitter 1 s):
 * 0, 4, 8, 16, 32, 64, 120 s (+ up to 1 s each), about 4 minutes for 7 retries.
 *
 * @example
 * backoffMs(1, 2000, 1000) // 0
 * backoffMs(3, 2000, 0) // 8000
 * @internal
 */
export function backoffMs(retry: number, factorMs: number, jitterMs: number, random: () => number = Math.random): number {
  if (retry <= 1) return 0;
  const base = factorMs * 2 ** (retry - 1) + random() * jitterMs;
  return Math.min(MAX_BACKOFF_MS, base);
}

/**
 * Parses `Retry-After` (delta seconds or an HTTP date) into milliseconds from `now`; `undefined`
 * when absent or malformed. Capped at {@link MAX_BACKOFF_MS}.
 * @internal
 */
export function retryAfterMs(header: string | undefined, now: number = Date.now()): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  const seconds = /^\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) * 1000 : Date.parse(trimmed) - now;
  if (!Number.isFinite(seconds)) return undefined;
  return Math.min(MAX_BACKOFF_MS, Math.max(0, seconds));
}

/**
 * Wait before lookup number `lookup` (1 for the first) of an ambiguous create's result: the first
 * at once, then factor/4 × 2^(n−2), capped at 120 s. With the default factor (2 s): 0, 0.5, 1, 2,
 * 4, 8 s, so a server that commits the create up to about 15 s after the client gave up on it is
 * still seen.
 *
 * @example
 * recoveryLookupDelayMs(1, 2000) // 0
 * recoveryLookupDelayMs(3, 2000) // 1000
 * @internal
 */
export function recoveryLookupDelayMs(lookup: number, factorMs: number): number {
  if (lookup <= 1) return 0;
  return Math.min(MAX_BACKOFF_MS, (factorMs / 4) * 2 ** (lookup - 2));
}
