/** Options, progress events and the report of {@link syncRuns}. */
import type { MlflowClient } from "../client/client.js";
import type { RunAction } from "./plan.js";

/** Runs copied at once unless `concurrency` says otherwise. */
export const DEFAULT_SYNC_CONCURRENCY = 4;
/** Most runs copied at once. */
export const MAX_SYNC_CONCURRENCY = 16;

/**
 * Options of {@link syncRuns}.
 *
 * @example
 * const report = await syncRuns({ from: new MlflowClient({ trackingUri: "sqlite:///mlflow.db" }), to: new MlflowClient({ trackingUri: "http://host:5000" }) });
 */
export interface SyncOptions {
  /** The client to read from, typically over the embedded store (`sqlite:///mlflow.db`). */
  from: MlflowClient;
  /** The client to write to, typically a tracking server. */
  to: MlflowClient;
  /**
   * Only these experiments (by name); also limits the logged models and model versions copied to
   * theirs. @defaultValue every active experiment of the source
   */
  experimentNames?: readonly string[] | undefined;
  /** Plan only: read both sides, write nothing, and report what would be copied. @defaultValue false */
  dryRun?: boolean | undefined;
  /** Runs copied at once, 1–16. @defaultValue 4 */
  concurrency?: number | undefined;
  /** Called as the sync advances (synchronously; keep it cheap). */
  onProgress?: ((event: SyncEvent) => void) | undefined;
  /**
   * Stops the sync: no new request starts, requests in flight are cancelled, and `syncRuns` rejects
   * with `AbortError`. Runs and logged models whose copy was cut short stay marked incomplete; the
   * next sync resumes them (and registers the model versions not registered yet).
   */
  signal?: AbortSignal | undefined;
}

/** A run as progress events and the report name it. */
export interface RunRef {
  sourceRunId: string;
  /** The run's name at the source. */
  runName: string;
  experimentName: string;
  /** Id of the copy on the target, once known. */
  targetRunId?: string;
}

/** A step of one run's copy, in the order they happen. */
export type RunStep = "created" | "params-tags" | "metrics" | "inputs" | "artifacts" | "finished";

/**
 * Progress of a sync:
 * - `experiment`: an experiment was resolved on the target (created, reused, failed…);
 * - `planned`: every experiment is planned; `total` runs will be copied, resumed or updated;
 * - `run-step`: one step of a run's copy is done (`metrics` comes after the whole history was sent);
 * - `run-finished`: a run is done, failed or skipped; `finished` of `total` are over;
 * - `logged-model-finished`: a logged model is copied, resumed, skipped or failed (after every run);
 * - `model-version-finished`: a model version is registered, skipped or failed (after every logged model).
 */
export type SyncEvent =
  | { type: "experiment"; experiment: ExperimentSyncResult }
  | { type: "planned"; total: number; skipped: number }
  | { type: "run-step"; run: RunRef; step: RunStep }
  | { type: "run-finished"; run: RunSyncResult; finished: number; total: number }
  | { type: "logged-model-finished"; model: LoggedModelSyncResult }
  | { type: "model-version-finished"; version: ModelVersionSyncResult };

/** How one experiment went: created on the target, reused, or failed. */
export interface ExperimentSyncResult {
  name: string;
  sourceExperimentId: string;
  /** Id on the target; absent when it does not exist there (yet, in a dry run) or failed. */
  targetExperimentId?: string;
  /** `create`: not on the target; `reuse`: found by name; `skip`: deleted at the source. */
  action: "create" | "reuse" | "skip";
  /** `planned` in a dry run. */
  outcome: "done" | "failed" | "skipped" | "planned";
  /** Experiment tags written on the target (all of them for a new one; missing ones for a reused one). */
  tagsSet: number;
  /** Why it was skipped or failed. */
  reason?: string;
}

/** What was sent: for one run, or summed over a sync. */
export interface SentCounts {
  /** Metric points sent (a resumed or updated run sends its whole history again; the server drops duplicates). */
  metricPoints: number;
  params: number;
  tags: number;
  /** Dataset inputs sent. */
  datasets: number;
  artifactFiles: number;
  artifactBytes: number;
}

/** How one run went, with what was sent for it. */
export interface RunSyncResult extends RunRef, SentCounts {
  action: RunAction;
  /** Why this action, e.g. `not copied yet`, `already copied`, `deleted at the source` (see `planRun`). */
  reason: string;
  /** `planned` in a dry run. */
  outcome: "done" | "failed" | "skipped" | "planned";
  /** The error, when `outcome` is `failed` (redacted). */
  error?: string;
}

/**
 * How one logged model (MLflow 3) went. Its copy is found on the target by the tag
 * `mlflow-ts.sync.sourceModelId`.
 */
export interface LoggedModelSyncResult {
  sourceModelId: string;
  name: string;
  experimentName: string;
  /** Id (`m-…`) of the copy on the target, once known. */
  targetModelId?: string;
  /**
   * `copy`: no copy yet; `resume`: the last copy was interrupted; `update`: its tags or status
   * changed at the source since its copy was complete; `skip`: already copied.
   */
  action: "copy" | "resume" | "update" | "skip";
  /** Why this action, e.g. `not copied yet`, `already copied`, `changed since the last copy: tags, status`. */
  reason: string;
  /** `planned` in a dry run. */
  outcome: "done" | "failed" | "skipped" | "planned";
  /** Artifact files and bytes uploaded for it. */
  artifactFiles: number;
  artifactBytes: number;
  /** The error, when `outcome` is `failed` (redacted). */
  error?: string;
}

/**
 * How one model version went. Its copy is a version of the registered model with the same name on
 * the target, tagged `mlflow-ts.sync.sourceVersion` with the source version number.
 */
export interface ModelVersionSyncResult {
  /** Registered model name (the same on both sides). */
  name: string;
  sourceVersion: string;
  /** Version number of the copy on the target, once known. */
  targetVersion?: string;
  /**
   * `copy`: registered now; `resume`: its copy lacked the stage; `update`: its description, tags or
   * stage changed at the source since; `skip`: already copied, or cannot be copied (see `reason`).
   */
  action: "copy" | "resume" | "update" | "skip";
  /** Why this action, in words, e.g. `already copied` or why its source cannot be translated. */
  reason: string;
  /** `planned` in a dry run. */
  outcome: "done" | "failed" | "skipped" | "planned";
  /** The source the copy was registered with (`runs:/<copy>/…`, `models:/<copy>`, a path in the copy's artifact location). */
  targetSource?: string;
  /** The error, when `outcome` is `failed` (redacted). */
  error?: string;
}

/** How one registered model went: created or reused on the target, and its aliases. */
export interface RegisteredModelSyncResult {
  name: string;
  /** `create`: not on the target; `reuse`: found by name; `update`: found by name, and its description or tags set from the source's. */
  action: "create" | "reuse" | "update";
  /** What changed, for an update, e.g. `changed since the last copy: description, tags`. */
  reason?: string;
  /** `planned` in a dry run. */
  outcome: "done" | "failed" | "planned";
  /** Aliases set on the target (or already pointing at the copy). */
  aliasesSet: string[];
  /** Aliases left as they are because they point at another version on the target, in words. */
  aliasesLeft: string[];
  /** The error, when `outcome` is `failed` (redacted). */
  error?: string;
}

/** Counts over the whole sync (in a dry run: what would be done, and nothing sent). */
export interface SyncTotals extends SentCounts {
  experimentsCreated: number;
  experimentsReused: number;
  experimentsFailed: number;
  runsCopied: number;
  runsResumed: number;
  runsUpdated: number;
  runsSkipped: number;
  runsFailed: number;
  /** Logged models copied or resumed. */
  loggedModelsCopied: number;
  /** Logged models whose copy got the source's changed tags or status. */
  loggedModelsUpdated: number;
  loggedModelsSkipped: number;
  loggedModelsFailed: number;
  /** Model versions registered (or whose interrupted copy was completed). */
  modelVersionsCopied: number;
  /** Model versions whose copy got the source's changed description, tags or stage. */
  modelVersionsUpdated: number;
  modelVersionsSkipped: number;
  modelVersionsFailed: number;
  registeredModelsCreated: number;
}

/**
 * What a sync did (or, with `dryRun`, would do).
 *
 * @example
 * const report = await syncRuns({ from, to });
 * if (!report.ok) for (const run of report.runs.filter((r) => r.outcome === "failed")) console.error(run.sourceRunId, run.error);
 */
export interface SyncReport {
  /** True when no experiment, run, logged model, model version or registered model failed. */
  ok: boolean;
  dryRun: boolean;
  /** The source, as the client shows it (no credentials). */
  from: string;
  /** The target, as the client shows it (no credentials). */
  to: string;
  experiments: ExperimentSyncResult[];
  runs: RunSyncResult[];
  /** Logged models of the synced experiments. */
  loggedModels: LoggedModelSyncResult[];
  /** Model versions of the synced runs and logged models, by name and ascending version. */
  modelVersions: ModelVersionSyncResult[];
  /** Registered models that have versions to copy. */
  registeredModels: RegisteredModelSyncResult[];
  totals: SyncTotals;
  durationMs: number;
}
