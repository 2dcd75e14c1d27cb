/**
 * Copying one run to the target: its copy is created first, marked incomplete and tagged with the
 * source run's id; then params and tags, the full history of every metric, dataset inputs and the
 * artifacts are sent; only then are the status and end time set and the copy marked complete. Every
 * write can be repeated (params are write-once but accept the same value, duplicate metric rows are
 * dropped by the server, tags are upserts, artifacts are overwritten), which is what makes an
 * interrupted copy resumable by simply doing it again.
 */
import PQueue from "p-queue";
import type { MlflowClient } from "../client/client.js";
import { AbortError } from "../core/errors.js";
import type { Run } from "../protocol/entities/tracking.js";
import { MAX_METRICS_PER_BATCH } from "../protocol/log-batch.js";
import type { MetricPoint } from "../resources/runs.js";
import { artifactsDigest } from "./artifacts-digest.js";
import { copyArtifacts } from "./copy-artifacts.js";
import { targetTags } from "./plan.js";
import { SYNC_ARTIFACTS_DIGEST_TAG, SYNC_SOURCE_RUN_ID_TAG, SYNC_SOURCE_URI_TAG, SYNC_STATE, SYNC_STATE_TAG } from "./tags.js";
import type { RunStep, SentCounts } from "./types.js";

/** `log-batch` requests of metric points in flight per run (as the logger's default `maxInFlight`). */
const METRIC_BATCHES_IN_FLIGHT = 2;

/** Everything {@link copyRunData} needs besides the run. */
export interface CopyContext {
  from: MlflowClient;
  to: MlflowClient;
  /** Source run id → target run id, to translate `mlflow.parentRunId`. */
  parentIds: ReadonlyMap<string, string>;
  signal?: AbortSignal;
  /** Called after each step. */
  onStep: (step: RunStep) => void;
}

/**
 * Creates the copy of `source` in the target experiment, RUNNING, with the source's name, start
 * time and user, and the sync's tags (source run id, source URI, state `incomplete`). Its other
 * tags come with the data.
 *
 * @returns The target run id.
 * @example
 * const targetRunId = await createCopy(to, source, targetExperimentId, from.trackingUri, signal);
 */
export async function createCopy(to: MlflowClient, source: Run, targetExperimentId: string, sourceUri: string, signal?: AbortSignal): Promise<string> {
  const tags = {
    [SYNC_SOURCE_RUN_ID_TAG]: source.info.run_id,
    [SYNC_SOURCE_URI_TAG]: sourceUri,
    [SYNC_STATE_TAG]: SYNC_STATE.incomplete,
  };
  const { info } = source;
  const params = { experiment_id: targetExperimentId, run_name: info.run_name || undefined, start_time: info.start_time, user_id: info.user_id, tags };
  const run = await to.runs.create(params, { signal });
  return run.info.run_id;
}

/**
 * Copies everything of `source` into its copy `targetRunId`, then sets the status and end time and
 * marks the copy complete. Safe to call again on a copy that was cut short. With the tags goes the
 * source's artifact digest (tag `mlflow-ts.sync.artifactsDigest`, for a local artifact location),
 * read before the artifacts are uploaded: a file that changes during the upload differs next time.
 *
 * @param copyStatus - The copy's status as last read (`RUNNING` for a new copy).
 * @param wasComplete - The copy was marked complete before (an update): it is marked incomplete first.
 * @throws whatever the clients throw; `AbortError` when the signal fires.
 */
export async function copyRunData(context: CopyContext, source: Run, targetRunId: string, copyStatus: string, wasComplete: boolean): Promise<SentCounts> {
  const { to, signal } = context;
  const done = (step: RunStep): void => {
    context.onStep(step);
    // Steps without a request (no datasets, no artifacts) would not notice an abort by themselves.
    if (signal?.aborted) throw new AbortError(`The copy of run ${source.info.run_id} was interrupted after the step "${step}".`);
  };
  if (wasComplete) await to.runs.setTag(targetRunId, SYNC_STATE_TAG, SYNC_STATE.incomplete, { signal });
  const params = source.data.params;
  const tags = targetTags(source, context.parentIds);
  const digest = await artifactsDigest(source.info.artifact_uri);
  const bookkeeping = digest === undefined ? [] : [{ key: SYNC_ARTIFACTS_DIGEST_TAG, value: digest }];
  await to.runs.logBatch(targetRunId, { params, tags: [...tags, ...bookkeeping] }, { signal });
  done("params-tags");
  const metricPoints = await copyMetricHistories(context, source, targetRunId);
  done("metrics");
  const datasets = source.inputs.dataset_inputs;
  if (datasets.length > 0) await to.runs.logInputs(targetRunId, { datasets }, { signal });
  done("inputs");
  const artifacts = await copyArtifacts(context.from, to, source, targetRunId, signal);
  done("artifacts");
  await finishCopy(to, source, targetRunId, copyStatus, signal);
  context.onStep("finished");
  return { metricPoints, params: params.length, tags: tags.length, datasets: datasets.length, artifactFiles: artifacts.files, artifactBytes: artifacts.bytes };
}

/**
 * Sends the full history of every metric of the source run (read page by page), in `log-batch`
 * requests of up to 1000 points, keys packed together, {@link METRIC_BATCHES_IN_FLIGHT} at a time
 * (the order of a history's points does not matter: the server keeps the latest by step,
 * timestamp and value). Model and dataset references of the points are not copied (a logged
 * model's copy has another id).
 */
async function copyMetricHistories(context: CopyContext, source: Run, targetRunId: string): Promise<number> {
  const { from, to, signal } = context;
  const sourceRunId = source.info.run_id;
  const queue = new PQueue({ concurrency: METRIC_BATCHES_IN_FLIGHT });
  const requests: Promise<void>[] = [];
  let failed = false;
  let buffer: MetricPoint[] = [];
  let sent = 0;
  const send = async (): Promise<void> => {
    if (buffer.length === 0) return;
    const metrics = buffer;
    buffer = [];
    const request = queue.add(async () => {
      if (failed) return;
      await to.runs.logBatch(targetRunId, { metrics }, { signal });
      sent += metrics.length;
    });
    request.catch(() => (failed = true)); // seen here at once; thrown by Promise.all below
    requests.push(request);
    await queue.onSizeLessThan(1); // read no further than one batch ahead of the requests
  };
  try {
    for (const { key } of source.data.metrics) {
      for await (const point of from.metrics.getHistory(sourceRunId, key, {}, { signal })) {
        if (failed) break;
        buffer.push({ key, value: point.value, timestamp: point.timestamp, step: point.step });
        if (buffer.length >= MAX_METRICS_PER_BATCH) await send();
      }
    }
    await send();
  } finally {
    await Promise.allSettled(requests); // nothing is left in flight when this returns or throws
  }
  await Promise.all(requests);
  return sent;
}

/**
 * Sets the copy's status and end time as at the source (unless both are simply RUNNING), then marks
 * the copy complete. The order matters: a copy interrupted before the mark is resumed next time.
 */
async function finishCopy(to: MlflowClient, source: Run, targetRunId: string, copyStatus: string, signal?: AbortSignal): Promise<void> {
  const { status, end_time } = source.info;
  if (status !== "RUNNING" || copyStatus !== "RUNNING") {
    await to.runs.update(targetRunId, { status, end_time: end_time || undefined }, { signal });
  }
  await to.runs.setTag(targetRunId, SYNC_STATE_TAG, SYNC_STATE.complete, { signal });
}
