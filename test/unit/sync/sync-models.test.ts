/**
 * syncRuns copies MLflow 3 logged models and the model registry between two embedded stores (no
 * network): logged models field by field with their files, model versions registered with their
 * sources rewritten to the copies, tags, stage and aliases; a second sync copies nothing; an alias
 * pointing elsewhere on the target is left and reported; a version outside any copied run is
 * skipped with its reason; an interrupted model copy is completed; a dry run writes nothing.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { MlflowClient } from "../../../src/client/client.js";
import { AbortError } from "../../../src/core/errors.js";
import type { EndpointName } from "../../../src/protocol/endpoints.js";
import { syncRuns } from "../../../src/sync/sync-runs.js";
import type { SyncEvent } from "../../../src/sync/types.js";
import { QUIET, removeTempDirs, tempDir } from "../store/sqlite/helpers.js";
import {
  expectSameLoggedModel,
  findCopy,
  findModelCopy,
  localPathOf,
  MODEL_WRITES,
  type RecordedCall,
  recordStoreCalls,
  type SeededModels,
  type SeededSource,
  seedModels,
  seedSource,
} from "./fixtures.js";

let dir: string;
let from: MlflowClient;
let to: MlflowClient;
let seeded: SeededSource;
let models: SeededModels;
let calls: RecordedCall[];

beforeEach(async () => {
  dir = tempDir();
  from = new MlflowClient({ trackingUri: `sqlite:///${join(dir, "source.db")}`, env: QUIET });
  to = new MlflowClient({ trackingUri: `sqlite:///${join(dir, "target.db")}`, env: QUIET });
  seeded = await seedSource(from, dir, "models", 20);
  models = await seedModels(from, seeded, "models");
  for (const name of seeded.experimentNames) await to.experiments.create({ name, artifact_location: join(dir, `target-${name}`) });
  calls = recordStoreCalls(to);
});

afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all([from.close(), to.close()]);
  removeTempDirs();
});

const sync = (options: Partial<Parameters<typeof syncRuns>[0]> = {}) => syncRuns({ from, to, experimentNames: seeded.experimentNames, ...options });
const modelWrites = () => calls.filter((c) => MODEL_WRITES.has(c.name)).map((c) => c.name);
const vision = () => seeded.experimentNames[0];

async function baselineCopy(): Promise<string> {
  return (await findCopy(to, vision(), seeded.runIds.baseline))!.info.run_id;
}

async function classifierCopy(): Promise<string> {
  return (await findModelCopy(to, vision(), models.modelIds.classifier))!.info.model_id;
}

describe("logged models", () => {
  it("copies each logged model field by field, with its files, source run translated to the run's copy", async () => {
    const report = await sync();

    expect(report.ok).toBe(true);
    const baseline = await baselineCopy();
    const classifier = await classifierCopy();
    await expectSameLoggedModel(from, models.modelIds.classifier, to, classifier, baseline);
    const copy = await to.loggedModels.get(classifier);
    expect(copy.info.experiment_id).toBe((await to.experiments.getByName(vision()))!.experiment_id);
    expect(copy.info.status).toBe("LOGGED_MODEL_READY");
    for (const [path, content] of Object.entries(models.classifierFiles))
      expect(await readFile(join(localPathOf(copy.info.artifact_uri), path))).toEqual(content);
    const tags = Object.fromEntries(copy.info.tags.map((t) => [t.key, t.value]));
    expect(tags).toMatchObject({
      "mlflow-ts.sync.sourceModelId": models.modelIds.classifier,
      "mlflow-ts.sync.state": "complete",
      "mlflow-ts.sync.sourceUri": from.trackingUri,
    });
    // The target lists its own versions: the source's list is not sent.
    expect((await from.loggedModels.get(models.modelIds.classifier)).info.tags.map((t) => t.key)).toContain("mlflow.modelVersions");
    const created = calls.filter((c) => c.name === "loggedModels.create").map((c) => (c.request.tags as { key: string }[]).map((t) => t.key));
    expect(created).toHaveLength(2);
    expect(created.flat()).not.toContain("mlflow.modelVersions");
  });

  it("leaves a PENDING model's copy pending, and reports each model with its files", async () => {
    const report = await sync();

    const draft = (await findModelCopy(to, vision(), models.modelIds.draft))!;
    await expectSameLoggedModel(from, models.modelIds.draft, to, draft.info.model_id, undefined);
    expect(draft.info.status).toBe("LOGGED_MODEL_PENDING");
    const bytes = Object.values(models.classifierFiles).reduce((sum, content) => sum + content.length, 0);
    expect(report.loggedModels.map((m) => [m.name, m.action, m.outcome, m.artifactFiles, m.artifactBytes]).sort()).toEqual([
      ["classifier", "copy", "done", 3, bytes],
      ["draft", "copy", "done", 0, 0],
    ]);
    expect(report.totals).toMatchObject({ loggedModelsCopied: 2, loggedModelsSkipped: 0, loggedModelsFailed: 0, artifactFiles: 3 + 3 });
  });

  it("completes a copy interrupted before it was finalized", async () => {
    const original = vi.mocked(to.store.call).getMockImplementation()!;
    vi.mocked(to.store.call).mockImplementation(((name: EndpointName, request: Record<string, unknown>, options?: object) => {
      if (name === "loggedModels.finalize") return Promise.reject(new Error("the server went away"));
      return original(name as never, request as never, options as never);
    }) as typeof to.store.call);

    const failed = await sync();

    expect(failed.ok).toBe(false);
    expect(failed.loggedModels.find((m) => m.name === "classifier")).toMatchObject({ outcome: "failed", error: "the server went away" });
    const stuck = (await to.loggedModels.get(await classifierCopy())).info;
    expect([stuck.status, stuck.tags.find((t) => t.key === "mlflow-ts.sync.state")?.value]).toEqual(["LOGGED_MODEL_PENDING", "incomplete"]);

    vi.mocked(to.store.call).mockImplementation(original);
    const report = await sync();

    expect(report.loggedModels.find((m) => m.name === "classifier")).toMatchObject({
      action: "resume",
      reason: "the last copy was interrupted",
      outcome: "done",
      targetModelId: stuck.model_id,
    });
    await expectSameLoggedModel(from, models.modelIds.classifier, to, stuck.model_id, await baselineCopy());
    expect((await sync()).totals).toMatchObject({ loggedModelsCopied: 0, loggedModelsSkipped: 2 });
  });
});

describe("an interrupted sync", () => {
  it("stops between two logged models when the signal fires, and the next sync completes the rest", async () => {
    const controller = new AbortController();
    const onProgress = (event: SyncEvent): void => {
      if (event.type === "logged-model-finished") controller.abort();
    };

    await expect(sync({ signal: controller.signal, onProgress })).rejects.toThrow(AbortError);

    expect(modelWrites().filter((name) => name === "loggedModels.create")).toHaveLength(1);
    expect(modelWrites().filter((name) => name.startsWith("modelVersions.") || name.startsWith("registeredModels."))).toEqual([]);
    const report = await sync();

    expect(report.ok).toBe(true);
    expect(report.totals).toMatchObject({ loggedModelsCopied: 1, loggedModelsSkipped: 1, modelVersionsCopied: 3, registeredModelsCreated: 2 });
    await expectSameLoggedModel(from, models.modelIds.classifier, to, await classifierCopy(), await baselineCopy());
  });
});

describe("the model registry", () => {
  it("registers the versions with sources rewritten to the copies, ids translated, tags and description", async () => {
    const report = await sync();

    const baseline = await baselineCopy();
    const classifier = await classifierCopy();
    const baselineArtifacts = (await to.runs.get(baseline)).info.artifact_uri;
    const { clf } = models.registered;
    const versions = await Promise.all([1, 2, 3].map((v) => to.modelVersions.get(clf, v)));
    expect(versions.map((v) => [v.source, v.run_id])).toEqual([
      [`runs:/${baseline}/model`, baseline],
      [`models:/${classifier}`, baseline],
      [`${baselineArtifacts}/model`, baseline],
    ]);
    // MLflow's SQL registry does not keep a version's model_id: check what was sent.
    const sent = calls.filter((c) => c.name === "modelVersions.create" && c.request.name === clf).map((c) => [c.request.run_id, c.request.model_id]);
    expect(sent).toEqual([
      [baseline, undefined],
      [baseline, classifier],
      [baseline, undefined],
    ]);
    const tags = versions.map((v) => Object.fromEntries(v.tags.map((t) => [t.key, t.value])));
    expect(tags).toEqual([
      { validated: "no", "mlflow-ts.sync.sourceVersion": "1" },
      { validated: "yes", "mlflow-ts.sync.sourceVersion": "2" },
      { "mlflow-ts.sync.sourceVersion": "3" },
    ]);
    expect(versions[0]!.description).toBe("first");
    const registered = await to.registeredModels.get(clf);
    expect([registered.description, registered.tags]).toEqual(["the classifier", [{ key: "team", value: "vision" }]]);
    expect(report.modelVersions.filter((v) => v.name === clf).map((v) => [v.sourceVersion, v.targetVersion, v.action, v.outcome])).toEqual([
      ["1", "1", "copy", "done"],
      ["2", "2", "copy", "done"],
      ["3", "3", "copy", "done"],
    ]);
    expect(report.totals).toMatchObject({ modelVersionsCopied: 3, modelVersionsSkipped: 1, modelVersionsFailed: 0, registeredModelsCreated: 2 });
  });

  it("sets the stage (without archiving others) and the aliases", async () => {
    const report = await sync();

    const { clf } = models.registered;
    expect((await to.modelVersions.get(clf, 2)).current_stage).toBe("Production");
    expect((await to.modelVersions.get(clf, 1)).current_stage).toBe("None");
    expect((await to.registeredModels.get(clf)).aliases.sort((a, b) => a.alias.localeCompare(b.alias))).toEqual([
      { alias: "champion", version: "2" },
      { alias: "previous", version: "3" },
    ]);
    expect(report.registeredModels.find((m) => m.name === clf)).toMatchObject({
      action: "create",
      outcome: "done",
      aliasesSet: ["champion", "previous"],
      aliasesLeft: [],
    });
    const stage = calls.find((c) => c.name === "modelVersions.transitionStage")!.request;
    expect(stage).toMatchObject({ name: clf, version: "2", stage: "Production", archive_existing_versions: false });
  });

  it("skips a version whose source is outside any copied run, with its reason", async () => {
    const report = await sync();

    expect(report.modelVersions.find((v) => v.name === models.registered.stray)).toMatchObject({
      sourceVersion: "1",
      action: "skip",
      outcome: "skipped",
      reason: 'its source "s3://elsewhere/model" is not runs:/…, models:/m-… nor inside the artifact location of its run or logged model',
    });
    expect(report.ok).toBe(true);
  });

  it("skips a version of a run deleted at the source: its run has no copy", async () => {
    await from.modelVersions.create({ name: models.registered.stray, source: `runs:/${seeded.runIds.discarded}/model`, run_id: seeded.runIds.discarded });

    const report = await sync();

    expect(report.modelVersions.find((v) => v.name === models.registered.stray && v.sourceVersion === "2")).toMatchObject({
      action: "skip",
      reason: `its source names the run ${seeded.runIds.discarded}, which has no copy on the target (not in the synced experiments, deleted, or its copy failed)`,
    });
  });

  it("sets the stage of a copy registered before an interruption, and nothing else", async () => {
    const original = vi.mocked(to.store.call).getMockImplementation()!;
    vi.mocked(to.store.call).mockImplementation(((name: EndpointName, request: Record<string, unknown>, options?: object) => {
      if (name === "modelVersions.transitionStage") return Promise.reject(new Error("the server went away"));
      return original(name as never, request as never, options as never);
    }) as typeof to.store.call);
    const failed = await sync();
    expect(failed.modelVersions.find((v) => v.sourceVersion === "2" && v.name === models.registered.clf)).toMatchObject({
      outcome: "failed",
      targetVersion: "2",
      error: "the server went away",
    });
    expect(failed.ok).toBe(false);
    vi.mocked(to.store.call).mockImplementation(original);
    calls.length = 0;

    const report = await sync();

    expect(report.modelVersions.find((v) => v.sourceVersion === "2" && v.name === models.registered.clf)).toMatchObject({
      action: "resume",
      reason: "its copy has no stage yet",
      outcome: "done",
      targetVersion: "2",
    });
    expect(modelWrites()).toEqual(["modelVersions.transitionStage"]);
    expect((await to.modelVersions.get(models.registered.clf, 2)).current_stage).toBe("Production");
  });

  it("leaves an alias that points at another version on the target, and says so", async () => {
    const { clf } = models.registered;
    await to.registeredModels.create({ name: clf });
    const other = await to.experiments.getByName(vision());
    const run = await to.runs.create({ experiment_id: other!.experiment_id });
    await to.modelVersions.create({ name: clf, source: `runs:/${run.info.run_id}/model`, run_id: run.info.run_id });
    await to.registeredModels.setAlias(clf, "champion", 1);

    const report = await sync();

    expect((await to.registeredModels.get(clf)).aliases.find((a) => a.alias === "champion")).toEqual({ alias: "champion", version: "1" });
    const copyOf2 = report.modelVersions.find((v) => v.name === clf && v.sourceVersion === "2")!.targetVersion;
    expect(copyOf2).toBe("3");
    expect(report.registeredModels.find((m) => m.name === clf)).toMatchObject({
      // The target's registered model had no description nor tags: it gets the source's.
      action: "update",
      reason: "changed since the last copy: description, tags",
      aliasesSet: ["previous"],
      aliasesLeft: ["champion points at version 1 on the target, not at 3 (the copy of version 2); left as it is"],
    });
  });

  it("copies nothing the second time", async () => {
    await sync();
    calls.length = 0;

    const report = await sync();

    expect(modelWrites()).toEqual([]);
    expect(report.totals).toMatchObject({
      loggedModelsCopied: 0,
      loggedModelsSkipped: 2,
      modelVersionsCopied: 0,
      modelVersionsSkipped: 4,
      registeredModelsCreated: 0,
    });
    expect(report.modelVersions.filter((v) => v.reason === "already copied")).toHaveLength(3);
    expect(report.registeredModels.find((m) => m.name === models.registered.clf)).toMatchObject({
      action: "reuse",
      aliasesSet: ["champion", "previous"],
      aliasesLeft: [],
    });
  });

  it("only registers versions of the synced experiments", async () => {
    const report = await sync({ experimentNames: [seeded.experimentNames[1]] });

    expect(report.modelVersions).toEqual([]);
    expect(report.loggedModels).toEqual([]);
    expect(modelWrites()).toEqual([]);
  });

  it("plans without writing in a dry run", async () => {
    const report = await sync({ dryRun: true });

    expect(modelWrites()).toEqual([]);
    expect(report.loggedModels.map((m) => [m.name, m.action, m.outcome]).sort()).toEqual([
      ["classifier", "copy", "planned"],
      ["draft", "copy", "planned"],
    ]);
    expect(report.modelVersions.map((v) => [v.name, v.sourceVersion, v.action, v.outcome])).toEqual([
      [models.registered.clf, "1", "copy", "planned"],
      [models.registered.clf, "2", "copy", "planned"],
      [models.registered.clf, "3", "copy", "planned"],
      [models.registered.stray, "1", "skip", "skipped"],
    ]);
    expect(report.totals).toMatchObject({ loggedModelsCopied: 2, modelVersionsCopied: 3, modelVersionsSkipped: 1, registeredModelsCreated: 2 });
    expect(await to.registeredModels.search({})).toEqual([]);
  });

  it("emits one event per logged model and per version, after the runs", async () => {
    const events: string[] = [];
    const onProgress = (event: SyncEvent): void => {
      if (event.type === "run-finished") events.push("run");
      if (event.type === "logged-model-finished") events.push(`model ${event.model.name}`);
      if (event.type === "model-version-finished") events.push(`version ${event.version.name}/${event.version.sourceVersion}`);
    };
    await sync({ onProgress });

    const { clf, stray } = models.registered;
    expect(events.filter((e) => e !== "run")).toEqual(expect.arrayContaining(["model classifier", "model draft"]));
    expect(events.slice(events.lastIndexOf("run") + 1).slice(2)).toEqual([`version ${clf}/1`, `version ${clf}/2`, `version ${clf}/3`, `version ${stray}/1`]);
    expect(events.indexOf("model classifier")).toBeGreaterThan(events.lastIndexOf("run"));
  });
});

describe("changes at the source after a copy", () => {
  const tagsOf = (tags: readonly { key: string; value: string }[]) =>
    Object.fromEntries(tags.filter((t) => !t.key.startsWith("mlflow-ts.sync.")).map((t) => [t.key, t.value]));
  /** The copy of a source version on the target, as the first sync reported it. */
  async function versionCopy(name: string, sourceVersion: string) {
    const copies = await to.modelVersions.search({ filter: `name='${name}'` });
    return copies.find((v) => v.tags.some((t) => t.key === "mlflow-ts.sync.sourceVersion" && t.value === sourceVersion))!;
  }

  it("brings a version's description and tags (set, changed, deleted) to its copy, and nothing else", async () => {
    const { clf } = models.registered;
    await sync();
    await from.modelVersions.update(clf, 1, { description: "first, reviewed" });
    await from.modelVersions.setTag(clf, 1, "validated", "yes");
    await from.modelVersions.setTag(clf, 1, "reviewer", "grace");
    await from.modelVersions.deleteTag(clf, 2, "validated");
    calls.length = 0;

    const report = await sync();

    expect(report.modelVersions.filter((v) => v.action === "update").map((v) => [v.sourceVersion, v.reason, v.outcome])).toEqual([
      ["1", "changed since the last copy: description, tags", "done"],
      ["2", "changed since the last copy: tags", "done"],
    ]);
    expect(report.totals).toMatchObject({ modelVersionsUpdated: 2, modelVersionsCopied: 0, modelVersionsSkipped: 2, loggedModelsUpdated: 0 });
    const first = await versionCopy(clf, "1");
    expect([first.description, tagsOf(first.tags)]).toEqual(["first, reviewed", { validated: "yes", reviewer: "grace" }]);
    const second = await versionCopy(clf, "2");
    expect(tagsOf(second.tags)).toEqual({});
    expect(second.tags.map((t) => t.key)).toContain("mlflow-ts.sync.sourceVersion");
    expect(modelWrites().sort()).toEqual(["modelVersions.deleteTag", "modelVersions.setTag", "modelVersions.setTag", "modelVersions.update"]);
    calls.length = 0;
    expect((await sync()).totals).toMatchObject({ modelVersionsUpdated: 0, modelVersionsSkipped: 4 });
    expect(modelWrites()).toEqual([]);
  });

  it("moves a version's copy to the source's new stage without archiving the others, and sets a new alias", async () => {
    const { clf } = models.registered;
    await sync();
    await from.modelVersions.transitionStage(clf, 2, "Archived");
    await from.modelVersions.transitionStage(clf, 3, "Production");
    await from.registeredModels.setAlias(clf, "baseline", 1);

    const report = await sync();

    expect(report.modelVersions.filter((v) => v.action !== "skip").map((v) => [v.sourceVersion, v.action, v.reason])).toEqual([
      ["2", "update", "changed since the last copy: stage"],
      ["3", "resume", "its copy has no stage yet"],
    ]);
    expect([(await versionCopy(clf, "2")).current_stage, (await versionCopy(clf, "3")).current_stage]).toEqual(["Archived", "Production"]);
    const target = await to.registeredModels.get(clf);
    expect(target.aliases.find((a) => a.alias === "baseline")?.version).toBe((await versionCopy(clf, "1")).version);
    expect(report.registeredModels.find((m) => m.name === clf)?.aliasesSet).toContain("baseline");
  });

  it("brings a logged model's tags (set, changed, deleted) and its new READY status, with its files, to its copy", async () => {
    await sync();
    await from.loggedModels.setTags(models.modelIds.classifier, { owner: "grace", stage: "prod" });
    await from.loggedModels.deleteTag(models.modelIds.classifier, "mlflow.source.name");
    const draft = await from.loggedModels.get(models.modelIds.draft);
    await mkdir(localPathOf(draft.info.artifact_uri), { recursive: true });
    await writeFile(join(localPathOf(draft.info.artifact_uri), "MLmodel"), "flavors: {}\n");
    await from.loggedModels.finalize(models.modelIds.draft, "LOGGED_MODEL_READY");

    const report = await sync();

    expect(report.loggedModels.map((m) => [m.name, m.action, m.reason, m.outcome, m.artifactFiles]).sort()).toEqual([
      ["classifier", "update", "changed since the last copy: tags", "done", 0],
      ["draft", "update", "changed since the last copy: status", "done", 1],
    ]);
    expect(report.totals).toMatchObject({ loggedModelsUpdated: 2, loggedModelsCopied: 0, loggedModelsSkipped: 0 });
    await expectSameLoggedModel(from, models.modelIds.classifier, to, await classifierCopy(), await baselineCopy());
    const draftCopy = (await findModelCopy(to, vision(), models.modelIds.draft))!;
    await expectSameLoggedModel(from, models.modelIds.draft, to, draftCopy.info.model_id, undefined);
    expect((await sync()).totals).toMatchObject({ loggedModelsUpdated: 0, loggedModelsSkipped: 2 });
  });

  it("sets a registered model's new description and changed tags, keeping tags only the target has", async () => {
    const { clf } = models.registered;
    await sync();
    await to.registeredModels.setTag(clf, "owner", "platform");
    await from.registeredModels.update(clf, { description: "the classifier, v2" });
    await from.registeredModels.setTag(clf, "team", "research");

    const report = await sync();

    expect(report.registeredModels.find((m) => m.name === clf)).toMatchObject({
      action: "update",
      reason: "changed since the last copy: description, tags",
      outcome: "done",
    });
    const target = await to.registeredModels.get(clf);
    expect([target.description, tagsOf(target.tags)]).toEqual(["the classifier, v2", { team: "research", owner: "platform" }]);
    expect((await sync()).registeredModels.find((m) => m.name === clf)?.action).toBe("reuse");
  });

  it("reports the updates in a dry run without writing", async () => {
    const { clf } = models.registered;
    await sync();
    await from.modelVersions.setTag(clf, 1, "validated", "yes");
    await from.loggedModels.setTags(models.modelIds.classifier, { owner: "grace" });
    await from.registeredModels.update(clf, { description: "renamed" });
    calls.length = 0;

    const report = await sync({ dryRun: true });

    expect(modelWrites()).toEqual([]);
    expect(report.modelVersions.filter((v) => v.action === "update").map((v) => [v.sourceVersion, v.outcome])).toEqual([["1", "planned"]]);
    expect(report.loggedModels.filter((m) => m.action === "update").map((m) => [m.name, m.outcome])).toEqual([["classifier", "planned"]]);
    expect(report.registeredModels.find((m) => m.name === clf)).toMatchObject({ action: "update", outcome: "planned" });
    expect(report.totals).toMatchObject({ modelVersionsUpdated: 1, loggedModelsUpdated: 1 });
  });
});
