/**
 * The fluent API: `startRun`, `withRun` and `getActiveRun`. Experiments, resumed runs, nested
 * runs and system tags are resolved as MLflow's Python `mlflow.start_run` does.
 *
 * Active runs: inside `withRun(options, fn)` the active run is `fn`'s run, through
 * AsyncLocalStorage, so concurrent `withRun` calls each see their own; elsewhere it is the most
 * recently started run that has not ended. Unlike Python, starting a second run while one is active
 * is allowed (a sweep may run several at once); pass `nested: true` to make it a child.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { z } from "zod";
import { MlflowClient } from "../client/client.js";
import type { ClientOptions } from "../config/options.js";
import { forgetRunIdEnv } from "../config/process-env.js";
import { messageOf } from "../core/error-text.js";
import { AlreadyExistsError, ConfigurationError, NotFoundError, ValidationError } from "../core/errors.js";
import { Journal, type JournalOptions, journalOptionsShape, type ResolvedJournalOptions, resolveJournalOptions } from "../journal/index.js";
import type { Experiment, KeyValue, Run } from "../protocol/entities/tracking.js";
import { type KeyValueInput, validatedParams, validatedTags } from "../protocol/key-values.js";
import { TAG_NOTE, TAG_PARENT_RUN_ID, TAG_RUN_NAME, TAG_USER } from "../protocol/tag-names.js";
import { validateRunId } from "../protocol/validation.js";
import { LogDeliveryError, RunEndError } from "./errors.js";
import { trackRun, untrackRun } from "./exit-hooks.js";
import { announceOfflineRun, markUndelivered, offlineResumeError, offlineTargetOf } from "./offline.js";
import { type LoggerOptions, loggerOptionsShape, type ResolvedLoggerOptions, resolveLoggerOptions } from "./options.js";
import { BackgroundRecovery } from "./recovery/background.js";
import { DEFAULT_RECOVERY_DEADLINE_MS } from "./recovery/recover.js";
import { ActiveRun, type RunInit } from "./run.js";
import { nextSystemMetricsStep, resolveSystemMetricsSettings, SystemMetricsMonitor, type SystemMetricsSettings } from "./system/system-metrics.js";
import { systemTags } from "./system/system-tags.js";

/** The experiment runs go to when none is configured: MLflow's "Default". */
export const DEFAULT_EXPERIMENT_ID = "0";

/** Options of {@link startRun} and {@link withRun}, plus the {@link LoggerOptions} and the {@link JournalOptions}. */
export interface StartRunOptions extends LoggerOptions, JournalOptions {
  /** The client to use, or options for a new one. @defaultValue one shared client configured from the environment */
  client?: MlflowClient | ClientOptions | undefined;
  /** Experiment id; must exist and be active. Give this or `experimentName`. */
  experimentId?: string | undefined;
  /**
   * Experiment name; created when missing (two processes creating it at once both succeed).
   * @defaultValue `MLFLOW_EXPERIMENT_NAME`, then `MLFLOW_EXPERIMENT_ID`, then "0" (Default)
   */
  experimentName?: string | undefined;
  /** Resume this run instead of creating one (status back to RUNNING). @defaultValue `MLFLOW_RUN_ID`, used once */
  runId?: string | undefined;
  /** Display name; the server generates one (e.g. `bright-owl-42`) when omitted. */
  runName?: string | undefined;
  /** Description, stored as the `mlflow.note.content` tag (Markdown). */
  description?: string | undefined;
  /** Run tags; they win over the system tags. */
  tags?: KeyValueInput | undefined;
  /**
   * Params of the run, validated here (a bad key or value fails `startRun`) and then buffered like
   * {@link ActiveRun.logParams}: they reach the server with the first batch (within
   * `flushIntervalMs`), or when `await run.flush()` returns.
   */
  params?: KeyValueInput | undefined;
  /**
   * Make the run a child of the active run (`mlflow.parentRunId`); without an experiment option it
   * goes to the parent's experiment. @defaultValue false
   */
  nested?: boolean | undefined;
  /** Make the run a child of this run (and, without an experiment option, put it in that run's experiment). */
  parentRunId?: string | undefined;
  /**
   * Log system metrics (`system/cpu_utilization_percentage`, memory, disk, network) every
   * `MLFLOW_SYSTEM_METRICS_SAMPLING_INTERVAL` seconds (default 10) until the run ends, as MLflow's
   * `log_system_metrics`. @defaultValue `MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING`, else false
   */
  logSystemMetrics?: boolean | undefined;
  /**
   * Offline mode for this run: log to the local store kept for the tracking server (in
   * `MLFLOW_TS_OFFLINE_DIR`, default `~/.cache/mlflow-ts/offline`), send nothing, and deliver later
   * with `npx mlflow-ts sync --offline` (docs/logger.md, "Offline mode"). The same setting as the
   * client's `offline` option, which it is passed to; `false` logs online even with
   * `MLFLOW_TS_OFFLINE=true`. With a `client` instance it must agree with that client's setting.
   * @defaultValue `MLFLOW_TS_OFFLINE`, else false
   */
  offline?: boolean | undefined;
}

const startRunOptionsSchema = z.strictObject({
  ...loggerOptionsShape,
  ...journalOptionsShape,
  client: z.unknown().optional(),
  experimentId: z.string().min(1).optional(),
  experimentName: z.string().min(1).optional(),
  runId: z.string().optional(),
  runName: z.string().optional(),
  description: z.string().optional(),
  tags: z.unknown().optional(),
  params: z.unknown().optional(),
  nested: z.boolean().optional(),
  parentRunId: z.string().optional(),
  logSystemMetrics: z.boolean().optional(),
  offline: z.boolean().optional(),
});

const scopedRun = new AsyncLocalStorage<ActiveRun>();
/** The system-metrics monitor of each run that logs them. */
const monitors = new WeakMap<ActiveRun, SystemMetricsMonitor>();
/** The background recovery each run started, stopped when it ends. */
const recoveries = new WeakMap<ActiveRun, BackgroundRecovery>();
/** Runs started by `startRun` (not `withRun`), oldest first, until they end. */
const startedRuns: ActiveRun[] = [];
/** Clients whose `MLFLOW_RUN_ID` was already resumed (Python uses it once, then unsets it). */
const envRunIdUsed = new WeakSet<MlflowClient>();
let sharedClient: MlflowClient | undefined;

/** The run to resume; offline, a run the offline store does not hold is refused with the fix. */
async function getRunToResume(client: MlflowClient, runId: string) {
  const offline = offlineTargetOf(client);
  try {
    return await client.runs.get(runId);
  } catch (error) {
    if (offline !== undefined && error instanceof NotFoundError) throw offlineResumeError(runId, offline, client.config.offline.source);
    throw error;
  }
}

/**
 * Starts a run (or resumes one) and returns it. The run ends with `run.end()`, `await using`, or
 * at process exit (FINISHED), on SIGINT/SIGTERM (KILLED) or on an uncaught exception while it is
 * still open (FAILED). `await using` ends it FINISHED even when its block throws (a disposer is
 * not told about the exception): prefer {@link withRun}, or end it FAILED in a `catch`.
 *
 * @throws {ConfigurationError} for unknown or malformed options, a deleted experiment or run, or
 *   conflicting experiment settings.
 * @throws {ValidationError} for a bad tag or param.
 * @throws {MlflowApiError} when the server refuses to create or resume the run.
 * @example
 * await using run = await startRun({ experimentName: "mnist", runName: "baseline", params: { lr: 0.01 } });
 * try {
 *   run.logMetric("loss", 0.5, { step: 1 });
 * } catch (error) {
 *   await run.end({ status: "FAILED" }); // `await using` alone would end it FINISHED
 *   throw error;
 * }
 */
export function startRun(options: StartRunOptions = {}): Promise<ActiveRun> {
  return openRun(options, false);
}

/**
 * Runs `fn` with a new run as the active run, then ends it FINISHED, or FAILED if `fn` throws
 * (the error is rethrown).
 *
 * @throws whatever `fn` throws; {@link LogDeliveryError} when `fn` succeeded but entries could not
 *   be delivered; the errors of {@link startRun}.
 * @example
 * const accuracy = await withRun({ experimentName: "mnist" }, async (run) => {
 *   run.logParam("lr", 0.01);
 *   return train(run);
 * });
 */
export async function withRun<T>(options: StartRunOptions, fn: (run: ActiveRun) => T | Promise<T>): Promise<T> {
  const run = await openRun(options, true);
  let result: T;
  try {
    result = await scopedRun.run(run, () => fn(run));
  } catch (error) {
    // The body's error is the one to rethrow; delivery failures were already reported by the run's
    // `error` event, a failed status update (a RunEndError, with the counts) is reported here.
    await run.end({ status: "FAILED" }).catch((endError: unknown) => {
      if (!(endError instanceof LogDeliveryError) || endError instanceof RunEndError)
        process.emitWarning(`Could not end run ${run.runId} as FAILED: ${messageOf(endError)}`, { code: "MLFLOW_TS_END_RUN" });
    });
    throw error;
  }
  await run.end({ status: "FINISHED" });
  return result;
}

/**
 * The active run: inside {@link withRun}, its run; otherwise the most recently started run that
 * has not ended; `undefined` when there is none.
 *
 * @example
 * getActiveRun()?.logMetric("lr", scheduler.lr, { step });
 */
export function getActiveRun(): ActiveRun | undefined {
  const scoped = scopedRun.getStore();
  if (scoped !== undefined && !scoped.ended) return scoped;
  for (let index = startedRuns.length - 1; index >= 0; index--) {
    if (!startedRuns[index]!.ended) return startedRuns[index];
  }
  return undefined;
}

async function openRun(options: StartRunOptions, scoped: boolean): Promise<ActiveRun> {
  const opts = parseOptions(options);
  const client = resolveClient(opts.client, opts.offline);
  const loggerOptions = resolveLoggerOptions(opts, client.config.logger);
  const journalOptions = resolveJournalOptions(opts, client.config.journal);
  const systemMetrics = resolveSystemMetricsSettings(opts.logSystemMetrics, client.config.systemMetrics);
  const tags = validatedTags(opts.tags as KeyValueInput | undefined);
  const params = validatedParams(opts.params as KeyValueInput | undefined);
  const resumeId = opts.runId ?? (opts.nested || opts.parentRunId ? undefined : takeEnvRunId(client));
  const journal = journalOptions.enabled && client.config.tracking.kind === "rest" ? journalFor(client, journalOptions) : undefined;
  const run =
    resumeId === undefined
      ? await createRun(client, opts, tags, { loggerOptions, journal }, scoped)
      : await resumeRun(client, resumeId, opts, { tags, params }, { loggerOptions, journal }, scoped);
  run.logParams(params);
  announceOfflineRun(client, run.runId);
  if (journalOptions.recover && client.config.tracking.kind === "rest") startRecovery(client, run, journalOptions);
  if (systemMetrics.enabled) await startSystemMetrics(client, run, systemMetrics, resumeId !== undefined);
  return run;
}

/** How a new run gets its journal, once its id is known. */
type JournalFactory = (runId: string) => Promise<RunInit["journal"]>;

/** What a run is built with besides its client and info. */
interface RunSetup {
  loggerOptions: ResolvedLoggerOptions;
  journal: JournalFactory | undefined;
}

/**
 * Creates the run's journal in the journals' folder. Never throws for disk trouble: a journal that
 * cannot be created starts degraded, and its one warning (also for trouble later) says so.
 */
function journalFor(client: MlflowClient, options: ResolvedJournalOptions): JournalFactory {
  return async (runId) => {
    const journal = await Journal.create({
      runId,
      trackingUri: client.trackingUri,
      options,
      onDegraded: (state) => process.emitWarning(state.message, { code: "MLFLOW_TS_JOURNAL_DEGRADED" }),
    });
    return { journal, commitIntervalMs: options.commitIntervalMs };
  };
}

/** Recovers dead processes' journals for this tracking server in the background (never awaited; stopped when the run ends). */
function startRecovery(client: MlflowClient, run: ActiveRun, options: ResolvedJournalOptions): void {
  const recovery = new BackgroundRecovery({
    client,
    dir: options.dir,
    runId: run.runId,
    deadlineMs: DEFAULT_RECOVERY_DEADLINE_MS,
    quiet: options.quietRecovery,
  });
  recoveries.set(run, recovery);
  run.attachRecovery(recovery);
}

/** Starts the run's system-metrics monitor; a resumed run continues after its last `system/` step. */
async function startSystemMetrics(client: MlflowClient, run: ActiveRun, settings: SystemMetricsSettings, resumed: boolean): Promise<void> {
  const firstStep = resumed ? nextSystemMetricsStep((await client.runs.get(run.runId)).data.metrics) : 0;
  const monitor = new SystemMetricsMonitor(run, settings, { firstStep });
  monitors.set(run, monitor);
  monitor.start();
}

function parseOptions(options: StartRunOptions): StartRunOptions {
  const result = startRunOptionsSchema.safeParse(options);
  if (result.success) return result.data as StartRunOptions;
  const issue = result.error.issues[0]!;
  const key = issue.code === "unrecognized_keys" ? issue.keys[0]! : issue.path.map(String).join(".");
  const detail = issue.code === "unrecognized_keys" ? `unknown option (valid options: ${Object.keys(startRunOptionsSchema.shape).join(", ")})` : issue.message;
  throw new ConfigurationError(key, `Invalid startRun option "${key}": ${detail}.`);
}

/**
 * The client a fluent call uses: the given one, a new one from options, or the one shared client
 * configured from the environment (one per `offline` setting). `offline` (startRun's option) goes
 * to the client's own `offline` option, resolved with `MLFLOW_TS_OFFLINE` in one place
 * (config/offline-settings.ts).
 * @throws {ConfigurationError} when `offline` contradicts the given client instance's setting.
 * @internal
 */
export function resolveClient(option: unknown, offline?: boolean): MlflowClient {
  if (option instanceof MlflowClient) {
    if (offline !== undefined && option.config.offline.enabled !== offline) throw offlineMismatch(offline);
    return option;
  }
  if (option !== undefined || offline !== undefined)
    return new MlflowClient({ ...(option as ClientOptions | undefined), ...(offline === undefined ? {} : { offline }) });
  sharedClient ??= new MlflowClient();
  return sharedClient;
}

function offlineMismatch(offline: boolean): ConfigurationError {
  return new ConfigurationError(
    "offline",
    `Invalid startRun option "offline": ${offline} contradicts the given client, which was created with offline ${!offline}. ` +
      `Fix: drop the option and set it on the client (new MlflowClient({ offline: ${offline} })), or pass client options instead of a client.`,
  );
}

/** `MLFLOW_RUN_ID`, the first time it is asked for on this client. */
function takeEnvRunId(client: MlflowClient): string | undefined {
  const runId = client.config.fluent.runId;
  if (runId === undefined || envRunIdUsed.has(client)) return undefined;
  envRunIdUsed.add(client);
  // As Python does: a child process started later must not resume the same run.
  forgetRunIdEnv(runId);
  return runId;
}

async function createRun(client: MlflowClient, opts: StartRunOptions, userTags: KeyValue[], setup: RunSetup, scoped: boolean): Promise<ActiveRun> {
  const parent = await resolveParent(client, opts);
  const explicitExperiment = opts.experimentId !== undefined || opts.experimentName !== undefined;
  // A child goes to its parent's experiment unless told otherwise (MLflow shows nesting within one experiment).
  const experimentId = parent !== undefined && !explicitExperiment ? parent.experimentId : await resolveExperimentId(client, opts);
  const created = await createRunEntity(client, {
    experimentId,
    runName: opts.runName,
    description: opts.description,
    parentRunId: parent?.runId,
    tags: userTags,
  });
  const journal = await setup.journal?.(created.info.run_id);
  return register(new ActiveRun({ client, info: created.info, options: setup.loggerOptions, onEnd: unregister, journal }), scoped);
}

/** What {@link createRunEntity} needs: the resolved experiment, and the run's name, note, parent and (validated) tags. @internal */
export interface RunEntityInit {
  experimentId: string;
  runName?: string | undefined;
  description?: string | undefined;
  parentRunId?: string | undefined;
  tags: readonly KeyValue[];
}

/**
 * Creates a run on the server with MLflow's system tags (the given tags win over them), RUNNING,
 * started now — and nothing else: no logger, no exit hooks. `startRun` wraps the result in an
 * {@link ActiveRun}; `mlflow-ts runs create` prints its id and leaves it RUNNING for later processes.
 *
 * @throws {MlflowApiError} when the server refuses to create the run.
 * @example
 * const run = await createRunEntity(client, { experimentId: await resolveExperimentId(client, {}), tags: [] });
 * @internal
 */
export async function createRunEntity(client: MlflowClient, init: RunEntityInit): Promise<Run> {
  const tags: Record<string, string> = systemTags(client.config);
  if (init.runName !== undefined) tags[TAG_RUN_NAME] = init.runName;
  if (init.description !== undefined) tags[TAG_NOTE] = init.description;
  if (init.parentRunId !== undefined) tags[TAG_PARENT_RUN_ID] = init.parentRunId;
  for (const tag of init.tags) tags[tag.key] = tag.value;
  return client.runs.create({
    experiment_id: init.experimentId,
    run_name: tags[TAG_RUN_NAME],
    user_id: tags[TAG_USER],
    start_time: Date.now(),
    tags,
  });
}

async function resumeRun(
  client: MlflowClient,
  runId: string,
  opts: StartRunOptions,
  input: { tags: KeyValue[]; params: KeyValue[] },
  setup: RunSetup,
  scoped: boolean,
): Promise<ActiveRun> {
  validateRunId(runId);
  const existing = await getRunToResume(client, runId);
  if (existing.info.lifecycle_stage === "deleted") {
    throw new ConfigurationError("runId", `Cannot resume run ${runId}: it is deleted. Fix: restore it (client.runs.restore) or start a new run.`);
  }
  if (opts.experimentId !== undefined && opts.experimentId !== existing.info.experiment_id) {
    throw new ConfigurationError(
      "experimentId",
      `Cannot resume run ${runId} in experiment ${opts.experimentId}: it belongs to experiment ${existing.info.experiment_id}.`,
    );
  }
  const params = new Map(existing.data.params.map((param) => [param.key, param.value]));
  // Refuse a changed param before touching the run.
  for (const param of input.params) {
    const previous = params.get(param.key);
    if (previous !== undefined && previous !== param.value) {
      throw new ValidationError(
        param.key,
        "param-changed",
        `Run ${runId} already has param "${param.key}" = ${JSON.stringify(previous)}; params are write-once, so ${JSON.stringify(param.value)} is refused.`,
      );
    }
  }
  await markUndelivered(client, existing);
  let info = existing.info;
  // Back to RUNNING, keeping the old end time (omitted, the server keeps it). A run already RUNNING
  // needs no write, so a read-only user can still attach to it.
  if (info.status !== "RUNNING" || (opts.runName !== undefined && opts.runName !== info.run_name)) {
    info = await client.runs.update(runId, { status: "RUNNING", run_name: opts.runName });
  }
  const journal = await setup.journal?.(info.run_id);
  const run = register(new ActiveRun({ client, info, options: setup.loggerOptions, params, onEnd: unregister, journal }), scoped);
  if (opts.description !== undefined) run.setTag(TAG_NOTE, opts.description);
  run.setTags(input.tags);
  return run;
}

/**
 * The experiment of a new run: the `experimentId`/`experimentName` option, then
 * `MLFLOW_EXPERIMENT_NAME` (get or create), then `MLFLOW_EXPERIMENT_ID`, then "0".
 * @internal
 */
export async function resolveExperimentId(client: MlflowClient, opts: Pick<StartRunOptions, "experimentId" | "experimentName">): Promise<string> {
  if (opts.experimentId !== undefined && opts.experimentName !== undefined) {
    throw new ConfigurationError("experimentName", "Give experimentId or experimentName, not both.");
  }
  if (opts.experimentId !== undefined) return activeExperimentById(client, opts.experimentId, "experimentId");
  if (opts.experimentName !== undefined) return getOrCreateExperiment(client, opts.experimentName, "experimentName");
  const { experimentName, experimentId } = client.config.fluent;
  if (experimentName !== undefined) {
    const id = await getOrCreateExperiment(client, experimentName, "MLFLOW_EXPERIMENT_NAME");
    if (experimentId !== undefined && experimentId !== id) {
      throw new ConfigurationError(
        "MLFLOW_EXPERIMENT_ID",
        `MLFLOW_EXPERIMENT_ID=${experimentId} does not match experiment "${experimentName}" (id ${id}) named by MLFLOW_EXPERIMENT_NAME. Fix: unset one of them.`,
      );
    }
    return id;
  }
  if (experimentId !== undefined) return activeExperimentById(client, experimentId, "MLFLOW_EXPERIMENT_ID");
  return DEFAULT_EXPERIMENT_ID;
}

async function getOrCreateExperiment(client: MlflowClient, name: string, source: string): Promise<string> {
  const existing = await client.experiments.getByName(name);
  if (existing !== undefined) return activeId(existing, source);
  try {
    return await client.experiments.create({ name });
  } catch (error) {
    if (!(error instanceof AlreadyExistsError)) throw error;
    // Another process created it between our get and our create: use theirs.
    const created = await client.experiments.getByName(name);
    if (created === undefined) throw error;
    return activeId(created, source);
  }
}

async function activeExperimentById(client: MlflowClient, id: string, source: string): Promise<string> {
  try {
    return activeId(await client.experiments.get(id), source);
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    throw new ConfigurationError(
      source,
      `No experiment has id "${id}" (from ${source}). Fix: use an existing experiment id, or an experiment name (created when missing).`,
    );
  }
}

function activeId(experiment: Experiment, source: string): string {
  if (experiment.lifecycle_stage === "active") return experiment.experiment_id;
  throw new ConfigurationError(
    source,
    `Experiment "${experiment.name}" (id ${experiment.experiment_id}, from ${source}) is ${experiment.lifecycle_stage}. ` +
      `Fix: restore it (client.experiments.restore("${experiment.experiment_id}")) or use another experiment.`,
  );
}

/** The parent of a nested run: `parentRunId` (checked on the server), or the active run with `nested: true`. */
async function resolveParent(client: MlflowClient, opts: StartRunOptions): Promise<{ runId: string; experimentId: string } | undefined> {
  if (opts.parentRunId === undefined) {
    const active = opts.nested ? getActiveRun() : undefined;
    return active === undefined ? undefined : { runId: active.runId, experimentId: active.experimentId };
  }
  validateRunId(opts.parentRunId);
  const parent = await client.runs.get(opts.parentRunId);
  if (parent.info.lifecycle_stage === "deleted") {
    throw new ConfigurationError("parentRunId", `Cannot start a run under ${opts.parentRunId}: that run is deleted.`);
  }
  return { runId: parent.info.run_id, experimentId: parent.info.experiment_id };
}

function register(run: ActiveRun, scoped: boolean): ActiveRun {
  if (!scoped) startedRuns.push(run);
  if (run.loggerOptions.exitHooks) trackRun(run);
  return run;
}

function unregister(run: ActiveRun): void {
  monitors.get(run)?.stop();
  recoveries.get(run)?.stop();
  const index = startedRuns.indexOf(run);
  if (index >= 0) startedRuns.splice(index, 1);
  untrackRun(run);
}
