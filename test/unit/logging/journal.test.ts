/**
 * The logger writes the run's journal (issue #14, docs/journal.md): what `startRun`'s batcher
 * appends (every point as columns, params, every tag write in order), what it acknowledges (what
 * the server took, superseded tag writes, refusals), what it keeps (a request still failing at its
 * deadline: pending, not failed, the journal kept for recovery), the end status journaled before
 * the update, and disk trouble (one warning, delivery from memory). Real timers and real files: the
 * journal's commits are real I/O. Against the fake tracking server of the recovery tests, which
 * counts every point it receives.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HttpResponse, http } from "msw";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LogDeliveryError, RunEndError } from "../../../src/index.js";
import type { JournalRecord } from "../../../src/journal/index.js";
import type { StartRunOptions } from "../../../src/logging/fluent.js";
import { recoverJournals } from "../../../src/logging/recovery/recover.js";
import type { ActiveRun } from "../../../src/logging/run.js";
import type { KeyValue } from "../../../src/protocol/entities/tracking.js";
import { API, BASE, mlflowError, testClient, useMockServer } from "../helpers/mock-server.js";
import { readFolder } from "../journal/helpers.js";
import { type CapturedWarning, captureWarnings, resumeJournaledRun, until } from "./helpers.js";
import { type FakeServer, fakeTracking, killOwner } from "./recovery/helpers.js";

const server = useMockServer();
const RUN = "0123456789abcdef0123456789abcdef";

let dir: string;
let fake: FakeServer;
let warnings: CapturedWarning[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "mlflow-ts-logger-journal-"));
  fake = fakeTracking(server);
  fake.addRun(RUN);
  warnings = [];
  return captureWarnings(warnings);
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Resumes the fake server's run with a journal in `dir`, commits every 10 ms, no background flush. */
function openRun(options: StartRunOptions = {}): Promise<ActiveRun> {
  return resumeJournaledRun(dir, options);
}

function metricSteps(records: JournalRecord[]): number[] {
  const steps: number[] = [];
  for (const record of records) if (record.kind === "metrics") for (let i = 0; i < record.count; i++) steps.push(record.steps[i]!);
  return steps;
}

describe("what the logger journals", () => {
  it("journals every point, param and tag write in order, durable before any flush, then acknowledges what the server took and removes the folder at the end", async () => {
    const run = await openRun();
    run.logParams({ lr: 0.01 });
    run.setTag("phase", "warmup");
    for (let step = 0; step < 2500; step++) run.logMetric("loss", 1 / (step + 1), { step });
    run.setTag("phase", "train"); // replaces the buffered "warmup": coalesced, yet journaled
    const path = run.journalPath!;
    expect(path.startsWith(dir)).toBe(true);
    await until(() => run.stats().durable === 2503, "the journal's tick to make every entry durable");
    expect(run.stats()).toMatchObject({ journaled: 2503, durable: 2503 });

    const { records, damage } = await readFolder(path);
    expect(damage).toEqual([]);
    expect(metricSteps(records)).toEqual([...Array(2500).keys()]);
    const tagWrites = records.flatMap((record) => (record.kind === "tags" ? record.entries.map((entry) => `${entry.key}=${entry.value}`) : []));
    expect(tagWrites).toEqual(["phase=warmup", "phase=train"]);
    const params = records.flatMap((record) => (record.kind === "params" ? record.entries : []));
    expect(params).toEqual([{ key: "lr", value: "0.01" }]);

    await run.flush();
    // The coalesced "warmup" write was acknowledged as superseded; everything else as delivered.
    expect(run.stats()).toMatchObject({ journaled: 2503, acknowledged: 2503, pending: 0, failed: 0 });
    expect(fake.runs.get(RUN)!.tagWrites).toEqual([{ key: "phase", value: "train" }]);
    await run.end();
    expect(fake.runs.get(RUN)!.pointsReceived).toBe(2500);
    expect(fake.runs.get(RUN)!.status).toBe("FINISHED");
    expect(existsSync(path)).toBe(false);
  });

  it("journals nothing with journal: false (delivery from memory, as before)", async () => {
    const run = await openRun({ journal: false });
    run.logMetric("loss", 1);
    await run.end();
    expect(run.journalPath).toBeUndefined();
    expect(run.stats()).toMatchObject({ journaled: 0, durable: 0, acknowledged: 0, pending: 0, sent: 1 });
  });
});

describe("past the delivery deadline", () => {
  it("keeps undelivered entries journaled: flush() resolves with them pending (with the folder), not failed, with one warning; end() rejects with them; recovery then delivers them exactly once", async () => {
    fake.failNext(1_000_000);
    const run = await openRun({ deliveryTimeoutMs: 200, retryInitialDelayMs: 1, retryMaxDelayMs: 5 });
    run.logParam("lr", "0.01");
    for (let step = 0; step < 1500; step++) run.logMetric("loss", step, { step });
    expect(await run.flush()).toEqual({ delivered: 0, pending: 1501, journalPath: run.journalPath });
    expect(run.stats()).toMatchObject({ failed: 0, journaled: 1501, acknowledged: 0, pending: 1501 });
    // A second flush in the same outage reports the same pending entries, without a second warning.
    expect(await run.flush()).toEqual({ delivered: 0, pending: 1501, journalPath: run.journalPath });
    const unreachable = warnings.filter((w) => w.code === "MLFLOW_TS_SERVER_UNREACHABLE");
    expect(unreachable).toHaveLength(1);
    expect(unreachable[0]!.message).toContain(`kept in the journal at ${run.journalPath}`);

    // The status update goes through; end() reports what it leaves to recovery, and the folder stays (entries unacknowledged).
    const path = run.journalPath!;
    const error = await run.end().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LogDeliveryError);
    const delivery = error as LogDeliveryError;
    expect(delivery.failed).toEqual({ metrics: 0, params: 0, tags: 0 });
    expect(delivery.journaled).toBe(1501);
    expect(delivery.journalPath).toBe(path);
    expect(delivery.message).toContain(`1501 entries are pending, kept in the journal at ${path}`);
    expect(fake.runs.get(RUN)!.status).toBe("FINISHED");
    expect(existsSync(path)).toBe(true);

    fake.failNext(0);
    await killOwner(path); // as if this process had exited
    const report = await recoverJournals({ client: testClient(), dir });
    expect(report.journals.map((j) => j.outcome)).toEqual(["recovered"]);
    const row = fake.runs.get(RUN)!;
    expect(row.pointsReceived).toBe(1500);
    expect(row.rows.size).toBe(1500);
    expect(row.params.get("lr")).toBe("0.01");
    expect(row.updates.map((u) => u.status)).toEqual(["FINISHED"]); // recovery left the ended run alone
  });

  it("acknowledges entries the server refused for good (reported failed): replaying them cannot succeed", async () => {
    fake.failNext(1, 403);
    const run = await openRun();
    run.logMetric("loss", 1, { step: 0 });
    const error = await run.flush().catch((e: unknown) => e);
    expect((error as LogDeliveryError).failed).toEqual({ metrics: 1, params: 0, tags: 0 });
    expect((error as LogDeliveryError).journaled).toBe(0);
    expect(run.stats()).toMatchObject({ failed: 1, journaled: 1, acknowledged: 1, pending: 0 });
    const path = run.journalPath!;
    await run.end();
    expect(existsSync(path)).toBe(false);
  });
});

describe("kept entries sent again by the live process", () => {
  /** While true, log-batch requests that `late` selects are answered 503. */
  let down: boolean;
  /** The requests the server does not take while `down` (every one unless a test says otherwise). */
  let late: (body: { metrics?: { key: string }[] }) => boolean;
  /** Params and tag writes the server took, in the order its requests arrived. */
  let taken: { params: string[]; tags: string[]; metrics: string[] };

  beforeEach(() => {
    down = true;
    late = () => true;
    taken = { params: [], tags: [], metrics: [] };
    server.use(
      http.post(`${API}/runs/log-batch`, async ({ request }) => {
        const body = (await request.clone().json()) as { metrics?: { key: string; step: number }[]; params?: KeyValue[]; tags?: KeyValue[] };
        // A request carrying metric "bad" is refused for good; one carrying "slow" waits for the server like the rest.
        if (body.metrics?.some((m) => m.key === "bad")) return mlflowError(400, "INVALID_PARAMETER_VALUE", "bad is refused for the test");
        const empty = !body.params?.length && !body.tags?.length && !body.metrics?.length;
        if (down && !empty && late(body)) return mlflowError(503, "TEMPORARILY_UNAVAILABLE", "down for the test");
        taken.params.push(...(body.params ?? []).map((p) => `${p.key}=${p.value}`));
        taken.tags.push(...(body.tags ?? []).map((t) => `${t.key}=${t.value}`));
        taken.metrics.push(...(body.metrics ?? []).map((m) => `${m.key}@${m.step}`));
        return undefined; // on to the fake server, which stores them
      }),
    );
  });

  it("params and tags kept at their deadline reach the server once each, tags last-write-wins in journal order, without recovery", async () => {
    const run = await openRun({ deliveryTimeoutMs: 200, retryInitialDelayMs: 1, retryMaxDelayMs: 5 });
    run.logParams({ lr: 0.01, layers: 3 });
    run.setTags({ phase: "warmup", owner: "ana" });
    // Nothing lost, all kept: flush() resolves with them pending.
    expect(await run.flush()).toMatchObject({ pending: 4, journalPath: run.journalPath });
    expect(run.stats().failed).toBe(0);
    run.setTag("phase", "train"); // a later write of a kept key: it wins, the kept "warmup" is never sent after it
    run.logParam("epochs", 10);

    down = false;
    await run.flush(); // the new entries (kept ones are sent again without a flush)
    await until(() => run.stats().pending === 0, "every kept param and tag to be delivered and acknowledged");
    expect(run.stats()).toMatchObject({ failed: 0, journaled: 6, acknowledged: 6, pending: 0 });
    expect([...taken.params].sort()).toEqual(["epochs=10", "layers=3", "lr=0.01"]); // each once
    expect(taken.tags.filter((t) => t.startsWith("owner="))).toEqual(["owner=ana"]);
    // "warmup" may have gone out in the request that was in flight when the server came back, never after "train".
    expect(["phase=train", "phase=warmup,phase=train"]).toContain(taken.tags.filter((t) => t.startsWith("phase=")).join(","));
    const row = fake.runs.get(RUN)!;
    expect(Object.fromEntries(row.tags)).toMatchObject({ phase: "train", owner: "ana" });
    expect(Object.fromEntries(row.params)).toEqual({ lr: "0.01", layers: "3", epochs: "10" });
    const path = run.journalPath!;
    await run.end({ timeoutMs: 30_000 });
    expect(existsSync(path)).toBe(false); // nothing left for recovery
  });

  it("the run's end, once the server answers its last points, also waits for the kept params and tags it owes, and leaves nothing to recovery", async () => {
    const run = await openRun({ deliveryTimeoutMs: 200, retryInitialDelayMs: 1, retryMaxDelayMs: 5 });
    run.logParams({ lr: 0.01 });
    run.setTags({ owner: "ana" });
    expect((await run.flush()).pending).toBe(2);
    down = false;
    run.logMetric("loss", 1, { step: 0 }); // the end's flush learns from it that the server answers
    const path = run.journalPath!;
    await run.end({ timeoutMs: 30_000 });
    expect(taken.params).toEqual(["lr=0.01"]);
    expect(taken.tags).toEqual(["owner=ana"]);
    expect(run.stats()).toMatchObject({ failed: 0, pending: 0 });
    expect(existsSync(path)).toBe(false);
  });

  it("the run's end lets the probe in flight finish when the server comes back during it: everything delivered, nothing left to recovery", async () => {
    const run = await openRun({ deliveryTimeoutMs: 200, retryInitialDelayMs: 1, retryMaxDelayMs: 5 });
    run.logParams({ lr: 0.01 });
    run.setTags({ owner: "ana" });
    for (let step = 0; step < 3; step++) run.logMetric("loss", step, { step });
    expect((await run.flush()).pending).toBe(5);
    // The server is still down when the end begins: no request has told the process it answers.
    const ending = run.end({ timeoutMs: 30_000 });
    await until(() => taken.metrics.length + taken.params.length + taken.tags.length === 0 && fake.runs.get(RUN)!.status === "RUNNING", "the end to begin");
    const back = setTimeout(() => {
      down = false;
    }, 300);
    await ending.finally(() => clearTimeout(back));
    expect([...taken.params, ...taken.tags, ...taken.metrics].sort()).toEqual(["loss@0", "loss@1", "loss@2", "lr=0.01", "owner=ana"]);
    expect(fake.runs.get(RUN)!.pointsReceived).toBe(3);
    expect(run.stats()).toMatchObject({ failed: 0, pending: 0 });
    expect(fake.runs.get(RUN)!.status).toBe("FINISHED");
    expect(existsSync(run.journalPath!)).toBe(false);
  });

  it("the run's end, with the server down throughout, gives up at its deadline and reports the kept entries pending, left to recovery", async () => {
    const run = await openRun({ deliveryTimeoutMs: 200, retryInitialDelayMs: 1, retryMaxDelayMs: 5 });
    run.logParams({ lr: 0.01 });
    run.setTags({ owner: "ana" });
    for (let step = 0; step < 3; step++) run.logMetric("loss", step, { step });
    expect((await run.flush()).pending).toBe(5);
    const path = run.journalPath!;
    fake.failUpdates(1_000_000);
    const error = (await run.end({ timeoutMs: 1_000 }).catch((e: unknown) => e)) as RunEndError;
    expect(error).toBeInstanceOf(RunEndError);
    expect(error).toMatchObject({ journaled: 5, journalPath: path, failed: { metrics: 0, params: 0, tags: 0 } });
    expect(taken).toEqual({ params: [], tags: [], metrics: [] });
    expect(existsSync(path)).toBe(true); // kept for recovery
  });

  it("detach() (a close without a deadline), with the server down throughout, does not wait for the kept entries forever: it rejects with them journaled", async () => {
    const run = await openRun({ deliveryTimeoutMs: 200, retryInitialDelayMs: 1, retryMaxDelayMs: 5 });
    run.logParams({ lr: 0.01 });
    for (let step = 0; step < 3; step++) run.logMetric("loss", step, { step });
    expect((await run.flush()).pending).toBe(4);
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<"hung">((resolve) => {
      timer = setTimeout(() => resolve("hung"), 5_000);
    });
    const outcome = await Promise.race([
      run.detach().then(
        () => "resolved",
        (e: unknown) => e,
      ),
      hung,
    ]);
    clearTimeout(timer);
    expect(outcome).toBeInstanceOf(LogDeliveryError);
    expect(outcome).toMatchObject({ journaled: 4 });
    expect(taken).toEqual({ params: [], tags: [], metrics: [] });
  });

  it("flush()'s pending counts a request split around a refused key once, and 0 once its kept part was delivered again", async () => {
    const run = await openRun({ deliveryTimeoutMs: 300, retryInitialDelayMs: 1, retryMaxDelayMs: 5 });
    run.logParam("lr", 0.01);
    run.setTag("owner", "ana");
    run.logMetric("bad", 1, { step: 0 });
    for (let step = 0; step < 5; step++) run.logMetric("slow", step, { step });
    // Refused whole (it carries "bad"); the halves: lr + owner + bad (split again), and slow, which waits.
    late = (body) => body.metrics?.some((m) => m.key === "slow") === true;
    const error = (await run.flush().catch((e: unknown) => e)) as LogDeliveryError;
    expect(error.failed).toEqual({ metrics: 1, params: 0, tags: 0 });
    expect(error.journaled).toBe(5);
    expect((await run.flush()).pending).toBe(5); // the same entries, not counted twice

    down = false;
    await until(() => run.stats().pending === 0, "the kept part to be sent again and acknowledged");
    expect((await run.flush()).pending).toBe(0);
    expect(fake.runs.get(RUN)!.pointsReceived).toBe(5);
    await run.end({ timeoutMs: 30_000 });
  });

  it("flush()'s pending counts a re-delivery split around a refused key with one part kept again once: only that part", async () => {
    let up = false;
    // Everything waits while the server is down; once it is up, "bad" is refused and "slow" still waits.
    server.use(
      http.post(`${API}/runs/log-batch`, async ({ request }) => {
        const body = (await request.clone().json()) as { metrics?: unknown[]; params?: unknown[]; tags?: unknown[] };
        const empty = !body.params?.length && !body.tags?.length && !body.metrics?.length;
        return up || empty ? undefined : mlflowError(503, "TEMPORARILY_UNAVAILABLE", "down for the test");
      }),
    );
    late = (body) => body.metrics?.some((m) => m.key === "slow") === true;
    const run = await openRun({ deliveryTimeoutMs: 300, retryInitialDelayMs: 1, retryMaxDelayMs: 5 });
    run.logMetric("good", 1, { step: 0 });
    run.logMetric("bad", 1, { step: 0 });
    for (let step = 0; step < 5; step++) run.logMetric("slow", step, { step });
    expect((await run.flush()).pending).toBe(7); // all kept at their deadline

    up = true; // the re-delivery is refused (it carries "bad"), split: good delivered, bad refused, slow kept again
    await until(() => taken.metrics.includes("good@0") && run.stats().failed === 1, "the re-delivery to be split");
    await until(() => run.stats().readBack > 7, "the kept part to be sent again");
    const error = (await run.flush().catch((e: unknown) => e)) as LogDeliveryError;
    expect(error.failed).toEqual({ metrics: 1, params: 0, tags: 0 });
    expect(error.journaled).toBe(5);
    expect((await run.flush()).pending).toBe(5);

    down = false;
    await until(() => run.stats().pending === 0, "the kept part to be delivered");
    expect((await run.flush()).pending).toBe(0);
    expect(taken.metrics.filter((m) => m === "good@0")).toHaveLength(1);
    await run.end({ timeoutMs: 30_000 });
  });

  it("the kept part of a request split around a refused key is sent again by this process, the delivered part never twice", async () => {
    const run = await openRun({ deliveryTimeoutMs: 300, retryInitialDelayMs: 1, retryMaxDelayMs: 5 });
    run.logMetric("good", 1, { step: 0 });
    run.logMetric("bad", 1, { step: 0 });
    for (let step = 0; step < 5; step++) run.logMetric("slow", step, { step });
    // The whole request is refused (it carries "bad"); its halves: good + bad (split again), and slow, which the server does not take in time.
    late = (body) => body.metrics?.some((m) => m.key === "slow") === true;
    const error = (await run.flush().catch((e: unknown) => e)) as LogDeliveryError;
    expect(error.failed).toEqual({ metrics: 1, params: 0, tags: 0 });
    expect(error.keys).toEqual(["bad"]);
    expect(error.journaled).toBe(5);
    expect(taken.metrics).toEqual(["good@0"]);
    expect(run.stats()).toMatchObject({ acknowledged: 2, pending: 5 }); // good delivered, bad refused: both acknowledged

    down = false;
    await until(() => run.stats().pending === 0, "the kept part to be sent again and acknowledged");
    expect(taken.metrics).toEqual(["good@0", "slow@0", "slow@1", "slow@2", "slow@3", "slow@4"]);
    expect(fake.runs.get(RUN)!.pointsReceived).toBe(6);
    const path = run.journalPath!;
    await run.end({ timeoutMs: 30_000 });
    expect(existsSync(path)).toBe(false);
  });
});

describe("flush() in an outage longer than the delivery deadline, without a journal to keep the entries", () => {
  async function flushInOutage(options: StartRunOptions): Promise<{ run: ActiveRun; error: unknown }> {
    fake.failNext(1_000_000);
    const run = await openRun({ deliveryTimeoutMs: 200, retryInitialDelayMs: 1, retryMaxDelayMs: 5, ...options });
    run.on("error", () => undefined);
    run.logParam("lr", "0.01");
    for (let step = 0; step < 1500; step++) run.logMetric("loss", step, { step });
    const error = await run.flush().catch((e: unknown) => e);
    fake.failNext(0);
    return { run, error };
  }

  it("with journal: false, rejects with the lost entries counted as failed, none pending", async () => {
    const { run, error } = await flushInOutage({ journal: false });
    expect(error).toBeInstanceOf(LogDeliveryError);
    const delivery = error as LogDeliveryError;
    expect(delivery.failed).toEqual({ metrics: 1500, params: 1, tags: 0 });
    expect(delivery.journaled).toBe(0);
    expect(delivery.message).toContain("delivery deadline");
    expect(warnings.filter((w) => w.code === "MLFLOW_TS_SERVER_UNREACHABLE")).toHaveLength(0);
    expect(run.stats()).toMatchObject({ failed: 1501, sent: 0 });
    await run.end();
  });

  it("with the journal unwritable (degraded), rejects with the lost entries counted as failed, none pending", async () => {
    const blocked = join(dir, "not-a-folder");
    await writeFile(blocked, "x");
    const { run, error } = await flushInOutage({ journalDir: blocked });
    expect(warnings.filter((w) => w.code === "MLFLOW_TS_JOURNAL_DEGRADED")).toHaveLength(1);
    expect(error).toBeInstanceOf(LogDeliveryError);
    const delivery = error as LogDeliveryError;
    expect(delivery.failed).toEqual({ metrics: 1500, params: 1, tags: 0 });
    expect(delivery.journaled).toBe(0);
    expect(delivery.journalPath).toBeUndefined();
    expect(run.stats()).toMatchObject({ failed: 1501, sent: 0 });
    await run.end();
  });
});

describe("the end status", () => {
  it("is journaled and synced before the status update, and the journal is kept when the update fails", async () => {
    fake.failUpdates(1_000_000);
    const run = await openRun();
    run.logMetric("loss", 1, { step: 0 });
    const path = run.journalPath!;
    const error = await run.end({ status: "FAILED", timeoutMs: 2_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunEndError);
    expect(fake.runs.get(RUN)!.pointsReceived).toBe(1);
    const { records } = await readFolder(path);
    const ends = records.filter((record) => record.kind === "end");
    expect(ends).toMatchObject([{ status: "FAILED" }]);
    expect(run.stats()).toMatchObject({ journaled: 2, acknowledged: 1, pending: 1 });

    // Recovery sets the journaled status once the server answers.
    fake.failUpdates(0);
    await killOwner(path);
    const report = await recoverJournals({ client: testClient(), dir });
    expect(report.journals[0]).toMatchObject({ outcome: "recovered", finalStatus: { set: true, status: "FAILED" } });
    expect(fake.runs.get(RUN)!.status).toBe("FAILED");
    expect(fake.runs.get(RUN)!.pointsReceived).toBe(1);
  });
});

describe("disk trouble", () => {
  it("a file where the journal folder should be: one warning, and delivery from memory with the old guarantees", async () => {
    const blocked = join(dir, "not-a-folder");
    await writeFile(blocked, "x");
    const run = await openRun({ journalDir: blocked, deliveryTimeoutMs: 200, retryInitialDelayMs: 1, retryMaxDelayMs: 5 });
    for (let step = 0; step < 2500; step++) run.logMetric("loss", step, { step });
    await run.flush();
    const degraded = warnings.filter((w) => w.code === "MLFLOW_TS_JOURNAL_DEGRADED");
    expect(degraded).toHaveLength(1);
    expect(degraded[0]!.message).toMatch(/Fix: /);
    expect(run.stats()).toMatchObject({ sent: 2500, failed: 0 });

    // Without a journal to keep them, entries past their deadline fail, as before.
    fake.failNext(1_000_000);
    run.logMetric("loss", 0, { step: 9999 });
    const error = await run.flush().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LogDeliveryError);
    fake.failNext(0);
    await run.end();
    expect(fake.runs.get(RUN)!.pointsReceived).toBe(2500);
  }, 30_000);
});

describe("metric links", () => {
  it("a point's model and dataset are journaled with it, and recovery delivers the points with those links", async () => {
    server.use(http.post(`${BASE}/api/2.0/mlflow/runs/log-inputs`, () => HttpResponse.json({})));
    fake.failNext(1_000_000);
    const run = await openRun({ deliveryTimeoutMs: 200, retryInitialDelayMs: 1, retryMaxDelayMs: 5 });
    run.logMetric("loss", 0.5, { step: 1 });
    run.logMetric("loss", 0.4, { step: 2, modelId: "m-1" });
    run.logMetric("eval/acc", 0.9, { step: 2, modelId: "m-1", datasetName: "eval", datasetDigest: "abc123" });
    run.logMetrics({ f1: 0.8 }, { step: 3, datasetName: "train", datasetDigest: "d0" });
    await run.flush().catch(() => undefined); // past its deadline: pending in the journal
    const path = run.journalPath!;
    const { records } = await readFolder(path);
    const links = records.flatMap((record) => (record.kind === "metrics" ? (record.links ?? [undefined]) : []));
    expect(links).toEqual([
      undefined,
      { model_id: "m-1", dataset_name: undefined, dataset_digest: undefined },
      { model_id: "m-1", dataset_name: "eval", dataset_digest: "abc123" },
      { model_id: undefined, dataset_name: "train", dataset_digest: "d0" },
    ]);
    await run.end().catch(() => undefined);

    fake.failNext(0);
    await killOwner(path);
    const report = await recoverJournals({ client: testClient(), dir });
    expect(report.journals.map((j) => j.outcome)).toEqual(["recovered"]);
    expect(fake.runs.get(RUN)!.pointsReceived).toBe(4);
    expect(fake.runs.get(RUN)!.linkedPoints.sort()).toEqual(["eval/acc@2 m-1|eval|abc123", "f1@3 |train|d0", "loss@2 m-1||"]);
  });
});
