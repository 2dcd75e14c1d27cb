/**
 * The one backoff curve of mlflow-ts, and the numbers each caller gives it. Every wait between two
 * attempts — the HTTP transport, the logger's delivery of a batch, S3 requests, the clean-up of a
 * failed multipart upload, the lookups that resolve an ambiguous create, the model registry's
 * polls — is {@link backoffMs} of one of the curves below, so "how long does it wait" has one
 * answer, in this file.
 *
 * The curve: retries up to `immediateRetries` go at once; after that the wait starts at `firstMs`
 * and doubles with each retry up to `maxMs`, then random jitter is applied, and the result never
 * exceeds `maxMs`:
 *
 *     w = min(maxMs, firstMs × 2^(n − immediateRetries − 1))
 *     wait(n) = min(maxMs, w × (1 − spreadRatio × (1 − U)) + jitterMs × U),  U uniform in [0, 1)
 *
 * (one draw U: the larger U, the longer the wait, whichever jitter a curve uses).
 *
 * | caller                         | immediate | firstMs      | maxMs  | jitterMs | spreadRatio |
 * | ------------------------------ | --------- | ------------ | ------ | -------- | ----------- |
 * | transport ({@link transportCurve}, urllib3's) | 1 | 2 × factor (4 s) | 120 s | jitter (1 s) | 0 |
 * | S3 requests ({@link s3Curve})  | 1         | 2 × factor   | 20 s   | jitter   | 0           |
 * | batch delivery ({@link deliveryCurve}) | 0 | 250 ms       | 10 s   | 0        | 0.5         |
 * | ambiguous-create lookups ({@link recoveryCurve}) | 0 | factor / 4 (0.5 s) | 120 s | 0 | 0 |
 * | multipart clean-up ({@link MULTIPART_CLEANUP_CURVE}) | 0 | 500 ms | 10 s | 0     | 0           |
 * | registry polls ({@link registryCurve}) | 0  | 250 ms       | 3 s / 120 s | 0 / 50–100 ms | 0 |
 *
 * Additive jitter (`jitterMs`) is what the Python client does (urllib3's `backoff_jitter`), so the
 * transport keeps its numbers; proportional spread (`spreadRatio`) de-synchronises the logger's
 * retries at the cap, where many training processes wait for one restarting server.
 */

/**
 * The parameters of the backoff curve (see the file header for the formula and who uses what).
 * @internal
 */
export interface BackoffCurve {
  /** Retries that go at once, before the curve starts (urllib3's first retry does). */
  readonly immediateRetries: number;
  /** Wait of the first retry that waits, ms; each later retry doubles it. */
  readonly firstMs: number;
  /** Longest wait, ms, jitter included. */
  readonly maxMs: number;
  /** Up to this many ms are added at random to each wait. */
  readonly jitterMs: number;
  /** Up to this fraction of each wait is removed at random (0–1). */
  readonly spreadRatio: number;
}

/** Longest wait between two attempts of a tracking request, as urllib3's `BACKOFF_MAX`: 120 s. */
export const MAX_BACKOFF_MS = 120_000;

/** Longest wait between two attempts of one S3 request: 20 s (the AWS SDK's own cap). */
export const MAX_S3_BACKOFF_MS = 20_000;

/**
 * Wait before retry number `retry` (1 for the first retry), ms, on `curve`.
 *
 * @param random - Uniform in [0, 1); pass a seeded one in tests. @defaultValue Math.random
 * @example
 * const curve = transportCurve(2_000, 1_000);
 * backoffMs(1, curve) // 0: the first retry goes at once
 * backoffMs(3, curve, () => 0) // 8000
 * @internal
 */
export function backoffMs(retry: number, curve: BackoffCurve, random: () => number = Math.random): number {
  if (retry <= curve.immediateRetries) return 0;
  const nominal = Math.min(curve.maxMs, curve.firstMs * 2 ** (retry - curve.immediateRetries - 1));
  const draw = random();
  return Math.min(curve.maxMs, nominal * (1 - curve.spreadRatio * (1 - draw)) + curve.jitterMs * draw);
}

/**
 * The tracking transport's curve, urllib3's `Retry.get_backoff_time` as the Python client runs it:
 * the first retry at once, retry n ≥ 2 waits min(120 s, factor × 2^(n−1) + U(0, jitter)). With the
 * defaults (`MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR` 2 s, `…_JITTER` 1 s): 0, 4, 8, 16, 32, 64, 120 s
 * (+ up to 1 s each), about 4 minutes for 7 retries.
 *
 * @param factorMs - The backoff factor, ms.
 * @param jitterMs - The jitter, ms.
 * @example
 * backoffMs(2, transportCurve(2_000, 1_000), () => 0.5) // 4500
 * @internal
 */
export function transportCurve(factorMs: number, jitterMs: number): BackoffCurve {
  return { immediateRetries: 1, firstMs: 2 * factorMs, maxMs: MAX_BACKOFF_MS, jitterMs, spreadRatio: 0 };
}

/**
 * The curve of S3 requests: the transport's, capped at {@link MAX_S3_BACKOFF_MS}, so that a part
 * survives an S3 server restart of about a minute with the default 7 retries
 * (0 + 4 + 8 + 16 + 20 + 20 + 20 s).
 *
 * @example
 * backoffMs(5, s3Curve(2_000, 0)) // 20000
 * @internal
 */
export function s3Curve(factorMs: number, jitterMs: number): BackoffCurve {
  return { ...transportCurve(factorMs, jitterMs), maxMs: MAX_S3_BACKOFF_MS };
}

/**
 * The curve of the logger's delivery of a batch: `initialMs` (option `retryInitialDelayMs`,
 * 250 ms) doubling up to `maxMs` (`retryMaxDelayMs`, 10 s), each wait shortened by up to half at
 * random. The delivery deadline (`deliveryTimeoutMs`) bounds the whole.
 *
 * @example
 * backoffMs(1, deliveryCurve(250, 10_000), () => 0.5) // 187.5
 * @internal
 */
export function deliveryCurve(initialMs: number, maxMs: number): BackoffCurve {
  return { immediateRetries: 0, firstMs: initialMs, maxMs, jitterMs: 0, spreadRatio: 0.5 };
}

/**
 * The curve of the lookups that resolve an ambiguous create: factor/4 × 2^(n−1) before lookup
 * n + 1. With the default factor (2 s): 0.5, 1, 2, 4, 8 s after the first lookup, so a server that
 * commits the create up to about 15 s after the client gave up on it is still seen.
 *
 * @example
 * backoffMs(2, recoveryCurve(2_000)) // 1000
 * @internal
 */
export function recoveryCurve(factorMs: number): BackoffCurve {
  return { immediateRetries: 0, firstMs: factorMs / 4, maxMs: MAX_BACKOFF_MS, jitterMs: 0, spreadRatio: 0 };
}

/**
 * The curve of `AbortMultipartUpload` after a failed upload: 0.5, 1, 2, 4, 8, 10, 10… s, within
 * the clean-up deadline.
 * @internal
 */
export const MULTIPART_CLEANUP_CURVE: BackoffCurve = { immediateRetries: 0, firstMs: 500, maxMs: 10_000, jitterMs: 0, spreadRatio: 0 };

/**
 * The curve of the model registry's waits: `firstMs` doubling up to `maxMs`, plus up to `jitterMs`.
 * Status polls use (250 ms, 3 s, 0); retried creates that collided use (250 ms, 120 s, 50–100 ms).
 *
 * @example
 * backoffMs(3, registryCurve(250, 3_000)) // 1000
 * @internal
 */
export function registryCurve(firstMs: number, maxMs: number, jitterMs = 0): BackoffCurve {
  return { immediateRetries: 0, firstMs, maxMs, jitterMs, spreadRatio: 0 };
}
