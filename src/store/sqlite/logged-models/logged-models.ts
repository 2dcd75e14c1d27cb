/**
 * MLflow 3 logged models in the embedded store, with the semantics of MLflow's tracking SQL store
 * (`create_logged_model`, `finalize_logged_model`, `delete_logged_model`, `set_logged_model_tags`,
 * `log_logged_model_params`) behind its REST handlers: ids `m-<32 hex>`, artifacts under
 * `<experiment artifact location>/models/<model_id>/artifacts`, status PENDING until finalized,
 * soft delete, tags upserted, params written once (a second value for a key is refused).
 */
import { randomUUID } from "node:crypto";
import { pythonJsonDumps } from "../../../core/python-format.js";
import { encodeDouble, type WireDouble } from "../../../core/wire.js";
import type { EndpointRequest } from "../../../protocol/endpoints.js";
import { MODEL_VERSIONS_TAG } from "../../../protocol/tag-names.js";
import type { StoreContext } from "../engine/context.js";
import { invalidParameter, notFound } from "../engine/errors.js";
import { checkedListingPath, listLocalArtifacts } from "../tracking/artifact-listing.js";
import { appendToUriPath } from "../tracking/artifact-location.js";
import { selectChunked } from "../tracking/run-entities.js";
import { generateRunName } from "../tracking/run-name.js";

/** Status of a logged model: its wire name by the integer MLflow stores. */
const STATUS_NAMES = ["LOGGED_MODEL_STATUS_UNSPECIFIED", "LOGGED_MODEL_PENDING", "LOGGED_MODEL_READY", "LOGGED_MODEL_UPLOAD_FAILED"] as const;
const PENDING = 1;
const NAME_FORBIDDEN = ["/", ":", ".", "%", '"', "'"];

/** A row of `logged_models`. */
export interface LoggedModelRow {
  model_id: string;
  experiment_id: number;
  name: string;
  artifact_location: string;
  creation_timestamp_ms: number;
  last_updated_timestamp_ms: number;
  status: number;
  lifecycle_stage: string | null;
  model_type: string | null;
  source_run_id: string | null;
  status_message: string | null;
}

/** LoggedModel as the server sends it. */
export interface WireLoggedModel {
  info: {
    model_id: string;
    experiment_id: string;
    name: string;
    artifact_uri: string;
    creation_timestamp_ms: number;
    last_updated_timestamp_ms: number;
    status: string;
    model_type?: string;
    source_run_id?: string;
    status_message?: string;
    tags: { key: string; value: string }[];
  };
  data: {
    params: { key: string; value: string }[];
    metrics: WireModelMetric[];
  };
}

interface WireModelMetric {
  key: string;
  value: WireDouble;
  timestamp: number;
  step: number;
  run_id?: string;
  model_id?: string;
  dataset_name?: string;
  dataset_digest?: string;
}

type Empty = Record<string, never>;

/** `logged-models` (POST): a PENDING model in an active experiment, named like a run when no name is given. @internal */
export function createLoggedModel(ctx: StoreContext, request: EndpointRequest<"loggedModels.create">): { model: WireLoggedModel } {
  // The server turns an empty name into none (`request.name or None`), so "" gets a generated name.
  const name = request.name || undefined;
  validateLoggedModelName(name);
  const experiment = ctx.getExperiment(request.experiment_id);
  if (experiment.lifecycle_stage !== "active") {
    throw invalidParameter(`The experiment ${experiment.experiment_id} must be in the 'active' state. Current state is ${experiment.lifecycle_stage}.`);
  }
  const modelId = `m-${randomUUID().replaceAll("-", "")}`;
  const now = ctx.now();
  ctx
    .prepare(
      `INSERT INTO logged_models (model_id, experiment_id, name, artifact_location, creation_timestamp_ms, last_updated_timestamp_ms, status, lifecycle_stage, model_type, source_run_id, status_message)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, NULL)`,
    )
    .run(
      modelId,
      experiment.experiment_id,
      name ?? generateRunName(),
      appendToUriPath(experiment.artifact_location ?? "", "models", modelId, "artifacts"),
      now,
      now,
      PENDING,
      // The server passes unset strings on as "" (proto defaults), and so stores "".
      request.model_type ?? "",
      request.source_run_id ?? "",
    );
  const insertParam = ctx.prepare("INSERT INTO logged_model_params (model_id, experiment_id, param_key, param_value) VALUES (?, ?, ?, ?)");
  for (const param of request.params ?? []) insertParam.run(modelId, experiment.experiment_id, param.key, param.value ?? "");
  const insertTag = ctx.prepare("INSERT INTO logged_model_tags (model_id, experiment_id, tag_key, tag_value) VALUES (?, ?, ?, ?)");
  for (const tag of request.tags ?? []) insertTag.run(modelId, experiment.experiment_id, tag.key, tag.value ?? "");
  return { model: loadLoggedModel(ctx, modelId) };
}

/** `logged-models/{id}` (GET): a model that is not deleted. @internal */
export function getLoggedModel(ctx: StoreContext, request: EndpointRequest<"loggedModels.get">): { model: WireLoggedModel } {
  return { model: toWireLoggedModels(ctx, [getLoggedModelRow(ctx, request.model_id, false)])[0]! };
}

/** `logged-models/{id}` (PATCH): sets the status (READY, UPLOAD_FAILED, or back to PENDING). @internal */
export function finalizeLoggedModel(ctx: StoreContext, request: EndpointRequest<"loggedModels.finalize">): { model: WireLoggedModel } {
  const status = statusNumber(request.status);
  const model = getLoggedModelRow(ctx, request.model_id, true);
  ctx.prepare("UPDATE logged_models SET status = ?, last_updated_timestamp_ms = ? WHERE model_id = ?").run(status, ctx.now(), model.model_id);
  return { model: loadLoggedModel(ctx, model.model_id) };
}

/** `logged-models/{id}` (DELETE): soft delete, as MLflow's SQL store does. @internal */
export function deleteLoggedModel(ctx: StoreContext, request: EndpointRequest<"loggedModels.delete">): Empty {
  const model = getLoggedModelRow(ctx, request.model_id, true);
  ctx.prepare("UPDATE logged_models SET lifecycle_stage = 'deleted', last_updated_timestamp_ms = ? WHERE model_id = ?").run(ctx.now(), model.model_id);
  return {};
}

/** `logged-models/{id}/tags` (PATCH): upserted; a key repeated in one call keeps its last value. @internal */
export function setLoggedModelTags(ctx: StoreContext, request: EndpointRequest<"loggedModels.setTags">): Empty {
  const model = getLoggedModelRow(ctx, request.model_id, true);
  const tags = new Map((request.tags ?? []).map((tag) => [tag.key, tag.value ?? ""]));
  writeTags(ctx, model, tags);
  return {};
}

/** `logged-models/{id}/tags/{key}` (DELETE). @throws {StoreException} `RESOURCE_DOES_NOT_EXIST` for an absent tag. @internal */
export function deleteLoggedModelTag(ctx: StoreContext, request: EndpointRequest<"loggedModels.deleteTag">): Empty {
  const model = getLoggedModelRow(ctx, request.model_id, true);
  const { changes } = ctx.prepare("DELETE FROM logged_model_tags WHERE model_id = ? AND tag_key = ?").run(model.model_id, request.tag_key);
  if (changes === 0) throw notFound(`No tag with key '${request.tag_key}' found for model with ID '${model.model_id}'.`);
  return {};
}

/** `logged-models/{id}/params` (POST): a key already logged is a constraint failure (`BAD_REQUEST`), as in MLflow. @internal */
export function logLoggedModelParams(ctx: StoreContext, request: EndpointRequest<"loggedModels.logParams">): Empty {
  const model = getLoggedModelRow(ctx, request.model_id, true);
  const insert = ctx.prepare("INSERT INTO logged_model_params (model_id, experiment_id, param_key, param_value) VALUES (?, ?, ?, ?)");
  for (const param of request.params ?? []) insert.run(model.model_id, model.experiment_id, param.key, param.value ?? "");
  return {};
}

/** `logged-models/{id}/artifacts/directories`: the model's local artifact directory. @internal */
export async function listLoggedModelArtifacts(
  ctx: StoreContext,
  request: EndpointRequest<"loggedModels.listArtifacts">,
): Promise<{ root_uri: string; files: unknown[] }> {
  const path = checkedListingPath(request.artifact_directory_path);
  const model = getLoggedModelRow(ctx, request.model_id, false);
  return listLocalArtifacts(model.artifact_location, path, `logged model ${model.model_id}`);
}

/**
 * The logged model with this id; deleted ones only with `allowDeleted` (the writes of MLflow's
 * store accept them, `get` does not).
 * @throws {StoreException} `RESOURCE_DOES_NOT_EXIST` ("Logged model with ID '…' not found.").
 * @internal
 */
export function getLoggedModelRow(ctx: StoreContext, modelId: string, allowDeleted: boolean): LoggedModelRow {
  const row = ctx
    .prepare("SELECT lm.* FROM logged_models lm JOIN experiments e ON e.experiment_id = lm.experiment_id WHERE lm.model_id = ? AND e.workspace = ?")
    .get(modelId, ctx.workspace) as LoggedModelRow | undefined;
  if (!row || (!allowDeleted && row.lifecycle_stage === "deleted")) throw notFound(`Logged model with ID '${modelId}' not found.`);
  return row;
}

/**
 * Adds `{name, version}` to the model's `mlflow.modelVersions` tag (a JSON list), as the server
 * does when a version is registered from a logged model.
 * @internal
 */
export function recordModelVersion(ctx: StoreContext, modelId: string, name: string, version: number): void {
  const model = getLoggedModelRow(ctx, modelId, false);
  const existing = ctx.prepare("SELECT tag_value FROM logged_model_tags WHERE model_id = ? AND tag_key = ?").get(model.model_id, MODEL_VERSIONS_TAG) as
    | { tag_value: string }
    | undefined;
  const entry = { name, version };
  let versions: unknown[] = [entry];
  if (existing?.tag_value) {
    const parsed = JSON.parse(existing.tag_value) as unknown[];
    const known = parsed.some((item) => isSameEntry(item, entry));
    versions = known ? parsed : [...parsed, entry];
  }
  writeTags(ctx, model, new Map([[MODEL_VERSIONS_TAG, pythonJsonDumps(versions)]]));
}

/**
 * Logged models in wire form, with tags, params and metrics (children read in bulk).
 * @internal
 */
export function toWireLoggedModels(ctx: StoreContext, rows: LoggedModelRow[]): WireLoggedModel[] {
  const ids = rows.map((row) => row.model_id);
  const tags = selectChunked<{ model_id: string; tag_key: string; tag_value: string }>(
    ctx,
    "SELECT model_id, tag_key, tag_value FROM logged_model_tags WHERE model_id IN",
    ids,
  );
  const params = selectChunked<{ model_id: string; param_key: string; param_value: string }>(
    ctx,
    "SELECT model_id, param_key, param_value FROM logged_model_params WHERE model_id IN",
    ids,
  );
  const metrics = selectChunked<MetricRow>(ctx, "SELECT * FROM logged_model_metrics WHERE model_id IN", ids);
  return rows.map((row) => {
    const info: WireLoggedModel["info"] = {
      model_id: row.model_id,
      experiment_id: String(row.experiment_id),
      name: row.name,
      artifact_uri: row.artifact_location,
      creation_timestamp_ms: row.creation_timestamp_ms,
      last_updated_timestamp_ms: row.last_updated_timestamp_ms,
      status: STATUS_NAMES[row.status] ?? STATUS_NAMES[0],
      tags: tags.filter((tag) => tag.model_id === row.model_id).map((tag) => ({ key: tag.tag_key, value: tag.tag_value })),
    };
    if (row.model_type !== null) info.model_type = row.model_type;
    if (row.source_run_id !== null) info.source_run_id = row.source_run_id;
    if (row.status_message !== null) info.status_message = row.status_message;
    return {
      info,
      data: {
        params: params.filter((param) => param.model_id === row.model_id).map((param) => ({ key: param.param_key, value: param.param_value })),
        metrics: metrics.filter((metric) => metric.model_id === row.model_id).map(toWireModelMetric),
      },
    };
  });
}

interface MetricRow {
  model_id: string;
  metric_name: string;
  metric_timestamp_ms: number;
  metric_step: number;
  metric_value: number | null;
  run_id: string;
  dataset_name: string | null;
  dataset_digest: string | null;
}

function toWireModelMetric(row: MetricRow): WireModelMetric {
  const metric: WireModelMetric = {
    key: row.metric_name,
    value: row.metric_value === null ? "NaN" : encodeDouble(row.metric_value),
    timestamp: row.metric_timestamp_ms,
    step: row.metric_step,
    model_id: row.model_id,
  };
  if (row.dataset_name) metric.dataset_name = row.dataset_name;
  if (row.dataset_digest) metric.dataset_digest = row.dataset_digest;
  if (row.run_id) metric.run_id = row.run_id;
  return metric;
}

function loadLoggedModel(ctx: StoreContext, modelId: string): WireLoggedModel {
  return toWireLoggedModels(ctx, [getLoggedModelRow(ctx, modelId, true)])[0]!;
}

function writeTags(ctx: StoreContext, model: LoggedModelRow, tags: Map<string, string>): void {
  const upsert = ctx.prepare(
    "INSERT INTO logged_model_tags (model_id, experiment_id, tag_key, tag_value) VALUES (?, ?, ?, ?) ON CONFLICT (model_id, tag_key) DO UPDATE SET tag_value = excluded.tag_value",
  );
  for (const [key, value] of tags) upsert.run(model.model_id, model.experiment_id, key, value);
}

/** `_validate_logged_model_name`: absent is fine, one with `/ : . % " '` is not. */
function validateLoggedModelName(name: string | undefined): void {
  if (name === undefined) return;
  if (NAME_FORBIDDEN.some((char) => name.includes(char))) {
    throw invalidParameter(
      `Invalid model name ('${name}') provided. Model name must be a non-empty string and cannot contain the following characters: ('/', ':', '.', '%', '"', "'")`,
    );
  }
}

/** The stored integer of a status given by name (`LOGGED_MODEL_READY`) or number. */
function statusNumber(status: string | number): number {
  const index = typeof status === "number" ? status : STATUS_NAMES.indexOf(status as (typeof STATUS_NAMES)[number]);
  if (!Number.isInteger(index) || index < 0 || index >= STATUS_NAMES.length) throw invalidParameter(`Unknown model status: ${String(status)}`);
  return index;
}

function isSameEntry(item: unknown, entry: { name: string; version: number }): boolean {
  const record = item as { name?: unknown; version?: unknown } | null;
  return typeof record === "object" && record !== null && Object.keys(record).length === 2 && record.name === entry.name && record.version === entry.version;
}
