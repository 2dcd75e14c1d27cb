/** The embedded SQLite store (MLflow's own schema). Placeholder until the embedded store lands. */
import { ConfigurationError } from "../../core/errors.js";
import type { TrackingStore } from "../tracking-store.js";

/**
 * Opens the embedded store at `path`.
 * @throws {ConfigurationError} always, for now: set MLFLOW_TRACKING_URI to an MLflow server.
 * @internal
 */
export async function openSqliteStore(path: string): Promise<TrackingStore> {
  throw new ConfigurationError(
    "MLFLOW_TRACKING_URI",
    `No tracking server configured, and the embedded SQLite store (${path}) is not available in this version. Fix: set MLFLOW_TRACKING_URI=http://<server>:5000.`,
  );
}
