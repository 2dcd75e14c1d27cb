/**
 * Ending a run is bounded and honest (issue #14, item 6), on the mocked server with fake timers:
 * one deadline covers the whole `end()` — the flush of everything buffered and the final
 * `runs/update` with its retries — whatever is buffered; a failed status update rejects with a
 * `RunEndError` that keeps the counts of what was not delivered and has the update's error as
 * `cause`; and a run the exit hooks are ending ignores the program's later logging calls instead of
 * throwing (a Ctrl-C must not turn the training loop's next `logMetric` into a crash).
 *
 * These runs have no journal (`journal: false`: memory-only delivery, also what a degraded journal
 * falls back to), so what is not delivered counts as failed; with the journal it is kept and reported
 * as pending (test/unit/logging/journal.test.ts, real timers: the journal's writes are real I/O).
 */
import { HttpResponse } from "msw";
import { afterEach, describe, expect, it, onTestFinished, vi } from "vitest";
import { ConnectionError, LogDeliveryError, MlflowApiError, RunEndError, TimeoutError } from "../../../src/index.js";
import { API, type RecordedRequest, record, socketError, useMockServer } from "../helpers/mock-server.js";
import { advance, type Outcome, observe } from "../helpers/timers.js";
import { openTestRun, recordUpdates } from "./helpers.js";

const server = useMockServer();

/** The client's real retry curve (2 s backoff factor, no jitter): what made end() take 281 s. */
const REAL_BACKOFF = { backoffFactorMs: 2_000, backoffJitterMs: 0 };

function useLoggerClock(): void {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
}

/** Every logger retry waits its full delay. */
function noJitter(): void {
  const spy = vi.spyOn(Math, "random").mockReturnValue(1);
  onTestFinished(() => spy.mockRestore());
}

/** Records when (fake clock) each request of `path` arrived, answering `reply`. */
function timed(path: string, reply: () => Response | Promise<Response>): { at: number[]; requests: RecordedRequest[] } {
  const at: number[] = [];
  const requests = record(server, "post", `${API}/${path}`, () => {
    at.push(Date.now());
    return reply();
  });
  return { at, requests };
}

/** Advances fake time second by second until `outcome` settles, at most `maxSeconds`. */
async function settleWithin(outcome: Outcome<unknown>, maxSeconds: number): Promise<void> {
  for (let second = 0; second < maxSeconds && !outcome.settled; second++) await advance(1_000);
}

afterEach(() => {
  vi.useRealTimers();
});

describe("one deadline for the whole end()", () => {
  it("gives up at deliveryTimeoutMs without timeoutMs, the status update's retries included, while the server is down", async () => {
    useLoggerClock();
    noJitter();
    const batches = timed("runs/log-batch", () => new HttpResponse("maintenance", { status: 503 }));
    const updates = timed("runs/update", () => new HttpResponse("maintenance", { status: 503 }));
    const { run } = await openTestRun(server, { journal: false, deliveryTimeoutMs: 20_000 }, REAL_BACKOFF);
    run.on("error", () => undefined);
    for (let step = 0; step < 3000; step++) run.logMetric("loss", 1, { step });
    const calledAt = Date.now();
    const ended = observe(run.end());
    await settleWithin(ended, 21);
    expect(ended.settled).toBe(true);
    expect(Date.now() - calledAt).toBeLessThanOrEqual(21_000);
    const error = ended.error as RunEndError;
    expect(error).toBeInstanceOf(RunEndError);
    expect(error.failed).toEqual({ metrics: 3000, params: 0, tags: 0 });
    // The update's retries stopped at the deadline; its last answer was the 503.
    expect(error.cause).toBeInstanceOf(TimeoutError);
    expect((error.cause as TimeoutError).cause).toBeInstanceOf(MlflowApiError);
    expect(error.message).toContain("it stays RUNNING on the server. 3000 metrics could not be delivered (keys: loss)");
    // Every request, updates included, started before the one deadline, and none after it.
    expect(updates.at.length).toBeGreaterThan(0);
    expect(Math.max(...batches.at, ...updates.at)).toBeLessThan(calledAt + 20_000);
    const requests = batches.at.length + updates.at.length;
    for (let second = 0; second < 300; second++) await advance(1_000);
    expect(batches.at.length + updates.at.length).toBe(requests);
  });

  it("gives up at the one deadline however much is buffered, not at one deadline per request", async () => {
    useLoggerClock();
    noJitter();
    const batches = timed("runs/log-batch", () => new HttpResponse("maintenance", { status: 503 }));
    const updates = recordUpdates(server);
    // One request at a time, five requests of 1000: each with its own 20 s deadline took 100 s.
    const { run } = await openTestRun(server, { journal: false, deliveryTimeoutMs: 20_000, maxInFlight: 1 }, REAL_BACKOFF);
    run.on("error", () => undefined);
    for (let step = 0; step < 5000; step++) run.logMetric("loss", 1, { step });
    const calledAt = Date.now();
    const ended = observe(run.end({ status: "KILLED" }));
    await settleWithin(ended, 21);
    expect(ended.settled).toBe(true);
    expect(Date.now() - calledAt).toBeLessThanOrEqual(21_000);
    expect(ended.error).toBeInstanceOf(LogDeliveryError);
    expect(ended.error).not.toBeInstanceOf(RunEndError);
    expect((ended.error as LogDeliveryError).failed).toEqual({ metrics: 5000, params: 0, tags: 0 });
    expect(updates.map((u) => (u.body as { status: string }).status)).toEqual(["KILLED"]);
    expect(Math.max(...batches.at)).toBeLessThan(calledAt + 15_000);
    expect(run.stats()).toMatchObject({ sent: 0, failed: 5000, queued: 0, inFlight: 0 });
  });

  it("bounds end({ timeoutMs }) by timeoutMs alone: the status update gets what delivery left, no fresh minimum", async () => {
    useLoggerClock();
    const batches = timed("runs/log-batch", () => new Promise<Response>(() => undefined));
    const updates = timed("runs/update", () => new Promise<Response>(() => undefined));
    const { run } = await openTestRun(server, { journal: false }, REAL_BACKOFF);
    run.on("error", () => undefined);
    run.logMetric("loss", 1);
    const calledAt = Date.now();
    const ended = observe(run.end({ timeoutMs: 2_000 }));
    await advance(1_999);
    expect(ended.settled).toBe(false);
    await advance(1);
    expect(ended.settled).toBe(true);
    expect(batches.at).toEqual([calledAt]);
    expect(updates.at).toEqual([calledAt + 1_500]);
    const error = ended.error as RunEndError;
    expect(error).toBeInstanceOf(RunEndError);
    expect(error.cause).toBeInstanceOf(TimeoutError);
    expect(error.message).toContain("may stay RUNNING on the server");
  });

  it("sends no status update when timeoutMs is 0, and says the run stays RUNNING", async () => {
    record(server, "post", `${API}/runs/log-batch`, () => new Promise<Response>(() => undefined));
    const updates = recordUpdates(server);
    const { run } = await openTestRun(server, { journal: false });
    run.on("error", () => undefined);
    run.logMetric("loss", 1);
    const error = (await run.end({ timeoutMs: 0 }).catch((e: unknown) => e)) as RunEndError;
    expect(error).toBeInstanceOf(RunEndError);
    expect(error.failed).toEqual({ metrics: 1, params: 0, tags: 0 });
    expect(error.cause).toBeUndefined();
    expect(error.message).toMatch(/no time was left to send it within the end's 0 ms deadline; it stays RUNNING on the server/);
    expect(updates).toHaveLength(0);
  });
});

describe("a failed status update", () => {
  it("rejects with a RunEndError that counts what was not delivered, with the update's ConnectionError as cause", async () => {
    record(server, "post", `${API}/runs/log-batch`, () => new HttpResponse("maintenance", { status: 503 }));
    record(server, "post", `${API}/runs/update`, () => {
      throw socketError("ECONNREFUSED");
    });
    const { run } = await openTestRun(server, { journal: false, retryInitialDelayMs: 1, retryMaxDelayMs: 1 }, { maxRetries: 1 });
    run.on("error", () => undefined);
    for (let step = 0; step < 10; step++) run.logMetric("loss", 1, { step });
    run.logParam("lr", 0.1);
    const error = (await run.end({ status: "KILLED", timeoutMs: 400 }).catch((e: unknown) => e)) as RunEndError;
    expect(error).toBeInstanceOf(RunEndError);
    expect(error).toBeInstanceOf(LogDeliveryError);
    expect(error).toMatchObject({ runId: run.runId, status: "KILLED", failed: { metrics: 10, params: 1, tags: 0 }, pending: 0 });
    expect(error.keys).toEqual(["loss", "lr"]);
    expect(error.failures[0]!.counts).toEqual({ metrics: 10, params: 1, tags: 0 });
    expect(error.cause).toBeInstanceOf(ConnectionError);
    expect(error.message).toMatch(new RegExp(`^Run ${run.runId} was not ended KILLED — the status update failed: Connection to .* failed`));
    expect(error.message).toContain("it stays RUNNING on the server. 10 metrics, 1 param could not be delivered (keys: loss, lr)");
    expect(error.message).toMatch(
      /Fix: once the server is reachable, set the status with client\.runs\.update\(.*\), or give the end more time \(end\(\{ timeoutMs \}\), exitTimeoutMs\)\.$/,
    );
  });

  it("says every entry was delivered when only the update failed", async () => {
    const batches = record(server, "post", `${API}/runs/log-batch`);
    record(server, "post", `${API}/runs/update`, () => HttpResponse.json({ error_code: "INTERNAL_ERROR", message: "database is gone" }, { status: 500 }));
    const { run } = await openTestRun(server, { journal: false }, { maxRetries: 0 });
    run.logMetric("loss", 1);
    const error = (await run.end().catch((e: unknown) => e)) as RunEndError;
    expect(batches).toHaveLength(1);
    expect(error).toBeInstanceOf(RunEndError);
    expect(error.failed).toEqual({ metrics: 0, params: 0, tags: 0 });
    expect(error.failures).toEqual([]);
    expect(error.cause).toBeInstanceOf(MlflowApiError);
    expect(error.message).toContain("database is gone");
    expect(error.message).toContain("it stays RUNNING on the server. Every logged entry was delivered. Fix:");
  });
});

describe("a run the exit hooks are ending", () => {
  it("ignores and counts later logging calls instead of throwing, and its end() resolves while the hooks' end rejects", async () => {
    record(server, "post", `${API}/runs/log-batch`);
    record(server, "post", `${API}/runs/update`, () => HttpResponse.json({ error_code: "INTERNAL_ERROR", message: "down" }, { status: 500 }));
    const { run } = await openTestRun(server, { journal: false }, { maxRetries: 0 });
    run.logMetric("loss", 1, { step: 0 });
    const hookEnd = run.endOnExit("KILLED", 5_000).catch((e: unknown) => e);
    expect(() => run.logMetric("loss", 2, { step: 1 })).not.toThrow();
    expect(() => run.logMetrics({ a: 1, b: 2 })).not.toThrow();
    expect(() => run.logParam("lr", 0.1)).not.toThrow();
    expect(() => run.setTags({ phase: "x" })).not.toThrow();
    expect(await run.logImage(new Uint8Array(0), "x.png")).toEqual([]);
    expect(run.ignoredOnExit).toBe(6);
    await expect(run.end()).resolves.toBeUndefined();
    expect(await hookEnd).toBeInstanceOf(RunEndError);
    expect(run.stats()).toMatchObject({ logged: 1, sent: 1 });
  });

  it("resolves a flush the loop was awaiting when the hooks began ending the run, and leaves the counts to the hooks' end", async () => {
    record(server, "post", `${API}/runs/log-batch`, () => new HttpResponse("maintenance", { status: 503 }));
    record(server, "post", `${API}/runs/update`, () => HttpResponse.json({ error_code: "INTERNAL_ERROR", message: "down" }, { status: 500 }));
    const { run } = await openTestRun(server, { journal: false, retryInitialDelayMs: 1, retryMaxDelayMs: 1 }, { maxRetries: 0 });
    run.on("error", () => undefined);
    for (let step = 0; step < 10; step++) run.logMetric("loss", 1, { step });
    const flushed = run.flush();
    const hookEnd = run.endOnExit("KILLED", 400).catch((e: unknown) => e);
    // Nothing was journaled (journal: false): no pending count; the lost points are the hooks' to report.
    await expect(flushed).resolves.toEqual({ delivered: 0, pending: 0, journalPath: undefined });
    await expect(run.flush()).resolves.toEqual({ delivered: 0, pending: 0, journalPath: undefined });
    const error = (await hookEnd) as RunEndError;
    expect(error).toBeInstanceOf(RunEndError);
    expect(error.failed).toEqual({ metrics: 10, params: 0, tags: 0 });
  });

  it("still refuses logging after the program's own end()", async () => {
    record(server, "post", `${API}/runs/log-batch`);
    recordUpdates(server);
    const { run } = await openTestRun(server, { journal: false });
    await run.end();
    expect(() => run.logMetric("loss", 1)).toThrow(expect.objectContaining({ rule: "run-ended" }));
    expect(run.ignoredOnExit).toBe(0);
  });
});
