/**
 * syncRuns end to end between two embedded stores (no network): everything is copied field by
 * field, a second sync writes nothing, an interrupted sync is resumed, changed runs are updated,
 * deleted runs are skipped, failures are reported per run, and a dry run writes nothing. The
 * requests the target receives are counted through its store.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { MlflowClient } from "../../../src/client/client.js";
import { AbortError } from "../../../src/core/errors.js";
import type { EndpointName } from "../../../src/protocol/endpoints.js";
import { SyncError } from "../../../src/sync/errors.js";
import { syncRuns } from "../../../src/sync/sync-runs.js";
import { SYNC_ARTIFACTS_DIGEST_TAG, SYNC_SOURCE_URI_TAG, SYNC_STATE_TAG } from "../../../src/sync/tags.js";
import type { SyncEvent } from "../../../src/sync/types.js";
import { QUIET, removeTempDirs, tempDir } from "../store/sqlite/helpers.js";
import { expectSameRun, findCopy, listTree, localPathOf, type RecordedCall, recordStoreCalls, type SeededSource, seedSource, sha256 } from "./fixtures.js";

const WRITES = new Set<EndpointName>([
  "experiments.create",
  "experiments.setTag",
  "runs.create",
  "runs.update",
  "runs.setTag",
  "runs.logBatch",
  "runs.logInputs",
  "runs.delete",
]);

let dir: string;
let from: MlflowClient;
let to: MlflowClient;
let seeded: SeededSource;
/** RPCs the target received, in order: name and request. */
let calls: RecordedCall[];

beforeEach(async () => {
  dir = tempDir();
  from = new MlflowClient({ trackingUri: `sqlite:///${join(dir, "source.db")}`, env: QUIET });
  to = new MlflowClient({ trackingUri: `sqlite:///${join(dir, "target.db")}`, env: QUIET });
  seeded = await seedSource(from, dir, "sync");
  // The target experiments exist with artifact locations inside the temporary folder (a new one
  // would get <cwd>/mlruns/<id>); the sync reuses them by name.
  for (const name of seeded.experimentNames) await to.experiments.create({ name, artifact_location: join(dir, `target-${name}`) });
  calls = recordStoreCalls(to);
});

afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all([from.close(), to.close()]);
  removeTempDirs();
});

const writes = () => calls.filter((c) => WRITES.has(c.name));
const sync = (options: Partial<Parameters<typeof syncRuns>[0]> = {}) => syncRuns({ from, to, experimentNames: seeded.experimentNames, ...options });

async function copyIdOf(name: keyof SeededSource["runIds"], experiment = 0): Promise<string> {
  const copy = await findCopy(to, seeded.experimentNames[experiment as 0 | 1], seeded.runIds[name]);
  expect(copy).toBeDefined();
  return copy!.info.run_id;
}

async function expectAllCopied(): Promise<void> {
  const baseline = await copyIdOf("baseline");
  await expectSameRun(from, seeded.runIds.baseline, to, baseline);
  await expectSameRun(from, seeded.runIds.eval, to, await copyIdOf("eval"), { [seeded.runIds.baseline]: baseline });
  await expectSameRun(from, seeded.runIds.tokenizer, to, await copyIdOf("tokenizer", 1));
  await expectSameRun(from, seeded.runIds.bert, to, await copyIdOf("bert", 1));
}

describe("a first sync", () => {
  it("copies runs, params, tags, full histories (NaN and clamped Infinity), datasets and nested artifacts", async () => {
    const report = await sync();

    expect(report.ok).toBe(true);
    await expectAllCopied();
    const weights = join(dir, "download");
    await to.artifacts.download(await copyIdOf("baseline"), "model/weights.bin", weights);
    expect(await sha256(join(weights, "model/weights.bin"))).toBe(await sha256(seeded.weightsPath));
    expect((await listTree(to, await copyIdOf("baseline"))).map((f) => f.path)).toEqual(["model/config/params.json", "model/weights.bin", "notes.txt"]);
  });

  it("reports what it copied and skips the run deleted at the source", async () => {
    const report = await sync();

    expect(report.experiments.map((e) => [e.name, e.action, e.outcome, e.tagsSet])).toEqual([
      [seeded.experimentNames[0], "reuse", "done", 2],
      [seeded.experimentNames[1], "reuse", "done", 0],
    ]);
    expect(report.totals).toEqual({
      experimentsCreated: 0,
      experimentsReused: 2,
      experimentsFailed: 0,
      runsCopied: 4,
      runsResumed: 0,
      runsUpdated: 0,
      runsSkipped: 1,
      runsFailed: 0,
      metricPoints: 10 + seeded.accPoints + 3 + 1 + 2,
      params: 3 + 1,
      tags: 6 + 6 + 5 + 5,
      datasets: 1,
      artifactFiles: 3,
      artifactBytes: 200_000 + JSON.stringify({ lr: 0.001 }).length + "first try\n".length,
      loggedModelsCopied: 0,
      loggedModelsUpdated: 0,
      loggedModelsSkipped: 0,
      loggedModelsFailed: 0,
      modelVersionsCopied: 0,
      modelVersionsUpdated: 0,
      modelVersionsSkipped: 0,
      modelVersionsFailed: 0,
      registeredModelsCreated: 0,
    });
    expect(report.runs.find((run) => run.sourceRunId === seeded.runIds.discarded)).toMatchObject({
      action: "skip",
      outcome: "skipped",
      reason: "deleted at the source",
    });
    expect(await findCopy(to, seeded.experimentNames[0], seeded.runIds.discarded)).toBeUndefined();
  });

  it("marks each copy with its source and as complete, and sends metrics 1000 points per log-batch", async () => {
    await sync();

    const copy = await to.runs.get(await copyIdOf("baseline"));
    const tags = Object.fromEntries(copy.data.tags.map((t) => [t.key, t.value]));
    expect(tags).toMatchObject({ "mlflow-ts.sync.sourceRunId": seeded.runIds.baseline, [SYNC_STATE_TAG]: "complete", [SYNC_SOURCE_URI_TAG]: from.trackingUri });
    const batches = calls.filter((c) => c.name === "runs.logBatch" && c.request.run_id === copy.info.run_id);
    const metricCounts = batches.map((c) => (c.request.metrics as unknown[] | undefined)?.length ?? 0);
    expect(metricCounts).toEqual([0, 1000, 1000, (10 + seeded.accPoints) % 1000]);
    const order = calls.filter((c) => c.request.run_id === copy.info.run_id && WRITES.has(c.name)).map((c) => c.name);
    expect(order).toEqual(["runs.logBatch", "runs.logBatch", "runs.logBatch", "runs.logBatch", "runs.logInputs", "runs.update", "runs.setTag"]);
  });

  it("creates a missing experiment with its tags", async () => {
    const name = `${seeded.experimentNames[0]}-fresh`;
    await from.experiments.update((await from.experiments.getByName(seeded.experimentNames[1]))!.experiment_id, { new_name: name });
    // Runs without artifacts only: a new experiment on the target would store them under <cwd>/mlruns.
    const report = await sync({ experimentNames: [name] });

    expect(report.experiments).toMatchObject([{ name, action: "create", outcome: "done", tagsSet: 0 }]);
    expect(report.totals.runsCopied).toBe(2);
    const created = await to.experiments.getByName(name);
    expect(created?.experiment_id).toBe(report.experiments[0]!.targetExperimentId);
  });
});

describe("a second sync", () => {
  it("copies nothing and writes nothing", async () => {
    await sync();
    calls.length = 0;

    const report = await sync();

    expect(report.totals).toMatchObject({ runsCopied: 0, runsResumed: 0, runsUpdated: 0, runsSkipped: 5, metricPoints: 0, artifactFiles: 0 });
    expect(writes()).toEqual([]);
    expect(report.runs.filter((run) => run.reason === "already copied")).toHaveLength(4);
  });

  it("updates a run that changed at the source since", async () => {
    await sync();
    await from.runs.setTag(seeded.runIds.tokenizer, "reviewed", "yes");

    const report = await sync();

    expect(report.totals).toMatchObject({ runsUpdated: 1, runsSkipped: 4 });
    expect(report.runs.find((run) => run.action === "update")).toMatchObject({
      sourceRunId: seeded.runIds.tokenizer,
      reason: "changed since the last copy: tags",
      outcome: "done",
    });
    await expectSameRun(from, seeded.runIds.tokenizer, to, await copyIdOf("tokenizer", 1));
    expect((await sync()).totals.runsSkipped).toBe(5);
  });

  it("copies a RUNNING run as RUNNING, then updates it once it ended", async () => {
    const experimentId = (await from.experiments.getByName(seeded.experimentNames[1]))!.experiment_id;
    const running = (await from.runs.create({ experiment_id: experimentId, run_name: "live" })).info.run_id;
    await from.runs.logMetric(running, "loss", 1, { step: 0 });
    await sync();
    const copyId = (await findCopy(to, seeded.experimentNames[1], running))!.info.run_id;
    expect((await to.runs.get(copyId)).info.status).toBe("RUNNING");
    expect((await sync()).totals.runsSkipped).toBe(6);

    await from.runs.logMetric(running, "loss", 0.5, { step: 1 });
    await from.runs.update(running, { status: "FINISHED", end_time: Date.now() });
    const report = await sync();

    expect(report.runs.find((run) => run.sourceRunId === running)).toMatchObject({
      action: "update",
      reason: "changed since the last copy: status, end time, metrics",
    });
    await expectSameRun(from, running, to, copyId);
  });

  it("does not bring back a copy deleted on the target", async () => {
    await sync();
    await to.runs.delete(await copyIdOf("bert", 1));
    calls.length = 0;

    const report = await sync();

    expect(report.runs.find((run) => run.sourceRunId === seeded.runIds.bert)).toMatchObject({ action: "skip", reason: "its copy is deleted on the target" });
    expect(writes()).toEqual([]);
  });
});

describe("artifacts changed after a copy", () => {
  /** The local artifact directory of a source run. */
  const sourceArtifacts = async (name: keyof SeededSource["runIds"]) => localPathOf((await from.runs.get(seeded.runIds[name])).info.artifact_uri);
  /** Writes a file into a source run's artifact directory (created if the run had none). */
  async function addFile(name: keyof SeededSource["runIds"], path: string, content: string | Buffer): Promise<void> {
    const file = join(await sourceArtifacts(name), path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, content);
  }
  /** The bytes of a copy's artifact, downloaded. */
  async function copiedBytes(copyId: string, path: string): Promise<Buffer> {
    const into = join(dir, `download-${randomUUID()}`);
    await to.artifacts.download(copyId, path, into);
    return readFile(join(into, path));
  }

  it("stores the source's artifact digest on each copy, and a second sync with nothing changed updates nothing", async () => {
    await sync();
    const copy = await to.runs.get(await copyIdOf("baseline"));
    expect(copy.data.tags.find((tag) => tag.key === SYNC_ARTIFACTS_DIGEST_TAG)?.value).toMatch(/^[0-9a-f]{64}$/);
    calls.length = 0;

    const report = await sync();

    expect(report.totals).toMatchObject({ runsUpdated: 0, runsSkipped: 5, artifactFiles: 0 });
    expect(writes()).toEqual([]);
  });

  it("updates exactly the run whose artifact directory got a new file, and uploads it", async () => {
    await sync();
    const added = randomBytes(30_000);
    await addFile("eval", "plots/roc.png", added);

    const report = await sync();

    expect(report.totals).toMatchObject({ runsUpdated: 1, runsSkipped: 4, artifactFiles: 1, artifactBytes: 30_000 });
    expect(report.runs.find((run) => run.action === "update")).toMatchObject({
      sourceRunId: seeded.runIds.eval,
      reason: "changed since the last copy: artifacts",
      outcome: "done",
    });
    const copyId = await copyIdOf("eval");
    expect(await copiedBytes(copyId, "plots/roc.png")).toEqual(added);
    await expectSameRun(from, seeded.runIds.eval, to, copyId, { [seeded.runIds.baseline]: await copyIdOf("baseline") });
    expect((await sync()).totals).toMatchObject({ runsUpdated: 0, runsSkipped: 5 });
  });

  it("uploads an overwritten file again, and keeps on the target a file deleted at the source", async () => {
    await sync();
    const directory = await sourceArtifacts("baseline");
    await writeFile(join(directory, "notes.txt"), "second try, longer\n");
    await rm(join(directory, "model", "config", "params.json"));

    const report = await sync();

    expect(report.runs.find((run) => run.action === "update")).toMatchObject({
      sourceRunId: seeded.runIds.baseline,
      reason: "changed since the last copy: artifacts",
    });
    expect(report.totals.runsUpdated).toBe(1);
    const copyId = await copyIdOf("baseline");
    expect((await copiedBytes(copyId, "notes.txt")).toString()).toBe("second try, longer\n");
    expect((await listTree(to, copyId)).map((file) => file.path)).toEqual(["model/config/params.json", "model/weights.bin", "notes.txt"]);
  });

  it("does not re-upload a copy without a digest (made by an older sync), and gives it one on its next update", async () => {
    await sync();
    const copyId = await copyIdOf("tokenizer", 1);
    await to.runs.deleteTag(copyId, SYNC_ARTIFACTS_DIGEST_TAG);
    await addFile("tokenizer", "vocab.txt", "a\nb\n");
    expect((await sync()).totals).toMatchObject({ runsUpdated: 0, runsSkipped: 5 });

    await from.runs.setTag(seeded.runIds.tokenizer, "reviewed", "yes");
    const report = await sync();

    expect(report.runs.find((run) => run.action === "update")).toMatchObject({
      sourceRunId: seeded.runIds.tokenizer,
      reason: "changed since the last copy: tags",
    });
    expect((await to.runs.get(copyId)).data.tags.some((tag) => tag.key === SYNC_ARTIFACTS_DIGEST_TAG)).toBe(true);
    expect((await copiedBytes(copyId, "vocab.txt")).toString()).toBe("a\nb\n");
    expect((await sync()).totals).toMatchObject({ runsUpdated: 0, runsSkipped: 5 });
  });

  it("reports the update in a dry run without writing", async () => {
    await sync();
    await addFile("bert", "sample.txt", "hello\n");
    calls.length = 0;

    const report = await sync({ dryRun: true });

    expect(report.runs.filter((run) => run.action === "update")).toMatchObject([
      { sourceRunId: seeded.runIds.bert, reason: "changed since the last copy: artifacts", outcome: "planned" },
    ]);
    expect(report.totals.runsUpdated).toBe(1);
    expect(writes()).toEqual([]);
  });
});

describe("an interrupted sync", () => {
  it("stops when the signal fires and is completed, identically, by the next sync", async () => {
    const controller = new AbortController();
    const steps: string[] = [];
    const onProgress = (event: SyncEvent): void => {
      if (event.type !== "run-step") return;
      steps.push(`${event.run.runName}:${event.step}`);
      if (event.step === "metrics") controller.abort();
    };

    await expect(sync({ concurrency: 1, signal: controller.signal, onProgress })).rejects.toThrow(AbortError);

    const interrupted = steps.find((step) => step.endsWith(":metrics"))!.split(":")[0]!;
    expect(steps.filter((step) => !step.endsWith(":created"))).toEqual([`${interrupted}:params-tags`, `${interrupted}:metrics`]);
    const report = await sync();

    expect(report.ok).toBe(true);
    // Every copy was created before the interruption (they are created first), so all are resumed.
    expect(report.totals).toMatchObject({ runsCopied: 0, runsResumed: 4, runsSkipped: 1, runsFailed: 0 });
    expect(report.runs.filter((run) => run.action === "resume").every((run) => run.reason === "the last copy was interrupted")).toBe(true);
    await expectAllCopied();
    expect((await sync()).totals.runsSkipped).toBe(5);
  });

  it("leaves the copy marked incomplete when it failed after its creation", async () => {
    const original = vi.mocked(to.store.call).getMockImplementation()!;
    vi.mocked(to.store.call).mockImplementation(((name: EndpointName, request: Record<string, unknown>, options?: object) => {
      if (name === "runs.update") return Promise.reject(new Error("the server went away"));
      return original(name as never, request as never, options as never);
    }) as typeof to.store.call);

    const report = await sync();

    expect(report.ok).toBe(false);
    expect(report.totals).toMatchObject({ runsFailed: 4, runsCopied: 0 });
    expect(report.runs.filter((run) => run.outcome === "failed").map((run) => run.error)).toEqual(Array(4).fill("the server went away"));
    const copy = await to.runs.get(await copyIdOf("baseline"));
    expect(copy.data.tags.find((t) => t.key === SYNC_STATE_TAG)?.value).toBe("incomplete");

    vi.mocked(to.store.call).mockImplementation(original);
    const retried = await sync();
    expect(retried.totals).toMatchObject({ runsResumed: 4, runsFailed: 0 });
    await expectAllCopied();
  });
});

describe("failures and options", () => {
  it("reports a failing run and copies the others", async () => {
    const original = vi.mocked(to.store.call).getMockImplementation()!;
    vi.mocked(to.store.call).mockImplementation(((name: EndpointName, request: Record<string, unknown>, options?: object) => {
      const fails =
        name === "runs.logBatch" &&
        (request.tags as { key: string; value: string }[] | undefined)?.some((t) => t.key === "mlflow.runName" && t.value === "eval");
      return fails ? Promise.reject(new Error("INVALID_PARAMETER_VALUE: nope")) : original(name as never, request as never, options as never);
    }) as typeof to.store.call);

    const report = await sync();

    expect(report.ok).toBe(false);
    expect(report.runs.filter((run) => run.outcome === "failed")).toMatchObject([
      { sourceRunId: seeded.runIds.eval, runName: "eval", error: "INVALID_PARAMETER_VALUE: nope" },
    ]);
    expect(report.totals).toMatchObject({ runsCopied: 3, runsFailed: 1 });
  });

  it("stops a run's metric batches at the first failure, fails the run, and resumes it next time", async () => {
    const original = vi.mocked(to.store.call).getMockImplementation()!;
    let metricBatches = 0;
    vi.mocked(to.store.call).mockImplementation(((name: EndpointName, request: Record<string, unknown>, options?: object) => {
      const isMetrics = name === "runs.logBatch" && ((request.metrics as unknown[] | undefined)?.length ?? 0) > 0;
      if (isMetrics && (request.metrics as { key: string }[]).some((m) => m.key === "acc") && ++metricBatches === 1)
        return Promise.reject(new Error("HTTP 500 after retries"));
      return original(name as never, request as never, options as never);
    }) as typeof to.store.call);

    const report = await sync({ experimentNames: [seeded.experimentNames[0]] });

    expect(report.runs.find((run) => run.runName === "baseline")).toMatchObject({ outcome: "failed", error: "HTTP 500 after retries", metricPoints: 0 });
    // Three batches were due (2510 points); the first failed, so the third was never sent (the second may have been in flight).
    expect(metricBatches).toBeLessThan(3);
    expect(report.totals).toMatchObject({ runsCopied: 1, runsFailed: 1 });

    vi.mocked(to.store.call).mockImplementation(original);
    const resumed = await sync({ experimentNames: [seeded.experimentNames[0]] });
    expect(resumed.runs.find((run) => run.runName === "baseline")).toMatchObject({ action: "resume", outcome: "done", metricPoints: 10 + seeded.accPoints });
    await expectSameRun(from, seeded.runIds.baseline, to, await copyIdOf("baseline"));
  });

  it("fails an experiment whose name is taken by a deleted experiment on the target, and syncs the others", async () => {
    await to.experiments.delete((await to.experiments.getByName(seeded.experimentNames[1]))!.experiment_id);

    const report = await sync();

    expect(report.ok).toBe(false);
    expect(report.experiments[1]).toMatchObject({ outcome: "failed", reason: expect.stringContaining("is deleted on the target") });
    expect(report.totals).toMatchObject({ experimentsFailed: 1, runsCopied: 2 });
  });

  it("refuses an experiment name the source does not have, before writing anything", async () => {
    await expect(sync({ experimentNames: ["nope"] })).rejects.toThrow(
      new SyncError(
        `No experiment named "nope" in ${from.trackingUri}. List them with: mlflow-ts experiments list (with MLFLOW_TRACKING_URI=${from.trackingUri}).`,
      ),
    );
    expect(writes()).toEqual([]);
  });

  it.each([0, 17, 1.5])("refuses concurrency %s", async (concurrency) => {
    await expect(sync({ concurrency })).rejects.toThrow("concurrency must be a whole number from 1 to 16");
    expect(calls).toEqual([]);
  });

  it("plans without writing in a dry run", async () => {
    await sync({ experimentNames: [seeded.experimentNames[1]] });
    await from.runs.setTag(seeded.runIds.tokenizer, "reviewed", "yes");
    calls.length = 0;

    const report = await sync({ dryRun: true });

    expect(writes()).toEqual([]);
    expect(report.dryRun).toBe(true);
    expect(report.runs.map((run) => [run.runName, run.action, run.outcome])).toEqual(
      expect.arrayContaining([
        ["baseline", "copy", "planned"],
        ["eval", "copy", "planned"],
        ["discarded", "skip", "skipped"],
        ["tokenizer", "update", "planned"],
        ["bert", "skip", "skipped"],
      ]),
    );
    expect(report.totals).toMatchObject({ runsCopied: 2, runsUpdated: 1, runsSkipped: 2, metricPoints: 0 });
  });

  it("emits the steps of each run in order, then its end", async () => {
    const events: string[] = [];
    await sync({
      experimentNames: [seeded.experimentNames[1]],
      concurrency: 1,
      onProgress: (event) => {
        if (event.type === "run-step") events.push(`${event.run.runName}:${event.step}`);
        if (event.type === "run-finished") events.push(`${event.run.runName}:done ${event.finished}/${event.total}`);
        if (event.type === "planned") events.push(`planned ${event.total}+${event.skipped}`);
      },
    });
    const first = events[1]!.split(":")[0]!;
    const second = first === "bert" ? "tokenizer" : "bert";
    expect(events).toEqual([
      "planned 2+0",
      `${first}:created`,
      `${second}:created`,
      ...["params-tags", "metrics", "inputs", "artifacts", "finished"].map((step) => `${first}:${step}`),
      `${first}:done 1/2`,
      ...["params-tags", "metrics", "inputs", "artifacts", "finished"].map((step) => `${second}:${step}`),
      `${second}:done 2/2`,
    ]);
  });
});

describe("public API", () => {
  it("exports syncRuns and its tags from mlflow-ts/sync, and its error from the root entry", async () => {
    const api = await import("../../../src/sync.js");
    expect(api.syncRuns).toBe(syncRuns);
    expect((await import("../../../src/index.js")).SyncError).toBe(SyncError);
    expect([api.SYNC_SOURCE_RUN_ID_TAG, api.SYNC_SOURCE_URI_TAG, api.SYNC_STATE_TAG]).toEqual([
      "mlflow-ts.sync.sourceRunId",
      "mlflow-ts.sync.sourceUri",
      "mlflow-ts.sync.state",
    ]);
    expect([api.SYNC_SOURCE_MODEL_ID_TAG, api.SYNC_SOURCE_VERSION_TAG]).toEqual(["mlflow-ts.sync.sourceModelId", "mlflow-ts.sync.sourceVersion"]);
    expect(api.SYNC_ARTIFACTS_DIGEST_TAG).toBe("mlflow-ts.sync.artifactsDigest");
  });
});
