/**
 * A local store worth syncing, and a field-by-field comparison of a source run with its copy.
 * Shared by the unit tests (sqlite → sqlite) and the integration tests (sqlite → the real stack).
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, vi } from "vitest";
import type { MlflowClient } from "../../../src/client/client.js";
import type { EndpointName } from "../../../src/protocol/endpoints.js";
import type { LoggedModel } from "../../../src/protocol/entities/logged-model.js";
import type { FileInfo, KeyValue, Metric, Run } from "../../../src/protocol/entities/tracking.js";
import { isBookkeepingTag } from "../../../src/sync/tags.js";

/** What {@link seedSource} wrote. */
export interface SeededSource {
  experimentNames: [string, string];
  /** Run ids by name: baseline, eval (child of baseline), discarded (deleted), tokenizer, bert. */
  runIds: Record<"baseline" | "eval" | "discarded" | "tokenizer" | "bert", string>;
  /** Local path of baseline's `model/weights.bin`. */
  weightsPath: string;
  /** Points in baseline's `acc` history. */
  accPoints: number;
}

const BASE_TIME = Date.UTC(2026, 0, 15, 9, 0, 0);

/**
 * Fills `client` (an embedded store) with two experiments whose artifacts live under `dir`:
 * `<prefix>-vision` (tags; runs baseline FINISHED with params, system tags, a NaN in `loss`,
 * `accPoints` points of `acc`, a dataset input and nested artifacts; eval FAILED, child of
 * baseline; discarded, deleted) and `<prefix>-nlp` (tokenizer FINISHED, bert KILLED with a clamped
 * +Infinity).
 */
export async function seedSource(client: MlflowClient, dir: string, prefix: string, accPoints = 2500): Promise<SeededSource> {
  const vision = `${prefix}-vision`;
  const nlp = `${prefix}-nlp`;
  const visionId = await client.experiments.create({
    name: vision,
    artifact_location: join(dir, "artifacts-vision"),
    tags: { team: "vision", "mlflow.note.content": "image models" },
  });
  const nlpId = await client.experiments.create({ name: nlp, artifact_location: join(dir, "artifacts-nlp") });
  const systemTags = {
    "mlflow.user": "ada",
    "mlflow.source.name": "train.ts",
    "mlflow.source.type": "LOCAL",
    "mlflow.source.git.commit": "0123456789abcdef0123456789abcdef01234567",
  };

  const baseline = await newRun(client, visionId, "baseline", { ...systemTags, team: "vision" }, 0);
  await client.runs.logBatch(baseline, {
    params: { lr: 0.001, layers: 3, optimizer: "adam" },
    metrics: [
      ...Array.from({ length: 10 }, (_, step) => ({ key: "loss", value: step === 5 ? Number.NaN : 1 / (step + 1), step, timestamp: BASE_TIME + step * 1000 })),
      ...Array.from({ length: accPoints }, (_, step) => ({ key: "acc", value: step / accPoints, step, timestamp: BASE_TIME + step })),
    ],
  });
  await client.runs.logInputs(baseline, {
    datasets: [
      {
        tags: [{ key: "mlflow.data.context", value: "train" }],
        dataset: { name: "mnist", digest: "d1g357", source_type: "local", source: '{"uri": "/data/mnist"}' },
      },
    ],
  });
  const local = join(dir, "to-upload"); // kept: the copies' files are compared with these
  const weightsPath = join(local, "model", "weights.bin");
  await mkdir(join(local, "model", "config"), { recursive: true });
  await writeFile(weightsPath, randomBytes(200_000));
  await writeFile(join(local, "model", "config", "params.json"), JSON.stringify({ lr: 0.001 }));
  await writeFile(join(local, "notes.txt"), "first try\n");
  await client.artifacts.upload(baseline, local);
  await client.runs.update(baseline, { status: "FINISHED", end_time: BASE_TIME + 3_600_000 });

  const evalRun = await newRun(client, visionId, "eval", { ...systemTags, "mlflow.parentRunId": baseline }, 60_000);
  await client.runs.logBatch(evalRun, {
    metrics: [0.7, 0.8, 0.9].map((value, step) => ({ key: "eval/acc", value, step, timestamp: BASE_TIME + 60_000 + step })),
  });
  await client.runs.update(evalRun, { status: "FAILED", end_time: BASE_TIME + 120_000 });

  const discarded = await newRun(client, visionId, "discarded", systemTags, 200_000);
  await client.runs.logBatch(discarded, { params: { lr: 1 } });
  await client.runs.update(discarded, { status: "FINISHED", end_time: BASE_TIME + 210_000 });
  await client.runs.delete(discarded);

  const tokenizer = await newRun(client, nlpId, "tokenizer", { ...systemTags, "mlflow.user": "grace" }, 300_000);
  await client.runs.logBatch(tokenizer, { params: { vocab: 32000 }, metrics: [{ key: "oov", value: 0.01, step: 0, timestamp: BASE_TIME + 300_000 }] });
  await client.runs.update(tokenizer, { status: "FINISHED", end_time: BASE_TIME + 400_000 });

  const bert = await newRun(client, nlpId, "bert", systemTags, 500_000);
  await client.runs.logBatch(bert, {
    metrics: [
      { key: "perplexity", value: Number.POSITIVE_INFINITY, step: 0, timestamp: BASE_TIME + 500_000 },
      { key: "perplexity", value: 12.5, step: 1, timestamp: BASE_TIME + 501_000 },
    ],
  });
  await client.runs.update(bert, { status: "KILLED", end_time: BASE_TIME + 600_000 });

  return {
    experimentNames: [vision, nlp],
    runIds: { baseline, eval: evalRun, discarded, tokenizer, bert },
    weightsPath,
    accPoints,
  };
}

async function newRun(client: MlflowClient, experimentId: string, name: string, tags: Record<string, string>, offsetMs: number): Promise<string> {
  const run = await client.runs.create({ experiment_id: experimentId, run_name: name, start_time: BASE_TIME + offsetMs, user_id: tags["mlflow.user"], tags });
  return run.info.run_id;
}

/** The copy of `sourceRunId` in the target experiment named `experimentName`, found by its source-id tag. */
export async function findCopy(to: MlflowClient, experimentName: string, sourceRunId: string): Promise<Run | undefined> {
  const experiment = await to.experiments.getByName(experimentName);
  if (!experiment) return undefined;
  const copies = await to.runs.search({
    experiment_ids: [experiment.experiment_id],
    filter: `tags.\`mlflow-ts.sync.sourceRunId\` = '${sourceRunId}'`,
    run_view_type: "ALL",
  });
  expect(copies.length).toBeLessThanOrEqual(1);
  return copies[0];
}

/**
 * Asserts that `targetRunId` on `to` equals `sourceRunId` on `from`: info (status, start and end
 * time, name, user), params, tags (without bookkeeping tags; the parent tag translated through
 * `parentCopies`), dataset inputs, the full history of every metric, and the artifact listing.
 */
export async function expectSameRun(
  from: MlflowClient,
  sourceRunId: string,
  to: MlflowClient,
  targetRunId: string,
  parentCopies: Record<string, string> = {},
): Promise<void> {
  const [source, copy] = await Promise.all([from.runs.get(sourceRunId), to.runs.get(targetRunId)]);
  const info = (run: Run) => ({
    status: run.info.status,
    start_time: run.info.start_time,
    end_time: run.info.end_time,
    run_name: run.info.run_name,
    user_id: run.info.user_id,
    lifecycle_stage: run.info.lifecycle_stage,
  });
  expect(info(copy)).toEqual(info(source));
  expect(sorted(copy.data.params)).toEqual(sorted(source.data.params));
  const expectedTags = source.data.tags.map((tag) => (tag.key === "mlflow.parentRunId" ? { key: tag.key, value: parentCopies[tag.value] ?? tag.value } : tag));
  expect(sorted(copy.data.tags.filter((tag) => !isBookkeepingTag(tag.key)))).toEqual(sorted(expectedTags));
  const datasets = (run: Run) => run.inputs.dataset_inputs.map((input) => ({ ...input, tags: sorted(input.tags) }));
  expect(datasets(copy)).toEqual(datasets(source));
  expect(copy.data.metrics.map((m) => m.key).sort()).toEqual(source.data.metrics.map((m) => m.key).sort());
  for (const { key } of source.data.metrics) {
    const [want, got] = await Promise.all([history(from, sourceRunId, key), history(to, targetRunId, key)]);
    expect(got).toEqual(want);
  }
  expect(await listTree(to, targetRunId)).toEqual(await listTree(from, sourceRunId));
}

/** A metric's full history as comparable points, in a fixed order. */
export async function history(client: MlflowClient, runId: string, key: string): Promise<Pick<Metric, "key" | "value" | "timestamp" | "step">[]> {
  const points: Pick<Metric, "key" | "value" | "timestamp" | "step">[] = [];
  for await (const point of client.metrics.getHistory(runId, key))
    points.push({ key: point.key, value: point.value, timestamp: point.timestamp, step: point.step });
  const order = (value: number) => (Number.isNaN(value) ? Number.NEGATIVE_INFINITY : value);
  return points.sort((a, b) => a.step - b.step || a.timestamp - b.timestamp || order(a.value) - order(b.value));
}

/** Every artifact file of a run (recursively): path and size. */
export async function listTree(client: MlflowClient, runId: string, path = ""): Promise<{ path: string; size: number | undefined }[]> {
  const files: { path: string; size: number | undefined }[] = [];
  for (const entry of await client.artifacts.list(runId, path || undefined))
    files.push(...(entry.is_dir ? await listTree(client, runId, entry.path) : [fileOf(entry)]));
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

function fileOf(entry: FileInfo): { path: string; size: number | undefined } {
  return { path: entry.path, size: entry.file_size === undefined ? undefined : Number(entry.file_size) };
}

/** sha256 (hex) of a local file. */
export async function sha256(path: string): Promise<string> {
  return createHash("sha256")
    .update(await readFile(path))
    .digest("hex");
}

function sorted(entries: readonly KeyValue[]): KeyValue[] {
  return [...entries].sort((a, b) => a.key.localeCompare(b.key));
}

/** What {@link seedModels} wrote. */
export interface SeededModels {
  /** Logged model ids: `classifier` (READY, from baseline, with files), `draft` (PENDING, no run, no files). */
  modelIds: Record<"classifier" | "draft", string>;
  /** Registered model names: `clf` (v1 runs:/baseline, v2 models:/classifier, v3 a path in baseline's artifacts), `stray` (v1 outside any copied run). */
  registered: Record<"clf" | "stray", string>;
  /** Local files of the classifier, relative path → content. */
  classifierFiles: Record<string, Buffer>;
}

/**
 * Adds MLflow 3 logged models and a model registry to a source seeded by {@link seedSource}:
 * `classifier` (READY, source run baseline, params, tags, files written into its local artifact
 * directory), `draft` (PENDING); registered model `<prefix>-clf` (description, tags) with version 1
 * `runs:/<baseline>/model`, version 2 `models:/<classifier>` (stage Production, alias `champion`),
 * version 3 a local path inside baseline's artifact directory (alias `previous`); registered model
 * `<prefix>-stray` whose only version's source is outside any copied run (`s3://elsewhere/model`).
 */
export async function seedModels(client: MlflowClient, seeded: SeededSource, prefix: string): Promise<SeededModels> {
  const experimentId = (await client.experiments.getByName(seeded.experimentNames[0]))!.experiment_id;
  const baseline = seeded.runIds.baseline;
  const classifier = await client.loggedModels.create({
    experiment_id: experimentId,
    name: "classifier",
    model_type: "sklearn",
    source_run_id: baseline,
    params: { C: 0.5, kernel: "rbf" },
    tags: { owner: "ada", "mlflow.source.name": "train.ts" },
  });
  const classifierFiles = { MLmodel: Buffer.from("flavors:\n  sklearn: {}\n"), "model.pkl": randomBytes(50_000), "data/vocab.txt": Buffer.from("a\nb\n") };
  const root = localPathOf(classifier.info.artifact_uri);
  for (const [path, content] of Object.entries(classifierFiles)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
  await client.loggedModels.finalize(classifier.info.model_id, "LOGGED_MODEL_READY");
  const draft = await client.loggedModels.create({ experiment_id: experimentId, name: "draft" });

  const clf = `${prefix}-clf`;
  const stray = `${prefix}-stray`;
  await client.registeredModels.create({ name: clf, description: "the classifier", tags: { team: "vision" } });
  await client.modelVersions.create({ name: clf, source: `runs:/${baseline}/model`, run_id: baseline, description: "first", tags: { validated: "no" } });
  await client.modelVersions.create({
    name: clf,
    source: `models:/${classifier.info.model_id}`,
    model_id: classifier.info.model_id,
    run_id: baseline,
    tags: { validated: "yes" },
  });
  const baselineArtifacts = (await client.runs.get(baseline)).info.artifact_uri;
  await client.modelVersions.create({ name: clf, source: `${baselineArtifacts}/model`, run_id: baseline });
  await client.modelVersions.transitionStage(clf, 2, "Production");
  await client.registeredModels.setAlias(clf, "champion", 2);
  await client.registeredModels.setAlias(clf, "previous", 3);
  await client.registeredModels.create({ name: stray });
  await client.modelVersions.create({ name: stray, source: "s3://elsewhere/model", run_id: baseline });
  return { modelIds: { classifier: classifier.info.model_id, draft: draft.info.model_id }, registered: { clf, stray }, classifierFiles };
}

/** The local directory of a path or `file:` URI. */
export function localPathOf(uri: string): string {
  return uri.startsWith("file:") ? fileURLToPath(uri) : uri;
}

/** The copy of a source logged model on `to`, found by its source-id tag among the target experiment's models. */
export async function findModelCopy(to: MlflowClient, experimentName: string, sourceModelId: string): Promise<LoggedModel | undefined> {
  const experiment = await to.experiments.getByName(experimentName);
  if (!experiment) return undefined;
  const copies: LoggedModel[] = [];
  for await (const model of to.loggedModels.search({ experiment_ids: [experiment.experiment_id] })) {
    if (model.info.tags.some((tag) => tag.key === "mlflow-ts.sync.sourceModelId" && tag.value === sourceModelId)) copies.push(model);
  }
  expect(copies.length).toBeLessThanOrEqual(1);
  return copies[0];
}

/**
 * Asserts that the logged model `targetModelId` on `to` equals `sourceModelId` on `from`: name,
 * type, status, params, tags (without bookkeeping tags and `mlflow.modelVersions`),
 * `source_run_id` translated to `targetRunId`, and the artifact listing.
 */
export async function expectSameLoggedModel(
  from: MlflowClient,
  sourceModelId: string,
  to: MlflowClient,
  targetModelId: string,
  targetRunId: string | undefined,
): Promise<void> {
  const [source, copy] = await Promise.all([from.loggedModels.get(sourceModelId), to.loggedModels.get(targetModelId)]);
  const info = (model: LoggedModel) => ({ name: model.info.name, model_type: model.info.model_type, status: model.info.status });
  expect(info(copy)).toEqual(info(source));
  expect(copy.info.source_run_id || undefined).toBe(targetRunId);
  expect(sorted(copy.data.params)).toEqual(sorted(source.data.params));
  const dataTags = (model: LoggedModel) => sorted(model.info.tags.filter((tag) => !isBookkeepingTag(tag.key) && tag.key !== "mlflow.modelVersions"));
  expect(dataTags(copy)).toEqual(dataTags(source));
  expect(await listModelTree(to, targetModelId)).toEqual(await listModelTree(from, sourceModelId));
}

/** Every artifact file of a logged model (recursively): path and size. */
export async function listModelTree(client: MlflowClient, modelId: string, path = ""): Promise<{ path: string; size: number | undefined }[]> {
  const files: { path: string; size: number | undefined }[] = [];
  for (const entry of await client.loggedModels.listArtifacts(modelId, path || undefined)) {
    const full = path && !entry.path.startsWith(`${path}/`) ? `${path}/${entry.path}` : entry.path;
    files.push(...(entry.is_dir ? await listModelTree(client, modelId, full) : [fileOf({ ...entry, path: full })]));
  }
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

/** Every RPC a sync of logged models and the model registry may write with. */
export const MODEL_WRITES: ReadonlySet<EndpointName> = new Set<EndpointName>([
  "loggedModels.create",
  "loggedModels.finalize",
  "loggedModels.setTags",
  "loggedModels.logParams",
  "loggedModels.deleteTag",
  "registeredModels.create",
  "registeredModels.update",
  "registeredModels.setTag",
  "registeredModels.setAlias",
  "modelVersions.create",
  "modelVersions.update",
  "modelVersions.setTag",
  "modelVersions.deleteTag",
  "modelVersions.transitionStage",
]);

/** An RPC a client's store received: name and request. */
export interface RecordedCall {
  name: EndpointName;
  request: Record<string, unknown>;
}

/**
 * Records, in order, every RPC `client` sends from now on (through a spy on its store, which
 * `vi.restoreAllMocks()` removes); the calls still reach the store.
 */
export function recordStoreCalls(client: MlflowClient): RecordedCall[] {
  const calls: RecordedCall[] = [];
  const call = client.store.call.bind(client.store);
  vi.spyOn(client.store, "call").mockImplementation(((name: EndpointName, request: Record<string, unknown>, options?: object) => {
    calls.push({ name, request });
    return call(name as never, request as never, options);
  }) as typeof client.store.call);
  return calls;
}
