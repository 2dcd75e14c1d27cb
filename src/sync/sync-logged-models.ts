/**
 * The logged-model step of a sync: plans every logged model of the synced experiments against the
 * copies already on the target, then copies (or completes) them one by one, after the runs (so
 * that `source_run_id` can name the run's copy).
 */
import type { MlflowClient } from "../client/client.js";
import type { LoggedModel } from "../protocol/entities/logged-model.js";
import { minorRelease, SERVER_FEATURES } from "../protocol/server-features.js";
import { UnsupportedFeatureError } from "../protocol/unsupported-feature-error.js";
import { completeModelCopy, createModelCopy, indexModelCopies, type ModelCopyContext, planLoggedModel, updateModelCopy } from "./copy-logged-models.js";
import { describeError } from "./errors.js";
import type { ExperimentSyncResult, LoggedModelSyncResult, SyncEvent } from "./types.js";

/** One logged model on its way: the source, its copy (if any), and the result being filled in. */
export interface LoggedModelTask {
  source: LoggedModel;
  copy: LoggedModel | undefined;
  targetExperimentId: string | undefined;
  result: LoggedModelSyncResult;
}

/**
 * Reads the logged models of one synced experiment and its copies on the target, and plans each.
 *
 * @throws whatever the clients throw (the caller fails the experiment).
 * @example
 * const tasks = await planLoggedModels(from, to, experimentResult);
 */
export async function planLoggedModels(
  from: MlflowClient,
  to: MlflowClient,
  experiment: ExperimentSyncResult,
  signal?: AbortSignal,
): Promise<LoggedModelTask[]> {
  const sources = await sourceModels(from, experiment.sourceExperimentId, signal);
  if (sources.length === 0) return [];
  const noModels = await targetWithoutModels(to, signal);
  if (noModels !== undefined) return sources.map((source) => skippedTask(source, experiment, noModels));
  const targetId = experiment.targetExperimentId;
  const copies =
    targetId === undefined || experiment.action === "create"
      ? new Map<string, LoggedModel>()
      : indexModelCopies(await to.loggedModels.search({ experiment_ids: [targetId] }, { signal }));
  return sources.map((source) => {
    const copy = copies.get(source.info.model_id);
    const plan = planLoggedModel(source, copy);
    const result: LoggedModelSyncResult = {
      sourceModelId: source.info.model_id,
      name: source.info.name,
      experimentName: experiment.name,
      targetModelId: copy?.info.model_id,
      ...plan,
      outcome: plan.action === "skip" ? "skipped" : "planned",
      artifactFiles: 0,
      artifactBytes: 0,
    };
    return { source, copy, targetExperimentId: targetId, result };
  });
}

/** The source's logged models; none from a server that has none (MLflow 2). */
async function sourceModels(from: MlflowClient, experimentId: string, signal: AbortSignal | undefined): Promise<LoggedModel[]> {
  try {
    return await from.loggedModels.search({ experiment_ids: [experimentId] }, { signal });
  } catch (error) {
    if (error instanceof UnsupportedFeatureError && error.feature === "logged-models") return [];
    throw error;
  }
}

/** Why the target cannot take logged models (an MLflow 2 server), or `undefined` when it can. */
async function targetWithoutModels(to: MlflowClient, signal: AbortSignal | undefined): Promise<string | undefined> {
  if (await to.server.supports("logged-models", { signal })) return undefined;
  const version = await to.server.version({ signal });
  return `the target runs MLflow ${version}, which has no logged models (they need MLflow ≥ ${minorRelease(SERVER_FEATURES["logged-models"].firstVersion)}); the runs and their artifacts are copied`;
}

function skippedTask(source: LoggedModel, experiment: ExperimentSyncResult, reason: string): LoggedModelTask {
  const result: LoggedModelSyncResult = {
    sourceModelId: source.info.model_id,
    name: source.info.name,
    experimentName: experiment.name,
    action: "skip",
    reason,
    outcome: "skipped",
    artifactFiles: 0,
    artifactBytes: 0,
  };
  return { source, copy: undefined, targetExperimentId: experiment.targetExperimentId, result };
}

/**
 * Copies or completes every planned logged model, one at a time; a failure is recorded in its
 * result and the others go on. Stops (without throwing) when the signal fires.
 */
export async function copyLoggedModels(context: ModelCopyContext, tasks: readonly LoggedModelTask[], emit: (event: SyncEvent) => void): Promise<void> {
  for (const task of tasks) {
    if (context.signal?.aborted) return;
    const { result } = task;
    if (result.outcome === "planned") await copyTask(context, task);
    if (result.outcome === "planned") return; // cut short by the signal
    emit({ type: "logged-model-finished", model: { ...result } });
  }
}

async function copyTask(context: ModelCopyContext, task: LoggedModelTask): Promise<void> {
  const { result } = task;
  try {
    const copy = task.copy ?? (await createModelCopy(context, task.source, task.targetExperimentId!));
    result.targetModelId = copy.info.model_id;
    const counts = result.action === "update" ? await updateModelCopy(context, task.source, copy) : await completeModelCopy(context, task.source, copy);
    Object.assign(result, { artifactFiles: counts.files, artifactBytes: counts.bytes, outcome: "done" });
  } catch (error) {
    if (context.signal?.aborted) return;
    result.outcome = "failed";
    result.error = describeError(error);
  }
}
