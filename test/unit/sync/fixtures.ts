/**
 * A local store worth syncing, and a field-by-field comparison of a source run with its copy.
 * Shared by the unit tests (sqlite → sqlite) and the integration tests (sqlite → the real stack).
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "vitest";
import type { MlflowClient } from "../../../src/client.js";
import type { FileInfo, KeyValue, Metric, Run } from "../../../src/entities/tracking.js";
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
  const visionId = await client.experiments.create({ name: vision, artifact_location: join(dir, "artifacts-vision"), tags: { team: "vision", "mlflow.note.content": "image models" } });
  const nlpId = await client.experiments.create({ name: nlp, artifact_location: join(dir, "artifacts-nlp") });
  const systemTags = { "mlflow.user": "ada", "mlflow.source.name": "train.ts", "mlflow.source.type": "LOCAL", "mlflow.source.git.commit": "0123456789abcdef0123456789abcdef01234567" };

  const baseline = await newRun(client, visionId, "baseline", { ...systemTags, team: "vision" }, 0);
  await client.runs.logBatch(baseline, {
    params: { lr: 0.001, layers: 3, optimizer: "adam" },
    metrics: [
      ...Array.from({ length: 10 }, (_, step) => ({ key: "loss", value: step === 5 ? Number.NaN : 1 / (step + 1), step, timestamp: BASE_TIME + step * 1000 })),
      ...Array.from({ length: accPoints }, (_, step) => ({ key: "acc", value: step / accPoints, step, timestamp: BASE_TIME + step })),
    ],
  });
  await client.runs.logInputs(baseline, { datasets: [{ tags: [{ key: "mlflow.data.context", value: "train" }], dataset: { name: "mnist", digest: "d1g357", source_type: "local", source: '{"uri": "/data/mnist"}' } }] });
  const local = join(dir, "to-upload"); // kept: the copies' files are compared with these
  const weightsPath = join(local, "model", "weights.bin");
  await mkdir(join(local, "model", "config"), { recursive: true });
  await writeFile(weightsPath, randomBytes(200_000));
  await writeFile(join(local, "model", "config", "params.json"), JSON.stringify({ lr: 0.001 }));
  await writeFile(join(local, "notes.txt"), "first try\n");
  await client.artifacts.upload(baseline, local);
  await client.runs.update(baseline, { status: "FINISHED", end_time: BASE_TIME + 3_600_000 });

  const evalRun = await newRun(client, visionId, "eval", { ...systemTags, "mlflow.parentRunId": baseline }, 60_000);
  await client.runs.logBatch(evalRun, { metrics: [0.7, 0.8, 0.9].map((value, step) => ({ key: "eval/acc", value, step, timestamp: BASE_TIME + 60_000 + step })) });
  await client.runs.update(evalRun, { status: "FAILED", end_time: BASE_TIME + 120_000 });

  const discarded = await newRun(client, visionId, "discarded", systemTags, 200_000);
  await client.runs.logBatch(discarded, { params: { lr: 1 } });
  await client.runs.update(discarded, { status: "FINISHED", end_time: BASE_TIME + 210_000 });
  await client.runs.delete(discarded);

  const tokenizer = await newRun(client, nlpId, "tokenizer", { ...systemTags, "mlflow.user": "grace" }, 300_000);
  await client.runs.logBatch(tokenizer, { params: { vocab: 32000 }, metrics: [{ key: "oov", value: 0.01, step: 0, timestamp: BASE_TIME + 300_000 }] });
  await client.runs.update(tokenizer, { status: "FINISHED", end_time: BASE_TIME + 400_000 });

  const bert = await newRun(client, nlpId, "bert", systemTags, 500_000);
  await client.runs.logBatch(bert, { metrics: [{ key: "perplexity", value: Number.POSITIVE_INFINITY, step: 0, timestamp: BASE_TIME + 500_000 }, { key: "perplexity", value: 12.5, step: 1, timestamp: BASE_TIME + 501_000 }] });
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
  const page = await to.runs.search({ experiment_ids: [experiment.experiment_id], filter: `tags.\`mlflow-ts.sync.sourceRunId\` = '${sourceRunId}'`, run_view_type: "ALL" });
  expect(page.items.length).toBeLessThanOrEqual(1);
  return page.items[0];
}

/**
 * Asserts that `targetRunId` on `to` equals `sourceRunId` on `from`: info (status, start and end
 * time, name, user), params, tags (without bookkeeping tags; the parent tag translated through
 * `parentCopies`), dataset inputs, the full history of every metric, and the artifact listing.
 */
export async function expectSameRun(from: MlflowClient, sourceRunId: string, to: MlflowClient, targetRunId: string, parentCopies: Record<string, string> = {}): Promise<void> {
  const [source, copy] = await Promise.all([from.runs.get(sourceRunId), to.runs.get(targetRunId)]);
  const info = (run: Run) => ({ status: run.info.status, start_time: run.info.start_time, end_time: run.info.end_time, run_name: run.info.run_name, user_id: run.info.user_id, lifecycle_stage: run.info.lifecycle_stage });
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
  for await (const point of client.metrics.getHistory(runId, key)) points.push({ key: point.key, value: point.value, timestamp: point.timestamp, step: point.step });
  const order = (value: number) => (Number.isNaN(value) ? Number.NEGATIVE_INFINITY : value);
  return points.sort((a, b) => a.step - b.step || a.timestamp - b.timestamp || order(a.value) - order(b.value));
}

/** Every artifact file of a run (recursively): path and size. */
export async function listTree(client: MlflowClient, runId: string, path = ""): Promise<{ path: string; size: number | undefined }[]> {
  const files: { path: string; size: number | undefined }[] = [];
  for (const entry of await client.artifacts.list(runId, path || undefined)) files.push(...(entry.is_dir ? await listTree(client, runId, entry.path) : [fileOf(entry)]));
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

function fileOf(entry: FileInfo): { path: string; size: number | undefined } {
  return { path: entry.path, size: entry.file_size === undefined ? undefined : Number(entry.file_size) };
}

/** sha256 (hex) of a local file. */
export async function sha256(path: string): Promise<string> {
  return createHash("sha256").update(await readFile(path)).digest("hex");
}

function sorted(entries: readonly KeyValue[]): KeyValue[] {
  return [...entries].sort((a, b) => a.key.localeCompare(b.key));
}
