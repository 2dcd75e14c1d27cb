/**
 * Run lifecycle in the embedded store, as MLflow's SQL store does it: `uuid4().hex` ids, a
 * generated `<adjective>-<noun>-<int>` name kept in the `mlflow.runName` tag, artifact URI
 * `<experiment location>/<run_id>/artifacts`, soft delete with `deleted_time`.
 */
import { randomUUID } from "node:crypto";
import type { EndpointRequest } from "../../../protocol/endpoints.js";
import { type RunStatus, runStatusSchema } from "../../../protocol/entities/tracking.js";
import type { StoreContext } from "../engine/context.js";
import { invalidParameter } from "../engine/errors.js";
import { appendToUriPath } from "./artifact-location.js";
import { loadRuns, RUN_NAME_TAG, toRunInfo, type WireRunInfo } from "./run-entities.js";
import { generateRunName } from "./run-name.js";
import { validateRunTag } from "./run-values.js";

const RUN_STATUSES: readonly RunStatus[] = runStatusSchema.options;

/** `runs/create`. @internal */
export function createRun(ctx: StoreContext, request: EndpointRequest<"runs.create">): { run: Record<string, unknown> } {
  const experiment = ctx.getExperiment(request.experiment_id);
  if (experiment.lifecycle_stage !== "active") {
    throw invalidParameter(`The experiment ${experiment.experiment_id} must be in the 'active' state. Current state is ${experiment.lifecycle_stage}.`);
  }
  const tags = [...(request.tags ?? [])];
  for (const tag of tags) validateRunTag(tag.key, tag.value);
  const nameTag = tags.find((tag) => tag.key === RUN_NAME_TAG)?.value;
  if (request.run_name && nameTag && request.run_name !== nameTag) {
    throw invalidParameter(
      `Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values (run_name='${request.run_name}', mlflow.runName='${nameTag}').`,
    );
  }
  const runName = request.run_name || nameTag || generateRunName();
  if (!nameTag) tags.push({ key: RUN_NAME_TAG, value: runName });
  const runId = randomUUID().replaceAll("-", "");
  const artifactUri = appendToUriPath(experiment.artifact_location ?? "", runId, "artifacts");
  ctx
    .prepare(
      `INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time, end_time, source_version, lifecycle_stage, artifact_uri, experiment_id, deleted_time)
       VALUES (?, ?, 'UNKNOWN', '', '', ?, 'RUNNING', ?, NULL, '', 'active', ?, ?, NULL)`,
    )
    .run(runId, runName, request.user_id ?? "", request.start_time ?? ctx.now(), artifactUri, experiment.experiment_id);
  const insertTag = ctx.prepare("INSERT INTO tags (key, value, run_uuid) VALUES (?, ?, ?) ON CONFLICT (key, run_uuid) DO UPDATE SET value = excluded.value");
  for (const tag of tags) insertTag.run(tag.key, tag.value ?? "", runId);
  return { run: loadRuns(ctx, [ctx.getRun(runId)], false)[0]! };
}

/** `runs/get`: deleted runs too, with model inputs. @internal */
export function getRun(ctx: StoreContext, request: EndpointRequest<"runs.get">): { run: Record<string, unknown> } {
  return { run: loadRuns(ctx, [ctx.getRun(request.run_id)], true)[0]! };
}

/** `runs/update`: status, end time and name of an active run. @internal */
export function updateRun(ctx: StoreContext, request: EndpointRequest<"runs.update">): { run_info: WireRunInfo } {
  const run = ctx.getActiveRun(request.run_id);
  if (request.status !== undefined && !RUN_STATUSES.includes(request.status)) {
    throw invalidParameter(`Invalid value '${String(request.status)}' for parameter 'status': expected one of ${RUN_STATUSES.join(", ")}.`);
  }
  const status = request.status ?? run.status;
  const endTime = request.end_time ?? run.end_time;
  ctx.prepare("UPDATE runs SET status = ?, end_time = ? WHERE run_uuid = ?").run(status, endTime, run.run_uuid);
  if (request.run_name) renameRun(ctx, run.run_uuid, request.run_name);
  return { run_info: toRunInfo(ctx.getRun(run.run_uuid)) };
}

/** `runs/delete`: soft delete, stamping `deleted_time`. @internal */
export function deleteRun(ctx: StoreContext, request: EndpointRequest<"runs.delete">): Record<string, never> {
  const run = ctx.getRun(request.run_id);
  ctx.prepare("UPDATE runs SET lifecycle_stage = 'deleted', deleted_time = ? WHERE run_uuid = ?").run(ctx.now(), run.run_uuid);
  return {};
}

/** `runs/restore`. @internal */
export function restoreRun(ctx: StoreContext, request: EndpointRequest<"runs.restore">): Record<string, never> {
  const run = ctx.getRun(request.run_id);
  ctx.prepare("UPDATE runs SET lifecycle_stage = 'active', deleted_time = NULL WHERE run_uuid = ?").run(run.run_uuid);
  return {};
}

/**
 * Sets the run name and its `mlflow.runName` tag together (MLflow's `update_run_info`).
 * @internal
 */
export function renameRun(ctx: StoreContext, runId: string, name: string): void {
  ctx.prepare("UPDATE runs SET name = ? WHERE run_uuid = ?").run(name, runId);
  ctx
    .prepare("INSERT INTO tags (key, value, run_uuid) VALUES (?, ?, ?) ON CONFLICT (key, run_uuid) DO UPDATE SET value = excluded.value")
    .run(RUN_NAME_TAG, name, runId);
}
