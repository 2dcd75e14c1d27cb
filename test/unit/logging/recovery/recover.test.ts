/**
 * Recovering a dead process's journal (issue #14, item 3) against a tracking server in memory:
 * journals are written with the storage layer as the logger will write them, their owner "dies",
 * and `recoverJournals` must deliver every unacknowledged entry exactly once (counted in the points
 * the server received, not only in its rows), follow the tag and param rules, report what it could
 * not deliver, set the final status only when the run is still RUNNING, and resume after an
 * interrupted recovery without sending anything twice.
 */
import { access, open, stat, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { MlflowClient } from "../../../../src/client/client.js";
import { describeArtifact } from "../../../../src/journal/artifact.js";
import { listJournals } from "../../../../src/journal/discovery.js";
import { Journal } from "../../../../src/journal/journal.js";
import { listSegmentFiles } from "../../../../src/journal/scan.js";
import { recoveryLine } from "../../../../src/logging/recovery/format.js";
import { recoverJournals } from "../../../../src/logging/recovery/recover.js";
import type { RecoveryEvent } from "../../../../src/logging/recovery/report.js";
import { testClient, useMockServer } from "../../helpers/mock-server.js";
import { columns, tempDir, testOptions } from "../../journal/helpers.js";
import { deadJournal, type FakeRun, fakeTracking, killOwner, rowOf } from "./helpers.js";

const server = useMockServer();
const RUN = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1";
const OTHER_RUN = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb2";
const clients: MlflowClient[] = [];

function client(): MlflowClient {
  const made = testClient({ maxRetries: 0 });
  clients.push(made);
  return made;
}

afterEach(async () => {
  for (const made of clients.splice(0)) await made.close();
});

/** Appends points `[from, to)` of `all` in records of `size` points. */
function appendPoints(journal: Journal, all: ReturnType<typeof columns>, from: number, to: number, size: number): void {
  for (let start = from; start < to; start += size) journal.appendMetrics(all, start, Math.min(to, start + size));
}

/** Every row the points `[0, n)` of `columns(n, 3)` make. */
function expectedRows(n: number): Set<string> {
  const all = columns(n, 3);
  return new Set(Array.from({ length: n }, (_, i) => rowOf(all.keys[i]!, all.timestamps[i]!, all.steps[i]!, all.values[i]!)));
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** A dead journal of 300 points in 3 records of one segment, and the run it belongs to. */
async function threeRecordJournal(): Promise<{ run: FakeRun; dir: string; segment: string }> {
  const run = fakeTracking(server).addRun(RUN);
  const dir = await tempDir();
  const all = columns(300, 3);
  const path = await deadJournal(dir, RUN, (journal) => appendPoints(journal, all, 0, 300, 100));
  const [segment] = await listSegmentFiles(path);
  return { run, dir, segment: segment!.path };
}

describe("recoverJournals", () => {
  it("delivers every stream of a dead journal once, then sets KILLED at the time of its last entry and removes it", async () => {
    const fake = fakeTracking(server);
    const run = fake.addRun(RUN);
    const dir = await tempDir();
    const all = columns(2500, 3);
    const before = Date.now();
    const path = await deadJournal(dir, RUN, (journal) => {
      appendPoints(journal, all, 0, 1300, 7); // small records, as the flush tick appends them
      journal.appendParams([
        { key: "lr", value: "0.01" },
        { key: "layers", value: "3" },
      ]);
      journal.appendTags([
        { key: "phase", value: "warmup" },
        { key: "team", value: "vision" },
        { key: "phase", value: "train" },
      ]);
      appendPoints(journal, all, 1300, 2500, 1000);
    });
    const after = Date.now();

    const { journals } = await recoverJournals({ client: client(), dir });

    expect(journals).toHaveLength(1);
    expect(journals[0]).toMatchObject({
      runId: RUN,
      outcome: "recovered",
      delivered: { metrics: 2500, params: 2, tags: 2, artifacts: 0 },
      tagWritesSuperseded: 1,
      conflicts: [],
      refused: [],
      damage: [],
      finalStatus: { set: true, status: "KILLED" },
    });
    expect(run.pointsReceived).toBe(2500);
    expect(run.rows).toEqual(expectedRows(2500));
    expect(run.logBatches).toBeLessThanOrEqual(3 + 2); // ~1000 points a request, whatever the record sizes, + params + tags
    expect(Object.fromEntries(run.params)).toEqual({ lr: "0.01", layers: "3" });
    expect(Object.fromEntries(run.tags)).toEqual({ phase: "train", team: "vision" });
    expect(run.tagWrites.filter((t) => t.key === "phase")).toEqual([{ key: "phase", value: "train" }]);
    expect(run.updates).toHaveLength(1);
    expect(run.updates[0]!.end_time).toBeGreaterThanOrEqual(before);
    expect(run.updates[0]!.end_time).toBeLessThanOrEqual(after);
    expect(await exists(path)).toBe(false);
    expect(await listJournals(dir)).toEqual([]);
  });

  it("sends nothing the dead process had acknowledged", async () => {
    const fake = fakeTracking(server);
    const run = fake.addRun(RUN);
    const dir = await tempDir();
    const all = columns(1500, 3);
    await deadJournal(dir, RUN, async (journal) => {
      appendPoints(journal, all, 0, 1500, 500);
      journal.appendParams([{ key: "lr", value: "0.01" }]);
      await journal.commit();
      journal.acknowledge("metric", 0, 1000);
      journal.acknowledge("param", 0, 1);
    });

    const { journals } = await recoverJournals({ client: client(), dir });

    expect(journals[0]).toMatchObject({ outcome: "recovered", delivered: { metrics: 500, params: 0 } });
    expect(run.pointsReceived).toBe(500);
    expect([...run.rows]).toEqual([...expectedRows(1500)].slice(1000));
    expect(run.params.size).toBe(0);
  });

  it("sets the end status and end time the dead process journaled, not KILLED", async () => {
    const fake = fakeTracking(server);
    const run = fake.addRun(RUN);
    const dir = await tempDir();
    await deadJournal(dir, RUN, (journal) => {
      journal.appendMetrics(columns(10), 0, 10);
      journal.appendEnd("FAILED", 1_700_000_123_456);
    });

    const { journals } = await recoverJournals({ client: client(), dir });

    expect(journals[0]).toMatchObject({ journaledEndStatus: "FAILED", finalStatus: { set: true, status: "FAILED", endTimeMs: 1_700_000_123_456 } });
    expect(run.updates).toEqual([{ status: "FAILED", end_time: 1_700_000_123_456 }]);
  });

  it("finalizes UPLOAD_FAILED the run's logged models a killed logModel left PENDING, and no other", async () => {
    const fake = fakeTracking(server);
    const run = fake.addRun(RUN);
    fake.models.set("m-pending", { model_id: "m-pending", source_run_id: RUN, status: "LOGGED_MODEL_PENDING" });
    fake.models.set("m-ready", { model_id: "m-ready", source_run_id: RUN, status: "LOGGED_MODEL_READY" });
    fake.models.set("m-other", { model_id: "m-other", source_run_id: OTHER_RUN, status: "LOGGED_MODEL_PENDING" });
    const dir = await tempDir();
    await deadJournal(dir, RUN, (journal) => journal.appendMetrics(columns(10), 0, 10));

    const { journals } = await recoverJournals({ client: client(), dir });

    expect(journals[0]).toMatchObject({ outcome: "recovered", failedModels: ["m-pending"], finalStatus: { set: true, status: "KILLED" } });
    expect([...fake.models.values()].map((m) => [m.model_id, m.status])).toEqual([
      ["m-pending", "LOGGED_MODEL_UPLOAD_FAILED"],
      ["m-ready", "LOGGED_MODEL_READY"],
      ["m-other", "LOGGED_MODEL_PENDING"],
    ]);
    expect(run.status).toBe("KILLED");
    expect(recoveryLine(journals[0]!)).toContain("logged model m-pending was left PENDING by a killed logModel and is now UPLOAD_FAILED. Fix: ");
  });

  it("leaves the status alone when the server no longer has the run RUNNING", async () => {
    const fake = fakeTracking(server);
    const run = fake.addRun(RUN, { status: "FINISHED" });
    const dir = await tempDir();
    await deadJournal(dir, RUN, (journal) => journal.appendMetrics(columns(10), 0, 10));

    const { journals } = await recoverJournals({ client: client(), dir });

    expect(journals[0]).toMatchObject({ outcome: "recovered", delivered: { metrics: 10 }, finalStatus: { set: false, status: "FINISHED" } });
    expect(run.updates).toEqual([]);
  });

  it("leaves the status alone for a run this process is logging to, but delivers its entries", async () => {
    const fake = fakeTracking(server);
    const run = fake.addRun(RUN);
    const dir = await tempDir();
    await deadJournal(dir, RUN, (journal) => journal.appendMetrics(columns(10), 0, 10));

    const { journals } = await recoverJournals({ client: client(), dir, activeRunIds: [RUN] });

    expect(journals[0]).toMatchObject({ outcome: "recovered", finalStatus: { set: false, reason: "a live process is logging to this run" } });
    expect(run.pointsReceived).toBe(10);
    expect(run.updates).toEqual([]);
  });

  it("does not send a tag write that a later acknowledged write of the same key supersedes", async () => {
    const fake = fakeTracking(server);
    const run = fake.addRun(RUN, { tags: new Map([["phase", "eval"]]) });
    const dir = await tempDir();
    await deadJournal(dir, RUN, async (journal) => {
      journal.appendTags([
        { key: "phase", value: "train" }, // 0: never acknowledged
        { key: "phase", value: "eval" }, // 1: acknowledged: on the server
        { key: "epoch", value: "1" }, // 2: acknowledged
        { key: "epoch", value: "2" }, // 3: not acknowledged: the last write of its key
      ]);
      await journal.commit();
      journal.acknowledge("tag", 1, 3);
    });

    const { journals } = await recoverJournals({ client: client(), dir });

    expect(journals[0]).toMatchObject({ outcome: "recovered", delivered: { tags: 1 }, tagWritesSuperseded: 1 });
    expect(run.tagWrites).toEqual([{ key: "epoch", value: "2" }]);
    expect(Object.fromEntries(run.tags)).toEqual({ phase: "eval", epoch: "2" });
  });

  it("reports a param the run has with another value, sends the others, and never retries it", async () => {
    const fake = fakeTracking(server);
    const run = fake.addRun(RUN, { params: new Map([["lr", "0.1"]]) });
    const dir = await tempDir();
    await deadJournal(dir, RUN, (journal) =>
      journal.appendParams([
        { key: "lr", value: "0.2" },
        { key: "layers", value: "3" },
      ]),
    );

    const { journals } = await recoverJournals({ client: client(), dir });

    expect(journals[0]).toMatchObject({ outcome: "recovered", delivered: { params: 1 }, conflicts: [{ key: "lr", journaled: "0.2", onServer: "0.1" }] });
    expect(Object.fromEntries(run.params)).toEqual({ lr: "0.1", layers: "3" });
    expect(run.logBatches).toBe(1);
    expect(await listJournals(dir)).toEqual([]);
  });

  it("isolates a param conflict the server reports itself (the param appeared after the run was read)", async () => {
    const fake = fakeTracking(server);
    const run = fake.addRun(RUN);
    const dir = await tempDir();
    await deadJournal(dir, RUN, (journal) =>
      journal.appendParams([
        { key: "lr", value: "0.2" },
        { key: "layers", value: "3" },
      ]),
    );
    fake.beforeLogBatch = () => {
      // Another writer sets the param between the recovery's read of the run and its request.
      if (!run.params.has("lr")) run.params.set("lr", "0.1");
    };

    const { journals } = await recoverJournals({ client: client(), dir });

    expect(journals[0]).toMatchObject({ outcome: "recovered", delivered: { params: 1 }, conflicts: [{ key: "lr", journaled: "0.2" }], refused: [] });
    expect(Object.fromEntries(run.params)).toEqual({ lr: "0.1", layers: "3" });
    expect(await listJournals(dir)).toEqual([]);
  });

  it("uploads a journaled artifact that is unchanged and reports one changed since it was logged", async () => {
    const fake = fakeTracking(server);
    const run = fake.addRun(RUN);
    const dir = await tempDir();
    const files = await tempDir("mlflow-ts-recovery-files-");
    await writeFile(join(files, "model.onnx"), "weights v1");
    await writeFile(join(files, "notes.txt"), "first notes");
    const model = await describeArtifact(join(files, "model.onnx"), "model");
    const notes = await describeArtifact(join(files, "notes.txt"), "");
    await deadJournal(dir, RUN, (journal) => {
      journal.appendArtifact(model);
      journal.appendArtifact(notes);
    });
    await writeFile(join(files, "notes.txt"), "rewritten since"); // not the file that was logged

    const { journals } = await recoverJournals({ client: client(), dir });

    expect(journals[0]).toMatchObject({
      outcome: "recovered",
      delivered: { artifacts: 1 },
      changedArtifacts: [{ localPath: join(files, "notes.txt"), artifactPath: "", state: "changed" }],
    });
    expect(Object.fromEntries(run.uploads)).toEqual({ "model/model.onnx": "weights v1" });
  });

  it("never touches the journal of a live process, nor one logged to another server", async () => {
    const fake = fakeTracking(server);
    const run = fake.addRun(RUN);
    const dir = await tempDir();
    const live = await Journal.create({ runId: RUN, trackingUri: "http://mlflow.test:5000", options: testOptions(dir) });
    live.appendMetrics(columns(10), 0, 10);
    await live.commit();
    await deadJournal(dir, OTHER_RUN, (journal) => journal.appendMetrics(columns(10), 0, 10), "http://elsewhere:5000");

    const { journals } = await recoverJournals({ client: client(), dir });

    expect(journals.map((j) => [j.runId, j.outcome, j.skipReason])).toEqual(
      expect.arrayContaining([
        [RUN, "skipped", "live"],
        [OTHER_RUN, "skipped", "other-server"],
      ]),
    );
    expect(run.logBatches).toBe(0);
    expect(await exists(live.path)).toBe(true);
    expect((await listJournals(dir)).length).toBe(2);
    await live.remove();
  });

  it("resumes an interrupted recovery after what it acknowledged: no point is sent twice", async () => {
    const fake = fakeTracking(server);
    const run = fake.addRun(RUN);
    const dir = await tempDir();
    const all = columns(5000, 3);
    await deadJournal(dir, RUN, (journal) => {
      appendPoints(journal, all, 0, 5000, 1000);
      journal.appendParams([{ key: "lr", value: "0.01" }]);
    });
    const controller = new AbortController();
    let requests = 0;
    const stopAfterTwo = (event: RecoveryEvent): void => {
      if (event.type === "delivered" && ++requests === 2) controller.abort(new Error("the recovering process was stopped"));
    };

    const first = await recoverJournals({ client: client(), dir, signal: controller.signal, onEvent: stopAfterTwo });

    expect(first.journals[0]).toMatchObject({ outcome: "incomplete", delivered: { metrics: 2000 } });
    expect(first.journals[0]!.detail).toMatch(/stopped.*Fix: /);
    expect(run.updates).toEqual([]);
    const [left] = await listJournals(dir);
    expect(left).toMatchObject({ runId: RUN, owner: { state: "live" } }); // claimed by this process, kept
    await killOwner(left!.path); // the recovering process dies

    const second = await recoverJournals({ client: client(), dir });

    expect(second.journals[0]).toMatchObject({ outcome: "recovered", delivered: { metrics: 3000, params: 1 }, finalStatus: { set: true, status: "KILLED" } });
    expect(run.pointsReceived).toBe(5000);
    expect(run.rows).toEqual(expectedRows(5000));
    expect(await listJournals(dir)).toEqual([]);
  });

  it("keeps the journal when the server fails, and delivers it all on the next recovery", async () => {
    const fake = fakeTracking(server);
    const run = fake.addRun(RUN);
    const dir = await tempDir();
    await deadJournal(dir, RUN, (journal) => journal.appendMetrics(columns(1200, 3), 0, 1200));
    fake.failNext(1, 503);

    const first = await recoverJournals({ client: client(), dir });

    expect(first.journals[0]).toMatchObject({ outcome: "incomplete", delivered: { metrics: 0 } });
    expect(first.journals[0]!.detail).toMatch(/503|TEMPORARILY_UNAVAILABLE/);
    await killOwner((await listJournals(dir))[0]!.path);

    const second = await recoverJournals({ client: client(), dir });

    expect(second.journals[0]).toMatchObject({ outcome: "recovered", delivered: { metrics: 1200 } });
    expect(run.pointsReceived).toBe(1200);
  });

  it("keeps a fully delivered journal whose status update failed, and sets the status on the next recovery", async () => {
    const fake = fakeTracking(server);
    const run = fake.addRun(RUN);
    const dir = await tempDir();
    await deadJournal(dir, RUN, (journal) => journal.appendMetrics(columns(10), 0, 10));
    fake.failUpdates(1);

    const first = await recoverJournals({ client: client(), dir });

    expect(first.journals[0]).toMatchObject({ outcome: "incomplete", delivered: { metrics: 10 } });
    expect(run.status).toBe("RUNNING");
    const [kept] = await listJournals(dir);
    expect(kept).toMatchObject({ runId: RUN });
    await killOwner(kept!.path);

    const second = await recoverJournals({ client: client(), dir });

    expect(second.journals[0]).toMatchObject({ outcome: "recovered", delivered: { metrics: 0 }, finalStatus: { set: true, status: "KILLED" } });
    expect(run.pointsReceived).toBe(10);
    expect(await listJournals(dir)).toEqual([]);
  });

  it("recovers up to the last whole record of a torn segment tail, and reports the damage", async () => {
    const { run, dir, segment } = await threeRecordJournal();
    await truncate(segment, (await stat(segment)).size - 5); // a kill in the middle of the last write

    const { journals } = await recoverJournals({ client: client(), dir });

    expect(journals[0]).toMatchObject({ outcome: "recovered", delivered: { metrics: 200 }, damage: [{ reason: "truncated", file: segment }] }); // named as it was found
    expect(run.rows).toEqual(new Set([...expectedRows(300)].slice(0, 200)));
    expect(run.pointsReceived).toBe(200);
  });

  it("stops at a flipped byte: the records before it are delivered, the damage reported, nothing misread", async () => {
    const { run, dir, segment } = await threeRecordJournal();
    const size = (await stat(segment)).size;
    const handle = await open(segment, "r+");
    const byte = Buffer.alloc(1);
    await handle.read(byte, 0, 1, size - 1000); // inside the last record (2,800 bytes of points)
    byte[0] = byte[0]! ^ 0x10;
    await handle.write(byte, 0, 1, size - 1000);
    await handle.close();

    const { journals } = await recoverJournals({ client: client(), dir });

    expect(journals[0]).toMatchObject({ outcome: "recovered", delivered: { metrics: 200 }, damage: [{ reason: "checksum" }] });
    expect(run.rows).toEqual(new Set([...expectedRows(300)].slice(0, 200)));
  });

  it("abandons and removes the journal of a run deleted on the server", async () => {
    const fake = fakeTracking(server);
    const run = fake.addRun(RUN, { lifecycle: "deleted" });
    const dir = await tempDir();
    await deadJournal(dir, RUN, (journal) => journal.appendMetrics(columns(10), 0, 10));

    const { journals } = await recoverJournals({ client: client(), dir });

    expect(journals[0]).toMatchObject({ outcome: "abandoned", delivered: { metrics: 0 } });
    expect(journals[0]!.detail).toContain("deleted");
    expect(run.logBatches).toBe(0);
    expect(await listJournals(dir)).toEqual([]);
  });
});
