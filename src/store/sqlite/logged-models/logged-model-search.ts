/**
 * `logged-models/search` in the embedded store, built as MLflow's tracking SQL store builds it
 * (`search_logged_models`, `mlflow/utils/search_logged_model_utils.py`): filters on attributes
 * (`name`, `status`, `model_type`, `source_run_id`, `creation_timestamp`, …), `metrics.<name>`
 * (any logged value, optionally restricted to datasets), `params.<key>` and `tags.<key>`; order by
 * attributes or by a metric's latest value, missing values last, then `creation_timestamp DESC,
 * model_id ASC`; deleted models left out; MLflow's page tokens, which carry the query they belong to.
 */

import { pythonJsonDumps, pythonRepr } from "../../../core/python-format.js";
import type { EndpointRequest, SearchLoggedModelsRequest } from "../../../protocol/endpoints.js";
import { parseExperimentId, type StoreContext } from "../engine/context.js";
import { invalidParameter } from "../engine/errors.js";
import { type Comparison, parseFilter, type SearchDialect } from "../search/grammar.js";
import { comparisonSql, type SqlFragment } from "../search/sql-comparison.js";
import { type LoggedModelRow, toWireLoggedModels, type WireLoggedModel } from "./logged-models.js";

/** Page size when the request gives none (`SEARCH_LOGGED_MODEL_MAX_RESULTS_DEFAULT`). */
const DEFAULT_MAX_RESULTS = 100;

/** Columns of `logged_models`, and the aliases MLflow accepts for them. */
const COLUMNS: Record<string, string> = {
  model_id: "model_id",
  experiment_id: "experiment_id",
  name: "name",
  artifact_location: "artifact_location",
  creation_timestamp_ms: "creation_timestamp_ms",
  last_updated_timestamp_ms: "last_updated_timestamp_ms",
  status: "status",
  lifecycle_stage: "lifecycle_stage",
  model_type: "model_type",
  source_run_id: "source_run_id",
  status_message: "status_message",
  creation_time: "creation_timestamp_ms",
  creation_timestamp: "creation_timestamp_ms",
  last_updated_timestamp: "last_updated_timestamp_ms",
};
const NUMERIC = ["creation_timestamp_ms", "last_updated_timestamp_ms", "creation_time", "creation_timestamp", "last_updated_timestamp"];
const NUMERIC_OPERATORS = ["<", "<=", ">", ">=", "=", "!="];
const STRING_OPERATORS = ["=", "!=", "LIKE", "ILIKE", "IN", "NOT IN"];

const LOGGED_MODEL_SEARCH: SearchDialect = {
  entityTypes: { attribute: "attribute", attributes: "attribute", metrics: "metric", params: "parameter", tags: "tag" },
  filterAttributes: new Set(Object.keys(COLUMNS)),
  orderAttributes: new Set(Object.keys(COLUMNS)),
  numericAttributes: new Set(NUMERIC),
  listAttributes: new Set(Object.keys(COLUMNS).filter((key) => !NUMERIC.includes(key))),
  nullableTypes: new Set(),
};

/** An order clause as the server hands it to the store (and as page tokens carry it). */
interface OrderBy {
  field_name: string;
  ascending: boolean;
  dataset_name: string | null;
  dataset_digest: string | null;
}

interface Query {
  joins: string[];
  joinParams: unknown[];
  where: SqlFragment;
  orderBy: string[];
}

/** `logged-models/search`. @internal */
export function searchLoggedModels(
  ctx: StoreContext,
  request: EndpointRequest<"loggedModels.search">,
): { models: WireLoggedModel[]; next_page_token?: string } {
  const datasets = request.datasets ?? [];
  if (datasets.some((dataset) => !dataset.dataset_name)) throw invalidParameter("`dataset_name` in the `datasets` clause must be specified.");
  const experimentIds = request.experiment_ids ?? [];
  const filter = request.filter || null;
  const orderBy = request.order_by && request.order_by.length > 0 ? request.order_by.map(toOrderBy) : null;
  const offset = request.page_token ? decodeToken(request.page_token, experimentIds, filter, orderBy) : 0;
  const maxResults = request.max_results || DEFAULT_MAX_RESULTS;
  const query: Query = { joins: [], joinParams: [], where: { sql: ["lm.lifecycle_stage != 'deleted'"], params: [] }, orderBy: [] };
  const ids = experimentIds.map(parseExperimentId);
  query.where.sql.push(`lm.experiment_id IN (${ids.map(() => "?").join(", ") || "NULL"})`);
  query.where.params.push(...ids);
  query.where.sql.push("lm.experiment_id IN (SELECT experiment_id FROM experiments WHERE workspace = ?)");
  query.where.params.push(ctx.workspace);
  addFilters(query.where, parseFilter(filter ?? undefined, LOGGED_MODEL_SEARCH), datasets);
  addOrder(query, orderBy ?? []);
  const sql = `SELECT lm.* FROM logged_models lm ${query.joins.join(" ")} WHERE ${query.where.sql.join(" AND ")} ORDER BY ${query.orderBy.join(", ")} LIMIT ? OFFSET ?`;
  const rows = ctx.db.prepare(sql).all(...query.joinParams, ...query.where.params, maxResults + 1, offset) as LoggedModelRow[];
  const result: { models: WireLoggedModel[]; next_page_token?: string } = { models: toWireLoggedModels(ctx, rows.slice(0, maxResults)) };
  if (rows.length > maxResults) result.next_page_token = encodeToken(experimentIds, filter, orderBy, offset + maxResults);
  return result;
}

function addFilters(where: SqlFragment, comparisons: Comparison[], datasets: NonNullable<SearchLoggedModelsRequest["datasets"]>): void {
  const datasetSql = datasets.map((dataset) =>
    dataset.dataset_digest ? "(m.dataset_name = ? AND m.dataset_digest = ?)" : "(m.dataset_name = ? AND m.dataset_digest IS NULL)",
  );
  const datasetParams = datasets.flatMap((dataset) => (dataset.dataset_digest ? [dataset.dataset_name, dataset.dataset_digest] : [dataset.dataset_name]));
  const datasetClause = datasetSql.length > 0 ? ` AND (${datasetSql.join(" OR ")})` : "";
  let hasMetricFilter = false;
  for (const { type, key, comparator, value } of comparisons) {
    checkOperator(type, key, comparator);
    if (type === "attribute") {
      const compared = comparisonSql(`lm.${COLUMNS[key]!}`, comparator, NUMERIC.includes(key) ? Number(value) : value);
      where.sql.push(compared.sql);
      where.params.push(...compared.params);
    } else if (type === "metric") {
      hasMetricFilter = true;
      const compared = comparisonSql("m.metric_value", comparator, Number(value));
      where.sql.push(`lm.model_id IN (SELECT m.model_id FROM logged_model_metrics m WHERE m.metric_name = ? AND ${compared.sql}${datasetClause})`);
      where.params.push(key, ...compared.params, ...datasetParams);
    } else {
      const [table, keyColumn, valueColumn] =
        type === "parameter" ? ["logged_model_params", "param_key", "param_value"] : ["logged_model_tags", "tag_key", "tag_value"];
      const compared = comparisonSql(`e.${valueColumn}`, comparator, value);
      where.sql.push(`EXISTS (SELECT 1 FROM ${table} e WHERE e.model_id = lm.model_id AND e.${keyColumn} = ? AND ${compared.sql})`);
      where.params.push(key, ...compared.params);
    }
  }
  if (datasetSql.length > 0 && !hasMetricFilter) {
    where.sql.push(`lm.model_id IN (SELECT m.model_id FROM logged_model_metrics m WHERE ${datasetSql.join(" OR ")})`);
    where.params.push(...datasetParams);
  }
}

function checkOperator(type: Comparison["type"], key: string, operator: string): void {
  const numeric = type === "metric" || (type === "attribute" && NUMERIC.includes(key));
  const allowed = numeric ? NUMERIC_OPERATORS : STRING_OPERATORS;
  if (allowed.includes(operator)) return;
  const entity = type === "attribute" ? key : `${type === "parameter" ? "params" : `${type}s`}.${key}`;
  throw invalidParameter(`Invalid comparison operator for ${entity}: '${operator}'. Expected one of (${allowed.map((op) => `'${op}'`).join(", ")}).`);
}

function addOrder(query: Query, orderBy: OrderBy[]): void {
  let hasCreationTimestamp = false;
  let hasModelId = false;
  orderBy.forEach((clause, index) => {
    const direction = clause.ascending ? "ASC" : "DESC";
    if (!clause.field_name.includes(".")) {
      const column = COLUMNS[clause.field_name];
      if (column === undefined) throw invalidParameter(`Invalid order by field name: ${clause.field_name}`);
      hasCreationTimestamp ||= column === "creation_timestamp_ms";
      hasModelId ||= column === "model_id";
      query.orderBy.push(`CASE WHEN lm.${column} IS NULL THEN 1 ELSE 0 END ASC`, `lm.${column} ${direction}`);
      return;
    }
    const [entity, name] = [clause.field_name.slice(0, clause.field_name.indexOf(".")), clause.field_name.slice(clause.field_name.indexOf(".") + 1)];
    if (entity !== "metrics") throw invalidParameter(`Invalid order by field name: ${clause.field_name}. Only metrics are supported.`);
    const alias = `o${index}`;
    const datasetSql = [clause.dataset_name ? " AND dataset_name = ?" : "", clause.dataset_digest ? " AND dataset_digest = ?" : ""].join("");
    query.joins.push(
      `LEFT JOIN (SELECT model_id, metric_value FROM (SELECT model_id, metric_value, row_number() OVER (PARTITION BY model_id, metric_name ORDER BY metric_timestamp_ms DESC, metric_step DESC, run_id ASC) AS row_num
         FROM logged_model_metrics WHERE metric_name = ?${datasetSql}) WHERE row_num = 1) ${alias} ON ${alias}.model_id = lm.model_id`,
    );
    query.joinParams.push(name, ...[clause.dataset_name, clause.dataset_digest].filter((value) => value));
    query.orderBy.push(`CASE WHEN ${alias}.metric_value IS NULL THEN 1 ELSE 0 END ASC`, `${alias}.metric_value ${direction}`);
  });
  if (!hasCreationTimestamp) query.orderBy.push("lm.creation_timestamp_ms DESC");
  if (!hasModelId) query.orderBy.push("lm.model_id ASC");
}

function toOrderBy(clause: NonNullable<SearchLoggedModelsRequest["order_by"]>[number]): OrderBy {
  return {
    field_name: clause.field_name,
    ascending: clause.ascending ?? true,
    dataset_name: clause.dataset_name || null,
    dataset_digest: clause.dataset_digest || null,
  };
}

/** MLflow's `SearchLoggedModelsPaginationToken`: base64 of `json.dumps` of the query and the offset. */
function encodeToken(experimentIds: string[], filter: string | null, orderBy: OrderBy[] | null, offset: number): string {
  const json = `{"experiment_ids": ${pythonJsonDumps(experimentIds)}, "filter_string": ${pythonJsonDumps(filter)}, "order_by": ${pythonJsonDumps(orderBy)}, "offset": ${offset}}`;
  return Buffer.from(json, "utf8").toString("base64");
}

function decodeToken(token: string, experimentIds: string[], filter: string | null, orderBy: OrderBy[] | null): number {
  let parsed: { experiment_ids?: unknown; filter_string?: unknown; order_by?: unknown; offset?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(token, "base64").toString("utf8")) as typeof parsed;
  } catch (error) {
    throw invalidParameter(`Invalid page token: ${token}. ${(error as Error).message}`);
  }
  const tokenFilter = parsed.filter_string || null;
  const tokenOrder = (parsed.order_by as OrderBy[] | null | undefined) || null;
  if (!sameJson(parsed.experiment_ids ?? null, experimentIds)) {
    throw invalidParameter(
      `Experiment IDs in the page token do not match the requested experiment IDs. Expected: ${pythonRepr(experimentIds)}. Found: ${pythonRepr(parsed.experiment_ids ?? null)}`,
    );
  }
  if (tokenFilter !== filter) {
    throw invalidParameter(
      `Filter string in the page token does not match the requested filter string. Expected: ${String(filter)}. Found: ${String(tokenFilter)}`,
    );
  }
  if (!sameJson(tokenOrder, orderBy)) {
    throw invalidParameter(
      `Order by in the page token does not match the requested order by. Expected: ${pythonRepr(orderBy)}. Found: ${pythonRepr(tokenOrder)}`,
    );
  }
  const offset = Number(parsed.offset ?? 0);
  if (!Number.isSafeInteger(offset) || offset < 0) throw invalidParameter(`Invalid page token: ${token}.`);
  return offset;
}

/** Deep equality of JSON values, ignoring the order of object keys (Python's `==` on dicts). */
function sameJson(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => sameJson(item, b[i]));
  }
  if (a !== null && b !== null && typeof a === "object" && typeof b === "object") {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => sameJson((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
  }
  return a === b;
}
