/** Runs: lifecycle, search, and logging metrics, params, tags, inputs and outputs. */

import type { RequestOptions } from "../core/http/transport.js";
import { Paginated } from "../core/pagination.js";
import { pythonJsonDumps } from "../core/python-format.js";
import type { MetricInput } from "../protocol/endpoints.js";
import type { DatasetInput, Run, RunInfo, RunStatus, ViewType } from "../protocol/entities/tracking.js";
import { type KeyValueInput, validatedParams, validatedTags } from "../protocol/key-values.js";
import { type BatchEntities, splitBatch } from "../protocol/log-batch.js";
import { validateKey, validateMaxResults, validateMetricPosition, validateMetricValue, validateRunId } from "../protocol/validation.js";
import { APIResource } from "./resource.js";

/** Default page size of run searches (the Python client's default); the server allows up to 50000. */
export const RUN_SEARCH_PAGE_SIZE = 1000;
/** Largest page the server accepts for run searches. */
export const MAX_RUN_SEARCH_PAGE_SIZE = 50_000;

/** Parameters of {@link Runs.create}. */
export interface CreateRunParams {
  experiment_id: string;
  /** Display name; the server generates one (e.g. `bright-owl-42`) when omitted. */
  run_name?: string | undefined;
  /** Start time in ms since the epoch. @defaultValue Date.now() */
  start_time?: number | undefined;
  /** Run tags. */
  tags?: KeyValueInput | undefined;
  /** Deprecated by MLflow in favour of the `mlflow.user` tag. */
  user_id?: string | undefined;
}

/** Parameters of {@link Runs.search}. */
export interface SearchRunsParams {
  experiment_ids: string[];
  /** Filter, e.g. `metrics.acc > 0.9 AND params.lr = '0.01' AND attributes.status = 'FINISHED'`. */
  filter?: string | undefined;
  /** @defaultValue "ACTIVE_ONLY" */
  run_view_type?: ViewType | undefined;
  /** Ordering, e.g. `["metrics.acc DESC", "start_time ASC"]`. */
  order_by?: string[] | undefined;
  /** Page size, 1–50000. @defaultValue 1000 */
  max_results?: number | undefined;
  page_token?: string | undefined;
}

/** A metric point to log; `timestamp` defaults to the time of the call. */
export interface MetricPoint {
  key: string;
  /** Any number; NaN and ±Infinity are sent as MLflow expects. */
  value: number;
  /** Milliseconds since the epoch. @defaultValue Date.now() */
  timestamp?: number | undefined;
  /** @defaultValue 0 */
  step?: number | undefined;
  model_id?: string | undefined;
  dataset_name?: string | undefined;
  dataset_digest?: string | undefined;
}

/** Entities of {@link Runs.logBatch}. */
export interface LogBatchParams {
  metrics?: readonly MetricPoint[] | undefined;
  params?: KeyValueInput | undefined;
  tags?: KeyValueInput | undefined;
}

/**
 * `client.runs`.
 *
 * @example
 * const run = await client.runs.create({ experiment_id: "1", run_name: "baseline" });
 * await client.runs.logBatch(run.info.run_id, { metrics: [{ key: "loss", value: 0.3, step: 1 }], params: { lr: 0.01 } });
 * await client.runs.update(run.info.run_id, { status: "FINISHED", end_time: Date.now() });
 */
export class Runs extends APIResource {
  /**
   * Creates a run in RUNNING state.
   * @throws {InvalidParameterError} when the experiment is deleted, or `run_name` and the `mlflow.runName` tag differ.
   */
  async create(params: CreateRunParams, options?: RequestOptions): Promise<Run> {
    const tags = validatedTags(params.tags);
    const request = { ...params, start_time: params.start_time ?? Date.now(), tags };
    return (await this.store.call("runs.create", request, options)).run;
  }

  /** Gets a run with its latest metrics, params and tags. @throws {NotFoundError} */
  async get(runId: string, options?: RequestOptions): Promise<Run> {
    validateRunId(runId);
    return (await this.store.call("runs.get", { run_id: runId }, options)).run;
  }

  /** Updates status, end time (ms) or name; returns the new run info. */
  async update(
    runId: string,
    params: { status?: RunStatus | undefined; end_time?: number | undefined; run_name?: string | undefined },
    options?: RequestOptions,
  ): Promise<RunInfo> {
    validateRunId(runId);
    return (await this.store.call("runs.update", { run_id: runId, ...params }, options)).run_info;
  }

  /** Soft-deletes a run. */
  async delete(runId: string, options?: RequestOptions): Promise<void> {
    validateRunId(runId);
    await this.store.call("runs.delete", { run_id: runId }, options);
  }

  /** Restores a deleted run. */
  async restore(runId: string, options?: RequestOptions): Promise<void> {
    validateRunId(runId);
    await this.store.call("runs.restore", { run_id: runId }, options);
  }

  /**
   * Searches runs: `await` gives every match across pages, `for await` streams them page by page, `.firstPage()` gives one page.
   * @throws {ValidationError} when `max_results` is not a whole number from 1 to 50000.
   */
  search(params: SearchRunsParams, options?: RequestOptions): Paginated<Run> {
    const { page_token, max_results = RUN_SEARCH_PAGE_SIZE, ...rest } = params;
    validateMaxResults("max_results", max_results, MAX_RUN_SEARCH_PAGE_SIZE);
    return new Paginated(async (token) => {
      const res = await this.store.call("runs.search", { ...rest, max_results, page_token: token }, options);
      return { items: res.runs, nextPageToken: res.next_page_token || undefined };
    }, page_token);
  }

  /**
   * Logs one metric point.
   * @throws {ValidationError} for a bad key, a non-number value or a fractional step.
   */
  async logMetric(
    runId: string,
    key: string,
    value: number,
    at: { step?: number | undefined; timestamp?: number | undefined } = {},
    options?: RequestOptions,
  ): Promise<void> {
    validateRunId(runId);
    const metric = toMetricInput({ key, value, ...at });
    await this.store.call("runs.logMetric", { run_id: runId, ...metric }, options);
  }

  /**
   * Logs a param; params are write-once.
   * @throws {InvalidParameterError} when the key already has a different value.
   */
  async logParam(runId: string, key: string, value: unknown, options?: RequestOptions): Promise<void> {
    validateRunId(runId);
    const [param] = validatedParams({ [key]: value });
    await this.store.call("runs.logParam", { run_id: runId, ...param! }, options);
  }

  /** Sets (or overwrites) a run tag. */
  async setTag(runId: string, key: string, value: unknown, options?: RequestOptions): Promise<void> {
    validateRunId(runId);
    const [tag] = validatedTags({ [key]: value });
    await this.store.call("runs.setTag", { run_id: runId, ...tag! }, options);
  }

  /** Deletes a run tag. @throws {NotFoundError} when absent. */
  async deleteTag(runId: string, key: string, options?: RequestOptions): Promise<void> {
    validateRunId(runId);
    await this.store.call("runs.deleteTag", { run_id: runId, key }, options);
  }

  /**
   * Logs metrics, params and tags, split into as many `log-batch` requests as the server's limits
   * need (1000 metrics, 100 params, 100 tags, 1000 entities, about 1 MB each), sent in order.
   * Everything is validated before the first request.
   * @throws {ValidationError} for a bad key or value, or the same param key twice.
   */
  async logBatch(runId: string, params: LogBatchParams, options?: RequestOptions): Promise<void> {
    validateRunId(runId);
    const entities: BatchEntities = {
      metrics: (params.metrics ?? []).map(toMetricInput),
      params: validatedParams(params.params),
      tags: validatedTags(params.tags),
    };
    for (const batch of splitBatch(entities)) {
      await this.store.call("runs.logBatch", { run_id: runId, ...batch }, options);
    }
  }

  /** Records datasets (and MLflow 3 model inputs) used by the run. */
  async logInputs(
    runId: string,
    params: { datasets?: DatasetInput[] | undefined; models?: { model_id: string }[] | undefined },
    options?: RequestOptions,
  ): Promise<void> {
    validateRunId(runId);
    await this.store.call("runs.logInputs", { run_id: runId, ...params }, options);
  }

  /**
   * Records a model logged as the run's artifacts, as MLflow 2's `log_model` did (`POST
   * runs/log-model`): the server appends `model` to the run's `mlflow.log-model.history` tag. It
   * needs `artifact_path`, `flavors`, `utc_time_created` and `run_id` (the server refuses the
   * record otherwise). Served by every release; MLflow 3 records logged models instead.
   * @throws {InvalidParameterError} when a mandatory field is missing.
   * @example
   * await client.runs.logModel(runId, { run_id: runId, artifact_path: "model", utc_time_created: "2026-01-01 00:00:00.000000", flavors: { python_function: {} } });
   */
  async logModel(runId: string, model: Record<string, unknown>, options?: RequestOptions): Promise<void> {
    validateRunId(runId);
    await this.store.call("runs.logModel", { run_id: runId, model_json: pythonJsonDumps(model) }, options);
  }

  /** Records logged models produced by the run (MLflow 3). */
  async logOutputs(runId: string, models: { model_id: string; step: number }[], options?: RequestOptions): Promise<void> {
    validateRunId(runId);
    await this.store.call("runs.logOutputs", { run_id: runId, models }, options);
  }
}

/**
 * Validates a metric point and fills its timestamp (now) and step (0).
 * @throws {ValidationError}
 * @internal
 */
export function toMetricInput(point: MetricPoint): MetricInput {
  validateKey(point.key, "metric");
  validateMetricValue(point.key, point.value);
  const timestamp = point.timestamp ?? Date.now();
  const step = point.step ?? 0;
  validateMetricPosition(point.key, timestamp, step);
  return { ...point, timestamp, step };
}
