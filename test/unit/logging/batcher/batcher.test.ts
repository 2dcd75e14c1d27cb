/**
 * The batcher through the public Run API: chunking at every server limit, flush triggers, tag
 * ordering with several requests in flight, retries until the delivery deadline (fake timers,
 * counted requests), permanent failures, flush/end semantics, stats and backpressure.
 */
import { HttpResponse } from "msw";
import { afterEach, describe, expect, it, onTestFinished, vi } from "vitest";
import { MAX_BATCH_BYTES } from "../../../../src/advanced.js";
import { InvalidParameterError, PermissionDeniedError } from "../../../../src/index.js";
import { type BatchDeliveryError, LogDeliveryError } from "../../../../src/logging/errors.js";
import { API, mlflowError, record, socketError, useMockServer } from "../../helpers/mock-server.js";
import { advance, flushIO, type Outcome, observe } from "../../helpers/timers.js";
import { batchOf, gate, openTestRun, RUN_ID, recordUpdates } from "../helpers.js";

const server = useMockServer();

function useLoggerClock(): void {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
}

function expectResolved(outcome: Outcome<unknown>): void {
  expect(outcome.settled).toBe(true);
  expect(outcome.error).toBeUndefined();
}

/** Makes the backoff jitter deterministic: every retry waits the full delay. */
function noJitter(): void {
  const spy = vi.spyOn(Math, "random").mockReturnValue(1);
  onTestFinished(() => spy.mockRestore());
}

afterEach(() => {
  vi.useRealTimers();
});

describe("chunking", () => {
  it("sends 2500 metrics as requests of 1000, 1000 and 500, each point with the timestamp of its call", async () => {
    const batches = record(server, "post", `${API}/runs/log-batch`);
    const { run } = await openTestRun(server);
    const before = Date.now();
    for (let step = 0; step < 2500; step++) run.logMetric(`m${step % 7}`, step / 2, { step });
    const after = Date.now();
    await run.flush();
    expect(batches.map((b) => batchOf(b).metrics.length)).toEqual([1000, 1000, 500]);
    const all = batches.flatMap((b) => batchOf(b).metrics);
    expect(all.map((m) => m.step)).toEqual(Array.from({ length: 2500 }, (_, step) => step));
    expect(all[3]).toEqual({ key: "m3", value: 1.5, timestamp: expect.any(Number), step: 3 });
    expect(all.every((m) => m.timestamp >= before && m.timestamp <= after)).toBe(true);
    expect(batches.every((b) => batchOf(b).run_id === RUN_ID)).toBe(true);
  });

  it("splits 250 params and 250 tags into requests of at most 100 of each", async () => {
    const batches = record(server, "post", `${API}/runs/log-batch`);
    const { run } = await openTestRun(server);
    for (let i = 0; i < 250; i++) run.logParam(`p${i}`, i);
    for (let i = 0; i < 250; i++) run.setTag(`t${i}`, i);
    await run.flush();
    expect(batches.map((b) => [batchOf(b).params.length, batchOf(b).tags.length])).toEqual([
      [100, 100],
      [100, 100],
      [50, 50],
    ]);
    expect(batches.flatMap((b) => batchOf(b).params.map((p) => p.key))).toEqual(Array.from({ length: 250 }, (_, i) => `p${i}`));
  });

  it("keeps a request within 1000 entities when params and tags ride along with metrics", async () => {
    const batches = record(server, "post", `${API}/runs/log-batch`);
    const { run } = await openTestRun(server);
    for (let i = 0; i < 100; i++) run.logParam(`p${i}`, "v");
    for (let i = 0; i < 100; i++) run.setTag(`t${i}`, "v");
    for (let step = 0; step < 1000; step++) run.logMetric("loss", 1, { step });
    await run.flush();
    const sizes = batches.map((b) => ({ metrics: batchOf(b).metrics.length, params: batchOf(b).params.length, tags: batchOf(b).tags.length }));
    expect(sizes).toEqual([
      { metrics: 800, params: 100, tags: 100 },
      { metrics: 200, params: 0, tags: 0 },
    ]);
  });

  it("keeps every request under about 1 MB of JSON when values are long", async () => {
    const batches = record(server, "post", `${API}/runs/log-batch`);
    const { run } = await openTestRun(server);
    for (let i = 0; i < 100; i++) run.logParam(`p${i}`, "é".repeat(6000)); // 12 000 bytes of UTF-8 each
    for (let i = 0; i < 100; i++) run.setTag(`t${i}`, "€".repeat(8000)); // 24 000 bytes each
    await run.flush();
    expect(batches.length).toBeGreaterThan(3);
    expect(batches.flatMap((b) => batchOf(b).params)).toHaveLength(100);
    expect(batches.flatMap((b) => batchOf(b).tags)).toHaveLength(100);
    for (const b of batches) expect(Buffer.byteLength(JSON.stringify(b.body))).toBeLessThanOrEqual(MAX_BATCH_BYTES);
  });

  it("encodes NaN and ±Infinity as MLflow's strings", async () => {
    const batches = record(server, "post", `${API}/runs/log-batch`);
    const { run } = await openTestRun(server);
    run.logMetric("a", Number.NaN, { step: 1, timestamp: 5 });
    run.logMetric("a", Number.POSITIVE_INFINITY, { step: 2, timestamp: 5 });
    run.logMetric("a", Number.NEGATIVE_INFINITY, { step: 3, timestamp: 5 });
    await run.flush();
    expect(batchOf(batches[0]!).metrics.map((m) => m.value)).toEqual(["NaN", "Infinity", "-Infinity"]);
  });
});

describe("flush triggers", () => {
  it("sends a full chunk of 1000 metrics without waiting for flush() or the interval", async () => {
    const batches = record(server, "post", `${API}/runs/log-batch`);
    const { run } = await openTestRun(server);
    for (let step = 0; step < 1999; step++) run.logMetric("loss", 1, { step });
    await flushIO();
    expect(batches.map((b) => batchOf(b).metrics.length)).toEqual([1000]);
    expect(run.stats()).toMatchObject({ queued: 999, sent: 1000 });
  });

  it("sends what is buffered every flushIntervalMs", async () => {
    useLoggerClock();
    const batches = record(server, "post", `${API}/runs/log-batch`);
    const { run } = await openTestRun(server, { flushIntervalMs: 1000 });
    run.logMetric("loss", 1);
    run.setTag("phase", "warmup");
    run.logParam("lr", 0.1);
    await advance(999);
    expect(batches).toHaveLength(0);
    await advance(1);
    expect(batches).toHaveLength(1);
    expect(batchOf(batches[0]!)).toMatchObject({
      metrics: [{ key: "loss" }],
      params: [{ key: "lr", value: "0.1" }],
      tags: [{ key: "phase", value: "warmup" }],
    });
    await advance(5000);
    expect(batches).toHaveLength(1);
  });

  it("sends 100 buffered params at once", async () => {
    const batches = record(server, "post", `${API}/runs/log-batch`);
    const { run } = await openTestRun(server);
    for (let i = 0; i < 100; i++) run.logParam(`p${i}`, i);
    await flushIO();
    expect(batches.map((b) => batchOf(b).params.length)).toEqual([100]);
  });
});

describe("tag ordering", () => {
  it("never lets a later write of a tag overtake an earlier one in flight", async () => {
    const firstResponse = gate();
    const batches = record(server, "post", `${API}/runs/log-batch`, async (_req, n) => {
      if (n === 1) await firstResponse.wait();
      return {};
    });
    const { run } = await openTestRun(server, { maxInFlight: 3 });
    run.setTag("phase", "a");
    const firstFlush = observe(run.flush());
    await flushIO();
    expect(batches).toHaveLength(1); // phase=a, held by the server
    run.setTag("phase", "b");
    run.setTag("other", "x");
    for (let step = 0; step < 1000; step++) run.logMetric("loss", 1, { step });
    await flushIO();
    // More requests went out while the first is in flight (the metrics, "other"), none with phase=b.
    const whileHeld = batches.length;
    expect(whileHeld).toBeGreaterThanOrEqual(2);
    expect(batches.slice(1).flatMap((b) => batchOf(b).tags)).toEqual([{ key: "other", value: "x" }]);
    expect(batches.slice(1).flatMap((b) => batchOf(b).metrics)).toHaveLength(1000);
    const secondFlush = observe(run.flush());
    await flushIO();
    expect(batches).toHaveLength(whileHeld);
    expect(firstFlush.settled).toBe(false);
    firstResponse.open();
    await flushIO();
    expect(batches).toHaveLength(whileHeld + 1);
    expect(batchOf(batches[whileHeld]!).tags).toEqual([{ key: "phase", value: "b" }]);
    expectResolved(secondFlush);
  });

  it("coalesces buffered writes of a key: the last one wins and the others are counted", async () => {
    const batches = record(server, "post", `${API}/runs/log-batch`);
    const { run } = await openTestRun(server);
    run.setTag("phase", "a");
    run.setTag("phase", "b");
    run.setTags({ phase: "c", team: "vision" });
    await run.flush();
    expect(batches).toHaveLength(1);
    expect(batchOf(batches[0]!).tags).toEqual([
      { key: "phase", value: "c" },
      { key: "team", value: "vision" },
    ]);
    expect(run.stats()).toMatchObject({ logged: 4, sent: 2, coalesced: 2 });
  });
});

describe("transient failures", () => {
  it("retries 503, connection refused and 500 with backoff, resending identical bodies", async () => {
    useLoggerClock();
    noJitter();
    const batches = record(server, "post", `${API}/runs/log-batch`, (_req, n) => {
      if (n === 1) return new HttpResponse("busy", { status: 503 });
      if (n === 2) throw socketError("ECONNREFUSED");
      if (n === 3) return mlflowError(500, "INTERNAL_ERROR", "database is restarting");
      return {};
    });
    const { run } = await openTestRun(server);
    run.logMetric("loss", 0.5, { step: 1 });
    const flushed = observe(run.flush());
    await advance(0);
    expect(batches).toHaveLength(1);
    await advance(250); // 1st retry after 250 ms
    expect(batches).toHaveLength(2);
    await advance(500); // 2nd after 500 ms
    expect(batches).toHaveLength(3);
    await advance(999);
    expect(batches).toHaveLength(3);
    await advance(1); // 3rd after 1000 ms
    expect(batches).toHaveLength(4);
    expectResolved(flushed);
    expect(new Set(batches.map((b) => JSON.stringify(b.body))).size).toBe(1);
    expect(run.stats()).toMatchObject({ sent: 1, failed: 0, requests: 4, retried: 3, queued: 0, inFlight: 0 });
  });

  it("retries MLflow's 400 for an exhausted connection pool like a 503, instead of failing the entries", async () => {
    useLoggerClock();
    noJitter();
    const pool =
      "QueuePool limit of size 5 overflow 10 reached, connection timed out, timeout 30.00 (Background on this error at: https://sqlalche.me/e/21/3o7r)";
    const batches = record(server, "post", `${API}/runs/log-batch`, (_req, n) => (n === 1 ? mlflowError(400, "BAD_REQUEST", pool) : {}));
    const { run } = await openTestRun(server);
    run.logMetric("loss", 0.5, { step: 1 });
    run.logParam("lr", 0.1);
    const flushed = observe(run.flush());
    await advance(250);
    expect(batches).toHaveLength(2);
    expectResolved(flushed);
    expect(JSON.stringify(batches[1]!.body)).toBe(JSON.stringify(batches[0]!.body));
    expect(run.stats()).toMatchObject({ sent: 2, failed: 0, requests: 2, retried: 1 });
  });

  it("honours Retry-After from a 429", async () => {
    useLoggerClock();
    const batches = record(server, "post", `${API}/runs/log-batch`, (_req, n) =>
      n === 1 ? mlflowError(429, "REQUEST_LIMIT_EXCEEDED", "slow down", { "Retry-After": "7" }) : {},
    );
    const { run } = await openTestRun(server);
    run.logMetric("loss", 0.5);
    const flushed = observe(run.flush());
    await advance(6999);
    expect(batches).toHaveLength(1);
    await advance(1);
    expect(batches).toHaveLength(2);
    expect(flushed.settled).toBe(true);
  });

  it("without a journal, keeps retrying until the delivery deadline, then reports the entries as failed", async () => {
    useLoggerClock();
    noJitter();
    const batches = record(server, "post", `${API}/runs/log-batch`, () => new HttpResponse("maintenance", { status: 503 }));
    const { run } = await openTestRun(server, { journal: false, deliveryTimeoutMs: 60_000 });
    const errors: BatchDeliveryError[] = [];
    run.on("error", (error) => errors.push(error));
    run.logMetric("loss", 0.5);
    run.logMetric("acc", 0.9);
    const flushed = observe(run.flush());
    // Attempts at 0, 0.25, 0.75, 1.75, 3.75, 7.75, 15.75, 25.75, 35.75, 45.75 and 55.75 s; the next
    // would be at 65.75 s, past the 60 s deadline.
    for (let second = 0; second < 55; second++) await advance(1000);
    expect(batches).toHaveLength(10);
    expect(flushed.settled).toBe(false);
    await advance(1000);
    expect(batches).toHaveLength(11);
    expect(flushed.settled).toBe(true);
    expect(flushed.error).toBeInstanceOf(LogDeliveryError);
    const error = flushed.error as LogDeliveryError;
    expect(error.failed).toEqual({ metrics: 2, params: 0, tags: 0 });
    expect(error.message).toContain("delivery deadline");
    expect(errors).toHaveLength(1);
    expect(errors[0]!.keys).toEqual(["loss", "acc"]);
    expect(errors[0]!.attempts).toBe(11);
    expect(run.stats()).toMatchObject({ sent: 0, failed: 2, requests: 11, retried: 10, queued: 0, inFlight: 0, dropped: 0 });
    for (let second = 0; second < 60; second++) await advance(1000);
    expect(batches).toHaveLength(11);
  });
});

describe("permanent failures", () => {
  it("reports a permission error with the server's message and the keys, without retrying", async () => {
    const batches = record(server, "post", `${API}/runs/log-batch`, () => mlflowError(403, "PERMISSION_DENIED", "Permission denied for user reader"));
    const { run } = await openTestRun(server);
    const errors: BatchDeliveryError[] = [];
    run.on("error", (error) => errors.push(error));
    run.logMetric("loss", 1);
    run.setTag("phase", "a");
    const error = await run.flush().catch((e: unknown) => e);
    expect(batches).toHaveLength(1);
    expect(error).toBeInstanceOf(LogDeliveryError);
    const delivery = error as LogDeliveryError;
    expect(delivery.failed).toEqual({ metrics: 1, params: 0, tags: 1 });
    expect(delivery.failures[0]!.cause).toBeInstanceOf(PermissionDeniedError);
    expect(delivery.message).toContain("Permission denied for user reader");
    expect(errors.map((e) => e.keys)).toEqual([["loss", "phase"]]);
    // Reported once: the next flush has nothing new to report (lost entries are not pending).
    await expect(run.flush()).resolves.toEqual({ delivered: 0, pending: 0, journalPath: undefined });
  });

  it("isolates a param the server refuses, so the metrics of the same request still arrive", async () => {
    const batches = record(server, "post", `${API}/runs/log-batch`, (req) =>
      (req.body as { params: unknown[] }).params.length > 0 ? mlflowError(400, "INVALID_PARAMETER_VALUE", "Changing param values is not allowed") : {},
    );
    const { run } = await openTestRun(server);
    run.on("error", () => undefined);
    run.logParam("lr", 0.2);
    for (let step = 0; step < 10; step++) run.logMetric("loss", 1, { step });
    const error = (await run.flush().catch((e: unknown) => e)) as LogDeliveryError;
    // The batch, an empty probe (accepted: the run takes requests), then one half per key.
    expect(batches.map((b) => [batchOf(b).metrics.length, batchOf(b).params.length])).toEqual([
      [10, 1],
      [0, 0],
      [0, 1],
      [10, 0],
    ]);
    expect(error.failed).toEqual({ metrics: 0, params: 1, tags: 0 });
    expect(error.failures[0]!.cause).toBeInstanceOf(InvalidParameterError);
    expect(error.failures[0]!.keys).toEqual(["lr"]);
    expect(run.stats()).toMatchObject({ sent: 10, failed: 1 });
  });
});

describe("refused entries", () => {
  /** A server with a rule the client does not know: any request carrying one of `refusedKeys` is refused as a whole. */
  function refusingServer(refusedKeys: ReadonlySet<string>) {
    const delivered: { key: string; step: number }[] = [];
    const batches = record(server, "post", `${API}/runs/log-batch`, (req) => {
      const body = batchOf(req);
      const bad = [...body.metrics, ...body.params, ...body.tags].find((entry) => refusedKeys.has(entry.key));
      if (bad) return mlflowError(400, "INVALID_PARAMETER_VALUE", `Invalid value "${bad.key}" for parameter 'key' supplied: reserved by this server`);
      for (const metric of body.metrics) delivered.push({ key: metric.key, step: metric.step });
      return {};
    });
    return { batches, delivered };
  }

  it("delivers 999 of 1000 metrics when the server refuses one key, and names that key", async () => {
    const { batches, delivered } = refusingServer(new Set(["reserved/key"]));
    const { run } = await openTestRun(server);
    const errors: BatchDeliveryError[] = [];
    run.on("error", (error) => errors.push(error));
    for (let i = 0; i < 1000; i++) run.logMetric(i === 617 ? "reserved/key" : `m${String(i).padStart(3, "0")}`, i, { step: i });
    const error = (await run.flush().catch((e: unknown) => e)) as LogDeliveryError;

    expect(error).toBeInstanceOf(LogDeliveryError);
    expect(error.failed).toEqual({ metrics: 1, params: 0, tags: 0 });
    expect(error.keys).toEqual(["reserved/key"]);
    expect(error.message).toContain("reserved/key");
    expect(error.message).toContain("reserved by this server");
    expect(delivered).toHaveLength(999);
    expect(new Set(delivered.map((point) => point.key)).size).toBe(999);
    expect(delivered.some((point) => point.key === "reserved/key")).toBe(false);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.counts).toEqual({ metrics: 1, params: 0, tags: 0 });
    expect(errors[0]!.refused).toEqual([{ kind: "metric", key: "reserved/key", count: 1, error: expect.any(InvalidParameterError) }]);
    // The batch, the probe, then two halves per level over 1000 keys: at most 2 + 2·⌈log2 1000⌉.
    expect(batches.length).toBeLessThanOrEqual(22);
    expect(errors[0]!.attempts).toBe(batches.length);
    expect(run.stats()).toMatchObject({ sent: 999, failed: 1, queued: 0, inFlight: 0, requests: batches.length });
  });

  it("refuses every point of a refused key together, delivering the other keys' points", async () => {
    const { delivered } = refusingServer(new Set(["bad"]));
    const { run } = await openTestRun(server);
    run.on("error", () => undefined);
    for (let step = 0; step < 250; step++) run.logMetrics({ loss: 1, bad: 2, acc: 3, f1: 4 }, { step });
    const error = (await run.flush().catch((e: unknown) => e)) as LogDeliveryError;
    expect(error.failed).toEqual({ metrics: 250, params: 0, tags: 0 });
    expect(error.failures[0]!.refused).toEqual([{ kind: "metric", key: "bad", count: 250, error: expect.any(InvalidParameterError) }]);
    expect(delivered).toHaveLength(750);
    expect(new Set(delivered.map((point) => point.key))).toEqual(new Set(["loss", "acc", "f1"]));
  });

  it("names every refused key of a batch: a metric, a param and a tag", async () => {
    const { delivered } = refusingServer(new Set(["m7", "p3", "t5"]));
    const { run } = await openTestRun(server);
    run.on("error", () => undefined);
    for (let i = 0; i < 10; i++) {
      run.logParam(`p${i}`, i);
      run.setTag(`t${i}`, String(i));
      run.logMetric(`m${i}`, i);
    }
    const error = (await run.flush().catch((e: unknown) => e)) as LogDeliveryError;
    expect(error.failed).toEqual({ metrics: 1, params: 1, tags: 1 });
    expect(error.keys.sort()).toEqual(["m7", "p3", "t5"]);
    expect(error.failures[0]!.refused.map((r) => `${r.kind}:${r.key}`).sort()).toEqual(["metric:m7", "param:p3", "tag:t5"]);
    expect(delivered.map((point) => point.key).sort()).toEqual(["m0", "m1", "m2", "m3", "m4", "m5", "m6", "m8", "m9"]);
    expect(run.stats()).toMatchObject({ sent: 27, failed: 3 });
  });

  it("does not split a request the server refuses whatever it carries (a deleted run)", async () => {
    const batches = record(server, "post", `${API}/runs/log-batch`, () =>
      mlflowError(400, "INVALID_PARAMETER_VALUE", "The run must be in the 'active' state. Current state is deleted."),
    );
    const { run } = await openTestRun(server);
    run.on("error", () => undefined);
    for (let i = 0; i < 100; i++) run.logMetric(`m${i}`, i);
    const error = (await run.flush().catch((e: unknown) => e)) as LogDeliveryError;
    expect(batches).toHaveLength(2); // the batch and the empty probe
    expect(batchOf(batches[1]!)).toMatchObject({ metrics: [], params: [], tags: [] });
    expect(error.failed).toEqual({ metrics: 100, params: 0, tags: 0 });
    expect(error.failures[0]!.refused).toEqual([]);
    expect(error.message).toContain("'active' state");
  });

  it("retries a transient failure while splitting, and still delivers that part", async () => {
    let failedOnce = false;
    const delivered: string[] = [];
    record(server, "post", `${API}/runs/log-batch`, (req) => {
      const body = batchOf(req);
      if (body.metrics.some((metric) => metric.key === "bad")) return mlflowError(400, "INVALID_PARAMETER_VALUE", "refused");
      if (body.metrics.length > 0 && !failedOnce) {
        failedOnce = true;
        return new HttpResponse("busy", { status: 503 });
      }
      delivered.push(...body.metrics.map((metric) => metric.key));
      return {};
    });
    const { run } = await openTestRun(server, { retryInitialDelayMs: 1, retryMaxDelayMs: 1 });
    run.on("error", () => undefined);
    run.logMetrics({ good: 1, bad: 2, other: 3 });
    const error = (await run.flush().catch((e: unknown) => e)) as LogDeliveryError;
    expect(failedOnce).toBe(true);
    expect(delivered.sort()).toEqual(["good", "other"]);
    expect(error.failed).toEqual({ metrics: 1, params: 0, tags: 0 });
    expect(run.stats()).toMatchObject({ sent: 2, failed: 1, retried: 1 });
  });

  it("keeps a tag's writes in order while its refused batch is split", async () => {
    const tagWrites: string[] = [];
    const held = gate();
    record(server, "post", `${API}/runs/log-batch`, async (req) => {
      const body = batchOf(req);
      if (body.metrics.some((metric) => metric.key === "bad")) {
        await held.wait();
        return mlflowError(400, "INVALID_PARAMETER_VALUE", "refused");
      }
      tagWrites.push(...body.tags.map((tag) => `${tag.key}=${tag.value}`));
      return {};
    });
    const { run } = await openTestRun(server);
    run.on("error", () => undefined);
    run.logMetric("bad", 1);
    run.setTag("phase", "a");
    const first = run.flush().catch((e: unknown) => e);
    await flushIO();
    run.setTag("phase", "b");
    const second = run.flush().catch((e: unknown) => e);
    await flushIO();
    held.open();
    await Promise.all([first, second]);
    expect(tagWrites).toEqual(["phase=a", "phase=b"]);
  });
});

describe("flush and end", () => {
  it("flush waits for what was logged before it, not for what is logged after", async () => {
    const held = gate();
    const batches = record(server, "post", `${API}/runs/log-batch`, async (_req, n) => {
      if (n === 2) await held.wait();
      return {};
    });
    const { run } = await openTestRun(server);
    run.logMetric("loss", 1, { step: 1 });
    const flushed = observe(run.flush());
    await flushIO();
    expect(flushed.settled).toBe(true);
    run.logMetric("loss", 1, { step: 2 });
    const second = observe(run.flush());
    await flushIO();
    run.logMetric("loss", 1, { step: 3 }); // logged after the second flush started
    await flushIO();
    expect(second.settled).toBe(false);
    held.open();
    await flushIO();
    expectResolved(second);
    expect(batches).toHaveLength(2);
    expect(run.stats().queued).toBe(1);
  });

  it("flush with timeoutMs rejects with the pending count while delivery goes on", async () => {
    useLoggerClock();
    const held = gate();
    const batches = record(server, "post", `${API}/runs/log-batch`, async () => {
      await held.wait();
      return {};
    });
    const { run } = await openTestRun(server);
    for (let step = 0; step < 5; step++) run.logMetric("loss", 1, { step });
    const flushed = observe(run.flush({ timeoutMs: 2000 }));
    await advance(2000);
    expect(flushed.error).toBeInstanceOf(LogDeliveryError);
    expect((flushed.error as LogDeliveryError).pending).toBe(5);
    expect((flushed.error as LogDeliveryError).failed).toEqual({ metrics: 0, params: 0, tags: 0 });
    held.open();
    await advance(0);
    expect(batches).toHaveLength(1);
    expect(run.stats()).toMatchObject({ sent: 5, failed: 0 });
  });

  it("end flushes, then sets FINISHED with the end time; a second end sends nothing more", async () => {
    const batches = record(server, "post", `${API}/runs/log-batch`);
    const updates = recordUpdates(server);
    const { run } = await openTestRun(server);
    run.logMetric("loss", 1);
    const before = Date.now();
    await run.end();
    await run.end({ status: "FAILED" });
    expect(batches).toHaveLength(1);
    expect(updates).toHaveLength(1);
    expect(updates[0]!.body).toMatchObject({ run_id: RUN_ID, status: "FINISHED" });
    expect((updates[0]!.body as { end_time: number }).end_time).toBeGreaterThanOrEqual(before);
    expect(run.info.status).toBe("FINISHED");
    expect(() => run.logMetric("loss", 2)).toThrow(expect.objectContaining({ rule: "run-ended", key: "loss" }));
  });

  it("without a journal, end with timeoutMs gives up on undelivered entries, counts them as failed and still sets the status", async () => {
    useLoggerClock();
    const batches = record(server, "post", `${API}/runs/log-batch`, () => new Promise<Response>(() => undefined));
    const updates = recordUpdates(server);
    const { run } = await openTestRun(server, { journal: false, maxInFlight: 1 });
    run.on("error", () => undefined);
    for (let step = 0; step < 1500; step++) run.logMetric("loss", 1, { step });
    run.logParam("lr", 0.1);
    const ended = observe(run.end({ status: "KILLED", timeoutMs: 4000 }));
    await advance(3000);
    expect(batches).toHaveLength(1);
    await advance(100);
    expect(ended.settled).toBe(true);
    expect(ended.error).toBeInstanceOf(LogDeliveryError);
    expect((ended.error as LogDeliveryError).failed).toEqual({ metrics: 1500, params: 1, tags: 0 });
    expect(updates.map((u) => (u.body as { status: string }).status)).toEqual(["KILLED"]);
    expect(run.stats()).toMatchObject({ failed: 1501, inFlight: 0, queued: 0, dropped: 0 });
  });

  it("ends through await using", async () => {
    record(server, "post", `${API}/runs/log-batch`);
    const updates = recordUpdates(server);
    {
      await using run = (await openTestRun(server)).run;
      run.logMetric("loss", 1);
    }
    expect(updates).toHaveLength(1);
  });
});

describe("stats and backpressure", () => {
  it("fires backpressure once at maxBufferedEntries and keeps accepting without dropping", async () => {
    const held = gate();
    record(server, "post", `${API}/runs/log-batch`, async () => {
      await held.wait();
      return {};
    });
    const { run } = await openTestRun(server, { maxBufferedEntries: 3000, maxInFlight: 1 });
    const events: { queued: number; maxBufferedEntries: number }[] = [];
    run.on("backpressure", (event) => events.push(event));
    for (let step = 0; step < 10_000; step++) run.logMetric("loss", 1, { step });
    await flushIO();
    expect(events).toEqual([{ queued: 3000, maxBufferedEntries: 3000 }]);
    expect(run.stats()).toMatchObject({ logged: 10_000, queued: 9000, inFlight: 1000, dropped: 0 });
    held.open();
    await run.flush();
    expect(run.stats()).toMatchObject({ logged: 10_000, queued: 0, inFlight: 0, sent: 10_000, dropped: 0 });
  });

  it("accounts for every entry: logged = queued + inFlight + sent + failed + coalesced", async () => {
    record(server, "post", `${API}/runs/log-batch`);
    const { run } = await openTestRun(server);
    run.logParams({ a: 1, b: 2 });
    run.logParam("a", 1); // same value: a no-op, not counted
    run.setTag("t", "1");
    run.setTag("t", "2");
    for (let step = 0; step < 1500; step++) run.logMetric("x", step, { step });
    const check = () => {
      const s = run.stats();
      expect(s.logged).toBe(s.queued + s.inFlight + s.sent + s.failed + s.coalesced);
    };
    check();
    await flushIO();
    check();
    await run.flush();
    check();
    expect(run.stats()).toMatchObject({ logged: 1504, sent: 1503, coalesced: 1 });
  });
});
