/**
 * The retry policy in one place: which failures are transient, how long to wait before the next
 * attempt, and what `Retry-After` asks for. Same statuses and backoff curve as the Python client
 * (urllib3 `Retry` with `backoff_jitter`), plus MLflow's 400 for an exhausted database connection
 * pool, which the Python client does not retry. How long each caller waits between attempts is in
 * `backoff.ts` beside this file; the loop that waits is `retry-until.ts`.
 */
import { MlflowApiError } from "../errors.js";
import { MAX_BACKOFF_MS } from "./backoff.js";

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
 * MLflow's 400 for two writers racing on the same run's metric, param or tag rows: a request that
 * inserts rows another request is inserting at the same moment (a replay of what a killed process
 * had in flight while the server was still committing it, a retry beside its own slow first attempt,
 * two processes on one run). MLflow 3.17.2's `_log_metrics` catches the first primary-key
 * violation, looks up which rows exist and inserts the rest; when the concurrent request commits
 * those rows between the lookup and the insert, the second violation escapes as `BAD_REQUEST` with
 * the database's text (seen in CI: `logger-journal.test.ts`, a recovery racing the dead process's
 * last request). The request is right and idempotent: another attempt finds the rows committed and
 * inserts only what is missing (a param of another value then gets MLflow's own
 * `INVALID_PARAMETER_VALUE`, not this). The texts are PostgreSQL's, SQLite's, MySQL's and SQL
 * Server's (MySQL names the table: `metrics.PRIMARY`) for the primary keys of `metrics` (`metric_pk`), `latest_metrics` (`latest_metric_pk`),
 * `params` (`param_pk`) and `tags` (`tag_pk`).
 */
const CONCURRENT_DUPLICATE =
  /duplicate key value violates unique constraint \\?"(?:latest_metric|metric|param|tag)_pk\\?"|UNIQUE constraint failed: (?:latest_metrics|metrics|params|tags)\.|Duplicate entry .{0,2000}? for key '(?:latest_metrics|metrics|params|tags)\.PRIMARY'|Violation of PRIMARY KEY constraint '(?:latest_metric|metric|param|tag)_pk'/;

/**
 * MLflow's answers for a feature the server was started without, which no retry changes: the 500
 * `FEATURE_DISABLED` a server without `--enable-workspaces` gives a request naming a workspace, and
 * the plain-text 503 of its workspace API ("Endpoint: … disabled because the server is running
 * without workspaces support"). The Python client retries both; a retry only delays the error.
 */
const FEATURE_DISABLED = /^\s*\{[\s\S]*"error_code"\s*:\s*"FEATURE_DISABLED"/;
const ENDPOINT_DISABLED = /^Endpoint: \S+ disabled because the server is running without/;

/**
 * Whether an error answer is worth another attempt: a status of {@link RETRYABLE_STATUSES} (but not
 * a feature the server was started without), or MLflow's 400 for an exhausted database connection
 * pool or for two requests racing on the same metric, param or tag rows. Not repeated blindly for
 * creates: a 400 is not in {@link NOT_PROCESSED_STATUSES}.
 *
 * @example
 * isTransientAnswer(503, "") // true
 * isTransientAnswer(400, '{"error_code":"BAD_REQUEST","message":"QueuePool limit of size 5 overflow 10 reached, connection timed out, timeout 30.00"}') // true
 * isTransientAnswer(400, '{"error_code":"BAD_REQUEST","message":"(psycopg2.errors.UniqueViolation) duplicate key value violates unique constraint \\"metric_pk\\" …"}') // true
 * isTransientAnswer(400, '{"error_code":"INVALID_PARAMETER_VALUE","message":"…"}') // false
 * isTransientAnswer(500, '{"error_code":"FEATURE_DISABLED","message":"Workspace APIs are not available: …"}') // false
 * @internal
 */
export function isTransientAnswer(status: number, body: string): boolean {
  if (RETRYABLE_STATUSES.has(status)) return !FEATURE_DISABLED.test(body) && !ENDPOINT_DISABLED.test(body);
  return status === 400 && (POOL_EXHAUSTED.test(body) || CONCURRENT_DUPLICATE.test(body));
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
 * never sent again unless its result is found (see `recovery.ts`).
 */
export const STILL_PROCESSING_STATUSES: ReadonlySet<number> = new Set([504]);

/**
 * Lookups made to resolve an ambiguous create before giving up: 6, spread over about 8 × the
 * backoff factor (15.5 s with the default 2 s; `recoveryCurve` in backoff.ts), within the call's
 * deadline.
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
 * The wait a server asked for with `Retry-After` on a failed answer, ms; `undefined` for any other
 * failure (the backoff curve decides then).
 *
 * @example
 * retryAfterOf(new RateLimitError(…)) // 3000 when the answer had `Retry-After: 3`
 * @internal
 */
export function retryAfterOf(failure: unknown): number | undefined {
  return failure instanceof MlflowApiError ? failure.retryAfterMs : undefined;
}
