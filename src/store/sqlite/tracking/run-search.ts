/**
 * `runs/search` in the embedded store, built like MLflow's SQL store builds it
 * (`_get_sqlalchemy_filter_clauses`, `_get_orderby_clauses`): filters on latest metrics, params,
 * tags, run attributes and dataset inputs; order clauses that put missing values (and NaN metrics)
 * last; then `start_time DESC, run_uuid`; pages of `max_results`.
 */
import type { EndpointRequest } from "../../../protocol/endpoints.js";
import { parseExperimentId, type RunRow, type StoreContext } from "../engine/context.js";
import { invalidParameter, StoreException } from "../engine/errors.js";
import { type Comparison, checkSqliteBindable, type EntityType, parseFilter, parseOrderBy, pythonFloat, RUN_SEARCH } from "../search/grammar.js";
import { SEARCH_MAX_RESULTS, stagesOf, validateMaxResults } from "../search/limits.js";
import { decodePageToken, toPage } from "../search/page-token.js";
import { comparisonSql } from "../search/sql-comparison.js";
import { loadRuns, RUN_NAME_TAG } from "./run-entities.js";

const METRIC_COMPARATORS = new Set([">", ">=", "!=", "=", "<", "<="]);
const KEY_VALUE_COMPARATORS = new Set(["!=", "=", "LIKE", "ILIKE", "IS NULL", "IS NOT NULL"]);
const STRING_ATTRIBUTE_COMPARATORS = new Set(["!=", "=", "LIKE", "ILIKE", "IN", "NOT IN"]);
const ENTITY_TABLES: Partial<Record<EntityType, string>> = { metric: "latest_metrics", parameter: "params", tag: "tags" };
const ATTRIBUTE_COLUMNS: Record<string, string> = {
  run_id: "run_uuid",
  run_name: "name",
  user_id: "user_id",
  status: "status",
  start_time: "start_time",
  end_time: "end_time",
  artifact_uri: "artifact_uri",
};

interface Query {
  joins: string[];
  where: string[];
  orderBy: string[];
  params: unknown[];
  joinParams: unknown[];
}

/** `runs/search`. @internal */
export function searchRuns(ctx: StoreContext, request: EndpointRequest<"runs.search">): { runs: Record<string, unknown>[]; next_page_token?: string } {
  const maxResults = request.max_results ?? 1000;
  validateMaxResults(maxResults, SEARCH_MAX_RESULTS);
  // MLflow's order of checks, so that a request with several faults fails with the same one:
  // filter syntax, order clauses, comparators, page token, experiment ids.
  const comparisons = parseFilter(request.filter, RUN_SEARCH);
  const query: Query = { joins: [], where: [], orderBy: [], params: [], joinParams: [] };
  addOrder(query, request.order_by ?? []);
  const filters: Query = { joins: [], where: [], orderBy: [], params: [], joinParams: [] };
  for (const comparison of comparisons) addFilter(filters, comparison);
  const offset = decodePageToken(request.page_token);
  const experimentIds = (request.experiment_ids ?? []).map(parseExperimentId);
  checkSqliteBindable(comparisons);
  query.where.push(`runs.experiment_id IN (${experimentIds.map(() => "?").join(", ") || "NULL"})`);
  query.params.push(...experimentIds);
  // Only the workspace's experiments, as MLflow's `_filter_experiment_ids`: another's ids match nothing.
  query.where.push("runs.experiment_id IN (SELECT experiment_id FROM experiments WHERE workspace = ?)");
  query.params.push(ctx.workspace);
  query.where.push(
    `runs.lifecycle_stage IN (${stagesOf(request.run_view_type)
      .map((stage) => `'${stage}'`)
      .join(", ")})`,
  );
  query.where.push(...filters.where);
  query.params.push(...filters.params);
  const sql = `SELECT runs.* FROM runs ${query.joins.join(" ")} WHERE ${query.where.join(" AND ")} ORDER BY ${query.orderBy.join(", ")} LIMIT ? OFFSET ?`;
  const rows = ctx.db.prepare(sql).all(...query.joinParams, ...query.params, maxResults + 1, offset) as RunRow[];
  const page = toPage(rows, offset, maxResults);
  const result: { runs: Record<string, unknown>[]; next_page_token?: string } = { runs: loadRuns(ctx, page.items, false) };
  if (page.nextPageToken) result.next_page_token = page.nextPageToken;
  return result;
}

function addFilter(query: Query, { type, key: rawKey, comparator, value }: Comparison): void {
  const key = translateAlias(rawKey);
  if (type === "attribute") {
    addAttributeFilter(query, key, comparator, value);
    return;
  }
  if (type === "dataset") {
    addDatasetFilter(query, key, comparator, value);
    return;
  }
  const table = ENTITY_TABLES[type]!;
  const allowed = type === "metric" ? METRIC_COMPARATORS : KEY_VALUE_COMPARATORS;
  if (!allowed.has(comparator)) throw invalidComparator(comparator, allowed);
  const exists = `SELECT 1 FROM ${table} e WHERE e.run_uuid = runs.run_uuid AND e."key" = ?`;
  if (comparator === "IS NULL" || comparator === "IS NOT NULL") {
    query.where.push(`${comparator === "IS NULL" ? "NOT " : ""}EXISTS (${exists})`);
    query.params.push(key);
    return;
  }
  const compared = comparisonSql("e.value", comparator, type === "metric" ? pythonFloat(value as string) : value);
  // NaN metrics are stored as 0 with is_nan = 1: no comparison matches them except "!=".
  const nan = type !== "metric" ? "" : comparator === "!=" ? " OR e.is_nan = 1" : " AND e.is_nan = 0";
  query.where.push(`EXISTS (${exists} AND (${compared.sql}${nan}))`);
  query.params.push(key, ...compared.params);
}

function addAttributeFilter(query: Query, key: string, comparator: string, value: Comparison["value"]): void {
  const numeric = RUN_SEARCH.numericAttributes.has(key);
  const allowed = numeric ? METRIC_COMPARATORS : STRING_ATTRIBUTE_COMPARATORS;
  if (!allowed.has(comparator)) throw invalidComparator(comparator, allowed);
  if (key === "run_name") {
    // The name column is empty for runs logged by MLflow <= 1.29; the tag always holds the name.
    const compared = comparisonSql("e.value", comparator, value);
    query.where.push(`EXISTS (SELECT 1 FROM tags e WHERE e.run_uuid = runs.run_uuid AND e."key" = ? AND ${compared.sql})`);
    query.params.push(RUN_NAME_TAG, ...compared.params);
    return;
  }
  const compared = comparisonSql(`runs.${ATTRIBUTE_COLUMNS[key]}`, comparator, value);
  query.where.push(compared.sql);
  query.params.push(...compared.params);
}

function addDatasetFilter(query: Query, key: string, comparator: string, value: Comparison["value"]): void {
  if (!STRING_ATTRIBUTE_COMPARATORS.has(comparator)) throw invalidComparator(comparator, STRING_ATTRIBUTE_COMPARATORS);
  const base = "SELECT 1 FROM datasets d JOIN inputs i ON i.source_id = d.dataset_uuid WHERE i.destination_id = runs.run_uuid";
  if (key === "context") {
    const compared = comparisonSql("it.value", comparator, value);
    query.where.push(
      `EXISTS (${base} AND EXISTS (SELECT 1 FROM input_tags it WHERE it.input_uuid = i.input_uuid AND it.name = 'mlflow.data.context' AND ${compared.sql}))`,
    );
    query.params.push(...compared.params);
    return;
  }
  const compared = comparisonSql(`d.${key}`, comparator, value);
  query.where.push(`EXISTS (${base} AND ${compared.sql})`);
  query.params.push(...compared.params);
}

function addOrder(query: Query, orderBy: string[]): void {
  const seen = new Set<string>();
  let orderedByStartTime = false;
  orderBy.forEach((clause, index) => {
    const { type, key: rawKey, ascending } = parseOrderBy(clause, RUN_SEARCH);
    const key = translateAlias(rawKey);
    const direction = ascending ? "ASC" : "DESC";
    if (type === "dataset") throw invalidParameter(`Invalid identifier type '${type}'`);
    // MLflow raises this one without an error code: INTERNAL_ERROR.
    if (seen.has(`${type}.${key}`)) throw new StoreException("INTERNAL_ERROR", `\`order_by\` contains duplicate fields: ${JSON.stringify(orderBy)}`);
    seen.add(`${type}.${key}`);
    if (type === "attribute") {
      const column = `runs.${ATTRIBUTE_COLUMNS[key]}`;
      query.orderBy.push(`CASE WHEN ${column} IS NULL THEN 1 ELSE 0 END`, `${column} ${direction}`);
      orderedByStartTime ||= key === "start_time";
      return;
    }
    const table = ENTITY_TABLES[type]!;
    const alias = `o${index}`;
    const columns = type === "metric" ? "run_uuid, value, is_nan" : "run_uuid, value";
    query.joins.push(`LEFT JOIN (SELECT ${columns} FROM ${table} WHERE "key" = ?) ${alias} ON ${alias}.run_uuid = runs.run_uuid`);
    query.joinParams.push(key);
    const missing =
      type === "metric"
        ? `CASE WHEN ${alias}.is_nan = 1 THEN 1 WHEN ${alias}.value IS NULL THEN 2 ELSE 0 END`
        : `CASE WHEN ${alias}.value IS NULL THEN 1 ELSE 0 END`;
    query.orderBy.push(missing, `${alias}.value ${direction}`);
  });
  if (!orderedByStartTime) query.orderBy.push("runs.start_time DESC");
  query.orderBy.push("runs.run_uuid");
}

function translateAlias(key: string): string {
  if (key === "created" || key === "Created") return "start_time";
  if (key === "run name" || key === "Run name" || key === "Run Name") return "run_name";
  return key;
}

function invalidComparator(comparator: string, allowed: ReadonlySet<string>): Error {
  return invalidParameter(`Invalid comparator '${comparator}' not one of '${[...allowed].join("', '")}'`);
}
