/**
 * `mlflow-ts/sync`: copy experiments, runs, logged models and model versions from one store to
 * another (the embedded `mlflow.db` to a tracking server, or server to server), idempotently and
 * resumably — what `mlflow-ts sync` runs. The tags it writes on the destination are here so that a
 * tool can find what a sync copied; `SyncError` is exported by the root entry with the other errors.
 *
 * @example
 * import { MlflowClient } from "mlflow-ts";
 * import { syncRuns } from "mlflow-ts/sync";
 *
 * const report = await syncRuns({ from: new MlflowClient({ trackingUri: "sqlite:///mlflow.db" }), to: new MlflowClient() });
 * if (!report.ok) console.error(report.runs.filter((run) => run.outcome === "failed"));
 *
 * @packageDocumentation
 * @module mlflow-ts/sync
 */
export { type RunAction, SKIP_REASONS } from "./sync/plan.js";
export { syncRuns } from "./sync/sync-runs.js";
export {
  SYNC_ARTIFACTS_DIGEST_TAG,
  SYNC_SOURCE_MODEL_ID_TAG,
  SYNC_SOURCE_RUN_ID_TAG,
  SYNC_SOURCE_URI_TAG,
  SYNC_SOURCE_VERSION_TAG,
  SYNC_STATE,
  SYNC_STATE_TAG,
} from "./sync/tags.js";
export {
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
} from "./sync/types.js";
