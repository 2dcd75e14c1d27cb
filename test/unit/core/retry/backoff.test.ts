/**
 * The one backoff curve and the numbers each caller gives it (src/core/retry/backoff.ts). Jitter is
 * drawn from a fixed sequence, so every wait is exact.
 */
import { describe, expect, it } from "vitest";
import {
  backoffMs,
  deliveryCurve,
  MAX_BACKOFF_MS,
  MAX_S3_BACKOFF_MS,
  MULTIPART_CLEANUP_CURVE,
  recoveryCurve,
  registryCurve,
  s3Curve,
  transportCurve,
} from "../../../../src/core/retry/backoff.js";

const retries = (count: number): number[] => Array.from({ length: count }, (_, index) => index + 1);
const fixed = (value: number) => () => value;

describe("backoff curve", () => {
  it("follows urllib3 for the transport: first retry at once, then factor × 2^(n−1) plus jitter, capped at 120 s", () => {
    const curve = transportCurve(2000, 1000);
    expect(retries(7).map((n) => backoffMs(n, curve, fixed(0)))).toEqual([0, 4000, 8000, 16000, 32000, 64000, 120000]);
    expect(backoffMs(2, curve, fixed(0.5))).toBe(4500);
    expect(backoffMs(1, curve, fixed(0.99))).toBe(0);
    expect(backoffMs(12, curve, fixed(0.99))).toBe(MAX_BACKOFF_MS);
  });

  it("caps S3 requests at 20 s, jitter included", () => {
    expect(retries(7).map((n) => backoffMs(n, s3Curve(2000, 0)))).toEqual([0, 4000, 8000, 16000, 20000, 20000, 20000]);
    expect(backoffMs(3, s3Curve(1000, 500), fixed(0.5))).toBe(4250);
    expect(backoffMs(9, s3Curve(2000, 1000), fixed(0.99))).toBe(MAX_S3_BACKOFF_MS);
  });

  it("spreads the logger's delivery retries over the upper half of each wait, at the cap too", () => {
    const curve = deliveryCurve(250, 10_000);
    expect(retries(7).map((n) => backoffMs(n, curve, fixed(0)))).toEqual([125, 250, 500, 1000, 2000, 4000, 5000]);
    expect(backoffMs(1, curve, fixed(0.5))).toBe(187.5);
    expect(backoffMs(20, curve, fixed(0.5))).toBe(7500);
    expect(backoffMs(20, curve, fixed(0.999_999))).toBeCloseTo(10_000, 0);
  });

  it("spaces the lookups of an ambiguous create 0.5, 1, 2, 4, 8 s apart with the default factor", () => {
    expect(retries(5).map((n) => backoffMs(n, recoveryCurve(2000)))).toEqual([500, 1000, 2000, 4000, 8000]);
  });

  it("retries the multipart clean-up after 0.5 s, doubling up to 10 s", () => {
    expect(retries(7).map((n) => backoffMs(n, MULTIPART_CLEANUP_CURVE))).toEqual([500, 1000, 2000, 4000, 8000, 10000, 10000]);
  });

  it("polls the model registry from 250 ms up to 3 s", () => {
    expect(retries(6).map((n) => backoffMs(n, registryCurve(250, 3000)))).toEqual([250, 500, 1000, 2000, 3000, 3000]);
    expect(backoffMs(2, registryCurve(250, MAX_BACKOFF_MS, 50), fixed(0.5))).toBe(525);
  });

  it("draws jitter from Math.random when no source is given, within its bounds", () => {
    for (let draw = 0; draw < 100; draw++) {
      const wait = backoffMs(2, transportCurve(2000, 1000));
      expect(wait).toBeGreaterThanOrEqual(4000);
      expect(wait).toBeLessThan(5000);
    }
  });
});
