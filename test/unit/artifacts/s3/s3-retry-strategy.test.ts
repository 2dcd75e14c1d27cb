import type { RetryErrorInfo } from "@smithy/types";
import { describe, expect, it } from "vitest";
import { S3RetryStrategy } from "../../../../src/artifacts/s3/s3-retry-strategy.js";
import { MAX_S3_BACKOFF_MS } from "../../../../src/core/retry/backoff.js";

const transient: RetryErrorInfo = { errorType: "TRANSIENT" };

async function delays(strategy: S3RetryStrategy, info: RetryErrorInfo = transient): Promise<number[]> {
  const out: number[] = [];
  let token = await strategy.acquireInitialRetryToken();
  for (;;) {
    try {
      token = await strategy.refreshRetryTokenForRetry(token, info);
    } catch {
      return out;
    }
    out.push(token.getRetryDelay());
  }
}

describe("S3RetryStrategy", () => {
  it("waits like the tracking transport, capped at 20 s, for maxAttempts - 1 retries", async () => {
    expect(await delays(new S3RetryStrategy(8, 2_000, 0))).toEqual([0, 4_000, 8_000, 16_000, 20_000, 20_000, 20_000]);
  });

  it("adds at most the jitter", async () => {
    for (const delay of (await delays(new S3RetryStrategy(4, 1_000, 500))).slice(1)) expect(delay % 1_000).toBeLessThan(500);
  });

  it.each(["TRANSIENT", "THROTTLING", "SERVER_ERROR"] as const)("retries %s errors", async (errorType) => {
    expect(await delays(new S3RetryStrategy(3, 0, 0), { errorType })).toHaveLength(2);
  });

  it("never retries client errors such as AccessDenied", async () => {
    expect(await delays(new S3RetryStrategy(8, 0, 0), { errorType: "CLIENT_ERROR" })).toEqual([]);
  });

  it("honours Retry-After within the cap", async () => {
    const strategy = new S3RetryStrategy(2, 10, 0);
    const token = await strategy.refreshRetryTokenForRetry(await strategy.acquireInitialRetryToken(), {
      errorType: "THROTTLING",
      retryAfterHint: new Date(Date.now() + 600_000),
    });
    expect(token.getRetryDelay()).toBe(MAX_S3_BACKOFF_MS);
  });
});
