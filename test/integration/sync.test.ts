/**
 * `syncRuns` and `mlflow-ts sync` from an embedded store in a temporary folder to the real stack:
 * two experiments (params, system tags, histories with NaN and a clamped Infinity, FINISHED /
 * FAILED / KILLED runs, a child run, a deleted run, a dataset input, nested local artifacts) are
 * copied to the direct server (artifacts to S3) and to the proxied server (artifacts through the
 * server), and compared field by field with the source; a second sync writes nothing; a sync
 * interrupted after the first run's metrics is completed, identically, by the next one; MLflow 3
 * logged models (with files) and the model registry (versions from runs:/, models:/m-… and a local
 * path, a stage, aliases) are copied and read back field by field, and a second sync copies none of
 * them; the built command exits 0 with the JSON report, and 1 naming what failed.
 */

import type { ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { downloadTree } from "../../src/artifacts/transfer.js";
import { AbortError, MlflowClient } from "../../src/index.js";
import type { EndpointName } from "../../src/protocol/endpoints.js";
import { serverLacks } from "../../src/protocol/server-features.js";
import { artifactStoresOf } from "../../src/sync/copy-artifacts.js";
import { formatSyncReport } from "../../src/sync/format.js";
import { syncRuns } from "../../src/sync/sync-runs.js";
import type { SyncEvent } from "../../src/sync/types.js";
import {
  expectSameLoggedModel,
  expectSameRun,
  findCopy,
  findModelCopy,
  listModelTree,
  listTree,
  localPathOf,
  MODEL_WRITES,
  type SeededModels,
  type SeededSource,
  seedModels,
  seedSource,
  sha256,
} from "../unit/sync/fixtures.js";
import { inspectionS3 } from "./artifacts-support.js";
import { type CliOutcome, ensureCliBuilt, runBuiltCli } from "./support/cli.js";
import { directBucketPattern, type StackServer, serverUri, stackClient, stackClientEnv, stackServerVersion } from "./support/stack.js";

const QUIET = { MLFLOW_TS_QUIET_LOCAL_STORE: "true" };
const WRITES = new Set<EndpointName>([
  "experiments.create",
  "experiments.setTag",
  "runs.create",
  "runs.update",
  "runs.setTag",
  "runs.logBatch",
  "runs.logInputs",
]);
const MODEL_AND_RUN_WRITES = new Set<EndpointName>([...WRITES, ...MODEL_WRITES]);

let dir: string;
let from: MlflowClient;
const targets: MlflowClient[] = [];

/** The target's version, as its client learns it; whether it is older than logged models (MLflow 2): sync skips them, with the reason. */
let TARGET_VERSION: string;
let TARGET_LACKS_LOGGED_MODELS: boolean;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mlflow-ts-sync-it-"));
  from = new MlflowClient({ trackingUri: `sqlite:///${join(dir, "mlflow.db")}`, env: QUIET });
  TARGET_VERSION = await stackServerVersion(target("direct"));
  TARGET_LACKS_LOGGED_MODELS = serverLacks(TARGET_VERSION, "logged-models") === true;
});

afterAll(async () => {
  await Promise.all([from.close(), ...targets.map((client) => client.close())]);
  await rm(dir, { recursive: true, force: true });
});

function target(server: StackServer): MlflowClient {
  const client = stackClient(server);
  targets.push(client);
  return client;
}

/** Seeds two fresh experiments in the shared source database. */
function seed(prefix: string): Promise<SeededSource> {
  return seedSource(from, join(dir, prefix), `${prefix}-${randomUUID()}`);
}

/** Asserts that every run of `seeded` except the deleted one has an identical copy on `to`; returns baseline's copy. */
async function expectCopied(seeded: SeededSource, to: MlflowClient): Promise<string> {
  const [vision, nlp] = seeded.experimentNames;
  const copyId = async (experiment: string, run: keyof SeededSource["runIds"]) => (await findCopy(to, experiment, seeded.runIds[run]))!.info.run_id;
  const baseline = await copyId(vision, "baseline");
  await expectSameRun(from, seeded.runIds.baseline, to, baseline);
  await expectSameRun(from, seeded.runIds.eval, to, await copyId(vision, "eval"), { [seeded.runIds.baseline]: baseline });
  await expectSameRun(from, seeded.runIds.tokenizer, to, await copyId(nlp, "tokenizer"));
  await expectSameRun(from, seeded.runIds.bert, to, await copyId(nlp, "bert"));
  expect(await findCopy(to, vision, seeded.runIds.discarded)).toBeUndefined();
  return baseline;
}

/** Downloads baseline's copy of `model/weights.bin` and compares its sha256 with the local file. */
async function expectSameWeights(to: MlflowClient, copyId: string, seeded: SeededSource): Promise<void> {
  const out = join(dir, `download-${randomUUID()}`);
  await to.artifacts.download(copyId, "model/weights.bin", out);
  expect(await sha256(join(out, "model/weights.bin"))).toBe(await sha256(seeded.weightsPath));
}

/** Counts the RPCs `client` sends from now on. */
function recordCalls(client: MlflowClient): EndpointName[] {
  const names: EndpointName[] = [];
  const call = client.store.call.bind(client.store);
  vi.spyOn(client.store, "call").mockImplementation(((name: EndpointName, request: never, options?: never) => {
    names.push(name);
    return call(name, request, options);
  }) as typeof client.store.call);
  return names;
}

describe("sync to the direct server (artifacts to S3)", () => {
  let seeded: SeededSource;
  let to: MlflowClient;

  beforeAll(async () => {
    seeded = await seed("direct");
    to = target("direct");
  }, 60_000);

  it("copies experiments, runs, histories and artifacts, field by field", async () => {
    const report = await syncRuns({ from, to, experimentNames: seeded.experimentNames });

    expect(report.ok).toBe(true);
    expect(report.experiments.map((e) => [e.action, e.outcome, e.tagsSet])).toEqual([
      ["create", "done", 2],
      ["create", "done", 0],
    ]);
    expect(report.totals).toMatchObject({
      experimentsCreated: 2,
      runsCopied: 4,
      runsSkipped: 1,
      runsFailed: 0,
      metricPoints: 10 + seeded.accPoints + 6,
      artifactFiles: 3,
      datasets: 1,
    });
    const created = await to.experiments.getByName(seeded.experimentNames[0]);
    expect(Object.fromEntries(created!.tags.map((t) => [t.key, t.value]))).toMatchObject({ team: "vision", "mlflow.note.content": "image models" });
    const baseline = await expectCopied(seeded, to);
    expect((await to.runs.get(baseline)).info.artifact_uri).toMatch(new RegExp(`^s3://${directBucketPattern()}/`));
    expect((await listTree(to, baseline)).map((file) => [file.path, file.size])).toEqual([
      ["model/config/params.json", 12],
      ["model/weights.bin", 200_000],
      ["notes.txt", 10],
    ]);
    await expectSameWeights(to, baseline, seeded);
  }, 120_000);

  it("copies nothing and writes nothing the second time", async () => {
    const calls = recordCalls(to);
    try {
      const report = await syncRuns({ from, to, experimentNames: seeded.experimentNames });

      expect(report.totals).toMatchObject({
        experimentsReused: 2,
        runsCopied: 0,
        runsResumed: 0,
        runsUpdated: 0,
        runsSkipped: 5,
        metricPoints: 0,
        artifactFiles: 0,
      });
      expect(calls.filter((name) => WRITES.has(name))).toEqual([]);
      expect(calls.sort()).toEqual(["experiments.getByName", "experiments.getByName", "runs.search", "runs.search"]);
    } finally {
      vi.restoreAllMocks();
    }
  }, 60_000);

  it("uploads a file added to a run's artifacts after its copy, byte for byte to S3, on the next sync", async () => {
    const added = randomBytes(70_000);
    const sourceDir = localPathOf((await from.runs.get(seeded.runIds.tokenizer)).info.artifact_uri);
    await mkdir(join(sourceDir, "vocab"), { recursive: true });
    await writeFile(join(sourceDir, "vocab", "merges.bin"), added);

    const report = await syncRuns({ from, to, experimentNames: seeded.experimentNames });

    expect(report.ok).toBe(true);
    expect(report.runs.filter((run) => run.action === "update").map((run) => [run.sourceRunId, run.reason])).toEqual([
      [seeded.runIds.tokenizer, "changed since the last copy: artifacts"],
    ]);
    expect(report.totals).toMatchObject({ runsUpdated: 1, runsSkipped: 4, artifactFiles: 1, artifactBytes: 70_000 });
    const copy = (await findCopy(to, seeded.experimentNames[1], seeded.runIds.tokenizer))!;
    const { Bucket, Key } = s3Location(`${copy.info.artifact_uri}/vocab/merges.bin`);
    const object = await inspectionS3().send(new GetObjectCommand({ Bucket, Key }));
    expect(Buffer.from(await object.Body!.transformToByteArray())).toEqual(added);
    expect((await syncRuns({ from, to, experimentNames: seeded.experimentNames })).totals).toMatchObject({ runsUpdated: 0, runsSkipped: 5 });
  }, 60_000);
});

/** Bucket and key of an `s3://bucket/key` URI. */
function s3Location(uri: string): { Bucket: string; Key: string } {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  expect(match, uri).not.toBeNull();
  return { Bucket: match![1]!, Key: match![2]! };
}

/**
 * Syncs a source with logged models and a registry to `server`, and reads everything back: the
 * logged models field by field with their files (listed through the server, downloaded from the
 * copy's artifact location and compared byte for byte), the versions with their sources pointing at
 * the copies, tags, stage and aliases; a second sync copies nothing.
 */
async function expectModelsSynced(server: StackServer, artifactScheme: RegExp): Promise<void> {
  if (TARGET_LACKS_LOGGED_MODELS) return expectModelsSkipped(server);
  const seeded = await seed(`models-${server}`);
  const models = await seedModels(from, seeded, `models-${server}-${randomUUID()}`);
  const to = target(server);

  const report = await syncRuns({ from, to, experimentNames: seeded.experimentNames });

  expect(report.ok).toBe(true);
  expect(report.totals).toMatchObject({
    runsCopied: 4,
    loggedModelsCopied: 2,
    loggedModelsFailed: 0,
    modelVersionsCopied: 3,
    modelVersionsSkipped: 1,
    modelVersionsFailed: 0,
    registeredModelsCreated: 2,
  });
  const [vision] = seeded.experimentNames;
  const baseline = (await findCopy(to, vision, seeded.runIds.baseline))!.info.run_id;
  const classifier = (await findModelCopy(to, vision, models.modelIds.classifier))!;
  const draft = (await findModelCopy(to, vision, models.modelIds.draft))!;
  await expectSameLoggedModel(from, models.modelIds.classifier, to, classifier.info.model_id, baseline);
  await expectSameLoggedModel(from, models.modelIds.draft, to, draft.info.model_id, undefined);
  expect([classifier.info.status, draft.info.status]).toEqual(["LOGGED_MODEL_READY", "LOGGED_MODEL_PENDING"]);
  expect(classifier.info.artifact_uri).toMatch(artifactScheme);
  expect((await listModelTree(to, classifier.info.model_id)).map((file) => [file.path, file.size])).toEqual(
    Object.entries(models.classifierFiles)
      .map(([path, content]) => [path, content.length])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
  );
  await expectSameModelFiles(to, classifier.info.artifact_uri, models);

  const { clf, stray } = models.registered;
  const baselineArtifacts = (await to.runs.get(baseline)).info.artifact_uri;
  const versions = await Promise.all([1, 2, 3].map((version) => to.modelVersions.get(clf, version)));
  expect(versions.map((v) => [v.source, v.run_id, v.current_stage, v.description ?? ""])).toEqual([
    [`runs:/${baseline}/model`, baseline, "None", "first"],
    [`models:/${classifier.info.model_id}`, baseline, "Production", ""],
    [`${baselineArtifacts}/model`, baseline, "None", ""],
  ]);
  expect(versions.map((v) => Object.fromEntries(v.tags.map((t) => [t.key, t.value])))).toEqual([
    { validated: "no", "mlflow-ts.sync.sourceVersion": "1" },
    { validated: "yes", "mlflow-ts.sync.sourceVersion": "2" },
    { "mlflow-ts.sync.sourceVersion": "3" },
  ]);
  const registered = await to.registeredModels.get(clf);
  expect([registered.description, registered.tags]).toEqual(["the classifier", [{ key: "team", value: "vision" }]]);
  expect(registered.aliases.sort((a, b) => a.alias.localeCompare(b.alias))).toEqual([
    { alias: "champion", version: "2" },
    { alias: "previous", version: "3" },
  ]);
  expect((await to.loggedModels.get(classifier.info.model_id)).info.tags.find((t) => t.key === "mlflow.modelVersions")?.value).toContain(clf);
  expect(report.modelVersions.find((v) => v.name === stray)).toMatchObject({
    action: "skip",
    reason: expect.stringContaining('its source "s3://elsewhere/model"'),
  });

  const calls = recordCalls(to);
  try {
    const again = await syncRuns({ from, to, experimentNames: seeded.experimentNames });
    expect(again.totals).toMatchObject({
      runsCopied: 0,
      loggedModelsCopied: 0,
      loggedModelsSkipped: 2,
      modelVersionsCopied: 0,
      modelVersionsSkipped: 4,
      registeredModelsCreated: 0,
    });
    expect(calls.filter((name) => MODEL_AND_RUN_WRITES.has(name))).toEqual([]);
  } finally {
    vi.restoreAllMocks();
  }
}

/**
 * On an MLflow 2 target: the runs are copied, every logged model is skipped with a reason naming
 * the target's version, the versions whose source is a logged model are skipped (their source has
 * no copy) and nothing fails.
 */
async function expectModelsSkipped(server: StackServer): Promise<void> {
  const seeded = await seed(`models-${server}`);
  await seedModels(from, seeded, `models-${server}-${randomUUID()}`);
  const report = await syncRuns({ from, to: target(server), experimentNames: seeded.experimentNames });
  expect(report.ok).toBe(true);
  expect(report.totals).toMatchObject({ runsCopied: 4, loggedModelsCopied: 0, loggedModelsSkipped: 2, loggedModelsFailed: 0, modelVersionsFailed: 0 });
  for (const model of report.loggedModels) {
    expect(model).toMatchObject({ action: "skip", outcome: "skipped" });
    expect(model.reason).toBe(
      `the target runs MLflow ${TARGET_VERSION}, which has no logged models (they need MLflow ≥ 3.0); the runs and their artifacts are copied`,
    );
  }
  expect(formatSyncReport(report)).toContain(`Logged models not copied: 2, because the target runs MLflow ${TARGET_VERSION}, which has no logged models`);
}

/** Downloads the copy's files from its artifact location and compares them with the source's, byte for byte. */
async function expectSameModelFiles(to: MlflowClient, artifactUri: string, models: SeededModels): Promise<void> {
  const out = join(dir, `model-${randomUUID()}`);
  const stores = artifactStoresOf(to);
  try {
    await downloadTree(stores.forUri(artifactUri), "", out, {}, 4);
  } finally {
    stores.close();
  }
  for (const [path, content] of Object.entries(models.classifierFiles)) expect(await readFile(join(out, path))).toEqual(content);
}

describe("logged models and the model registry", () => {
  it("follow the source's changes after their copy on the direct server: version description, tags, stage, alias; logged model tags and status; registered model description and tags", async () => {
    if (TARGET_LACKS_LOGGED_MODELS) return expectModelsSkipped("direct");
    const seeded = await seed("models-changes");
    const models = await seedModels(from, seeded, `models-changes-${randomUUID()}`);
    const to = target("direct");
    const { clf } = models.registered;
    const [vision] = seeded.experimentNames;
    expect((await syncRuns({ from, to, experimentNames: seeded.experimentNames })).ok).toBe(true);
    await from.modelVersions.update(clf, 1, { description: "first, reviewed" });
    await from.modelVersions.setTag(clf, 1, "validated", "yes");
    await from.modelVersions.deleteTag(clf, 2, "validated");
    await from.modelVersions.transitionStage(clf, 3, "Staging");
    await from.registeredModels.setAlias(clf, "baseline", 1);
    await from.registeredModels.update(clf, { description: "the classifier, v2" });
    await from.registeredModels.setTag(clf, "team", "research");
    await from.loggedModels.setTags(models.modelIds.classifier, { owner: "grace" });
    await from.loggedModels.deleteTag(models.modelIds.classifier, "mlflow.source.name");
    const draftDir = localPathOf((await from.loggedModels.get(models.modelIds.draft)).info.artifact_uri);
    const draftFile = randomBytes(20_000);
    await mkdir(draftDir, { recursive: true });
    await writeFile(join(draftDir, "model.bin"), draftFile);
    await from.loggedModels.finalize(models.modelIds.draft, "LOGGED_MODEL_READY");

    const report = await syncRuns({ from, to, experimentNames: seeded.experimentNames });

    expect(report.ok).toBe(true);
    expect(report.modelVersions.filter((v) => v.action !== "skip").map((v) => [v.sourceVersion, v.action, v.reason])).toEqual([
      ["1", "update", "changed since the last copy: description, tags"],
      ["2", "update", "changed since the last copy: tags"],
      ["3", "resume", "its copy has no stage yet"],
    ]);
    expect(report.totals).toMatchObject({ modelVersionsUpdated: 2, loggedModelsUpdated: 2, loggedModelsCopied: 0, modelVersionsCopied: 1 });
    const versions = await Promise.all([1, 2, 3].map((version) => to.modelVersions.get(clf, version)));
    expect(versions.map((v) => [v.description ?? "", v.current_stage, Object.fromEntries(v.tags.map((t) => [t.key, t.value]))])).toEqual([
      ["first, reviewed", "None", { validated: "yes", "mlflow-ts.sync.sourceVersion": "1" }],
      ["", "Production", { "mlflow-ts.sync.sourceVersion": "2" }],
      ["", "Staging", { "mlflow-ts.sync.sourceVersion": "3" }],
    ]);
    const registered = await to.registeredModels.get(clf);
    expect([registered.description, registered.tags]).toEqual(["the classifier, v2", [{ key: "team", value: "research" }]]);
    expect(registered.aliases.find((a) => a.alias === "baseline")?.version).toBe("1");
    const baseline = (await findCopy(to, vision, seeded.runIds.baseline))!.info.run_id;
    await expectSameLoggedModel(from, models.modelIds.classifier, to, (await findModelCopy(to, vision, models.modelIds.classifier))!.info.model_id, baseline);
    const draft = (await findModelCopy(to, vision, models.modelIds.draft))!;
    await expectSameLoggedModel(from, models.modelIds.draft, to, draft.info.model_id, undefined);
    const out = join(dir, `draft-${randomUUID()}`);
    const stores = artifactStoresOf(to);
    try {
      await downloadTree(stores.forUri(draft.info.artifact_uri), "", out, {}, 4);
    } finally {
      stores.close();
    }
    expect(await readFile(join(out, "model.bin"))).toEqual(draftFile);

    const calls = recordCalls(to);
    try {
      const again = await syncRuns({ from, to, experimentNames: seeded.experimentNames });
      expect(again.totals).toMatchObject({ loggedModelsUpdated: 0, loggedModelsSkipped: 2, modelVersionsUpdated: 0, modelVersionsSkipped: 4 });
      expect(calls.filter((name) => MODEL_AND_RUN_WRITES.has(name))).toEqual([]);
    } finally {
      vi.restoreAllMocks();
    }
  }, 180_000);

  it("are copied to the direct server (files to S3), field by field, once", async () => {
    await expectModelsSynced("direct", new RegExp(`^s3://${directBucketPattern()}/.*/models/m-[0-9a-f]+/artifacts$`));
  }, 180_000);

  it("are copied to the proxied server (files through the server), field by field, once", async () => {
    await expectModelsSynced("proxied", /^mlflow-artifacts:\/.*\/models\/m-[0-9a-f]+\/artifacts$/);
  }, 180_000);
});

describe("an interrupted sync to the direct server", () => {
  it("is completed, identically, by the next sync", async () => {
    const seeded = await seed("resume");
    const to = target("direct");
    const controller = new AbortController();
    let interrupted: string | undefined;
    const onProgress = (event: SyncEvent): void => {
      if (event.type !== "run-step" || event.step !== "metrics") return;
      interrupted = event.run.targetRunId;
      controller.abort();
    };

    await expect(syncRuns({ from, to, experimentNames: seeded.experimentNames, concurrency: 1, signal: controller.signal, onProgress })).rejects.toThrow(
      AbortError,
    );

    const cut = await to.runs.get(interrupted!);
    const tags = Object.fromEntries(cut.data.tags.map((t) => [t.key, t.value]));
    expect(tags["mlflow-ts.sync.state"]).toBe("incomplete");
    expect(cut.info.status).toBe("RUNNING");
    expect(cut.data.metrics.length).toBeGreaterThan(0);

    const report = await syncRuns({ from, to, experimentNames: seeded.experimentNames });

    expect(report.ok).toBe(true);
    expect(report.totals).toMatchObject({ experimentsReused: 2, runsCopied: 0, runsResumed: 4, runsSkipped: 1, runsFailed: 0 });
    const baseline = await expectCopied(seeded, to);
    await expectSameWeights(to, baseline, seeded);
    expect((await syncRuns({ from, to, experimentNames: seeded.experimentNames })).totals).toMatchObject({ runsResumed: 0, runsCopied: 0, runsSkipped: 5 });
  }, 180_000);
});

describe("sync to the proxied server (artifacts through the server)", () => {
  it("copies everything, field by field, with artifacts behind mlflow-artifacts:", async () => {
    const seeded = await seed("proxied");
    const to = target("proxied");

    const report = await syncRuns({ from, to, experimentNames: seeded.experimentNames });

    expect(report.ok).toBe(true);
    expect(report.totals).toMatchObject({ experimentsCreated: 2, runsCopied: 4, artifactFiles: 3 });
    const baseline = await expectCopied(seeded, to);
    expect((await to.runs.get(baseline)).info.artifact_uri).toMatch(/^mlflow-artifacts:\//);
    await expectSameWeights(to, baseline, seeded);
    expect((await syncRuns({ from, to, experimentNames: seeded.experimentNames })).totals).toMatchObject({ runsCopied: 0, runsSkipped: 5 });
  }, 180_000);
});

describe("mlflow-ts sync (built command)", () => {
  beforeAll(() => ensureCliBuilt(), 360_000);

  it("exits 0 and prints the JSON report, then finds nothing to do", async () => {
    const seeded = await seed("cli");
    const args = ["sync", "--from", from.trackingUri, "--to", serverUri("direct"), ...seeded.experimentNames.flatMap((name) => ["--experiment", name])];

    const first = await mlflowTs([...args, "--json"]);

    expect(first.code).toBe(0);
    const report = JSON.parse(first.stdout);
    expect(Object.keys(report).sort()).toEqual([
      "dryRun",
      "durationMs",
      "experiments",
      "from",
      "loggedModels",
      "modelVersions",
      "ok",
      "registeredModels",
      "runs",
      "to",
      "totals",
    ]);
    expect(report).toMatchObject({
      ok: true,
      dryRun: false,
      from: from.trackingUri,
      to: serverUri("direct"),
      totals: { runsCopied: 4, runsSkipped: 1, artifactFiles: 3 },
    });
    expect(report.runs.map((run: { runName: string; outcome: string }) => `${run.runName}:${run.outcome}`).sort()).toEqual([
      "baseline:done",
      "bert:done",
      "discarded:skipped",
      "eval:done",
      "tokenizer:done",
    ]);
    expect(first.stderr).toMatch(/^sync: experiment "cli-.*-vision" created \(id \d+ on the target\)\n/);
    expect(first.stderr.match(/^sync: \[\d\/4\] copied /gm)).toHaveLength(4);
    await expectCopied(seeded, target("direct"));

    const again = await mlflowTs([...args, "--dry-run"]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(
      "Runs: 0 would be copied, 0 would be resumed, 0 would be updated, 5 skipped, 0 failed\nModels: 0 logged models would be copied, 0 skipped, 0 failed; 0 model versions would be registered, 0 skipped, 0 failed; 0 registered models would be created\nSkipped: 4 already copied, 1 deleted at the source",
    );
  }, 180_000);

  it("stops on Ctrl-C (SIGINT), exits 1, and the same command completes the sync", async () => {
    const name = `sync-cli-sigint-${randomUUID()}`;
    const experimentId = await from.experiments.create({ name, artifact_location: join(dir, "sigint") });
    for (let index = 0; index < 4; index++) {
      const runId = (await from.runs.create({ experiment_id: experimentId, run_name: `big-${index}` })).info.run_id;
      const metrics = Array.from({ length: 20_000 }, (_, i) => ({ key: `k${i % 10}`, value: i, step: Math.floor(i / 10), timestamp: 1_700_000_000_000 + i }));
      await from.runs.logBatch(runId, { metrics });
      await from.runs.update(runId, { status: "FINISHED", end_time: 1_700_000_100_000 });
    }
    const args = ["sync", "--from", from.trackingUri, "--to", serverUri("direct"), "--experiment", name];

    // One Ctrl-C, sent once a copy has started on the target (so there is something to resume);
    // a second Ctrl-C would kill the process at once, as it should.
    let watching = false;
    const interrupted = await mlflowTs(args, (stderr, child) => {
      if (watching || !stderr.includes("runs to copy")) return;
      watching = true;
      void interruptOnceACopyStarted(name, child);
    });

    expect(interrupted.code).toBe(1);
    expect(interrupted.stderr).toContain("sync: interrupting (the runs in flight stay marked incomplete; run the same command again to complete them)…");
    expect(interrupted.stderr).toMatch(/error: The sync was interrupted after [0-3] of 4 runs; run it again to complete it\./);
    const completed = await mlflowTs([...args, "--json"]);
    expect(completed.code).toBe(0);
    const report = JSON.parse(completed.stdout);
    expect(report.totals.runsResumed).toBeGreaterThan(0);
    expect(report.totals.runsCopied + report.totals.runsResumed).toBe(4);
    const to = target("direct");
    for (const run of report.runs) await expectSameRun(from, run.sourceRunId, to, run.targetRunId);
  }, 240_000);

  it("exits 1 and names the experiment that could not be synced", async () => {
    const name = `sync-cli-gone-${randomUUID()}`;
    const experimentId = await from.experiments.create({ name, artifact_location: join(dir, "gone") });
    await from.runs.create({ experiment_id: experimentId, run_name: "orphan" });
    const to = target("direct");
    await to.experiments.delete(await to.experiments.create({ name }));

    const { code, stdout } = await mlflowTs(["sync", "--from", from.trackingUri, "--to", serverUri("direct"), "--experiment", name]);

    expect(code).toBe(1);
    expect(stdout).toContain(`Experiments: 0 created, 0 reused, 1 failed`);
    expect(stdout).toMatch(
      new RegExp(`Failed:\\n  experiment "${name}": an experiment named "${name}" is deleted on the target \\(id \\d+\\); restore it there`),
    );
  }, 60_000);
});

/**
 * Sends SIGINT to `child` as soon as the target holds an incomplete copy in the experiment `name`
 * (polling every 25 ms, for at most 60 s; sends it anyway at the end so the test cannot hang).
 */
async function interruptOnceACopyStarted(name: string, child: ChildProcess): Promise<void> {
  const to = target("direct");
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && child.exitCode === null) {
    const experiment = await to.experiments.getByName(name).catch(() => undefined);
    const started = experiment
      ? (
          await to.runs
            .search({ experiment_ids: [experiment.experiment_id], filter: `tags.\`mlflow-ts.sync.state\` = 'incomplete'`, max_results: 1 })
            .firstPage()
        ).items
      : [];
    if (started.length > 0) break;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  child.kill("SIGINT");
}

/** The built command on the direct server (see support/cli.ts). */
function mlflowTs(args: string[], onStderr?: (stderr: string, child: ChildProcess) => void): Promise<CliOutcome> {
  return runBuiltCli(args, stackClientEnv(serverUri("direct")), onStderr);
}
