/**
 * Copying MLflow 3 logged models: each model of a synced experiment gets a copy in the target
 * experiment, created in one request with its name, type, params and tags (params are write-once
 * on the server: a second `log-params` of the same key fails, so they are only ever sent with the
 * creation), the tag `mlflow-ts.sync.sourceModelId` and the state `incomplete`; then its files are
 * uploaded to the copy's artifact location, the copy is finalized with the source's status, and
 * marked `complete` (see {@link createModelCopy} and {@link completeModelCopy}). An interrupted copy is completed in place by the next sync (uploads overwrite,
 * finalizing twice is harmless). The copy's `MLmodel` names the copy (its id, artifact location
 * and run), not the source, so that a loader of the copy is not pointed back at the source.
 */
import { buffer } from "node:stream/consumers";
import type { ArtifactStores } from "../artifacts/artifact-stores.js";
import type { MlflowClient } from "../client/client.js";
import { MLMODEL_FILE, rebaseMLmodel } from "../models/mlmodel.js";
import type { LoggedModel } from "../protocol/entities/logged-model.js";
import type { KeyValue } from "../protocol/entities/tracking.js";
import { MODEL_VERSIONS_TAG } from "../protocol/tag-names.js";
import { type ArtifactCounts, copyArtifactTree } from "./copy-artifacts.js";
import { hasTagChanges, type TagChanges, tagChanges } from "./tag-changes.js";
import { isBookkeepingTag, SYNC_SOURCE_MODEL_ID_TAG, SYNC_SOURCE_URI_TAG, SYNC_STATE, SYNC_STATE_TAG } from "./tags.js";
import type { LoggedModelSyncResult } from "./types.js";

/** Final statuses a copy is finalized with; a PENDING source leaves its copy pending. */
const FINAL_STATUSES = new Set(["LOGGED_MODEL_READY", "LOGGED_MODEL_UPLOAD_FAILED"]);

/** Everything {@link copyLoggedModel} needs besides the model. */
export interface ModelCopyContext {
  from: MlflowClient;
  to: MlflowClient;
  fromStores: ArtifactStores;
  toStores: ArtifactStores;
  /** Source run id → id of its copy on the target, to translate `source_run_id`. */
  runCopies: ReadonlyMap<string, string>;
  /** Files transferred at once. */
  concurrency: number;
  signal?: AbortSignal;
}

/**
 * What to do with a source logged model, given its copy on the target (if any): `copy`, `resume`
 * (the copy is incomplete), `update` (its tags changed at the source, or it became READY or
 * UPLOAD_FAILED since: see {@link modelChanges}) or `skip`.
 * @example
 * planLoggedModel(model, undefined); // { action: "copy", reason: "not copied yet" }
 */
export function planLoggedModel(source: LoggedModel, copy: LoggedModel | undefined): Pick<LoggedModelSyncResult, "action" | "reason"> {
  if (!copy) return { action: "copy", reason: "not copied yet" };
  if (modelTag(copy, SYNC_STATE_TAG) !== SYNC_STATE.complete) return { action: "resume", reason: "the last copy was interrupted" };
  const { tags, status } = modelChanges(source, copy);
  const changed = [hasTagChanges(tags) && "tags", status && "status"].filter((word) => word !== false);
  if (changed.length > 0) return { action: "update", reason: `changed since the last copy: ${changed.join(", ")}` };
  return { action: "skip", reason: "already copied" };
}

/**
 * What changed at the source since a complete copy: the tags to set or delete (see
 * {@link copyableModelTags}; the copy's bookkeeping tags and `mlflow.modelVersions` are kept), and
 * whether the source reached a final status the copy lacks.
 */
export function modelChanges(source: LoggedModel, copy: LoggedModel): { tags: TagChanges; status: boolean } {
  const tags = tagChanges(source.info.tags, copy.info.tags, isCopiedModelTag);
  const status = source.info.status ?? "";
  return { tags, status: FINAL_STATUSES.has(status) && copy.info.status !== status };
}

function isCopiedModelTag(key: string): boolean {
  return key !== MODEL_VERSIONS_TAG && !isBookkeepingTag(key);
}

/**
 * The copies among a target experiment's logged models, by source model id (the first one wins
 * when a crashed create left two).
 */
export function indexModelCopies(models: readonly LoggedModel[]): Map<string, LoggedModel> {
  const copies = new Map<string, LoggedModel>();
  for (const model of models) {
    const sourceId = modelTag(model, SYNC_SOURCE_MODEL_ID_TAG);
    if (sourceId !== undefined && !copies.has(sourceId)) copies.set(sourceId, model);
  }
  return copies;
}

/**
 * The tags a copy gets from its source model: all but `mlflow.modelVersions` (the target lists its
 * own versions) and bookkeeping tags.
 */
export function copyableModelTags(model: LoggedModel): KeyValue[] {
  return model.info.tags.filter((tag) => isCopiedModelTag(tag.key));
}

/**
 * Creates the copy of `source` in the target experiment, PENDING and marked incomplete, with its
 * name, type, params and tags in one request; `source_run_id` names the run's copy (omitted when
 * the run has none).
 *
 * @throws whatever the target client throws (`AmbiguousResultError` when the creation may have happened).
 * @example
 * const copy = await createModelCopy(context, model, targetExperimentId);
 */
export async function createModelCopy(context: ModelCopyContext, source: LoggedModel, targetExperimentId: string): Promise<LoggedModel> {
  const { info, data } = source;
  const sourceRunId = info.source_run_id ? context.runCopies.get(info.source_run_id) : undefined;
  const tags = [
    ...copyableModelTags(source),
    { key: SYNC_SOURCE_MODEL_ID_TAG, value: info.model_id },
    { key: SYNC_SOURCE_URI_TAG, value: context.from.trackingUri },
    { key: SYNC_STATE_TAG, value: SYNC_STATE.incomplete },
  ];
  const params = {
    experiment_id: targetExperimentId,
    name: info.name || undefined,
    model_type: info.model_type || undefined,
    source_run_id: sourceRunId,
    params: data.params,
    tags,
  };
  return context.to.loggedModels.create(params, { signal: context.signal });
}

/**
 * Uploads the files of `source` to the artifact location of `copy`, finalizes the copy with the
 * source's status (READY or UPLOAD_FAILED; a PENDING source leaves it pending) and marks it
 * complete. Safe to call again on a copy that was cut short.
 *
 * @returns The files uploaded.
 * @throws whatever the clients and artifact stores throw; `AbortError` when the signal fires.
 * @example
 * const { files, bytes } = await completeModelCopy(context, model, copy);
 */
export async function completeModelCopy(context: ModelCopyContext, source: LoggedModel, copy: LoggedModel): Promise<ArtifactCounts> {
  const { to, signal } = context;
  const counts = await copyModelFiles(context, source, copy);
  const status = source.info.status ?? "";
  if (FINAL_STATUSES.has(status) && copy.info.status !== status) await to.loggedModels.finalize(copy.info.model_id, status as "LOGGED_MODEL_READY", { signal });
  await to.loggedModels.setTags(copy.info.model_id, { [SYNC_STATE_TAG]: SYNC_STATE.complete }, { signal });
  return counts;
}

/**
 * Brings a complete copy up to date with its source: sets the changed or new tags, deletes those
 * gone at the source, and when the source reached READY or UPLOAD_FAILED since, uploads its files
 * again (a PENDING model's files are usually written after its copy) and finalizes the copy.
 *
 * @returns The files uploaded (none when only tags changed).
 * @throws whatever the clients and artifact stores throw; `AbortError` when the signal fires.
 * @example
 * const { files } = await updateModelCopy(context, model, copy);
 */
export async function updateModelCopy(context: ModelCopyContext, source: LoggedModel, copy: LoggedModel): Promise<ArtifactCounts> {
  const { to, signal } = context;
  const { tags, status } = modelChanges(source, copy);
  if (tags.set.length > 0) await to.loggedModels.setTags(copy.info.model_id, tags.set, { signal });
  for (const key of tags.remove) await to.loggedModels.deleteTag(copy.info.model_id, key, { signal });
  if (!status) return { files: 0, bytes: 0 };
  const counts = await copyModelFiles(context, source, copy);
  await to.loggedModels.finalize(copy.info.model_id, source.info.status as "LOGGED_MODEL_READY", { signal });
  return counts;
}

/** Copies a model's files to its copy, then rewrites the copy's `MLmodel` to name the copy. */
async function copyModelFiles(context: ModelCopyContext, source: LoggedModel, copy: LoggedModel): Promise<ArtifactCounts> {
  const target = context.toStores.forUri(copy.info.artifact_uri);
  const counts = await copyArtifactTree(source.info.artifact_uri, context.fromStores, target, context.concurrency, context.signal);
  const listed = await target.list("", { signal: context.signal });
  if (!listed.some((file) => file.path === MLMODEL_FILE && !file.is_dir)) return counts;
  const text = (await buffer((await target.open(MLMODEL_FILE, { signal: context.signal })).stream)).toString("utf8");
  const from = { modelId: source.info.model_id, artifactUri: source.info.artifact_uri, runId: source.info.source_run_id || undefined };
  const to = { modelId: copy.info.model_id, artifactUri: copy.info.artifact_uri, runId: copy.info.source_run_id || undefined };
  const rebased = rebaseMLmodel(text, from, to);
  if (rebased !== undefined) await target.upload({ kind: "bytes", data: Buffer.from(rebased) }, MLMODEL_FILE, { signal: context.signal });
  return counts;
}

/** The value of a logged model's tag, or `undefined`. */
export function modelTag(model: LoggedModel, key: string): string | undefined {
  return model.info.tags.find((tag) => tag.key === key)?.value;
}
