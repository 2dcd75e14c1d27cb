/**
 * Tracking entities as the server sends them: zod schemas that keep MLflow's wire names, tolerate
 * fields that newer servers add (they are dropped), read int64 fields as numbers, decode
 * NaN/±Infinity, and fill omitted repeated fields with `[]`.
 */
import { z } from "zod";
import { double, int64 } from "../../core/wire.js";

/** A key/value pair (params, run tags, experiment tags, input tags). */
export const keyValueSchema = z.object({ key: z.string(), value: z.string().default("") });
/** A key/value pair. */
export type KeyValue = z.infer<typeof keyValueSchema>;

/** Experiment tag `{key, value}`. */
export type ExperimentTag = KeyValue;
/** Run tag `{key, value}`. */
export type RunTag = KeyValue;
/** Run param `{key, value}`; params are write-once. */
export type Param = KeyValue;

/** Lifecycle stages of experiments and runs (`mlflow.entities.LifecycleStage`). */
export const lifecycleStageSchema = z.enum(["active", "deleted"]);
/** Lifecycle stage of experiments and runs. */
export type LifecycleStage = z.infer<typeof lifecycleStageSchema>;

/** Experiment schema (`experiments/get`). */
export const experimentSchema = z.object({
  experiment_id: z.string(),
  name: z.string(),
  artifact_location: z.string().default(""),
  lifecycle_stage: lifecycleStageSchema.default("active"),
  last_update_time: int64.optional(),
  creation_time: int64.optional(),
  tags: z.array(keyValueSchema).default([]),
  /**
   * The workspace that holds the experiment (MLflow 3.10+; `default` on a server without
   * workspaces). Absent from older servers.
   */
  workspace: z.string().optional(),
});
/**
 * An MLflow experiment. `workspace` names the workspace that holds it, when the server (MLflow
 * 3.10+) or the embedded store sends it; older servers leave it out.
 */
export type Experiment = z.infer<typeof experimentSchema>;

/** Run statuses, as MLflow's `RunStatus` enum names them. */
export const runStatusSchema = z.enum(["RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"]);
/** Status of a run. */
export type RunStatus = z.infer<typeof runStatusSchema>;
/** Which entities a search returns. */
export type ViewType = "ACTIVE_ONLY" | "DELETED_ONLY" | "ALL";

/** Metric schema (one point of a history). */
export const metricSchema = z.object({
  key: z.string(),
  value: double,
  timestamp: int64,
  step: int64.default(0),
  dataset_name: z.string().optional(),
  dataset_digest: z.string().optional(),
  model_id: z.string().optional(),
  run_id: z.string().optional(),
});
/** One metric point: value (NaN and ±Infinity allowed), timestamp in ms, integer step. */
export type Metric = z.infer<typeof metricSchema>;

/** RunInfo schema. */
export const runInfoSchema = z.object({
  run_id: z.string(),
  run_uuid: z.string().optional(),
  run_name: z.string().default(""),
  experiment_id: z.string(),
  user_id: z.string().optional(),
  status: runStatusSchema.default("RUNNING"),
  start_time: int64.optional(),
  end_time: int64.optional(),
  artifact_uri: z.string().default(""),
  lifecycle_stage: lifecycleStageSchema.default("active"),
});
/** Run metadata: ids, status, times (ms), artifact URI. */
export type RunInfo = z.infer<typeof runInfoSchema>;

/** Dataset schema (`log-inputs`). */
export const datasetSchema = z.object({
  name: z.string(),
  digest: z.string(),
  source_type: z.string(),
  source: z.string(),
  schema: z.string().optional(),
  profile: z.string().optional(),
});
/** A dataset reference. */
export type Dataset = z.infer<typeof datasetSchema>;

/** DatasetInput schema. */
export const datasetInputSchema = z.object({ tags: z.array(keyValueSchema).default([]), dataset: datasetSchema });
/** A dataset used by a run, with input tags (e.g. `mlflow.data.context`). */
export type DatasetInput = z.infer<typeof datasetInputSchema>;

/**
 * Dictionaries over a run's data, as Python's `run.data.params["lr"]`: computed from the wire
 * arrays on each read, not enumerable (so `JSON.stringify(run)` and `toEqual` see MLflow's shape).
 */
export interface RunDataDicts {
  /** Params by key, e.g. `run.data.paramsByKey.lr` → `"0.01"`. */
  readonly paramsByKey: Readonly<Record<string, string>>;
  /** Latest value of each metric by key, e.g. `run.data.metricsByKey.loss` → `0.31`. */
  readonly metricsByKey: Readonly<Record<string, number>>;
  /** Tags by key, e.g. `run.data.tagsByKey["mlflow.runName"]`. */
  readonly tagsByKey: Readonly<Record<string, string>>;
}

/** Adds the {@link RunDataDicts} getters to a parsed `run.data`. */
function withDicts<D extends { metrics: Metric[]; params: KeyValue[]; tags: KeyValue[] }>(data: D): D & RunDataDicts {
  return Object.defineProperties(data, {
    paramsByKey: { get: () => byKey(data.params, (param) => param.value), enumerable: false },
    metricsByKey: { get: () => byKey(data.metrics, (metric) => metric.value), enumerable: false },
    tagsByKey: { get: () => byKey(data.tags, (tag) => tag.value), enumerable: false },
  }) as D & RunDataDicts;
}

function byKey<T extends { key: string }, V>(entries: readonly T[], value: (entry: T) => V): Record<string, V> {
  return Object.fromEntries(entries.map((entry) => [entry.key, value(entry)]));
}

/** Run schema (`runs/get`). */
export const runSchema = z.object({
  info: runInfoSchema,
  data: z
    .object({
      metrics: z.array(metricSchema).default([]),
      params: z.array(keyValueSchema).default([]),
      tags: z.array(keyValueSchema).default([]),
    })
    .default(() => ({ metrics: [], params: [], tags: [] }))
    .transform(withDicts),
  inputs: z
    .object({
      dataset_inputs: z.array(datasetInputSchema).default([]),
      model_inputs: z.array(z.object({ model_id: z.string() })).default([]),
    })
    .default({ dataset_inputs: [], model_inputs: [] }),
  outputs: z.object({ model_outputs: z.array(z.object({ model_id: z.string(), step: int64.default(0) })).default([]) }).default({ model_outputs: [] }),
});
/**
 * A run: info, latest metrics, params, tags, inputs and outputs. `run.data.params`, `.metrics` and
 * `.tags` are MLflow's `{key, value}` arrays; `run.data.paramsByKey`, `.metricsByKey` and
 * `.tagsByKey` are the same as dictionaries ({@link RunDataDicts}).
 *
 * @example
 * const run = await client.runs.get(runId);
 * run.data.paramsByKey.lr;      // "0.01", as Python's run.data.params["lr"]
 * run.data.metricsByKey.loss;   // 0.31, the latest value
 */
export type Run = z.infer<typeof runSchema>;

/** FileInfo schema (artifact listing). */
export const fileInfoSchema = z.object({ path: z.string(), is_dir: z.boolean().default(false), file_size: int64.optional() });
/** One artifact entry; `path` is relative to the run's artifact root; directories have no size. */
export type FileInfo = z.infer<typeof fileInfoSchema>;

/** MetricWithRunId schema (`get-history-bulk-interval`). */
export const metricWithRunIdSchema = metricSchema.extend({ run_id: z.string() });
/** A sampled metric point with the run it belongs to. */
export type MetricWithRunId = z.infer<typeof metricWithRunIdSchema>;
