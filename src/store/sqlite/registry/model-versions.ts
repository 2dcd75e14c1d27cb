/**
 * Model versions in the embedded store, with the semantics of MLflow's registry SQL store behind
 * its REST handlers: numbers that grow per model (deleted versions keep theirs), status READY at
 * once, a source checked and resolved as the server does (`model-version-source.ts`), soft delete
 * that redacts the row and drops its aliases, stage transitions that can archive the versions in
 * the target stage, tags upserted, searches with MLflow's filter, order and page tokens.
 */
import type { EndpointRequest } from "../../../protocol/endpoints.js";
import type { StoreContext } from "../engine/context.js";
import { invalidParameter, StoreException } from "../engine/errors.js";
import { recordModelVersion } from "../logged-models/logged-models.js";
import { decodePageToken, toPage } from "../search/page-token.js";
import { resolveModelVersionSource } from "./model-version-source.js";
import { validateRegistryTag } from "./registered-models.js";
import {
  ACTIVE_STAGES,
  canonicalStage,
  getModelVersionRow,
  getRegisteredModelRow,
  type ModelVersionRow,
  STAGE_DELETED_INTERNAL,
  toWireModelVersions,
  type WireModelVersion,
} from "./registry-entities.js";
import { modelVersionOrder, modelVersionWhere } from "./registry-search.js";

/** Largest page of model-version searches: 200 000 (`SEARCH_MODEL_VERSION_MAX_RESULTS_THRESHOLD`). */
export const MODEL_VERSION_SEARCH_MAX_RESULTS = 200_000;

type Empty = Record<string, never>;

/** `model-versions/create`: the next number of the model, READY, with its tags. @internal */
export function createModelVersion(ctx: StoreContext, request: EndpointRequest<"modelVersions.create">): { model_version: WireModelVersion } {
  const resolved = resolveModelVersionSource(ctx, request);
  const tags = new Map<string, string>();
  for (const tag of request.tags ?? []) {
    validateRegistryTag(tag.key, tag.value);
    tags.set(tag.key, tag.value ?? "");
  }
  const model = getRegisteredModelRow(ctx, request.name);
  const now = ctx.now();
  const { max } = ctx.prepare("SELECT max(version) AS max FROM model_versions WHERE workspace = ? AND name = ?").get(ctx.workspace, model.name) as {
    max: number | null;
  };
  const version = (max ?? 0) + 1;
  ctx
    .prepare(
      `INSERT INTO model_versions (name, version, creation_time, last_updated_time, description, user_id, current_stage, source, run_id, status, status_message, run_link, storage_location, workspace)
       VALUES (?, ?, ?, ?, ?, NULL, 'None', ?, ?, 'READY', NULL, ?, ?, ?)`,
    )
    .run(
      model.name,
      version,
      now,
      now,
      request.description ?? "",
      resolved.source,
      resolved.runId,
      request.run_link ?? "",
      resolved.storageLocation,
      ctx.workspace,
    );
  const insertTag = ctx.prepare('INSERT INTO model_version_tags ("key", value, name, version, workspace) VALUES (?, ?, ?, ?, ?)');
  for (const [key, value] of tags) insertTag.run(key, value, model.name, version, ctx.workspace);
  ctx.prepare("UPDATE registered_models SET last_updated_time = ? WHERE workspace = ? AND name = ?").run(now, ctx.workspace, model.name);
  if (resolved.modelId) recordModelVersion(ctx, resolved.modelId, model.name, version);
  return { model_version: loadModelVersion(ctx, model.name, version) };
}

/** `model-versions/get`: a version that is not deleted, with its aliases. @internal */
export function getModelVersion(ctx: StoreContext, request: EndpointRequest<"modelVersions.get">): { model_version: WireModelVersion } {
  return { model_version: toWireModelVersions(ctx, [getModelVersionRow(ctx, request.name, request.version)], true)[0]! };
}

/** `model-versions/update`: sets the description (an absent one clears it, as the server does). @internal */
export function updateModelVersion(ctx: StoreContext, request: EndpointRequest<"modelVersions.update">): { model_version: WireModelVersion } {
  const version = getModelVersionRow(ctx, request.name, request.version);
  ctx
    .prepare("UPDATE model_versions SET description = ?, last_updated_time = ? WHERE workspace = ? AND name = ? AND version = ?")
    .run(request.description ?? null, ctx.now(), ctx.workspace, version.name, version.version);
  return { model_version: loadModelVersion(ctx, version.name, version.version) };
}

/**
 * `model-versions/delete`: MLflow keeps the row with stage `Deleted_Internal` and its source, run
 * and description redacted, drops the aliases pointing at it, and keeps its tags.
 * @internal
 */
export function deleteModelVersion(ctx: StoreContext, request: EndpointRequest<"modelVersions.delete">): Empty {
  const version = getModelVersionRow(ctx, request.name, request.version);
  const now = ctx.now();
  ctx.prepare("UPDATE registered_models SET last_updated_time = ? WHERE workspace = ? AND name = ?").run(now, ctx.workspace, version.name);
  ctx.prepare("DELETE FROM registered_model_aliases WHERE workspace = ? AND name = ? AND version = ?").run(ctx.workspace, version.name, version.version);
  ctx
    .prepare(
      `UPDATE model_versions SET current_stage = ?, last_updated_time = ?, description = NULL, user_id = NULL, source = 'REDACTED-SOURCE-PATH',
         run_id = 'REDACTED-RUN-ID', run_link = 'REDACTED-RUN-LINK', status_message = NULL WHERE workspace = ? AND name = ? AND version = ?`,
    )
    .run(STAGE_DELETED_INTERNAL, now, ctx.workspace, version.name, version.version);
  return {};
}

/** `model-versions/search`: filter, order (default `last_updated_timestamp DESC, name ASC, version_number DESC`), pages. @internal */
export function searchModelVersions(
  ctx: StoreContext,
  request: EndpointRequest<"modelVersions.search">,
): { model_versions: WireModelVersion[]; next_page_token?: string } {
  const maxResults = request.max_results;
  if (!Number.isInteger(maxResults) || maxResults < 1)
    throw invalidParameter(`Invalid value for max_results. It must be a positive integer, but got ${maxResults}`);
  if (maxResults > MODEL_VERSION_SEARCH_MAX_RESULTS) {
    throw invalidParameter(
      `Invalid value for request parameter max_results. It must be at most ${MODEL_VERSION_SEARCH_MAX_RESULTS}, but got value ${maxResults}`,
    );
  }
  const where = modelVersionWhere(ctx.workspace, request.filter, STAGE_DELETED_INTERNAL);
  const order = modelVersionOrder(request.order_by);
  const offset = decodePageToken(request.page_token);
  const sql = `SELECT mv.* FROM model_versions mv WHERE ${where.sql.join(" AND ")} ORDER BY ${order} LIMIT ? OFFSET ?`;
  const rows = ctx.db.prepare(sql).all(...where.params, maxResults + 1, offset) as ModelVersionRow[];
  const page = toPage(rows, offset, maxResults);
  const result: { model_versions: WireModelVersion[]; next_page_token?: string } = { model_versions: toWireModelVersions(ctx, page.items, false) };
  if (page.nextPageToken) result.next_page_token = page.nextPageToken;
  return result;
}

/**
 * `model-versions/transition-stage`; with `archive_existing_versions` (Staging or Production
 * only) the other versions in that stage move to Archived.
 * @internal
 */
export function transitionModelVersionStage(ctx: StoreContext, request: EndpointRequest<"modelVersions.transitionStage">): { model_version: WireModelVersion } {
  const stage = canonicalStage(request.stage);
  if (request.archive_existing_versions && !(ACTIVE_STAGES as readonly string[]).includes(stage)) {
    // MLflow raises this without an error code: the server answers INTERNAL_ERROR (500).
    throw new StoreException(
      "INTERNAL_ERROR",
      `Model version transition cannot archive existing model versions because '${request.stage}' is not an Active stage. Valid stages are ['Staging', 'Production']`,
    );
  }
  const version = getModelVersionRow(ctx, request.name, request.version);
  const now = ctx.now();
  if (request.archive_existing_versions) {
    ctx
      .prepare(
        "UPDATE model_versions SET current_stage = 'Archived', last_updated_time = ? WHERE workspace = ? AND name = ? AND version != ? AND current_stage = ?",
      )
      .run(now, ctx.workspace, version.name, version.version, stage);
  }
  ctx
    .prepare("UPDATE model_versions SET current_stage = ?, last_updated_time = ? WHERE workspace = ? AND name = ? AND version = ?")
    .run(stage, now, ctx.workspace, version.name, version.version);
  ctx.prepare("UPDATE registered_models SET last_updated_time = ? WHERE workspace = ? AND name = ?").run(now, ctx.workspace, version.name);
  return { model_version: loadModelVersion(ctx, version.name, version.version) };
}

/** `model-versions/get-download-uri`: the storage location, else the source. @internal */
export function getModelVersionDownloadUri(ctx: StoreContext, request: EndpointRequest<"modelVersions.getDownloadUri">): { artifact_uri: string } {
  const version = getModelVersionRow(ctx, request.name, request.version);
  return { artifact_uri: version.storage_location || version.source || "" };
}

/** `model-versions/set-tag`: upserted on a live version. @internal */
export function setModelVersionTag(ctx: StoreContext, request: EndpointRequest<"modelVersions.setTag">): Empty {
  validateRegistryTag(request.key, request.value);
  const version = getModelVersionRow(ctx, request.name, request.version);
  ctx
    .prepare(
      'INSERT INTO model_version_tags ("key", value, name, version, workspace) VALUES (?, ?, ?, ?, ?) ON CONFLICT (workspace, "key", name, version) DO UPDATE SET value = excluded.value',
    )
    .run(request.key, request.value ?? "", version.name, version.version, ctx.workspace);
  return {};
}

/** `model-versions/delete-tag`: deleting an absent tag is not an error (MLflow's SQL store). @internal */
export function deleteModelVersionTag(ctx: StoreContext, request: EndpointRequest<"modelVersions.deleteTag">): Empty {
  validateRegistryTag(request.key, "");
  const version = getModelVersionRow(ctx, request.name, request.version);
  ctx
    .prepare('DELETE FROM model_version_tags WHERE workspace = ? AND name = ? AND version = ? AND "key" = ?')
    .run(ctx.workspace, version.name, version.version, request.key);
  return {};
}

function loadModelVersion(ctx: StoreContext, name: string, version: number): WireModelVersion {
  return toWireModelVersions(ctx, [getModelVersionRow(ctx, name, version)], true)[0]!;
}
