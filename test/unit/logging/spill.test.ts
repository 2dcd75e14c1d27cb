/**
 * Bounded memory (issue #14 item 2, docs/journal.md "Bounded memory"): when memory reaches
 * `maxBufferedEntries`, or the server has been unreachable for `spillAfterMs`, metric chunks go to
 * the journal only and the send loop reads them back from it, returning to memory once caught up.
 * These tests switch both ways against the fake tracking server of the recovery tests (it counts
 * every point received, duplicates included) behind a gate that answers 503 while "down" and records
 * the steps of every request it lets through, in arrival order. Real timers and real files.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HttpResponse, http } from "msw";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LogDeliveryError } from "../../../src/index.js";
import type { StartRunOptions } from "../../../src/logging/fluent.js";
import type { ActiveRun } from "../../../src/logging/run.js";
import { API, mlflowError, useMockServer } from "../helpers/mock-server.js";
import { type CapturedWarning, captureWarnings, resumeJournaledRun, until } from "./helpers.js";
import { type FakeServer, fakeTracking } from "./recovery/helpers.js";

const server = useMockServer();
const RUN = "0123456789abcdef0123456789abcdef";
/** Bound of every polling loop, in iterations of 10 ms. */
const MAX_POLLS = 1000;

let dir: string;
let fake: FakeServer;
let warnings: CapturedWarning[];
/** While true, every log-batch request is answered 503. */
let down: boolean;
/** Steps of the points the server took, in the order the requests arrived. */
let received: number[];
/** Points per request the server took, in arrival order. */
let sizes: number[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "mlflow-ts-spill-"));
  fake = fakeTracking(server);
  fake.addRun(RUN);
  down = false;
  received = [];
  sizes = [];
  server.use(
    http.post(`${API}/runs/log-batch`, async ({ request }) => {
      if (down) return mlflowError(503, "TEMPORARILY_UNAVAILABLE", "down for the test");
      const body = (await request.clone().json()) as { metrics?: { step: number | string }[] };
      for (const metric of body.metrics ?? []) received.push(Number(metric.step));
      if ((body.metrics?.length ?? 0) > 0) sizes.push(body.metrics!.length);
      return undefined; // on to the fake server, which stores and counts
    }),
  );
  warnings = [];
  return captureWarnings(warnings);
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Resumes the fake run with a journal in `dir` (commits every 10 ms), one request at a time, fast retries. */
function openRun(options: StartRunOptions = {}): Promise<ActiveRun> {
  return resumeJournaledRun(dir, { flushIntervalMs: 50, maxInFlight: 1, retryInitialDelayMs: 1, retryMaxDelayMs: 5, ...options });
}

function log(run: ActiveRun, from: number, to: number): void {
  for (let step = from; step < to; step++) run.logMetric("loss", step / 7, { step });
}

/** Logs in chunks of 1000, yielding between them, so that the send loop learns the server's state while logging goes on. */
async function logYielding(run: ActiveRun, from: number, to: number): Promise<void> {
  for (let start = from; start < to; start += 1000) {
    log(run, start, Math.min(to, start + 1000));
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** 0, 1, … n-1. */
function steps(n: number): number[] {
  return [...Array(n).keys()];
}

describe("spilling at the memory cap", () => {
  it("drops chunks from memory once durable, reads them back in logging order, and sends every point exactly once", async () => {
    down = true;
    const run = await openRun({ maxBufferedEntries: 3000 });
    log(run, 0, 20_000);
    // Memory holds the cap (and the chunk being journaled); the rest left memory for the journal.
    await until(() => run.stats().spilled >= 16_000, "chunks past the cap to leave memory", MAX_POLLS);
    expect(run.stats()).toMatchObject({ readBack: 0, failed: 0, durable: 20_000 });

    down = false;
    await run.flush();
    const stats = run.stats();
    expect(stats).toMatchObject({ sent: 20_000, failed: 0, acknowledged: 20_000, pending: 0 });
    expect(stats.readBack).toBe(stats.spilled);
    const row = fake.runs.get(RUN)!;
    expect(row.pointsReceived).toBe(20_000); // none twice
    expect(row.rows.size).toBe(20_000); // none skipped
    expect(received).toEqual(steps(20_000)); // in logging order across the switch
    const path = run.journalPath!;
    await run.end();
    expect(existsSync(path)).toBe(false);
  });

  it("returns to memory once the read-back has caught up (no spill while the server answers and memory is below the cap)", async () => {
    down = true;
    const run = await openRun({ maxBufferedEntries: 2000 });
    log(run, 0, 10_000);
    await until(() => run.stats().spilled > 0, "a spill", MAX_POLLS);
    down = false;
    await run.flush();
    const spilled = run.stats().spilled;
    log(run, 10_000, 11_500); // the server answers, memory below the cap: memory again
    await run.flush();
    expect(run.stats().spilled).toBe(spilled);
    expect(fake.runs.get(RUN)!.pointsReceived).toBe(11_500);
    expect(received).toEqual(steps(11_500));
    await run.end();
  });
});

describe("reading back a slow run's journal", () => {
  it("packs full requests of 1000 points across the small records a slow run writes (one per journal tick), not one request per record", async () => {
    down = true;
    const run = await openRun({ maxBufferedEntries: 1000 });
    // 50 points per journal tick (commits every 10 ms): about 120 records of 50 points.
    for (let start = 0; start < 6000; start += 50) {
      log(run, start, start + 50);
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
    await until(() => run.stats().spilled >= 4000 && run.stats().durable === 6000, "chunks past the cap to leave memory", MAX_POLLS);

    down = false;
    await run.flush();
    const stats = run.stats();
    expect(stats).toMatchObject({ sent: 6000, failed: 0, pending: 0 });
    expect(stats.readBack).toBe(stats.spilled);
    expect(fake.runs.get(RUN)!.pointsReceived).toBe(6000);
    expect(received).toEqual(steps(6000));
    // Six requests of 1000 (the last from memory may be split at its chunk's seal): not 120 of 50.
    expect(sizes.length).toBeLessThanOrEqual(8);
    expect(sizes.filter((size) => size === 1000).length).toBeGreaterThanOrEqual(4);
    await run.end();
  });
});

describe("spilling a run whose points link to a model and a dataset", () => {
  it("spills linked points at the cap like any other, and the read-back sends each with its model and dataset", async () => {
    server.use(http.post(`${API}/runs/log-inputs`, () => HttpResponse.json({})));
    down = true;
    const run = await openRun({ maxBufferedEntries: 2000 });
    for (let step = 0; step < 9000; step++) {
      if (step % 3 === 0) run.logMetric("loss", step / 7, { step, modelId: "m-1" });
      else if (step % 3 === 1) run.logMetric("loss", step / 7, { step, modelId: "m-1", datasetName: "eval", datasetDigest: "abc123" });
      else run.logMetric("loss", step / 7, { step });
    }
    await until(() => run.stats().spilled >= 6000, "linked chunks past the cap to leave memory", MAX_POLLS);

    down = false;
    await run.flush();
    const stats = run.stats();
    expect(stats).toMatchObject({ sent: 9000, failed: 0, pending: 0 });
    expect(stats.readBack).toBe(stats.spilled);
    const row = fake.runs.get(RUN)!;
    expect(row.pointsReceived).toBe(9000);
    expect(received).toEqual(steps(9000));
    const expected = steps(9000)
      .filter((step) => step % 3 !== 2)
      .map((step) => (step % 3 === 0 ? `loss@${step} m-1||` : `loss@${step} m-1|eval|abc123`));
    expect(row.linkedPoints).toEqual(expected); // spilled ones too, each with its own link
    await run.end();
  });
});

describe("spilling when the server is unreachable", () => {
  it("spills after spillAfterMs without a reply, below the cap, then switches back; points logged during the read-back are not sent before older ones", async () => {
    const run = await openRun({ spillAfterMs: 0 });
    log(run, 0, 2000);
    await run.flush();
    expect(run.stats().spilled).toBe(0);

    down = true;
    await logYielding(run, 2000, 12_000);
    await until(() => run.stats().spilled >= 5000, "chunks to leave memory once the server failed", MAX_POLLS);
    down = false;
    log(run, 12_000, 14_000); // while the read-back catches up
    await run.flush();
    const after = run.stats().spilled;
    log(run, 14_000, 16_000);
    await run.flush();
    expect(run.stats().spilled).toBe(after); // back to memory
    const row = fake.runs.get(RUN)!;
    expect(row.pointsReceived).toBe(16_000);
    expect(row.rows.size).toBe(16_000);
    expect(received).toEqual(steps(16_000));
    await run.end();
  });
});

describe("past the delivery deadline", () => {
  it("no longer gives up journaled points: flush() resolves with them pending, and this process delivers them once the server is back", async () => {
    down = true;
    const run = await openRun({ deliveryTimeoutMs: 200, maxBufferedEntries: 2000 });
    log(run, 0, 6000);
    const flushed = await run.flush();
    expect(flushed.pending).toBeGreaterThan(0);
    expect(flushed).toMatchObject({ delivered: 0, journalPath: run.journalPath });
    expect(run.stats().failed).toBe(0);

    down = false;
    await until(() => fake.runs.get(RUN)!.rows.size === 6000, "this process to deliver the kept points", MAX_POLLS);
    await until(() => run.stats().pending === 0, "every point to be acknowledged", MAX_POLLS);
    // Delivered since: no longer pending.
    expect(await run.flush()).toEqual({ delivered: 6000, pending: 0, journalPath: undefined });
    const row = fake.runs.get(RUN)!;
    expect(row.pointsReceived).toBe(6000); // each once: the 503s stored nothing
    expect([...received].sort((a, b) => a - b)).toEqual(steps(6000));
    const path = run.journalPath!;
    await run.end({ timeoutMs: 30_000 }); // not the 200 ms delivery deadline: a loaded machine needs more for the status update
    expect(existsSync(path)).toBe(false); // nothing left for recovery
  });

  it("at the run's end, what is still owed from the journal stays there as pending (counted, folder kept)", async () => {
    down = true;
    const run = await openRun({ deliveryTimeoutMs: 60_000, maxBufferedEntries: 2000 });
    log(run, 0, 8000);
    await until(() => run.stats().spilled >= 5000, "chunks to leave memory", MAX_POLLS);
    const path = run.journalPath!;
    const error = await run.end({ timeoutMs: 2_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LogDeliveryError);
    expect((error as LogDeliveryError).journaled).toBe(8000);
    expect((error as LogDeliveryError).failed).toEqual({ metrics: 0, params: 0, tags: 0 });
    // The points, and the end status unless its update got no time on a loaded machine.
    const statusSet = fake.runs.get(RUN)!.status === "FINISHED";
    expect(run.stats()).toMatchObject({ failed: 0, pending: statusSet ? 8000 : 8001 });
    expect(existsSync(path)).toBe(true);
  });
});

describe("with the journal degraded", () => {
  it("keeps the old behaviour: nothing spills, memory holds everything, every point is delivered from memory", async () => {
    const blocked = join(dir, "not-a-folder");
    await writeFile(blocked, "x");
    down = true;
    const run = await openRun({ journalDir: blocked, maxBufferedEntries: 1000, spillAfterMs: 0 });
    log(run, 0, 8000);
    await new Promise((resolve) => setTimeout(resolve, 100)); // ten journal ticks
    expect(run.stats()).toMatchObject({ spilled: 0, readBack: 0 });
    expect(warnings.filter((w) => w.code === "MLFLOW_TS_JOURNAL_DEGRADED")).toHaveLength(1);
    down = false;
    await run.flush();
    expect(fake.runs.get(RUN)!.pointsReceived).toBe(8000);
    expect(received).toEqual(steps(8000));
    await run.end();
  });
});
