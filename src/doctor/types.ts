/** The shapes of a setup check: its options, one check's result, and the whole report. */
import type { ClientOptions } from "../config/options.js";

/** Outcome of one check. `skip` means it did not apply, or could not run because a check it needs failed. */
export type CheckStatus = "pass" | "warn" | "fail" | "skip";

/** Identifiers of the checks, in the order they run. */
export const CHECK_IDS = [
  "config",
  "journals",
  "server.reachable",
  "server.version",
  "auth",
  "workspace",
  "experiment",
  "permission",
  "artifacts.mode",
  "s3.endpoint",
  "clock",
  "s3.credentials",
  "s3.bucket",
  "artifacts.proxy",
  "artifacts.write",
  "artifacts.multipart",
  "round-trip",
] as const;

/** Identifier of one check, e.g. `s3.bucket`. Stable: CI scripts may match on it. */
export type CheckId = (typeof CHECK_IDS)[number];

/** The result of one check. Every string is free of secrets. */
export interface CheckResult {
  /** Stable identifier, e.g. `s3.credentials`. */
  id: CheckId;
  /** Human title, e.g. `S3 credentials`. */
  title: string;
  status: CheckStatus;
  /** What was checked and what was found; for a skip, why it did not run. */
  detail: string;
  /** The fix: which variable to set or which command to run. `null` when there is nothing to fix. */
  hint: string | null;
  /** Time the check took, in ms (0 for a check that did not run). */
  durationMs: number;
}

/** What {@link checkSetup} returns. */
export interface SetupReport {
  /** True when no check failed (warnings and skips do not count). */
  ok: boolean;
  /** Every check, in order. */
  checks: CheckResult[];
  /** Time the whole check took, in ms. */
  durationMs: number;
}

/** Options of {@link checkSetup}. */
export interface CheckSetupOptions {
  /**
   * Experiment whose artifact location is probed; created if missing (unless `write` is false).
   * @defaultValue `MLFLOW_EXPERIMENT_NAME`, else the experiment of `MLFLOW_EXPERIMENT_ID`, else `mlflow-ts-doctor`
   */
  experimentName?: string | undefined;
  /**
   * Run the probes that write: the permission probe, creating a missing experiment, the artifact
   * write/read/delete probe, the multipart probe and the round trip. Nothing is left behind
   * except a created experiment.
   * @defaultValue true
   */
  write?: boolean | undefined;
  /** Also create a throw-away run, log to it, read it back and delete it. @defaultValue false */
  roundTrip?: boolean | undefined;
  /** Timeout of each network call, in ms; no call is retried. @defaultValue 5000 */
  timeoutMs?: number | undefined;
  /** Client options (tracking URI, auth, S3, `env`…); by default the environment, as {@link MlflowClient}. */
  client?: ClientOptions | undefined;
  /** Stops the check; checks not yet run are reported as skipped. */
  signal?: AbortSignal | undefined;
  /**
   * Require a tracking server: the `config` check fails when `MLFLOW_TRACKING_URI` is missing or
   * empty (runs would go to the embedded store on this machine's disk, which a CI runner throws
   * away) or is a `sqlite:` URI. Pass `false` to check an embedded-store setup under CI.
   * @defaultValue true when the environment's `CI` is set (and not `false` or `0`), as on GitHub
   *   Actions, GitLab CI and most other CI services; false otherwise
   */
  requireServer?: boolean | undefined;
  /** Called with each result as soon as its check finishes (for progressive output). */
  onCheck?: ((result: CheckResult) => void) | undefined;
}
