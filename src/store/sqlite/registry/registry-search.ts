/**
 * The search grammars of the model registry (`SearchModelUtils`, `SearchModelVersionUtils` and
 * the SQL store's `_get_search_registered_model_filter_query`, `_get_search_model_versions_filter_clauses`,
 * `_parse_search_*_order_by`): `name` and `tags.<key>` filters for registered models; `name`,
 * `run_id`, `source_path`, `version_number` and `tags.<key>` for versions; clauses joined with
 * `AND`; prompts (models tagged `mlflow.prompt.is_prompt = 'true'`) left out unless the filter asks
 * for them.
 */
import { invalidParameter, StoreException } from "../engine/errors.js";
import { type Comparison, parseFilter, parseOrderBy, type SearchDialect } from "../search/grammar.js";
import { comparisonSql, type SqlFragment } from "../search/sql-comparison.js";
import { IS_PROMPT_TAG } from "./registry-entities.js";

const ENTITY_TYPES = { attribute: "attribute", tag: "tag", tags: "tag" } as const;
const TAG_COMPARATORS = new Set(["=", "!=", "LIKE", "ILIKE"]);
const STRING_COMPARATORS = new Set(["=", "!=", "LIKE", "ILIKE", "IN", "NOT IN"]);
const NUMERIC_COMPARATORS = new Set(["=", "!=", "<", "<=", ">", ">="]);

/** The grammar of `registered-models/search`. */
const MODEL_SEARCH: SearchDialect = {
  entityTypes: ENTITY_TYPES,
  filterAttributes: new Set(["name"]),
  orderAttributes: new Set(["name", "timestamp", "last_updated_timestamp"]),
  numericAttributes: new Set(),
  listAttributes: new Set(["name"]),
  nullableTypes: new Set(),
};

/** The grammar of `model-versions/search`. */
const VERSION_SEARCH: SearchDialect = {
  entityTypes: ENTITY_TYPES,
  filterAttributes: new Set(["name", "version_number", "run_id", "source_path"]),
  orderAttributes: new Set(["name", "version_number", "creation_timestamp", "last_updated_timestamp"]),
  numericAttributes: new Set(["version_number"]),
  listAttributes: new Set(["name", "run_id"]),
  nullableTypes: new Set(),
};

const VERSION_COLUMNS: Record<string, string> = {
  name: "name",
  version_number: "version",
  run_id: "run_id",
  source_path: "source",
  creation_timestamp: "creation_time",
  last_updated_timestamp: "last_updated_time",
};

/** Default order of version searches. */
const DEFAULT_VERSION_ORDER = ["last_updated_timestamp DESC", "name ASC", "version_number DESC"];

/**
 * The WHERE clause of a registered-model search over `rm` (a `registered_models` alias), in one workspace.
 * @throws {StoreException} `INVALID_PARAMETER_VALUE` for a filter MLflow refuses.
 * @internal
 */
export function registeredModelWhere(workspace: string, filter: string | undefined): SqlFragment {
  const comparisons = parseFilter(filter, MODEL_SEARCH);
  const where: SqlFragment = { sql: ["rm.workspace = ?"], params: [workspace] };
  const tagExists = "SELECT 1 FROM registered_model_tags t WHERE t.workspace = rm.workspace AND t.name = rm.name";
  for (const comparison of withoutPromptTag(comparisons)) {
    if (comparison.type === "tag") {
      addTagFilter(where, tagExists, comparison);
      continue;
    }
    if (!STRING_COMPARATORS.has(comparison.comparator)) throw invalidParameter(`Invalid comparator for attribute: ${comparison.comparator}`);
    push(where, comparisonSql("rm.name", comparison.comparator, comparison.value));
  }
  if (!queriesPrompts(comparisons)) where.sql.push(`NOT EXISTS (${tagExists} AND t."key" = '${IS_PROMPT_TAG}' AND t.value = 'true')`);
  return where;
}

/**
 * The ORDER BY of a registered-model search: `name`, `timestamp` or `last_updated_timestamp`
 * (both sort by the last update, as in MLflow's SQL store), then `name ASC`.
 * @throws {StoreException} `INVALID_PARAMETER_VALUE` for another key.
 * @internal
 */
export function registeredModelOrder(orderBy: readonly string[] | undefined): string {
  const clauses: string[] = [];
  const seen = new Set<string>();
  for (const text of orderBy ?? []) {
    const clause = parseOrderBy(text, MODEL_SEARCH);
    if (clause.type !== "attribute") throw invalidParameter(`Invalid order by key '${clause.key}' specified.Valid keys are '{'name', 'timestamp'}'`);
    const column = clause.key === "name" ? "name" : "last_updated_time";
    if (seen.has(column)) throw duplicateOrder(orderBy!);
    seen.add(column);
    clauses.push(`rm.${column} ${clause.ascending ? "ASC" : "DESC"}`);
  }
  if (!seen.has("name")) clauses.push("rm.name ASC");
  return clauses.join(", ");
}

/**
 * The WHERE clause of a model-version search over `mv` (a `model_versions` alias), in one workspace; deleted
 * versions are always left out.
 * @throws {StoreException} `INVALID_PARAMETER_VALUE` for a filter MLflow refuses.
 * @internal
 */
export function modelVersionWhere(workspace: string, filter: string | undefined, deletedStage: string): SqlFragment {
  const comparisons = parseFilter(filter, VERSION_SEARCH);
  const where: SqlFragment = { sql: ["mv.workspace = ?", "mv.current_stage != ?"], params: [workspace, deletedStage] };
  const tagExists = "SELECT 1 FROM model_version_tags t WHERE t.workspace = mv.workspace AND t.name = mv.name AND t.version = mv.version";
  for (const comparison of withoutPromptTag(comparisons)) {
    if (comparison.type === "tag") addTagFilter(where, tagExists, comparison);
    else addVersionAttributeFilter(where, comparison);
  }
  if (!queriesPrompts(comparisons)) {
    // MLflow leaves out every version of a model one of whose versions carries the prompt tag.
    where.sql.push(
      `NOT EXISTS (SELECT 1 FROM model_version_tags p WHERE p.workspace = mv.workspace AND p.name = mv.name AND p."key" = '${IS_PROMPT_TAG}' AND p.value = 'true')`,
    );
  }
  return where;
}

/**
 * The ORDER BY of a model-version search (default `last_updated_timestamp DESC, name ASC,
 * version_number DESC`), with `name ASC` and `version DESC` as tie-breakers.
 * @throws {StoreException} `INVALID_PARAMETER_VALUE` for a key MLflow refuses.
 * @internal
 */
export function modelVersionOrder(orderBy: readonly string[] | undefined): string {
  const list = orderBy && orderBy.length > 0 ? orderBy : DEFAULT_VERSION_ORDER;
  const clauses: string[] = [];
  const seen = new Set<string>();
  for (const text of list) {
    const clause = parseOrderBy(text, VERSION_SEARCH);
    const column = clause.type === "attribute" ? VERSION_COLUMNS[clause.key] : undefined;
    if (column === undefined) {
      throw invalidParameter(
        `Invalid order by key '${clause.key}' specified. Valid keys are {'name', 'version_number', 'creation_timestamp', 'last_updated_timestamp'}`,
      );
    }
    if (seen.has(column)) throw duplicateOrder(list);
    seen.add(column);
    clauses.push(`mv.${column} ${clause.ascending ? "ASC" : "DESC"}`);
  }
  if (!seen.has("name")) clauses.push("mv.name ASC");
  if (!seen.has("version")) clauses.push("mv.version DESC");
  return clauses.join(", ");
}

function addVersionAttributeFilter(where: SqlFragment, { key, comparator, value }: Comparison): void {
  const column = `mv.${VERSION_COLUMNS[key]!}`;
  if (key === "version_number") {
    if (!NUMERIC_COMPARATORS.has(comparator)) throw invalidParameter(`Invalid comparator for attribute ${key}: ${comparator}`);
    if (typeof value !== "bigint" && !Number.isInteger(value)) throw invalidParameter(`Invalid value for numeric attribute '${key}': ${String(value)}`);
    push(where, comparisonSql(column, comparator, value));
    return;
  }
  const listOnly = (comparator === "IN" || comparator === "NOT IN") && key !== "run_id" && key !== "name";
  if (!STRING_COMPARATORS.has(comparator) || listOnly) throw invalidParameter(`Invalid comparator for attribute: ${comparator}`);
  push(where, comparisonSql(column, comparator, value));
}

function addTagFilter(where: SqlFragment, tagExists: string, { key, comparator, value }: Comparison): void {
  if (!TAG_COMPARATORS.has(comparator)) throw invalidParameter(`Invalid comparator for tag: ${comparator}`);
  const compared = comparisonSql("t.value", comparator, value);
  where.sql.push(`EXISTS (${tagExists} AND t."key" = ? AND ${compared.sql})`);
  where.params.push(key, ...compared.params);
}

/** `_is_querying_prompt`: the filter asks for prompts with `tags.mlflow.prompt.is_prompt = 'true'` (or `!= 'false'`). */
function queriesPrompts(comparisons: Comparison[]): boolean {
  const clause = comparisons.find((comparison) => comparison.type === "tag" && comparison.key === IS_PROMPT_TAG);
  if (clause === undefined || typeof clause.value !== "string") return false;
  const value = clause.value.toLowerCase();
  return (clause.comparator === "=" && value === "true") || (clause.comparator === "!=" && value === "false");
}

/** When not querying prompts, MLflow drops clauses on the prompt tag (prompts are excluded anyway). */
function withoutPromptTag(comparisons: Comparison[]): Comparison[] {
  if (queriesPrompts(comparisons)) return comparisons;
  return comparisons.filter((comparison) => comparison.type !== "tag" || comparison.key !== IS_PROMPT_TAG);
}

function push(where: SqlFragment, fragment: { sql: string; params: unknown[] }): void {
  where.sql.push(fragment.sql);
  where.params.push(...fragment.params);
}

/** MLflow raises this one without an error code, so the server answers INTERNAL_ERROR (500). */
function duplicateOrder(orderBy: readonly string[]): StoreException {
  return new StoreException("INTERNAL_ERROR", `\`order_by\` contains duplicate fields: [${orderBy.map((item) => `'${item}'`).join(", ")}]`);
}
