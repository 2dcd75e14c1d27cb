/**
 * `syncRuns`: copies experiments and runs from one client's store (typically the embedded
 * `sqlite:///mlflow.db`) to another's (a tracking server), idempotently and resumably.
 *
 * 1. Experiments are matched by name on the target (created when missing, their tags copied).
 * 2. Each target experiment is searched for runs carrying the sync's source-id tag: the copies.
 * 3. Each source run is planned (`plan.ts`): copy, resume, update or skip.
 * 4. New copies are created first (so that `mlflow.parentRunId` can be translated to the parent's
 *    copy), then each copy's data is sent, a few runs at a time (`copy-run.ts`).
 * 5. The logged models of the synced experiments are copied (`sync-logged-models.ts`), then the
 *    model versions of the synced runs and logged models are registered (`sync-registry.ts`).
 */
import PQueue from "p-queue";
import type { MlflowClient } from "../client/client.js";
import { AbortError, AlreadyExistsError } from "../core/errors.js";
import type { LoggedModel } from "../protocol/entities/logged-model.js";
import type { Experiment, Run } from "../protocol/entities/tracking.js";
import { artifactsDigest } from "./artifacts-digest.js";
import { artifactStoresOf } from "./copy-artifacts.js";
import { copyRunData, createCopy } from "./copy-run.js";
import { describeError, SyncError } from "./errors.js";
import { indexCopies, planRun, type RunPlan, tagValue } from "./plan.js";
import { copyLoggedModels, type LoggedModelTask, planLoggedModels } from "./sync-logged-models.js";
import { type RegistrySyncResult, syncRegistry } from "./sync-registry.js";
import { SYNC_ARTIFACTS_DIGEST_TAG, SYNC_SOURCE_RUN_ID_TAG } from "./tags.js";
import {
  DEFAULT_SYNC_CONCURRENCY,
  type ExperimentSyncResult,
  type LoggedModelSyncResult,
  MAX_SYNC_CONCURRENCY,
  type ModelVersionSyncResult,
  type RegisteredModelSyncResult,
  type RunRef,
  type RunStep,
  type RunSyncResult,
  type SentCounts,
  type SyncEvent,
  type SyncOptions,
  type SyncReport,
  type SyncTotals,
} from "./types.js";

/** Finds every run of a target experiment that is a copy (`LIKE '%'` rather than `IS NOT NULL`, which older servers lack). */
const COPIES_FILTER = `tags.\`${SYNC_SOURCE_RUN_ID_TAG}\` LIKE '%'`;

/** One experiment once resolved on the target: its source runs and their existing copies. */
interface PreparedExperiment {
  result: ExperimentSyncResult;
  sourceRuns: Run[];
  copies: Map<string, Run>;
  /** Its logged models, planned. */
  models: LoggedModelTask[];
}

/** One run on its way: the plan and the result being filled in. */
interface RunTask {
  plan: RunPlan;
  result: RunSyncResult;
  targetExperimentId: string | undefined;
}

/**
 * Copies experiments and runs from `from` to `to`: run info (status, start and end time, name,
 * user), params, tags (system tags included), full metric histories (NaN kept), dataset inputs and
 * artifacts. Each copy carries the tag `mlflow-ts.sync.sourceRunId` (the source run id), so a second
 * sync copies nothing; a copy is marked `mlflow-ts.sync.state=incomplete` until everything was sent,
 * so an interrupted sync is completed by the next one. Runs deleted at the source are skipped.
 * Then the logged models of those experiments (tag `mlflow-ts.sync.sourceModelId`, with their files)
 * and the model versions of the synced runs and logged models (same registered-model names, sources
 * rewritten to the copies, tag `mlflow-ts.sync.sourceVersion`, stage and aliases) are copied, just
 * as idempotently. A complete copy is updated when its source changed since: a run's data or its
 * local artifact tree (tag `mlflow-ts.sync.artifactsDigest`), a logged model's tags or final status,
 * a version's description, tags or stage, a registered model's description or tags.
 * Failures of single runs, models, versions or experiments do not stop the others:
 * they are in the report.
 *
 * @returns What was copied, resumed, updated, skipped or failed, run by run and model by model, with totals.
 * @throws {SyncError} when an experiment of `experimentNames` does not exist at the source, or `concurrency` is out of range.
 * @throws {AbortError} when `signal` fires (whatever was cut short is resumed by the next sync).
 * @throws the source client's errors when the source's experiments cannot be listed.
 * @example
 * const from = new MlflowClient({ trackingUri: "sqlite:///mlflow.db" });
 * const to = new MlflowClient({ trackingUri: "http://mlflow.internal:5000" });
 * const report = await syncRuns({ from, to, experimentNames: ["mnist"], onProgress: (e) => e.type === "run-finished" && console.log(e.run.runName) });
 * console.log(report.totals.runsCopied, report.ok);
 */
export async function syncRuns(options: SyncOptions): Promise<SyncReport> {
  const concurrency = checkConcurrency(options.concurrency);
  const startedAt = Date.now();
  const dryRun = options.dryRun ?? false;
  const emit = options.onProgress ?? ((): void => undefined);
  throwIfAborted(options.signal);

  const { prepared, tasks, parentIds } = await planSync(options, dryRun, emit);
  const active = tasks.filter((task) => task.plan.action !== "skip");
  for (const task of tasks) task.result.outcome = task.plan.action === "skip" ? "skipped" : "planned";
  emit({ type: "planned", total: active.length, skipped: tasks.length - active.length });
  const models = prepared.flatMap((one) => one.models);
  if (dryRun) return report(options, true, prepared, tasks, await syncModels(options, prepared, tasks, parentIds, emit), startedAt);

  const finished = await copyAll(options, active, parentIds, concurrency, emit);
  if (options.signal?.aborted) throw new AbortError(`The sync was interrupted after ${finished} of ${active.length} runs; run it again to complete it.`);
  const registry = await syncModels(options, prepared, tasks, parentIds, emit);
  if (options.signal?.aborted)
    throw new AbortError(`The sync was interrupted while copying ${models.length} logged models and the model registry; run it again to complete it.`);
  return report(options, false, prepared, tasks, registry, startedAt);
}

/**
 * Copies the logged models (after the runs, whose copies their `source_run_id` names), then
 * registers the model versions; in a dry run only plans the versions.
 */
async function syncModels(
  options: SyncOptions,
  prepared: PreparedExperiment[],
  tasks: RunTask[],
  parentIds: Map<string, string>,
  emit: (event: SyncEvent) => void,
): Promise<RegistrySyncResult> {
  const { from, to, signal } = options;
  const dryRun = options.dryRun ?? false;
  const models = prepared.flatMap((one) => one.models);
  const fromStores = artifactStoresOf(from);
  const toStores = artifactStoresOf(to);
  try {
    if (!dryRun)
      await copyLoggedModels({ from, to, fromStores, toStores, runCopies: parentIds, concurrency: to.config.artifacts.concurrency, signal }, models, emit);
    if (signal?.aborted) return { registeredModels: [], versions: [] };
    const runCopies = new Map<string, string | null>(parentIds);
    if (dryRun) for (const task of tasks) if (task.plan.action === "copy") runCopies.set(task.result.sourceRunId, null);
    const modelCopies = new Map<string, string | null>();
    for (const { result } of models) {
      if (result.targetModelId !== undefined) modelCopies.set(result.sourceModelId, result.targetModelId);
      else if (dryRun && result.outcome === "planned") modelCopies.set(result.sourceModelId, null);
    }
    const sourceRuns = new Map(prepared.flatMap((one) => one.sourceRuns.map((run) => [run.info.run_id, run] as const)));
    const sourceModels = new Map<string, LoggedModel>(models.map((model) => [model.source.info.model_id, model.source]));
    return await syncRegistry({ from, to, dryRun, sourceRuns, sourceModels, runCopies, modelCopies, signal, emit });
  } finally {
    fromStores.close();
    toStores.close();
  }
}

/** Resolves every experiment on the target, finds the existing copies and plans each source run. */
async function planSync(
  options: SyncOptions,
  dryRun: boolean,
  emit: (event: SyncEvent) => void,
): Promise<{ prepared: PreparedExperiment[]; tasks: RunTask[]; parentIds: Map<string, string> }> {
  const prepared: PreparedExperiment[] = [];
  for (const experiment of await sourceExperiments(options.from, options.experimentNames, options.signal)) {
    const one = await prepareExperiment(options, experiment, dryRun);
    await planModelsOf(options, one);
    emit({ type: "experiment", experiment: { ...one.result } });
    prepared.push(one);
  }
  const parentIds = new Map<string, string>();
  for (const { copies } of prepared) for (const [sourceId, copy] of copies) parentIds.set(sourceId, copy.info.run_id);
  const tasks: RunTask[] = [];
  for (const one of prepared) {
    for (const run of one.sourceRuns) {
      const copy = one.copies.get(run.info.run_id);
      tasks.push(newTask(planRun(run, copy, parentIds, await digestToCompare(run, copy)), one.result));
    }
  }
  return { prepared, tasks, parentIds };
}

/**
 * The source run's current artifact digest when its copy carries one to compare with (a copy made
 * before digests existed is not re-uploaded just for lacking one); `undefined` otherwise, and when
 * the tree cannot be read (its copy then fails on the upload, if it is updated at all).
 */
async function digestToCompare(source: Run, copy: Run | undefined): Promise<string | undefined> {
  if (!copy || tagValue(copy, SYNC_ARTIFACTS_DIGEST_TAG) === undefined || source.info.lifecycle_stage === "deleted") return undefined;
  return artifactsDigest(source.info.artifact_uri).catch(() => undefined);
}

/** Plans the logged models of a resolved experiment; a failure to list them fails the experiment. */
async function planModelsOf(options: SyncOptions, one: PreparedExperiment): Promise<void> {
  if (one.result.outcome === "failed" || one.result.outcome === "skipped") return;
  try {
    one.models = await planLoggedModels(options.from, options.to, one.result, options.signal);
  } catch (error) {
    if (options.signal?.aborted) throw error;
    Object.assign(one.result, { outcome: "failed", reason: `its logged models could not be listed: ${describeError(error)}` });
  }
}

/**
 * Creates the copies of new runs, then sends every run's data, `concurrency` runs at a time.
 * @returns How many runs finished (done or failed); the others were cut short by the signal.
 */
async function copyAll(
  options: SyncOptions,
  active: RunTask[],
  parentIds: Map<string, string>,
  concurrency: number,
  emit: (event: SyncEvent) => void,
): Promise<number> {
  const queue = new PQueue({ concurrency });
  const forEach = (items: RunTask[], work: (task: RunTask) => Promise<void>): Promise<void[]> =>
    Promise.all(items.map((task) => queue.add(async () => (options.signal?.aborted ? undefined : work(task)))));

  await forEach(
    active.filter((task) => task.plan.action === "copy"),
    (task) => createTargetRun(options, task, parentIds),
  );
  let finished = 0;
  await forEach(active, async (task) => {
    if (task.result.outcome !== "failed") await copyTask(options, task, parentIds);
    if (task.result.outcome === "planned") return; // cut short by the signal: resumed next time
    finished += 1;
    emit({ type: "run-finished", run: { ...task.result }, finished, total: active.length });
  });
  return finished;
}

function checkConcurrency(value: number | undefined): number {
  const concurrency = value ?? DEFAULT_SYNC_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_SYNC_CONCURRENCY) {
    throw new SyncError(`concurrency must be a whole number from 1 to ${MAX_SYNC_CONCURRENCY}, got ${value}.`);
  }
  return concurrency;
}

/** The source experiments to sync: those named, or every active one. */
async function sourceExperiments(from: MlflowClient, names: readonly string[] | undefined, signal: AbortSignal | undefined): Promise<Experiment[]> {
  if (!names || names.length === 0) return await from.experiments.search({ view_type: "ACTIVE_ONLY" }, { signal });
  const experiments: Experiment[] = [];
  for (const name of new Set(names)) {
    const experiment = await from.experiments.getByName(name, { signal });
    if (!experiment)
      throw new SyncError(
        `No experiment named "${name}" in ${from.trackingUri}. List them with: mlflow-ts experiments list (with MLFLOW_TRACKING_URI=${from.trackingUri}).`,
      );
    experiments.push(experiment);
  }
  return experiments;
}

/**
 * Resolves one experiment on the target (reused by name, or created with its tags; in a dry run
 * nothing is written), and reads its source runs and their existing copies. A failure is recorded
 * in the result, not thrown (except an abort).
 */
async function prepareExperiment(options: SyncOptions, experiment: Experiment, dryRun: boolean): Promise<PreparedExperiment> {
  const { from, to, signal } = options;
  const result: ExperimentSyncResult = {
    name: experiment.name,
    sourceExperimentId: experiment.experiment_id,
    action: "reuse",
    outcome: dryRun ? "planned" : "done",
    tagsSet: 0,
  };
  const nothing = { result, sourceRuns: [], copies: new Map<string, Run>(), models: [] };
  if (experiment.lifecycle_stage !== "active")
    return { ...nothing, result: { ...result, action: "skip", outcome: "skipped", reason: "deleted at the source" } };
  try {
    const target = await to.experiments.getByName(experiment.name, { signal });
    if (target && target.lifecycle_stage !== "active") {
      const reason = `an experiment named "${experiment.name}" is deleted on the target (id ${target.experiment_id}); restore it there, or rename one of the two`;
      return { ...nothing, result: { ...result, targetExperimentId: target.experiment_id, outcome: "failed", reason } };
    }
    const sourceRuns = await from.runs.search({ experiment_ids: [experiment.experiment_id], run_view_type: "ALL" }, { signal });
    if (!target) {
      result.action = "create";
      result.tagsSet = experiment.tags.length;
      if (!dryRun) result.targetExperimentId = await createExperiment(to, experiment, signal);
      return { result, sourceRuns, copies: new Map(), models: [] };
    }
    result.targetExperimentId = target.experiment_id;
    result.tagsSet = await copyMissingTags(to, experiment, target, dryRun, signal);
    const copies = indexCopies(await to.runs.search({ experiment_ids: [target.experiment_id], filter: COPIES_FILTER, run_view_type: "ALL" }, { signal }));
    return { result, sourceRuns, copies, models: [] };
  } catch (error) {
    if (signal?.aborted) throw error;
    return { ...nothing, result: { ...result, outcome: "failed", reason: describeError(error) } };
  }
}

/** Creates the experiment with its tags; when a concurrent sync created it first, uses that one. */
async function createExperiment(to: MlflowClient, experiment: Experiment, signal: AbortSignal | undefined): Promise<string> {
  try {
    return await to.experiments.create({ name: experiment.name, tags: experiment.tags }, { signal });
  } catch (error) {
    const existing = error instanceof AlreadyExistsError ? await to.experiments.getByName(experiment.name, { signal }) : undefined;
    if (existing?.lifecycle_stage === "active") return existing.experiment_id;
    throw error;
  }
}

/** Sets the source's experiment tags the target lacks (by key; values already there are kept). */
async function copyMissingTags(to: MlflowClient, source: Experiment, target: Experiment, dryRun: boolean, signal: AbortSignal | undefined): Promise<number> {
  const present = new Set(target.tags.map((tag) => tag.key));
  const missing = source.tags.filter((tag) => !present.has(tag.key));
  if (!dryRun) for (const tag of missing) await to.experiments.setTag(target.experiment_id, tag.key, tag.value, { signal });
  return missing.length;
}

function newTask(plan: RunPlan, experiment: ExperimentSyncResult): RunTask {
  const { info } = plan.source;
  const result: RunSyncResult = {
    sourceRunId: info.run_id,
    runName: info.run_name,
    experimentName: experiment.name,
    targetRunId: plan.copy?.info.run_id,
    action: plan.action,
    reason: plan.reason,
    outcome: "planned",
    metricPoints: 0,
    params: 0,
    tags: 0,
    datasets: 0,
    artifactFiles: 0,
    artifactBytes: 0,
  };
  return { plan, result, targetExperimentId: experiment.targetExperimentId };
}

/** Creates the copy of a new run; records a failure in the task. */
async function createTargetRun(options: SyncOptions, task: RunTask, parentIds: Map<string, string>): Promise<void> {
  const { to, from, signal } = options;
  try {
    const targetRunId = await createCopy(to, task.plan.source, task.targetExperimentId!, from.trackingUri, signal);
    task.result.targetRunId = targetRunId;
    parentIds.set(task.result.sourceRunId, targetRunId);
    options.onProgress?.({ type: "run-step", run: refOf(task.result), step: "created" });
  } catch (error) {
    if (!signal?.aborted) fail(task, error);
  }
}

/** Sends one run's data into its copy; records the counts, or the failure, in the task. */
async function copyTask(options: SyncOptions, task: RunTask, parentIds: Map<string, string>): Promise<void> {
  const { plan, result } = task;
  const onStep = (step: RunStep): void => options.onProgress?.({ type: "run-step", run: refOf(result), step });
  const context = { from: options.from, to: options.to, parentIds, signal: options.signal, onStep };
  try {
    const counts = await copyRunData(context, plan.source, result.targetRunId!, plan.copy?.info.status ?? "RUNNING", plan.action === "update");
    Object.assign(result, counts, { outcome: "done" });
  } catch (error) {
    if (!options.signal?.aborted) fail(task, error);
  }
}

function refOf(result: RunSyncResult): RunRef {
  return { sourceRunId: result.sourceRunId, runName: result.runName, experimentName: result.experimentName, targetRunId: result.targetRunId };
}

function fail(task: RunTask, error: unknown): void {
  task.result.outcome = "failed";
  task.result.error = describeError(error);
}

function report(
  options: SyncOptions,
  dryRun: boolean,
  prepared: PreparedExperiment[],
  tasks: RunTask[],
  registry: RegistrySyncResult,
  startedAt: number,
): SyncReport {
  const experiments = prepared.map((one) => one.result);
  const runs = tasks.map((task) => task.result);
  const loggedModels = prepared.flatMap((one) => one.models.map((model) => model.result));
  const { registeredModels, versions: modelVersions } = registry;
  const totals = countTotals(experiments, runs, { loggedModels, modelVersions, registeredModels });
  const ok =
    totals.experimentsFailed === 0 &&
    totals.runsFailed === 0 &&
    totals.loggedModelsFailed === 0 &&
    totals.modelVersionsFailed === 0 &&
    registeredModels.every((m) => m.outcome !== "failed");
  return {
    ok,
    dryRun,
    from: options.from.trackingUri,
    to: options.to.trackingUri,
    experiments,
    runs,
    loggedModels,
    modelVersions,
    registeredModels,
    totals,
    durationMs: Date.now() - startedAt,
  };
}

/** The model results a report's totals count. */
interface ModelResults {
  loggedModels: readonly LoggedModelSyncResult[];
  modelVersions: readonly ModelVersionSyncResult[];
  registeredModels: readonly RegisteredModelSyncResult[];
}

/**
 * Totals of a report. In a dry run, runs and models count by their planned action. Artifact files
 * and bytes include the logged models'.
 * @internal
 */
export function countTotals(
  experiments: readonly ExperimentSyncResult[],
  runs: readonly RunSyncResult[],
  models: ModelResults = { loggedModels: [], modelVersions: [], registeredModels: [] },
): SyncTotals {
  const countExperiments = (action: ExperimentSyncResult["action"]): number => experiments.filter((e) => e.action === action && e.outcome !== "failed").length;
  const counted = runs.filter((run) => run.outcome === "done" || run.outcome === "planned");
  const countRuns = (action: RunSyncResult["action"]): number => counted.filter((run) => run.action === action).length;
  const sum = (field: keyof SentCounts): number => runs.reduce((total, run) => total + run[field], 0);
  const { loggedModels, modelVersions, registeredModels } = models;
  const modelBytes = (field: "artifactFiles" | "artifactBytes"): number => loggedModels.reduce((total, model) => total + model[field], 0);
  const wrote = (outcome: string): boolean => outcome === "done" || outcome === "planned";
  const copied = (outcome: string, action: string): boolean => wrote(outcome) && action !== "skip" && action !== "update";
  const updated = (outcome: string, action: string): boolean => wrote(outcome) && action === "update";
  return {
    experimentsCreated: countExperiments("create"),
    experimentsReused: countExperiments("reuse"),
    experimentsFailed: experiments.filter((e) => e.outcome === "failed").length,
    runsCopied: countRuns("copy"),
    runsResumed: countRuns("resume"),
    runsUpdated: countRuns("update"),
    runsSkipped: runs.filter((run) => run.outcome === "skipped").length,
    runsFailed: runs.filter((run) => run.outcome === "failed").length,
    metricPoints: sum("metricPoints"),
    params: sum("params"),
    tags: sum("tags"),
    datasets: sum("datasets"),
    artifactFiles: sum("artifactFiles") + modelBytes("artifactFiles"),
    artifactBytes: sum("artifactBytes") + modelBytes("artifactBytes"),
    loggedModelsCopied: loggedModels.filter((m) => copied(m.outcome, m.action)).length,
    loggedModelsUpdated: loggedModels.filter((m) => updated(m.outcome, m.action)).length,
    loggedModelsSkipped: loggedModels.filter((m) => m.outcome === "skipped").length,
    loggedModelsFailed: loggedModels.filter((m) => m.outcome === "failed").length,
    modelVersionsCopied: modelVersions.filter((v) => copied(v.outcome, v.action)).length,
    modelVersionsUpdated: modelVersions.filter((v) => updated(v.outcome, v.action)).length,
    modelVersionsSkipped: modelVersions.filter((v) => v.outcome === "skipped").length,
    modelVersionsFailed: modelVersions.filter((v) => v.outcome === "failed").length,
    registeredModelsCreated: registeredModels.filter((m) => m.action === "create" && m.outcome !== "failed").length,
  };
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortError("The sync was aborted before it started.");
}
