/**
 * The retry curve of S3 requests, plugged into the AWS SDK's own retry middleware (which still
 * classifies errors, honours abort signals and re-sends the same request). The SDK's standard
 * strategy starts at ~100 ms and gives up after a few seconds of outage; this one waits like the
 * tracking transport (`MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR`, jitter), capped at 20 s per wait
 * (`s3Curve` in core/retry/backoff.ts, with the numbers of every other caller), so a part survives
 * an S3 server restart of about a minute with the default 7 retries (0 + 4 + 8 + 16 + 20 + 20 + 20 s).
 */
import type { RetryErrorInfo, RetryStrategyV2, RetryToken } from "@smithy/types";
import { type BackoffCurve, backoffMs, MAX_S3_BACKOFF_MS, s3Curve } from "../../core/retry/backoff.js";

/**
 * Retries transient, throttling and server errors of S3 requests `maxAttempts - 1` times, waiting
 * on the transport's curve (the first retry at once, then factor × 2^(n−1) plus jitter) capped at
 * 20 s, or `Retry-After` within the same cap.
 * Client errors (4xx such as AccessDenied) are not retried.
 *
 * @example
 * new S3Client({ retryStrategy: new S3RetryStrategy(8, 2_000, 1_000) });
 * @internal
 */
export class S3RetryStrategy implements RetryStrategyV2 {
  readonly mode = "standard";
  readonly #maxAttempts: number;
  readonly #curve: BackoffCurve;

  constructor(maxAttempts: number, factorMs: number, jitterMs: number) {
    this.#maxAttempts = maxAttempts;
    this.#curve = s3Curve(factorMs, jitterMs);
  }

  async acquireInitialRetryToken(): Promise<RetryToken> {
    return retryToken(0, 0);
  }

  async refreshRetryTokenForRetry(previous: RetryToken, info: RetryErrorInfo): Promise<RetryToken> {
    const retry = previous.getRetryCount() + 1;
    if (info.errorType === "CLIENT_ERROR" || retry >= this.#maxAttempts) throw new Error("No retry token available");
    const curve = backoffMs(retry, this.#curve);
    const hinted = info.retryAfterHint ? Math.min(MAX_S3_BACKOFF_MS, info.retryAfterHint.getTime() - Date.now()) : 0;
    return retryToken(retry, Math.max(curve, hinted));
  }

  recordSuccess(): void {}
}

function retryToken(count: number, delayMs: number): RetryToken {
  return { getRetryCount: () => count, getRetryDelay: () => delayMs };
}
