/**
 * Registered models and model versions of the embedded store in MLflow's wire shape, built from
 * their rows the way `SqlRegisteredModel.to_mlflow_entity()`, `SqlModelVersion.to_mlflow_entity()`
 * and the entities' `to_proto()` do, plus the lookups every registry handler starts with (a model
 * by name, a version by number, with MLflow's errors). Every lookup sees only the context's
 * workspace (`default` unless one is configured), as MLflow's registry store filters every query
 * on `workspace` (`_get_workspace_clauses`); names are unique per workspace (the primary keys).
 */
import { validateModelName } from "../../../protocol/validation.js";
import type { StoreContext } from "../engine/context.js";
import { invalidParameter, notFound } from "../engine/errors.js";
import { selectChunked } from "../tracking/run-entities.js";

/** Stage of a deleted version: MLflow keeps the row, redacted, with this stage. */
export const STAGE_DELETED_INTERNAL = "Deleted_Internal";
/** The stages a version can be in, canonical spelling. */
export const ALL_STAGES = ["None", "Staging", "Production", "Archived"] as const;
/** The stages `archive_existing_versions` applies to. */
export const ACTIVE_STAGES = ["Staging", "Production"] as const;
/** The tag that marks a registered model (or version) as a prompt. */
export const IS_PROMPT_TAG = "mlflow.prompt.is_prompt";

/** A row of `registered_models`. */
export interface RegisteredModelRow {
  name: string;
  creation_time: number | null;
  last_updated_time: number | null;
  description: string | null;
}

/** A row of `model_versions`. */
export interface ModelVersionRow {
  name: string;
  version: number;
  creation_time: number | null;
  last_updated_time: number | null;
  description: string | null;
  user_id: string | null;
  current_stage: string | null;
  source: string | null;
  run_id: string | null;
  status: string | null;
  status_message: string | null;
  run_link: string | null;
  storage_location: string | null;
}

/** ModelVersion as the server sends it. */
export interface WireModelVersion {
  name: string;
  version: string;
  creation_timestamp?: number;
  last_updated_timestamp?: number;
  user_id?: string;
  current_stage?: string;
  description?: string;
  source?: string;
  run_id?: string;
  status?: string;
  status_message?: string;
  tags: { key: string; value: string }[];
  run_link?: string;
  aliases: string[];
}

/** RegisteredModel as the server sends it. */
export interface WireRegisteredModel {
  name: string;
  creation_timestamp?: number;
  last_updated_timestamp?: number;
  description?: string;
  latest_versions: WireModelVersion[];
  tags: { key: string; value: string }[];
  aliases: { alias: string; version: string }[];
}

interface TagRow {
  name: string;
  version?: number;
  key: string;
  value: string | null;
}

interface AliasRow {
  name: string;
  alias: string;
  version: number;
}

/**
 * The registered model with this name.
 * @throws {StoreException} `INVALID_PARAMETER_VALUE` for a bad name, `RESOURCE_DOES_NOT_EXIST` when absent.
 * @internal
 */
export function getRegisteredModelRow(ctx: StoreContext, name: string): RegisteredModelRow {
  validateModelName(name);
  const row = ctx.prepare("SELECT * FROM registered_models WHERE workspace = ? AND name = ?").get(ctx.workspace, name) as RegisteredModelRow | undefined;
  if (!row) throw notFound(`Registered Model with name=${name} not found`);
  return row;
}

/**
 * The model version `name`/`version`, unless it was deleted.
 * @throws {StoreException} `INVALID_PARAMETER_VALUE` for a non-integer version, `RESOURCE_DOES_NOT_EXIST` when absent or deleted.
 * @internal
 */
export function getModelVersionRow(ctx: StoreContext, name: string, version: string | number): ModelVersionRow {
  validateModelName(name);
  const number = parseVersion(version);
  const row = ctx
    .prepare("SELECT * FROM model_versions WHERE workspace = ? AND name = ? AND version = ? AND current_stage != ?")
    .get(ctx.workspace, name, number, STAGE_DELETED_INTERNAL) as ModelVersionRow | undefined;
  if (!row) throw notFound(`Model Version (name=${name}, version=${number}) not found`);
  return row;
}

/**
 * A version number as `_validate_model_version` reads it (Python's `int()`).
 * @throws {StoreException} `INVALID_PARAMETER_VALUE` otherwise.
 * @internal
 */
export function parseVersion(version: string | number): number {
  const text = String(version).trim();
  if (!/^[-+]?\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw invalidParameter(`Parameter 'version' must be an integer, got '${String(version)}'.`);
  }
  return Number(text);
}

/**
 * A stage in MLflow's spelling (`get_canonical_stage`): matched case-insensitively.
 * @throws {StoreException} `INVALID_PARAMETER_VALUE` for an unknown stage.
 * @internal
 */
export function canonicalStage(stage: string): string {
  const canonical = ALL_STAGES.find((known) => known.toLowerCase() === stage.toLowerCase());
  if (canonical === undefined) throw invalidParameter(`Invalid Model Version stage: ${stage}. Value must be one of ${ALL_STAGES.join(", ")}.`);
  return canonical;
}

/**
 * Model versions in wire form, with their tags and (when asked) the aliases pointing at them.
 * MLflow fills `aliases` on get, create, update, transition and get-by-alias, not in searches or
 * in a registered model's `latest_versions`.
 * @internal
 */
export function toWireModelVersions(ctx: StoreContext, rows: ModelVersionRow[], withAliases: boolean): WireModelVersion[] {
  const names = [...new Set(rows.map((row) => row.name))];
  const tags = selectChunked<TagRow>(ctx, `SELECT name, version, "key", value FROM model_version_tags WHERE workspace = ? AND name IN`, names, "rowid", [
    ctx.workspace,
  ]);
  const aliases = withAliases ? loadAliases(ctx, names) : [];
  return rows.map((row) => {
    const version: WireModelVersion = {
      name: row.name,
      version: String(row.version),
      tags: tags.filter((tag) => tag.name === row.name && tag.version === row.version).map(toKeyValue),
      aliases: aliases.filter((alias) => alias.name === row.name && alias.version === row.version).map((alias) => alias.alias),
    };
    if (row.creation_time !== null) version.creation_timestamp = row.creation_time;
    if (row.last_updated_time !== null) version.last_updated_timestamp = row.last_updated_time;
    if (row.description !== null) version.description = row.description;
    if (row.user_id !== null) version.user_id = row.user_id;
    if (row.current_stage !== null) version.current_stage = row.current_stage;
    if (row.source !== null) version.source = row.source;
    if (row.run_id !== null) version.run_id = row.run_id;
    if (row.run_link !== null) version.run_link = row.run_link;
    if (row.status !== null) version.status = row.status;
    if (row.status_message) version.status_message = row.status_message;
    return version;
  });
}

/**
 * Registered models in wire form: tags, aliases, and the latest version of each stage (deleted
 * versions left out), stages in the order their lowest version appears, as MLflow lists them.
 * @internal
 */
export function toWireRegisteredModels(ctx: StoreContext, rows: RegisteredModelRow[]): WireRegisteredModel[] {
  const names = rows.map((row) => row.name);
  const tags = selectChunked<TagRow>(ctx, `SELECT name, "key", value FROM registered_model_tags WHERE workspace = ? AND name IN`, names, "rowid", [
    ctx.workspace,
  ]);
  const aliases = loadAliases(ctx, names);
  const latest = latestVersionsByModel(ctx, names);
  const latestWire = toWireModelVersions(ctx, [...latest.values()].flat(), false);
  return rows.map((row) => {
    const model: WireRegisteredModel = {
      name: row.name,
      latest_versions: latestWire.filter((version) => version.name === row.name),
      tags: tags.filter((tag) => tag.name === row.name).map(toKeyValue),
      aliases: aliases.filter((alias) => alias.name === row.name).map(({ alias, version }) => ({ alias, version: String(version) })),
    };
    if (row.creation_time !== null) model.creation_timestamp = row.creation_time;
    if (row.last_updated_time) model.last_updated_timestamp = row.last_updated_time;
    if (row.description) model.description = row.description;
    return model;
  });
}

/**
 * Per model name, the highest non-deleted version of each stage.
 * @internal
 */
export function latestVersionsByModel(ctx: StoreContext, names: readonly string[]): Map<string, ModelVersionRow[]> {
  const rows = selectChunked<ModelVersionRow>(
    ctx,
    `SELECT * FROM model_versions WHERE workspace = ? AND current_stage != '${STAGE_DELETED_INTERNAL}' AND name IN`,
    names,
    "name, version",
    [ctx.workspace],
  );
  const byModel = new Map<string, Map<string | null, ModelVersionRow>>();
  for (const row of rows) {
    let stages = byModel.get(row.name);
    if (!stages) {
      stages = new Map();
      byModel.set(row.name, stages);
    }
    stages.set(row.current_stage, row); // versions ascend: the last one per stage wins, the stage keeps its first position
  }
  return new Map([...byModel].map(([name, stages]) => [name, [...stages.values()]]));
}

function loadAliases(ctx: StoreContext, names: readonly string[]): AliasRow[] {
  return selectChunked<AliasRow>(ctx, `SELECT name, alias, version FROM registered_model_aliases WHERE workspace = ? AND name IN`, names, "rowid", [
    ctx.workspace,
  ]);
}

function toKeyValue(tag: TagRow): { key: string; value: string } {
  return { key: tag.key, value: tag.value ?? "" };
}
