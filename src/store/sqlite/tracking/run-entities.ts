/**
 * Builds runs in MLflow's wire shape from their rows: info, latest metrics, params, tags, dataset
 * inputs and model inputs/outputs, the way `SqlRun.to_mlflow_entity()` and `Run.to_proto()` do.
 * Child rows are read in bulk for a whole page of runs.
 */
import { encodeDouble, type WireDouble } from "../../../core/wire.js";
import type { RunRow, StoreContext } from "../engine/context.js";

/** The `mlflow.runName` tag, which mirrors the run name. */
export const RUN_NAME_TAG = "mlflow.runName";

/** Largest number of bound values per `IN (…)` list. */
const CHUNK = 500;

/** RunInfo as the server sends it. */
export interface WireRunInfo {
  run_id: string;
  run_uuid: string;
  run_name?: string;
  experiment_id: string;
  user_id?: string;
  status: string;
  start_time?: number;
  end_time?: number;
  artifact_uri?: string;
  lifecycle_stage: string;
}

/** A metric point as the server sends it (NaN and ±Infinity as strings). */
export interface WireMetric {
  key: string;
  value: WireDouble;
  timestamp: number;
  step: number;
}

interface KeyValueRow {
  run_uuid: string;
  key: string;
  value: string | null;
}

interface MetricRow {
  run_uuid: string;
  key: string;
  value: number;
  timestamp: number;
  step: number;
  is_nan: number;
}

/**
 * The wire RunInfo of a row; the name falls back to the `mlflow.runName` tag for runs logged by
 * MLflow ≤ 1.29, whose name column is empty.
 * @internal
 */
export function toRunInfo(row: RunRow, nameTag?: string | null): WireRunInfo {
  const info: WireRunInfo = {
    run_uuid: row.run_uuid,
    run_id: row.run_uuid,
    experiment_id: String(row.experiment_id),
    status: row.status ?? "RUNNING",
    lifecycle_stage: row.lifecycle_stage ?? "active",
  };
  const runName = row.name || nameTag || undefined;
  if (runName !== undefined) info.run_name = runName;
  if (row.user_id !== null) info.user_id = row.user_id;
  if (row.start_time !== null) info.start_time = row.start_time;
  if (row.end_time) info.end_time = row.end_time;
  if (row.artifact_uri) info.artifact_uri = row.artifact_uri;
  return info;
}

/**
 * A metric row in wire form: NaN comes back from the `is_nan` flag.
 * @internal
 */
export function toWireMetric(row: { key: string; value: number; timestamp: number; step: number; is_nan: number }): WireMetric {
  return { key: row.key, value: row.is_nan ? "NaN" : encodeDouble(row.value), timestamp: row.timestamp, step: row.step };
}

/**
 * Loads complete runs for `rows`, in the same order.
 * @param withModelInputs - `runs/get` includes model inputs; `runs/search` does not (as MLflow).
 * @internal
 */
export function loadRuns(ctx: StoreContext, rows: RunRow[], withModelInputs: boolean): Record<string, unknown>[] {
  const ids = rows.map((row) => row.run_uuid);
  const metrics = groupByRun(selectChunked<MetricRow>(ctx, "SELECT run_uuid, key, value, timestamp, step, is_nan FROM latest_metrics WHERE run_uuid IN", ids));
  const params = groupByRun(selectChunked<KeyValueRow>(ctx, "SELECT run_uuid, key, value FROM params WHERE run_uuid IN", ids));
  const tags = groupByRun(selectChunked<KeyValueRow>(ctx, "SELECT run_uuid, key, value FROM tags WHERE run_uuid IN", ids));
  const datasets = loadDatasetInputs(ctx, ids);
  const outputs = groupByRun(
    selectChunked<{ run_uuid: string; model_id: string; step: number }>(
      ctx,
      "SELECT source_id AS run_uuid, destination_id AS model_id, step FROM inputs WHERE source_type = 'RUN_OUTPUT' AND destination_type = 'MODEL_OUTPUT' AND source_id IN",
      ids,
    ),
  );
  const modelInputs = withModelInputs
    ? groupByRun(
        selectChunked<{ run_uuid: string; model_id: string }>(
          ctx,
          "SELECT source_id AS run_uuid, destination_id AS model_id FROM inputs WHERE source_type = 'RUN_INPUT' AND destination_type = 'MODEL_INPUT' AND source_id IN",
          ids,
        ),
      )
    : new Map<string, { model_id: string }[]>();
  return rows.map((row) => {
    const runTags = tags.get(row.run_uuid) ?? [];
    const nameTag = runTags.find((tag) => tag.key === RUN_NAME_TAG)?.value;
    return {
      info: toRunInfo(row, nameTag),
      data: {
        metrics: (metrics.get(row.run_uuid) ?? []).map(toWireMetric),
        params: (params.get(row.run_uuid) ?? []).map(({ key, value }) => ({ key, value: value ?? "" })),
        tags: runTags.map(({ key, value }) => ({ key, value: value ?? "" })),
      },
      inputs: {
        dataset_inputs: datasets.get(row.run_uuid) ?? [],
        model_inputs: (modelInputs.get(row.run_uuid) ?? []).map(({ model_id }) => ({ model_id })),
      },
      outputs: { model_outputs: (outputs.get(row.run_uuid) ?? []).map(({ model_id, step }) => ({ model_id, step })) },
    };
  });
}

interface DatasetInputRow {
  run_uuid: string;
  input_uuid: string;
  name: string;
  digest: string;
  dataset_source_type: string;
  dataset_source: string;
  dataset_schema: string | null;
  dataset_profile: string | null;
  tag_name: string | null;
  tag_value: string | null;
}

function loadDatasetInputs(ctx: StoreContext, ids: string[]): Map<string, Record<string, unknown>[]> {
  const rows = selectChunked<DatasetInputRow>(
    ctx,
    `SELECT inputs.destination_id AS run_uuid, inputs.input_uuid, datasets.name, datasets.digest, datasets.dataset_source_type,
            datasets.dataset_source, datasets.dataset_schema, datasets.dataset_profile, input_tags.name AS tag_name, input_tags.value AS tag_value
       FROM inputs JOIN datasets ON inputs.source_id = datasets.dataset_uuid
       LEFT JOIN input_tags ON input_tags.input_uuid = inputs.input_uuid
      WHERE inputs.destination_type = 'RUN' AND inputs.source_type = 'DATASET' AND inputs.destination_id IN`,
    ids,
    "inputs.rowid, input_tags.rowid",
  );
  const byRun = new Map<string, Map<string, { dataset: Record<string, string>; tags: { key: string; value: string }[] }>>();
  for (const row of rows) {
    let inputs = byRun.get(row.run_uuid);
    if (!inputs) {
      inputs = new Map();
      byRun.set(row.run_uuid, inputs);
    }
    let input = inputs.get(row.input_uuid);
    if (!input) {
      const dataset: Record<string, string> = { name: row.name, digest: row.digest, source_type: row.dataset_source_type, source: row.dataset_source };
      if (row.dataset_schema !== null) dataset.schema = row.dataset_schema;
      if (row.dataset_profile !== null) dataset.profile = row.dataset_profile;
      input = { dataset, tags: [] };
      inputs.set(row.input_uuid, input);
    }
    if (row.tag_name !== null) input.tags.push({ key: row.tag_name, value: row.tag_value ?? "" });
  }
  return new Map([...byRun].map(([runId, inputs]) => [runId, [...inputs.values()]]));
}

/**
 * Runs `<sql> (?, ?, …) ORDER BY <order>` over `ids` in chunks of 500 and concatenates the rows;
 * `leading` binds the placeholders `sql` holds before the list (e.g. a workspace).
 * @internal
 */
export function selectChunked<T>(ctx: StoreContext, sql: string, ids: readonly string[], orderBy = "rowid", leading: readonly unknown[] = []): T[] {
  const rows: T[] = [];
  for (let start = 0; start < ids.length; start += CHUNK) {
    const chunk = padded(ids.slice(start, start + CHUNK));
    const statement = ctx.prepare(`${sql} (${chunk.map(() => "?").join(", ")}) ORDER BY ${orderBy}`);
    rows.push(...(statement.all(...leading, ...chunk) as T[]));
  }
  return rows;
}

/** Pads a list to a power of two (repeating its last id) so few distinct statements get prepared. */
function padded(ids: string[]): string[] {
  let size = 1;
  while (size < ids.length) size *= 2;
  return ids.concat(Array<string>(Math.min(size, CHUNK) - ids.length).fill(ids.at(-1)!));
}

function groupByRun<T extends { run_uuid: string }>(rows: T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const group = groups.get(row.run_uuid);
    if (group) group.push(row);
    else groups.set(row.run_uuid, [row]);
  }
  return groups;
}
