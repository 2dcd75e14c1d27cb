/**
 * Logging metrics, params and tags into the embedded store with the semantics of MLflow's SQL
 * store (`log_batch`, `_log_params`, `_log_metrics`, `_update_latest_metrics_if_necessary`,
 * `_set_tags`), except that a whole batch is one transaction: it is written completely or not at
 * all.
 *
 * - Params are write-once: the same value again is a no-op, another value is refused.
 * - Metric rows that repeat an existing (key, timestamp, step, value) are dropped; NaN is stored as
 *   value 0 with `is_nan = 1`, ±Infinity as ±1.7976931348623157e308.
 * - `latest_metrics` keeps, per key, the point with the largest (step, timestamp, value).
 * - Tags are upserted; `mlflow.runName` renames the run.
 */

import type { EndpointRequest } from "../../../protocol/endpoints.js";
import type { KeyValue } from "../../../protocol/entities/tracking.js";
import type { RunRow, StoreContext } from "../engine/context.js";
import { invalidParameter, notFound } from "../engine/errors.js";
import { RUN_NAME_TAG } from "./run-entities.js";
import { type StoredMetric, toStoredMetric, validateParam, validateRunTag } from "./run-values.js";
import { renameRun } from "./runs.js";

/** Batch limits of `log-batch` (`MAX_METRICS_PER_BATCH`, `MAX_PARAMS_TAGS_PER_BATCH`, `MAX_ENTITIES_PER_BATCH`). */
export const BATCH_LIMITS = { metrics: 1000, params: 100, tags: 100, entities: 1000 } as const;
/** Rows per multi-row metric insert, largest first. */
const INSERT_CHUNK_SIZES = [100, 10, 1] as const;

/** `runs/log-batch`. @internal */
export function logBatch(ctx: StoreContext, request: EndpointRequest<"runs.logBatch">): Record<string, never> {
  const metrics = request.metrics ?? [];
  const params = request.params ?? [];
  const tags = request.tags ?? [];
  checkBatchLimits(metrics.length, params.length, tags.length);
  const checked = metrics.map(toStoredMetric);
  for (const param of params) validateParam(param.key, param.value);
  for (const tag of tags) validateRunTag(tag.key, tag.value);
  checkUniqueParamKeys(params);
  const run = ctx.getActiveRun(request.run_id);
  writeParams(ctx, run, params);
  writeMetrics(ctx, run, checked);
  writeTags(ctx, run, tags);
  return {};
}

/** `runs/log-metric`. @internal */
export function logMetric(ctx: StoreContext, request: EndpointRequest<"runs.logMetric">): Record<string, never> {
  const metric = toStoredMetric(request);
  writeMetrics(ctx, ctx.getActiveRun(request.run_id), [metric]);
  return {};
}

/** `runs/log-parameter`. @internal */
export function logParam(ctx: StoreContext, request: EndpointRequest<"runs.logParam">): Record<string, never> {
  validateParam(request.key, request.value);
  const run = ctx.getActiveRun(request.run_id);
  const value = request.value ?? "";
  const existing = ctx.prepare("SELECT value FROM params WHERE run_uuid = ? AND key = ?").get(run.run_uuid, request.key) as { value: string } | undefined;
  if (existing === undefined) {
    ctx.prepare("INSERT INTO params (key, value, run_uuid) VALUES (?, ?, ?)").run(request.key, value, run.run_uuid);
  } else if (existing.value !== value) {
    throw invalidParameter(
      `Changing param values is not allowed. Param with key='${request.key}' was already logged with value='${existing.value}' for run ID='${run.run_uuid}'. Attempted logging new value '${value}'.`,
    );
  }
  return {};
}

/** `runs/set-tag`. @internal */
export function setTag(ctx: StoreContext, request: EndpointRequest<"runs.setTag">): Record<string, never> {
  validateRunTag(request.key, request.value);
  writeTags(ctx, ctx.getActiveRun(request.run_id), [{ key: request.key, value: request.value ?? "" }]);
  return {};
}

/** `runs/delete-tag`. @internal */
export function deleteTag(ctx: StoreContext, request: EndpointRequest<"runs.deleteTag">): Record<string, never> {
  const run = ctx.getActiveRun(request.run_id);
  const { changes } = ctx.prepare("DELETE FROM tags WHERE run_uuid = ? AND key = ?").run(run.run_uuid, request.key);
  if (changes === 0) throw notFound(`No tag with name: ${request.key} in run with id ${request.run_id}`);
  return {};
}

function checkBatchLimits(metrics: number, params: number, tags: number): void {
  const check = (name: string, limit: number, count: number): void => {
    if (count <= limit) return;
    throw invalidParameter(
      `A batch logging request can contain at most ${limit} ${name}. Got ${count} ${name}. Please split up ${name} across multiple requests and try again.`,
    );
  };
  check("metrics", BATCH_LIMITS.metrics, metrics);
  check("params", BATCH_LIMITS.params, params);
  check("tags", BATCH_LIMITS.tags, tags);
  check("metrics, params, and tags", BATCH_LIMITS.entities, metrics + params + tags);
}

function checkUniqueParamKeys(params: KeyValue[]): void {
  const seen = new Set<string>();
  const duplicates: string[] = [];
  for (const { key } of params) {
    if (seen.has(key)) duplicates.push(key);
    seen.add(key);
  }
  if (duplicates.length === 0) return;
  throw invalidParameter(
    `Duplicate parameter keys have been submitted: ${pyList(duplicates)}. Please ensure the request contains only one param value per param key.`,
  );
}

function writeParams(ctx: StoreContext, run: RunRow, params: KeyValue[]): void {
  if (params.length === 0) return;
  const existing = new Map(
    (ctx.prepare("SELECT key, value FROM params WHERE run_uuid = ?").all(run.run_uuid) as { key: string; value: string }[]).map((row) => [row.key, row.value]),
  );
  const changed = params.filter((param) => existing.has(param.key) && existing.get(param.key) !== (param.value ?? ""));
  if (changed.length > 0) {
    const details = changed.map(
      (param) => `{'key': ${pyStr(param.key)}, 'old_value': ${pyStr(existing.get(param.key)!)}, 'new_value': ${pyStr(param.value ?? "")}}`,
    );
    throw invalidParameter(`Changing param values is not allowed. Params were already logged='[${details.join(", ")}]' for run ID='${run.run_uuid}'.`);
  }
  const insert = ctx.prepare("INSERT INTO params (key, value, run_uuid) VALUES (?, ?, ?)");
  for (const param of params) if (!existing.has(param.key)) insert.run(param.key, param.value ?? "", run.run_uuid);
}

function writeMetrics(ctx: StoreContext, run: RunRow, metrics: StoredMetric[]): void {
  if (metrics.length === 0) return;
  insertMetricRows(ctx, run.run_uuid, metrics);
  const upsertLatest = ctx.prepare(
    `INSERT INTO latest_metrics ("key", value, timestamp, step, is_nan, run_uuid) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT ("key", run_uuid) DO UPDATE SET value = excluded.value, timestamp = excluded.timestamp, step = excluded.step, is_nan = excluded.is_nan
     WHERE (excluded.step, excluded.timestamp, excluded.value) > (latest_metrics.step, latest_metrics.timestamp, latest_metrics.value)`,
  );
  for (const metric of latestPerKey(metrics)) upsertLatest.run(metric.key, metric.value, metric.timestamp, metric.step, metric.isNan, run.run_uuid);
  writeModelMetrics(ctx, run, metrics);
}

/**
 * Inserts metric rows, dropping exact duplicates of existing rows (the primary key covers key,
 * timestamp, step, value and `is_nan`). Rows go in multi-row statements of 100, then 10, then 1:
 * one statement per row would cost more than the rows themselves.
 */
function insertMetricRows(ctx: StoreContext, runId: string, unsorted: StoredMetric[]): void {
  const metrics = inKeyOrder(unsorted);
  let index = 0;
  for (const size of INSERT_CHUNK_SIZES) {
    const statement = ctx.prepare(
      `INSERT INTO metrics ("key", value, timestamp, step, is_nan, run_uuid) VALUES ${Array<string>(size).fill("(?, ?, ?, ?, ?, ?)").join(", ")} ON CONFLICT DO NOTHING`,
    );
    const values: unknown[] = [];
    for (; index + size <= metrics.length; index += size) {
      values.length = 0;
      for (let i = index; i < index + size; i++) {
        const metric = metrics[i]!;
        values.push(metric.key, metric.value, metric.timestamp, metric.step, metric.isNan, runId);
      }
      statement.run(values);
    }
  }
}

/**
 * The metrics grouped by key (keys sorted), each group by (timestamp, step): rows in primary-key
 * order land next to each other in the indexes, which saves a third of the insert work.
 */
function inKeyOrder(metrics: StoredMetric[]): StoredMetric[] {
  const groups = new Map<string, StoredMetric[]>();
  for (const metric of metrics) {
    const group = groups.get(metric.key);
    if (group) group.push(metric);
    else groups.set(metric.key, [metric]);
  }
  const ordered: StoredMetric[] = [];
  for (const key of [...groups.keys()].sort()) {
    const group = groups.get(key)!;
    if (!isInPositionOrder(group)) group.sort(byPosition);
    for (const metric of group) ordered.push(metric);
  }
  return ordered;
}

function isInPositionOrder(group: StoredMetric[]): boolean {
  for (let i = 1; i < group.length; i++) if (byPosition(group[i - 1]!, group[i]!) > 0) return false;
  return true;
}

function byPosition(a: StoredMetric, b: StoredMetric): number {
  return a.timestamp - b.timestamp || a.step - b.step;
}

/** Per key, the first point with the largest (step, timestamp, sanitised value), in first-seen key order. */
function latestPerKey(metrics: StoredMetric[]): StoredMetric[] {
  const latest = new Map<string, StoredMetric>();
  for (const metric of metrics) {
    const current = latest.get(metric.key);
    if (current === undefined || isMoreRecent(metric, current)) latest.set(metric.key, metric);
  }
  return [...latest.values()];
}

function isMoreRecent(a: StoredMetric, b: StoredMetric): boolean {
  if (a.step !== b.step) return a.step > b.step;
  if (a.timestamp !== b.timestamp) return a.timestamp > b.timestamp;
  return a.value > b.value;
}

/** Metrics logged with a `model_id` also go to `logged_model_metrics` (MLflow 3 logged models). */
function writeModelMetrics(ctx: StoreContext, run: RunRow, metrics: StoredMetric[]): void {
  const modelMetrics = metrics.filter((metric) => metric.model_id);
  if (modelMetrics.length === 0) return;
  const insert = ctx.prepare(
    `INSERT INTO logged_model_metrics (model_id, metric_name, metric_timestamp_ms, metric_step, metric_value, experiment_id, run_id, dataset_uuid, dataset_name, dataset_digest)
     VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?) ON CONFLICT DO NOTHING`,
  );
  for (const metric of modelMetrics) {
    insert.run(
      metric.model_id,
      metric.key,
      metric.timestamp,
      metric.step,
      metric.value,
      run.experiment_id,
      run.run_uuid,
      metric.dataset_name ?? null,
      metric.dataset_digest ?? null,
    );
  }
}

function writeTags(ctx: StoreContext, run: RunRow, tags: KeyValue[]): void {
  const upsert = ctx.prepare('INSERT INTO tags ("key", value, run_uuid) VALUES (?, ?, ?) ON CONFLICT ("key", run_uuid) DO UPDATE SET value = excluded.value');
  for (const tag of tags) {
    const value = tag.value ?? "";
    if (tag.key !== RUN_NAME_TAG) upsert.run(tag.key, value, run.run_uuid);
    else if (value) renameRun(ctx, run.run_uuid, value);
  }
}

/** Python's `repr` of a string, for messages that quote MLflow's. */
function pyStr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  return `${quote}${text.replaceAll("\\", "\\\\").replaceAll(quote, `\\${quote}`)}${quote}`;
}

function pyList(items: string[]): string {
  return `[${items.map(pyStr).join(", ")}]`;
}
