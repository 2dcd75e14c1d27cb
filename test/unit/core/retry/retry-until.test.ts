/**
 * The one retry loop (src/core/retry/retry-until.ts): how it ends (done, stop, retries, deadline,
 * abort), how long it waits, and what it reports. Fake timers and a jitter-free curve make every
 * wait exact; no test reads the wall clock.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { type BackoffCurve, MULTIPART_CLEANUP_CURVE } from "../../../../src/core/retry/backoff.js";
import { type AttemptInfo, type AttemptResult, type RetryEvent, retryUntil } from "../../../../src/core/retry/retry-until.js";
import { advance, observe, useRetryClock } from "../../helpers/timers.js";

/** 1 s, 2 s, 4 s… capped at 8 s, no jitter. */
const CURVE: BackoffCurve = { immediateRetries: 0, firstMs: 1000, maxMs: 8000, jitterMs: 0, spreadRatio: 0 };

/** An attempt that plays `script` (one result per attempt) and records when each attempt started. */
function scripted<T>(script: AttemptResult<T, string>[]) {
  const startedAt: number[] = [];
  const attempt = vi.fn(async (_info: AttemptInfo) => {
    startedAt.push(Date.now());
    return script[startedAt.length - 1] ?? { stop: "script ended" };
  });
  return { attempt, startedAt };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("retryUntil", () => {
  it("returns the value of the first attempt that is done, counting the attempts", async () => {
    useRetryClock();
    const { attempt, startedAt } = scripted<string>([{ retry: "503" }, { retry: "503" }, { done: "ok" }]);
    const result = observe(retryUntil({ attempt, curve: CURVE, deadlineAt: Date.now() + 60_000 }));
    await advance(1000);
    await advance(2000);
    expect(result.value).toEqual({ ok: true, value: "ok", attempts: 3 });
    const t0 = startedAt[0]!;
    expect(startedAt.map((t) => t - t0)).toEqual([0, 1000, 3000]);
  });

  it("does not start the next attempt before the curve's wait has passed", async () => {
    useRetryClock();
    const { attempt } = scripted<string>([{ retry: "503" }, { done: "ok" }]);
    const result = observe(retryUntil({ attempt, curve: CURVE, deadlineAt: Date.now() + 60_000 }));
    await advance(999);
    expect(attempt).toHaveBeenCalledTimes(1);
    expect(result.settled).toBe(false);
    await advance(1);
    expect(result.value).toMatchObject({ ok: true, attempts: 2 });
  });

  it("ends at once with the failure when an attempt says stop", async () => {
    const { attempt } = scripted<string>([{ retry: "503" }, { stop: "403" }]);
    const result = await retryUntil({ attempt, curve: { ...CURVE, firstMs: 0 }, deadlineAt: Date.now() + 60_000 });
    expect(result).toEqual({ ok: false, gaveUp: "stopped", failure: "403", attempts: 2 });
  });

  it("makes maxRetries retries after the first attempt and tells the last attempt it is the last", async () => {
    const { attempt } = scripted<string>([{ retry: "a" }, { retry: "b" }, { retry: "c" }, { done: "never" }]);
    const result = await retryUntil({ attempt, curve: { ...CURVE, firstMs: 0 }, deadlineAt: Date.now() + 60_000, maxRetries: 2 });
    expect(result).toEqual({ ok: false, gaveUp: "retries", failure: "c", attempts: 3 });
    expect(attempt.mock.calls.map((call) => call[0])).toEqual([
      { attempt: 1, lastAttempt: false },
      { attempt: 2, lastAttempt: false },
      { attempt: 3, lastAttempt: true },
    ]);
  });

  it("gives up without waiting when the next wait would end at or past the deadline", async () => {
    useRetryClock();
    const { attempt, startedAt } = scripted<string>([{ retry: "a" }, { retry: "b" }, { retry: "c" }, { done: "late" }]);
    // Waits 1 s then 2 s (attempts at 0, 1 s, 3 s); the next wait of 4 s would end at 7 s, the deadline.
    const result = observe(retryUntil({ attempt, curve: CURVE, deadlineAt: Date.now() + 7000 }));
    await advance(1000);
    await advance(2000);
    expect(result.value).toEqual({ ok: false, gaveUp: "deadline", failure: "c", attempts: 3 });
    expect(startedAt).toHaveLength(3);
  });

  it("uses the wait an attempt asks for (Retry-After) instead of the curve, and bounds it by maxWaitMs", async () => {
    useRetryClock();
    const { attempt, startedAt } = scripted<string>([{ retry: "429", waitMs: 5000 }, { retry: "refused", maxWaitMs: 300 }, { done: "ok" }]);
    const result = observe(retryUntil({ attempt, curve: CURVE, deadlineAt: Date.now() + 60_000 }));
    await advance(5000);
    await advance(300);
    expect(result.value).toMatchObject({ ok: true, attempts: 3 });
    const t0 = startedAt[0]!;
    expect(startedAt.map((t) => t - t0)).toEqual([0, 5000, 5300]);
  });

  it("calls onRetry once per retry, before the wait, and not when it gives up", async () => {
    useRetryClock();
    const events: RetryEvent<string>[] = [];
    const { attempt } = scripted<string>([{ retry: "a" }, { retry: "b" }, { retry: "c" }]);
    const result = observe(retryUntil({ attempt, curve: CURVE, deadlineAt: Date.now() + 60_000, maxRetries: 2, onRetry: (event) => events.push(event) }));
    await advance(0);
    expect(events).toEqual([{ retry: 1, failure: "a", waitMs: 1000 }]);
    await advance(1000);
    await advance(2000);
    expect(result.value).toMatchObject({ gaveUp: "retries", attempts: 3 });
    expect(events).toEqual([
      { retry: 1, failure: "a", waitMs: 1000 },
      { retry: 2, failure: "b", waitMs: 2000 },
    ]);
  });

  it("ends during a wait when the signal aborts, with the last failure", async () => {
    useRetryClock();
    const controller = new AbortController();
    const { attempt } = scripted<string>([{ retry: "503" }, { done: "never" }]);
    const result = observe(retryUntil({ attempt, curve: CURVE, deadlineAt: Date.now() + 60_000, signal: controller.signal }));
    await advance(500);
    controller.abort();
    await advance(0);
    expect(result.value).toEqual({ ok: false, gaveUp: "aborted", failure: "503", attempts: 1 });
    expect(attempt).toHaveBeenCalledTimes(1);
  });

  it("makes no attempt when the signal has already aborted", async () => {
    const { attempt } = scripted<string>([{ done: "never" }]);
    const result = await retryUntil({ attempt, curve: CURVE, deadlineAt: Date.now() + 60_000, signal: AbortSignal.abort() });
    expect(result).toEqual({ ok: false, gaveUp: "aborted", failure: undefined, attempts: 0 });
    expect(attempt).not.toHaveBeenCalled();
  });

  it("reports the failure before an abort, not the abort's echo from the attempt it cut short", async () => {
    const controller = new AbortController();
    let calls = 0;
    const attempt = async (): Promise<AttemptResult<string, string>> => {
      calls++;
      if (calls === 1) return { retry: "503" };
      controller.abort();
      return { stop: "aborted request" };
    };
    const result = await retryUntil({ attempt, curve: { ...CURVE, firstMs: 0 }, deadlineAt: Date.now() + 60_000, signal: controller.signal });
    expect(result).toEqual({ ok: false, gaveUp: "aborted", failure: "503", attempts: 2 });
  });

  it("passes an error thrown by an attempt through unchanged", async () => {
    const boom = new Error("boom");
    const attempt = async (): Promise<AttemptResult<string, string>> => {
      throw boom;
    };
    await expect(retryUntil({ attempt, curve: CURVE, deadlineAt: Date.now() + 60_000 })).rejects.toBe(boom);
  });

  it("draws the jitter from the given random source", async () => {
    useRetryClock();
    const curve: BackoffCurve = { ...MULTIPART_CLEANUP_CURVE, jitterMs: 100 };
    const { attempt, startedAt } = scripted<string>([{ retry: "a" }, { done: "ok" }]);
    const result = observe(retryUntil({ attempt, curve, deadlineAt: Date.now() + 60_000, random: () => 0.5 }));
    await advance(550);
    expect(result.value).toMatchObject({ ok: true, attempts: 2 });
    expect(startedAt[1]! - startedAt[0]!).toBe(550);
  });
});
