/**
 * Registered models in the embedded store, with the semantics of MLflow's registry SQL store
 * (`mlflow/store/model_registry/sqlalchemy_store.py`) behind its REST handlers: unique names,
 * renames that carry every version along, deletes that take versions, tags and aliases with them,
 * searches with MLflow's filter, order and page tokens, the latest version per stage, tags
 * upserted and aliases that point at one version each.
 */

import type { EndpointRequest } from "../../../protocol/endpoints.js";
import { validateKey, validateModelName, validateRegistryTagValue } from "../../../protocol/validation.js";
import type { StoreContext } from "../engine/context.js";
import { alreadyExists, invalidParameter, notFound } from "../engine/errors.js";
import { decodePageToken, toPage } from "../search/page-token.js";
import {
  ALL_STAGES,
  canonicalStage,
  getModelVersionRow,
  getRegisteredModelRow,
  IS_PROMPT_TAG,
  latestVersionsByModel,
  type ModelVersionRow,
  type RegisteredModelRow,
  toWireModelVersions,
  toWireRegisteredModels,
  type WireModelVersion,
  type WireRegisteredModel,
} from "./registry-entities.js";
import { registeredModelOrder, registeredModelWhere } from "./registry-search.js";

/** Largest page of registered-model searches: 1000 (`SEARCH_REGISTERED_MODEL_MAX_RESULTS_THRESHOLD`). */
export const REGISTERED_MODEL_SEARCH_MAX_RESULTS = 1000;
/** Longest alias: 255 characters (`MAX_REGISTERED_MODEL_ALIAS_LENGTH`). */
const MAX_ALIAS_LENGTH = 255;

type Empty = Record<string, never>;

/** `registered-models/create`. @internal */
export function createRegisteredModel(ctx: StoreContext, request: EndpointRequest<"registeredModels.create">): { registered_model: WireRegisteredModel } {
  validateModelName(request.name);
  const tags = new Map<string, string>();
  for (const tag of request.tags ?? []) {
    validateRegistryTag(tag.key, tag.value);
    tags.set(tag.key, tag.value ?? "");
  }
  const existing = ctx.prepare("SELECT name FROM registered_models WHERE workspace = ? AND name = ?").get(ctx.workspace, request.name);
  if (existing) throw nameTaken(ctx, request.name, tags.has(IS_PROMPT_TAG));
  const now = ctx.now();
  ctx
    .prepare("INSERT INTO registered_models (name, creation_time, last_updated_time, description, workspace) VALUES (?, ?, ?, ?, ?)")
    .run(request.name, now, now, request.description ?? "", ctx.workspace);
  const insertTag = ctx.prepare('INSERT INTO registered_model_tags ("key", value, name, workspace) VALUES (?, ?, ?, ?)');
  for (const [key, value] of tags) insertTag.run(key, value, request.name, ctx.workspace);
  return { registered_model: loadRegisteredModel(ctx, request.name) };
}

/** `registered-models/get`. @internal */
export function getRegisteredModel(ctx: StoreContext, request: EndpointRequest<"registeredModels.get">): { registered_model: WireRegisteredModel } {
  return { registered_model: toWireRegisteredModels(ctx, [getRegisteredModelRow(ctx, request.name)])[0]! };
}

/** `registered-models/rename`: the versions follow (the foreign keys cascade), all stamped with the rename time. @internal */
export function renameRegisteredModel(ctx: StoreContext, request: EndpointRequest<"registeredModels.rename">): { registered_model: WireRegisteredModel } {
  if (typeof request.new_name !== "string" || request.new_name.trim() === "") throw invalidParameter("Missing value for required parameter 'new_name'.");
  validateModelName(request.new_name, "new_name");
  const model = getRegisteredModelRow(ctx, request.name);
  if (request.new_name !== model.name && ctx.prepare("SELECT 1 FROM registered_models WHERE workspace = ? AND name = ?").get(ctx.workspace, request.new_name)) {
    throw alreadyExists(
      `Registered Model (name=${request.new_name}) already exists. Error: UNIQUE constraint failed: registered_models.workspace, registered_models.name`,
    );
  }
  const now = ctx.now();
  ctx
    .prepare("UPDATE registered_models SET name = ?, last_updated_time = ? WHERE workspace = ? AND name = ?")
    .run(request.new_name, now, ctx.workspace, model.name);
  ctx.prepare("UPDATE model_versions SET last_updated_time = ? WHERE workspace = ? AND name = ?").run(now, ctx.workspace, request.new_name);
  return { registered_model: loadRegisteredModel(ctx, request.new_name) };
}

/** `registered-models/update`: sets the description (an absent one clears it, as the server does). @internal */
export function updateRegisteredModel(ctx: StoreContext, request: EndpointRequest<"registeredModels.update">): { registered_model: WireRegisteredModel } {
  const model = getRegisteredModelRow(ctx, request.name);
  ctx
    .prepare("UPDATE registered_models SET description = ?, last_updated_time = ? WHERE workspace = ? AND name = ?")
    .run(request.description ?? "", ctx.now(), ctx.workspace, model.name);
  return { registered_model: loadRegisteredModel(ctx, model.name) };
}

/** `registered-models/delete`: the model with all its versions, their tags, its tags and aliases. @internal */
export function deleteRegisteredModel(ctx: StoreContext, request: EndpointRequest<"registeredModels.delete">): Empty {
  const model = getRegisteredModelRow(ctx, request.name);
  for (const table of ["model_version_tags", "model_versions", "registered_model_tags", "registered_model_aliases", "registered_models"]) {
    ctx.prepare(`DELETE FROM ${table} WHERE workspace = ? AND name = ?`).run(ctx.workspace, model.name);
  }
  return {};
}

/** `registered-models/search`: filter, order (default `name ASC`), pages of at most 1000. @internal */
export function searchRegisteredModels(
  ctx: StoreContext,
  request: EndpointRequest<"registeredModels.search">,
): { registered_models: WireRegisteredModel[]; next_page_token?: string } {
  const maxResults = request.max_results;
  if (!Number.isInteger(maxResults) || maxResults < 1)
    throw invalidParameter(`Invalid value for request parameter max_results. It must be a positive integer, but got value ${maxResults}`);
  if (maxResults > REGISTERED_MODEL_SEARCH_MAX_RESULTS) {
    throw invalidParameter(
      `Invalid value for request parameter max_results. It must be at most ${REGISTERED_MODEL_SEARCH_MAX_RESULTS}, but got value ${maxResults}`,
    );
  }
  const where = registeredModelWhere(ctx.workspace, request.filter);
  const order = registeredModelOrder(request.order_by);
  const offset = decodePageToken(request.page_token);
  const sql = `SELECT rm.* FROM registered_models rm WHERE ${where.sql.join(" AND ")} ORDER BY ${order} LIMIT ? OFFSET ?`;
  const rows = ctx.db.prepare(sql).all(...where.params, maxResults + 1, offset) as RegisteredModelRow[];
  const page = toPage(rows, offset, maxResults);
  const result: { registered_models: WireRegisteredModel[]; next_page_token?: string } = { registered_models: toWireRegisteredModels(ctx, page.items) };
  if (page.nextPageToken) result.next_page_token = page.nextPageToken;
  return result;
}

/** `registered-models/get-latest-versions`: the latest version of each requested stage (all stages when none). @internal */
export function getLatestVersions(ctx: StoreContext, request: EndpointRequest<"registeredModels.getLatestVersions">): { model_versions: WireModelVersion[] } {
  const model = getRegisteredModelRow(ctx, request.name);
  const stages = new Set((request.stages && request.stages.length > 0 ? request.stages : ALL_STAGES).map(canonicalStage));
  const rows = (latestVersionsByModel(ctx, [model.name]).get(model.name) ?? []).filter((row) => stages.has(row.current_stage ?? ""));
  return { model_versions: toWireModelVersions(ctx, rows, true) };
}

/** `registered-models/set-tag`: upserted. @internal */
export function setRegisteredModelTag(ctx: StoreContext, request: EndpointRequest<"registeredModels.setTag">): Empty {
  validateRegistryTag(request.key, request.value);
  const model = getRegisteredModelRow(ctx, request.name);
  ctx
    .prepare(
      'INSERT INTO registered_model_tags ("key", value, name, workspace) VALUES (?, ?, ?, ?) ON CONFLICT (workspace, "key", name) DO UPDATE SET value = excluded.value',
    )
    .run(request.key, request.value ?? "", model.name, ctx.workspace);
  return {};
}

/** `registered-models/delete-tag`: deleting an absent tag is not an error (MLflow's SQL store). @internal */
export function deleteRegisteredModelTag(ctx: StoreContext, request: EndpointRequest<"registeredModels.deleteTag">): Empty {
  validateKey(request.key, "registry tag");
  const model = getRegisteredModelRow(ctx, request.name);
  ctx.prepare('DELETE FROM registered_model_tags WHERE workspace = ? AND name = ? AND "key" = ?').run(ctx.workspace, model.name, request.key);
  return {};
}

/** `registered-models/alias` (POST): points the alias at a live version, moving it if it pointed elsewhere. @internal */
export function setRegisteredModelAlias(ctx: StoreContext, request: EndpointRequest<"registeredModels.setAlias">): Empty {
  validateModelName(request.name);
  validateAliasName(request.alias);
  if (request.alias.toLowerCase() === "latest") throw invalidParameter("'latest' alias name (case insensitive) is reserved.");
  if (/^[vV]\d+$/.test(request.alias)) throw invalidParameter(`Version alias name '${request.alias}' is reserved.`);
  const version = getModelVersionRow(ctx, request.name, request.version);
  ctx
    .prepare(
      "INSERT INTO registered_model_aliases (alias, version, name, workspace) VALUES (?, ?, ?, ?) ON CONFLICT (workspace, name, alias) DO UPDATE SET version = excluded.version",
    )
    .run(request.alias, version.version, version.name, ctx.workspace);
  return {};
}

/** `registered-models/alias` (DELETE): deleting an absent alias is not an error. @internal */
export function deleteRegisteredModelAlias(ctx: StoreContext, request: EndpointRequest<"registeredModels.deleteAlias">): Empty {
  validateModelName(request.name);
  validateAliasName(request.alias);
  const model = getRegisteredModelRow(ctx, request.name);
  ctx.prepare("DELETE FROM registered_model_aliases WHERE workspace = ? AND name = ? AND alias = ?").run(ctx.workspace, model.name, request.alias);
  return {};
}

/**
 * `registered-models/alias` (GET): the version an alias points at; `latest` is the highest live version.
 * An unknown alias is `INVALID_PARAMETER_VALUE` (400), as the server answers.
 * @internal
 */
export function getModelVersionByAlias(ctx: StoreContext, request: EndpointRequest<"registeredModels.getByAlias">): { model_version: WireModelVersion } {
  validateModelName(request.name);
  validateAliasName(request.alias);
  const model = getRegisteredModelRow(ctx, request.name);
  let version: ModelVersionRow;
  if (request.alias.toLowerCase() === "latest") {
    const latest = latestVersionsByModel(ctx, [model.name]).get(model.name) ?? [];
    if (latest.length === 0) throw notFound(`Latest version not found for model ${model.name}.`);
    version = latest.reduce((best, row) => (row.version > best.version ? row : best));
  } else {
    const alias = ctx
      .prepare("SELECT version FROM registered_model_aliases WHERE workspace = ? AND name = ? AND alias = ?")
      .get(ctx.workspace, model.name, request.alias) as { version: number } | undefined;
    if (alias === undefined) throw invalidParameter(`Registered model alias ${request.alias} not found.`);
    version = getModelVersionRow(ctx, model.name, alias.version);
  }
  return { model_version: toWireModelVersions(ctx, [version], true)[0]! };
}

/**
 * Checks a registry tag as `_validate_registered_model_tag` / `_validate_model_version_tag` do.
 * @throws {ValidationError} for a bad key or a value over 100 000 characters.
 * @internal
 */
export function validateRegistryTag(key: string, value: string | undefined): void {
  validateKey(key, "registry tag");
  validateRegistryTagValue(key, value ?? "");
}

/** Re-reads a model after a write, for the response. */
function loadRegisteredModel(ctx: StoreContext, name: string): WireRegisteredModel {
  return toWireRegisteredModels(ctx, [getRegisteredModelRow(ctx, name)])[0]!;
}

function validateAliasName(alias: string): void {
  if (!alias) throw invalidParameter("Registered model alias name cannot be empty.");
  if (!/^[\p{L}\p{N}_-]*$/u.test(alias))
    throw invalidParameter(`Invalid alias name: '${alias}'. Names may only contain alphanumerics, underscores (_), and dashes (-).`);
  if (alias.length > MAX_ALIAS_LENGTH) throw invalidParameter(`Registered model alias name exceeds the maximum length of ${MAX_ALIAS_LENGTH}`);
}

/** MLflow's message for a taken name, which says when a model and a prompt collide. */
function nameTaken(ctx: StoreContext, name: string, newIsPrompt: boolean): Error {
  const existingIsPrompt =
    ctx.prepare('SELECT 1 FROM registered_model_tags WHERE workspace = ? AND name = ? AND "key" = ?').get(ctx.workspace, name, IS_PROMPT_TAG) !== undefined;
  const existing = existingIsPrompt ? "Prompt" : "Registered Model";
  const wanted = newIsPrompt ? "Prompt" : "Registered Model";
  if (existing !== wanted) {
    return alreadyExists(
      `Tried to create a ${wanted.toLowerCase()} with name '${name}', but the name is already taken by a ${existing.toLowerCase()}. MLflow does not allow creating a model and a prompt with the same name.`,
    );
  }
  return alreadyExists(`${wanted} (name=${name}) already exists.`);
}
