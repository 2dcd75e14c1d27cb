/**
 * What the logger does differently for a run in offline mode (`MLFLOW_TS_OFFLINE` or the `offline`
 * option): the one stderr line that says the run is offline, what turned it on and where it is kept, the clear refusal to resume a run the
 * offline store does not hold (a server's run cannot be continued without its data), and the
 * removal of the "delivered" mark when an offline run is resumed (it has new data to deliver).
 */
import type { MlflowClient } from "../client/client.js";
import { OFFLINE_ENV } from "../config/offline-settings.js";
import type { OfflineSettings, OfflineTarget } from "../config/resolve.js";
import { ConfigurationError } from "../core/errors.js";
import type { Run } from "../protocol/entities/tracking.js";
import { OFFLINE_DELIVERED_TAG } from "../store/offline/offline-store.js";

/** The command that delivers offline runs, as the messages print it. */
export const OFFLINE_SYNC_COMMAND = "npx mlflow-ts sync --offline";

/**
 * The offline target of a client, or `undefined` when it logs online (or to an embedded store of
 * its own choosing).
 * @example
 * offlineTargetOf(client)?.trackingUri // "http://mlflow.internal:5000"
 * @internal
 */
export function offlineTargetOf(client: MlflowClient): OfflineTarget | undefined {
  const tracking = client.config.tracking;
  return tracking.kind === "sqlite" ? tracking.offline : undefined;
}

/**
 * What turned offline mode on, as messages name it: the `offline: true` option (of `startRun` or
 * the client) or the `MLFLOW_TS_OFFLINE` variable.
 * @example
 * offlineSourceText("option") // "the offline: true option"
 * @internal
 */
export function offlineSourceText(source: OfflineSettings["source"]): string {
  return source === "option" ? "the offline: true option" : `${OFFLINE_ENV}=true`;
}

/**
 * The line `startRun` prints to stderr for an offline run (unless `MLFLOW_TS_QUIET_OFFLINE=true`),
 * naming what turned offline mode on.
 * @example
 * offlineRunLine("0a1b…", { trackingUri: "http://mlflow.internal:5000", folder: "/home/me/.cache/mlflow-ts/offline/mlflow.internal_5000-…" }, "environment")
 * @internal
 */
export function offlineRunLine(runId: string, target: OfflineTarget, source: OfflineSettings["source"]): string {
  return (
    `mlflow-ts: run ${runId} is offline (${offlineSourceText(source)}): kept in ${target.folder} for ${target.trackingUri}; nothing is sent. ` +
    `Deliver it later with: ${OFFLINE_SYNC_COMMAND} (the server gives it a new run id).`
  );
}

/**
 * Prints {@link offlineRunLine} for a run of an offline client, unless quiet.
 * @internal
 */
export function announceOfflineRun(client: MlflowClient, runId: string, write: (line: string) => void = (line) => process.stderr.write(line)): void {
  const target = offlineTargetOf(client);
  const { quiet, source } = client.config.offline;
  if (target !== undefined && !quiet) write(`${offlineRunLine(runId, target, source)}\n`);
}

/**
 * The error for resuming, offline, a run the offline store does not hold (typically a run id of the
 * server in `MLFLOW_RUN_ID`).
 * @example
 * throw offlineResumeError("0a1b…", target, "environment");
 * @internal
 */
export function offlineResumeError(runId: string, target: OfflineTarget, source: OfflineSettings["source"]): ConfigurationError {
  return new ConfigurationError(
    "runId",
    `Cannot resume run ${runId} offline: the offline store for ${target.trackingUri} (${target.folder}) has no such run. ` +
      "A run that lives on the server cannot be continued offline (its params and history are not on this machine). " +
      `Fix: unset MLFLOW_RUN_ID (or the runId option) to start a new offline run, or resume it online (${source === "option" ? "offline: false" : `${OFFLINE_ENV} unset`}) once the server is reachable.`,
  );
}

/**
 * Removes the delivered mark of an offline run being resumed: what it logs now is new, and the
 * listings must show it waiting again (`sync --offline` then updates its copy on the server).
 * @internal
 */
export async function markUndelivered(client: MlflowClient, run: Run): Promise<void> {
  if (offlineTargetOf(client) === undefined) return;
  if (run.data.tags.some((tag) => tag.key === OFFLINE_DELIVERED_TAG)) await client.runs.deleteTag(run.info.run_id, OFFLINE_DELIVERED_TAG);
}
