/**
 * What a gate compares: a candidate or baseline named by a run id, `runs:/…` or `models:/…`, with
 * the metric values it is judged on. One rule for both sides, so that "the metrics of a model"
 * means the same thing whichever side it is on:
 * - a run (id or `runs:/<run>[/<path>]`): the run's latest value of each metric (what the UI shows);
 * - a logged model (`models:/<model id>`): its source run's latest metrics, then, for keys the run
 *   lacks, the metrics logged to the model (MLflow 3 logged models carry metrics; the highest step,
 *   then the newest, of each key). The run comes first because it is the faithful copy: the server
 *   stores a logged model's NaN metric as 0 (mlflow 3.17.2, `_log_model_metrics` keeps only the
 *   sanitized value), and a NaN candidate must not pass a `min` check as 0;
 * - a registered version (`models:/<name>/<version>`, `@<alias>`, `/latest`): its logged model's
 *   metrics as above when it was registered from one, else its run's latest metrics.
 */
import { NotFoundError, ValidationError } from "../../core/errors.js";
import type { Metric } from "../../protocol/entities/tracking.js";
import { isModelsUri, isRunsUri, parseModelsUri, parseRunsUri } from "../../protocol/uri.js";
import { validateRunId } from "../../protocol/validation.js";
import type { ModelsContext } from "../context.js";

/** A candidate or baseline, resolved. */
export interface GateSubject {
  /** The reference as given (a run id, `runs:/…` or `models:/…`). */
  uri: string;
  /** The run whose metrics were read, when one was. */
  runId?: string | undefined;
  /** The logged model, when the subject is one or a version registered from one. */
  modelId?: string | undefined;
  /** The registered model and version, for `models:/<name>/…` subjects. */
  name?: string | undefined;
  version?: string | undefined;
  /** The metric values, by key. */
  metrics: ReadonlyMap<string, number>;
}

const FORMS = "a run id, runs:/<run id>[/<path>], models:/<model id>, models:/<name>/<version> or models:/<name>@<alias>";

/**
 * Resolves a subject and reads its metrics (see the module comment).
 *
 * @throws {ValidationError} (rule `run-id`, `models-uri`…) for a reference of no known form.
 * @throws {NotFoundError} when the run or logged model does not exist.
 * @throws {ArtifactNotFoundError} when a `models:/` version or alias names nothing (the message names the fix).
 * @example
 * const candidate = await resolveGateSubject(client, `runs:/${runId}/model`);
 * candidate.metrics.get("val/accuracy"); // 0.91
 */
export async function resolveGateSubject(ctx: ModelsContext, uri: string): Promise<GateSubject> {
  if (isRunsUri(uri)) return runSubject(ctx, uri, parseRunsUri(uri).runId);
  if (!isModelsUri(uri)) {
    if (uri.includes(":")) throw new ValidationError(uri, "gate-options", `"${uri}" is not a model or run reference. Fix: give ${FORMS}.`);
    validateRunId(uri);
    return runSubject(ctx, uri, uri);
  }
  const parsed = parseModelsUri(uri);
  if (parsed.kind === "model-id") return modelSubject(ctx, uri, parsed.modelId);
  const version = (await ctx.uris.resolveModel(uri)).modelVersion!;
  const registered = { name: version.name, version: version.version };
  if (version.model_id) return { ...(await modelSubject(ctx, uri, version.model_id)), ...registered };
  if (version.run_id) return { ...(await runSubject(ctx, uri, version.run_id)), ...registered };
  return { uri, ...registered, metrics: new Map() };
}

async function runSubject(ctx: ModelsContext, uri: string, runId: string): Promise<GateSubject> {
  const run = await ctx.runs.get(runId);
  return { uri, runId, metrics: latestByKey(run.data.metrics) };
}

async function modelSubject(ctx: ModelsContext, uri: string, modelId: string): Promise<GateSubject> {
  const model = await ctx.loggedModels.get(modelId);
  const runId = model.info.source_run_id || undefined;
  const metrics = new Map<string, number>();
  if (runId !== undefined) {
    try {
      for (const [key, value] of (await runSubject(ctx, uri, runId)).metrics) metrics.set(key, value);
    } catch (error) {
      // A deleted source run leaves the model's own metrics.
      if (!(error instanceof NotFoundError)) throw error;
    }
  }
  for (const [key, value] of latestByKey(model.data.metrics)) if (!metrics.has(key)) metrics.set(key, value);
  return { uri, runId, modelId, metrics };
}

/** The value of each key at its highest step, the newest at that step. */
function latestByKey(metrics: readonly Metric[]): Map<string, number> {
  const best = new Map<string, Metric>();
  for (const metric of metrics) {
    const seen = best.get(metric.key);
    if (seen === undefined || later(metric, seen)) best.set(metric.key, metric);
  }
  return new Map([...best].map(([key, metric]) => [key, metric.value]));
}

function later(a: Metric, b: Metric): boolean {
  const stepA = Number(a.step);
  const stepB = Number(b.step);
  return stepA !== stepB ? stepA > stepB : Number(a.timestamp) > Number(b.timestamp);
}
