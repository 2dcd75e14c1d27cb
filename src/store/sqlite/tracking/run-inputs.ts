/**
 * Run inputs and outputs in the embedded store (`log_inputs`, `log_outputs` of MLflow's SQL
 * store): datasets are kept once per experiment by (name, digest) and linked to runs through
 * `inputs` rows with their input tags; MLflow 3 model inputs and outputs are `inputs` rows too.
 */
import { randomUUID } from "node:crypto";
import type { EndpointRequest } from "../../../protocol/endpoints.js";
import type { DatasetInput } from "../../../protocol/entities/tracking.js";
import type { StoreContext } from "../engine/context.js";
import { invalidParameter } from "../engine/errors.js";

/** Dataset field limits (`MAX_DATASET_*_SIZE`, `MAX_INPUT_TAG_*_SIZE`). */
const LIMITS = { name: 500, digest: 36, source: 65535, schema: 1048575, profile: 16777215, tagKey: 255, tagValue: 500 } as const;

/** `runs/log-inputs`. @internal */
export function logInputs(ctx: StoreContext, request: EndpointRequest<"runs.logInputs">): Record<string, never> {
  const datasets = uniqueDatasets(request.datasets ?? []);
  for (const input of datasets) checkDatasetInput(input);
  const run = ctx.getActiveRun(request.run_id);
  for (const input of datasets) {
    const datasetId = datasetUuid(ctx, run.experiment_id!, input);
    const linked = ctx
      .prepare("SELECT 1 FROM inputs WHERE source_type = 'DATASET' AND source_id = ? AND destination_type = 'RUN' AND destination_id = ?")
      .get(datasetId, run.run_uuid);
    if (linked) continue;
    const inputId = uuidHex();
    ctx
      .prepare("INSERT INTO inputs (input_uuid, source_type, source_id, destination_type, destination_id, step) VALUES (?, 'DATASET', ?, 'RUN', ?, 0)")
      .run(inputId, datasetId, run.run_uuid);
    const insertTag = ctx.prepare("INSERT INTO input_tags (input_uuid, name, value) VALUES (?, ?, ?)");
    for (const tag of input.tags ?? []) insertTag.run(inputId, tag.key, tag.value ?? "");
  }
  const mergeModel = ctx.prepare(
    `INSERT INTO inputs (input_uuid, source_type, source_id, destination_type, destination_id, step) VALUES (?, 'RUN_INPUT', ?, 'MODEL_INPUT', ?, 0)
     ON CONFLICT (source_type, source_id, destination_type, destination_id) DO UPDATE SET input_uuid = excluded.input_uuid`,
  );
  for (const model of request.models ?? []) mergeModel.run(uuidHex(), run.run_uuid, model.model_id);
  return {};
}

/** `runs/outputs`. @internal */
export function logOutputs(ctx: StoreContext, request: EndpointRequest<"runs.logOutputs">): Record<string, never> {
  const run = ctx.getActiveRun(request.run_id);
  const insert = ctx.prepare(
    "INSERT INTO inputs (input_uuid, source_type, source_id, destination_type, destination_id, step) VALUES (?, 'RUN_OUTPUT', ?, 'MODEL_OUTPUT', ?, ?)",
  );
  for (const model of request.models) insert.run(uuidHex(), run.run_uuid, model.model_id, model.step ?? 0);
  return {};
}

/** Keeps the first input of each (name, digest), as MLflow does. */
function uniqueDatasets(inputs: DatasetInput[]): DatasetInput[] {
  const seen = new Map<string, DatasetInput>();
  for (const input of inputs) {
    const key = JSON.stringify([input.dataset?.name, input.dataset?.digest]);
    if (!seen.has(key)) seen.set(key, input);
  }
  return [...seen.values()];
}

function datasetUuid(ctx: StoreContext, experimentId: number, input: DatasetInput): string {
  const { dataset } = input;
  const existing = ctx
    .prepare("SELECT dataset_uuid FROM datasets WHERE experiment_id = ? AND name = ? AND digest = ?")
    .get(experimentId, dataset.name, dataset.digest) as { dataset_uuid: string } | undefined;
  if (existing) return existing.dataset_uuid;
  const id = uuidHex();
  ctx
    .prepare(
      "INSERT INTO datasets (dataset_uuid, experiment_id, name, digest, dataset_source_type, dataset_source, dataset_schema, dataset_profile) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .run(id, experimentId, dataset.name, dataset.digest, dataset.source_type, dataset.source, dataset.schema ?? null, dataset.profile ?? null);
  return id;
}

function checkDatasetInput(input: DatasetInput): void {
  const { dataset } = input;
  if (!dataset) throw invalidParameter("Dataset input must have a dataset associated with it.");
  for (const field of ["name", "digest", "source_type", "source"] as const) {
    if (!dataset[field]) throw invalidParameter(`Dataset ${field} is required.`);
  }
  checkLength("Dataset name", dataset.name, LIMITS.name);
  checkLength("Dataset digest", dataset.digest, LIMITS.digest);
  checkLength("Dataset source", dataset.source, LIMITS.source);
  checkLength("Dataset schema", dataset.schema, LIMITS.schema);
  checkLength("Dataset profile", dataset.profile, LIMITS.profile);
  for (const tag of input.tags ?? []) {
    if (!tag.key) throw invalidParameter("Input tag key is required.");
    checkLength("Input tag key", tag.key, LIMITS.tagKey);
    checkLength("Input tag value", tag.value, LIMITS.tagValue);
  }
}

function checkLength(what: string, value: string | undefined, limit: number): void {
  if (value !== undefined && value.length > limit) throw invalidParameter(`${what} exceeds the maximum length of ${limit}`);
}

function uuidHex(): string {
  return randomUUID().replaceAll("-", "");
}
