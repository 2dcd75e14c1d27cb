/**
 * The retry policy in one place: which failures are transient, how long to wait before the next
 * attempt, and what `Retry-After` asks for. Same statuses and curve as the Python client.
 */

/** Statuses retried like the Python client: 408, 429, 500, 502, 503, 504. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

/**
 * Statuses that mean the server did not act on the request, so even a non-idempotent call may be
 * repeated: 429 (rate limited before processing) and 503 (unavailable).
 */
export const NOT_PROCESSED_STATUSES: ReadonlySet<number> = new Set([429, 503]);

/**
 * System error codes that mean the request never reached the server: safe to repeat any call.
 */
export const NOT_SENT_CODES: ReadonlySet<string> = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "EADDRNOTAVAIL"]);

/** Longest wait between two attempts, as urllib3's `BACKOFF_MAX`: 120 s. */
export const MAX_BACKOFF_MS = 120_000;

/**
 * Wait before retry number `retry` (1 for the first retry): min(120 s, factor × 2^(retry−1))
 * plus a random jitter in [0, jitter).
 *
 * @example
 * backoffMs(3, 2000, 0) // 8000
 * @internal
 */
export function backoffMs(retry: number, factorMs: number, jitterMs: number, random: () => number = Math.random): number {
  const base = Math.min(MAX_BACKOFF_MS, factorMs * 2 ** (retry - 1));
  return base + random() * jitterMs;
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
