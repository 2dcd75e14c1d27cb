/**
 * Experiments in the embedded store, with the semantics of MLflow's SQL store: integer ids from
 * the table's rowid (0 is Default), names unique in the workspace (deleted experiments included),
 * soft delete and restore that carry the experiment's runs along, tags upserted. Every handler
 * sees only the context's workspace; with one configured, new experiments get the artifact
 * location MLflow's workspace-aware store gives them (`_get_artifact_location`).
 */

import type { EndpointRequest } from "../../../protocol/endpoints.js";
import { validateExperimentName, validateExperimentTagValue, validateKey } from "../../../protocol/validation.js";
import { type ExperimentRow, parseExperimentId, type StoreContext } from "../engine/context.js";
import { alreadyExists, invalidParameter, notFound, StoreException } from "../engine/errors.js";
import { type Comparison, checkSqliteBindable, EXPERIMENT_SEARCH, parseFilter, parseOrderBy } from "../search/grammar.js";
import { SEARCH_MAX_RESULTS, stagesOf, validateMaxResults } from "../search/limits.js";
import { decodePageToken, toPage } from "../search/page-token.js";
import { comparisonSql, type SqlFragment } from "../search/sql-comparison.js";
import { appendToUriPath, resolveIfLocal, validateArtifactLocation } from "./artifact-location.js";

/** The folder of the artifact root that holds the workspaces' experiments (`WORKSPACES_DIR_NAME`). */
const WORKSPACES_DIR = "workspaces";

/** Experiment as the server sends it. */
export interface WireExperiment {
  experiment_id: string;
  name: string;
  artifact_location: string;
  lifecycle_stage: string;
  creation_time?: number;
  last_update_time?: number;
  tags: { key: string; value: string }[];
  workspace: string;
}

/** `experiments/create`. @internal */
export function createExperiment(ctx: StoreContext, request: EndpointRequest<"experiments.create">): { experiment_id: string } {
  validateExperimentName(request.name);
  if (ctx.workspaceAware && request.artifact_location) throw invalidParameter("artifact_location cannot be specified when workspaces are enabled");
  const artifactLocation = request.artifact_location ? resolveIfLocal(request.artifact_location) : undefined;
  if (artifactLocation) validateArtifactLocation(artifactLocation);
  for (const tag of request.tags ?? []) validateExperimentTag(tag.key, tag.value);
  const taken = ctx.prepare("SELECT 1 FROM experiments WHERE workspace = ? AND name = ?").get(ctx.workspace, request.name);
  if (taken) throw alreadyExists(`Experiment(name=${request.name}) already exists. Error: UNIQUE constraint failed: experiments.workspace, experiments.name`);
  const now = ctx.now();
  const { lastInsertRowid } = ctx
    .prepare("INSERT INTO experiments (name, artifact_location, lifecycle_stage, creation_time, last_update_time, workspace) VALUES (?, ?, 'active', ?, ?, ?)")
    .run(request.name, artifactLocation ?? null, now, now, ctx.workspace);
  const id = Number(lastInsertRowid);
  if (!artifactLocation) ctx.prepare("UPDATE experiments SET artifact_location = ? WHERE experiment_id = ?").run(defaultLocation(ctx, id), id);
  const insertTag = ctx.prepare(
    "INSERT INTO experiment_tags (key, value, experiment_id) VALUES (?, ?, ?) ON CONFLICT (key, experiment_id) DO UPDATE SET value = excluded.value",
  );
  for (const tag of request.tags ?? []) insertTag.run(tag.key, tag.value, id);
  return { experiment_id: String(id) };
}

/** `experiments/get`: deleted experiments too. @internal */
export function getExperiment(ctx: StoreContext, request: EndpointRequest<"experiments.get">): { experiment: WireExperiment } {
  return { experiment: toWireExperiments(ctx, [ctx.getExperiment(request.experiment_id)])[0]! };
}

/** `experiments/get-by-name`. @internal */
export function getExperimentByName(ctx: StoreContext, request: EndpointRequest<"experiments.getByName">): { experiment: WireExperiment } {
  const row = ctx.prepare("SELECT * FROM experiments WHERE name = ? AND workspace = ?").get(request.experiment_name, ctx.workspace) as
    | ExperimentRow
    | undefined;
  if (!row) throw notFound(`Could not find experiment with name '${request.experiment_name}'`);
  return { experiment: toWireExperiments(ctx, [row])[0]! };
}

/** `experiments/update` (rename). @internal */
export function renameExperiment(ctx: StoreContext, request: EndpointRequest<"experiments.update">): Record<string, never> {
  validateExperimentName(request.new_name);
  const experiment = ctx.getExperiment(request.experiment_id);
  if (experiment.lifecycle_stage !== "active") throw new StoreException("INVALID_STATE", "Cannot rename a non-active experiment.");
  ctx.prepare("UPDATE experiments SET name = ?, last_update_time = ? WHERE experiment_id = ?").run(request.new_name, ctx.now(), experiment.experiment_id);
  return {};
}

/** `experiments/delete`: the experiment and all its runs become `deleted`. @internal */
export function deleteExperiment(ctx: StoreContext, request: EndpointRequest<"experiments.delete">): Record<string, never> {
  const experiment = ctx.getExperiment(request.experiment_id, ["active"]);
  const now = ctx.now();
  ctx.prepare("UPDATE experiments SET lifecycle_stage = 'deleted', last_update_time = ? WHERE experiment_id = ?").run(now, experiment.experiment_id);
  ctx.prepare("UPDATE runs SET lifecycle_stage = 'deleted', deleted_time = ? WHERE experiment_id = ?").run(now, experiment.experiment_id);
  return {};
}

/** `experiments/restore`: the experiment and all its runs become `active` again. @internal */
export function restoreExperiment(ctx: StoreContext, request: EndpointRequest<"experiments.restore">): Record<string, never> {
  const experiment = ctx.getExperiment(request.experiment_id, ["deleted"]);
  ctx.prepare("UPDATE experiments SET lifecycle_stage = 'active', last_update_time = ? WHERE experiment_id = ?").run(ctx.now(), experiment.experiment_id);
  ctx.prepare("UPDATE runs SET lifecycle_stage = 'active', deleted_time = NULL WHERE experiment_id = ?").run(experiment.experiment_id);
  return {};
}

/** `experiments/set-experiment-tag`. @internal */
export function setExperimentTag(ctx: StoreContext, request: EndpointRequest<"experiments.setTag">): Record<string, never> {
  validateExperimentTag(request.key, request.value);
  const experiment = activeExperiment(ctx, request.experiment_id);
  ctx
    .prepare("INSERT INTO experiment_tags (key, value, experiment_id) VALUES (?, ?, ?) ON CONFLICT (key, experiment_id) DO UPDATE SET value = excluded.value")
    .run(request.key, request.value ?? "", experiment.experiment_id);
  return {};
}

/** `experiments/delete-experiment-tag`. @internal */
export function deleteExperimentTag(ctx: StoreContext, request: EndpointRequest<"experiments.deleteTag">): Record<string, never> {
  const experiment = activeExperiment(ctx, request.experiment_id);
  const { changes } = ctx.prepare("DELETE FROM experiment_tags WHERE experiment_id = ? AND key = ?").run(experiment.experiment_id, request.key);
  if (changes === 0) throw notFound(`No tag with name: ${request.key} in experiment with id ${request.experiment_id}`);
  return {};
}

/** `experiments/search`: filter, order (default `creation_time DESC, experiment_id ASC`), pages. @internal */
export function searchExperiments(
  ctx: StoreContext,
  request: EndpointRequest<"experiments.search">,
): { experiments: WireExperiment[]; next_page_token?: string } {
  validateMaxResults(request.max_results, SEARCH_MAX_RESULTS);
  const where: SqlFragment = {
    sql: [
      "experiments.lifecycle_stage IN (" +
        stagesOf(request.view_type)
          .map((s) => `'${s}'`)
          .join(", ") +
        ")",
      "experiments.workspace = ?",
    ],
    params: [ctx.workspace],
  };
  const comparisons = parseFilter(request.filter, EXPERIMENT_SEARCH);
  for (const comparison of comparisons) addExperimentFilter(where, comparison);
  const offset = decodePageToken(request.page_token);
  checkSqliteBindable(comparisons);
  const sql = `SELECT * FROM experiments WHERE ${where.sql.join(" AND ")} ORDER BY ${experimentOrder(request.order_by)} LIMIT ? OFFSET ?`;
  const rows = ctx.db.prepare(sql).all(...where.params, request.max_results + 1, offset) as ExperimentRow[];
  const page = toPage(rows, offset, request.max_results);
  const result: { experiments: WireExperiment[]; next_page_token?: string } = { experiments: toWireExperiments(ctx, page.items) };
  if (page.nextPageToken) result.next_page_token = page.nextPageToken;
  return result;
}

/**
 * Experiments in wire form, with their tags.
 * @internal
 */
export function toWireExperiments(ctx: StoreContext, rows: ExperimentRow[]): WireExperiment[] {
  if (rows.length === 0) return [];
  const ids = rows.map((row) => row.experiment_id);
  const tagRows = ctx.db
    .prepare(`SELECT experiment_id, key, value FROM experiment_tags WHERE experiment_id IN (${ids.map(() => "?").join(", ")}) ORDER BY rowid`)
    .all(...ids) as { experiment_id: number; key: string; value: string | null }[];
  return rows.map((row) => {
    const experiment: WireExperiment = {
      experiment_id: String(row.experiment_id),
      name: row.name,
      artifact_location: row.artifact_location ?? "",
      lifecycle_stage: row.lifecycle_stage ?? "active",
      tags: tagRows.filter((tag) => tag.experiment_id === row.experiment_id).map(({ key, value }) => ({ key, value: value ?? "" })),
      workspace: row.workspace,
    };
    if (row.creation_time) experiment.creation_time = row.creation_time;
    if (row.last_update_time) experiment.last_update_time = row.last_update_time;
    return experiment;
  });
}

/**
 * Where a new experiment keeps its artifacts when none is asked for: `<root>/<id>` in MLflow's
 * single-tenant store; with a workspace configured, `<workspace's default_artifact_root>/<id>`, or
 * `<root>/workspaces/<workspace>/<id>` when the workspace has none (`WorkspaceAwareSqlAlchemyStore`).
 */
function defaultLocation(ctx: StoreContext, id: number): string {
  if (!ctx.workspaceAware) return appendToUriPath(ctx.defaultArtifactRoot, String(id));
  const row = ctx.prepare("SELECT default_artifact_root FROM workspaces WHERE name = ?").get(ctx.workspace) as
    | { default_artifact_root: string | null }
    | undefined;
  if (row?.default_artifact_root) return appendToUriPath(row.default_artifact_root, String(id));
  return appendToUriPath(ctx.defaultArtifactRoot, WORKSPACES_DIR, ctx.workspace, String(id));
}

function activeExperiment(ctx: StoreContext, experimentId: string): ExperimentRow {
  const experiment = ctx.getExperiment(experimentId);
  if (experiment.lifecycle_stage !== "active") {
    throw invalidParameter(`The experiment ${experiment.experiment_id} must be in the 'active' state. Current state is ${experiment.lifecycle_stage}.`);
  }
  return experiment;
}

function validateExperimentTag(key: string, value: string | undefined): void {
  validateKey(key, "experiment tag");
  validateExperimentTagValue(key, value ?? "");
}

function addExperimentFilter(where: SqlFragment, comparison: Comparison): void {
  const { type, key, comparator, value } = comparison;
  if (type === "tag") {
    if (comparator === "IS NULL" || comparator === "IS NOT NULL") {
      const negate = comparator === "IS NULL" ? "NOT " : "";
      where.sql.push(`${negate}EXISTS (SELECT 1 FROM experiment_tags t WHERE t.experiment_id = experiments.experiment_id AND t.key = ?)`);
      where.params.push(key);
      return;
    }
    if (!["=", "!=", "LIKE", "ILIKE"].includes(comparator)) throw invalidParameter(`Invalid comparator for tag: ${comparator}`);
    const valueSql = comparisonSql("t.value", comparator, value);
    where.sql.push(`EXISTS (SELECT 1 FROM experiment_tags t WHERE t.experiment_id = experiments.experiment_id AND t.key = ? AND ${valueSql.sql})`);
    where.params.push(key, ...valueSql.params);
    return;
  }
  const attribute = experimentAttributeSql(key, comparator, value);
  where.sql.push(attribute.sql);
  where.params.push(...attribute.params);
}

function experimentAttributeSql(key: string, comparator: string, value: Comparison["value"]): { sql: string; params: unknown[] } {
  const column = `experiments.${key}`;
  if (key === "experiment_id") {
    if (!["=", "!=", "IN", "NOT IN"].includes(comparator)) throw invalidParameter(`Invalid comparator for experiment_id: ${comparator}`);
    const ids = Array.isArray(value) ? value.map(parseExperimentId) : parseExperimentId(value as string);
    return comparisonSql(column, comparator, ids);
  }
  if (EXPERIMENT_SEARCH.numericAttributes.has(key)) {
    if (!["=", "!=", "<", "<=", ">", ">="].includes(comparator)) throw invalidParameter(`Invalid comparator for numeric attribute: ${comparator}`);
    if (typeof value !== "bigint" && !Number.isInteger(value)) throw invalidParameter(`Invalid value for numeric attribute '${key}': '${String(value)}'`);
    return comparisonSql(column, comparator, value);
  }
  if (!["=", "!=", "LIKE", "ILIKE"].includes(comparator)) throw invalidParameter(`Invalid comparator for string attribute: ${comparator}`);
  return comparisonSql(column, comparator, value);
}

function experimentOrder(orderBy: string[] | undefined): string {
  const clauses = (orderBy && orderBy.length > 0 ? orderBy : ["creation_time DESC", "experiment_id ASC"]).map((clause) =>
    parseOrderBy(clause, EXPERIMENT_SEARCH),
  );
  const sql = clauses.map((clause) => {
    if (clause.type !== "attribute") throw invalidParameter(`Invalid order_by entity: ${clause.type}`);
    return `experiments.${clause.key} ${clause.ascending ? "ASC" : "DESC"}`;
  });
  // MLflow's tie-breaker: (experiment_id, ascending=False) when the order does not name it.
  if (!clauses.some((clause) => clause.key === "experiment_id")) sql.push("experiments.experiment_id DESC");
  return sql.join(", ");
}
