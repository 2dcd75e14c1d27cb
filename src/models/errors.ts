/** Errors of model registration: a version that failed to register, or did not become READY in time. */
import { MlflowError } from "../core/errors.js";

/** Why a registration did not end READY. */
export type ModelRegistrationFailure = "failed" | "timeout";

/**
 * A model version did not become READY: the registry marked it `FAILED_REGISTRATION` (`reason:
 * "failed"`), or it was still `PENDING_REGISTRATION` when `awaitReadyMs` ran out (`reason:
 * "timeout"`). The version exists; no alias or tag was set on it.
 *
 * @example
 * try { await registerModel(uri, "churn", { alias: "champion" }) }
 * catch (e) { if (e instanceof ModelRegistrationError && e.reason === "timeout") console.log(e.version, e.status) }
 */
export class ModelRegistrationError extends MlflowError {
  /** Registered model name. */
  readonly modelName: string;
  /** The version that did not become READY. */
  readonly version: string;
  /** Its last status, e.g. `FAILED_REGISTRATION` or `PENDING_REGISTRATION`. */
  readonly status: string;
  /** The registry's status message, when it gave one. */
  readonly statusMessage: string | undefined;
  readonly reason: ModelRegistrationFailure;

  constructor(init: { modelName: string; version: string; status: string; statusMessage?: string; reason: ModelRegistrationFailure; waitedMs: number }) {
    const detail = init.statusMessage ? ` (${init.statusMessage})` : "";
    const message =
      init.reason === "timeout"
        ? `Version ${init.version} of registered model "${init.modelName}" was still ${init.status} after ${init.waitedMs} ms. ` +
          `Fix: wait longer (awaitReadyMs), or check the registry's background registration; client.models.waitUntilReady("${init.modelName}", "${init.version}") waits again.`
        : `Version ${init.version} of registered model "${init.modelName}" failed to register: ${init.status}${detail}. ` +
          `Fix: check that the source's files exist and are readable by the registry, then register again (the failed version can be deleted).`;
    super(message);
    this.modelName = init.modelName;
    this.version = init.version;
    this.status = init.status;
    this.statusMessage = init.statusMessage;
    this.reason = init.reason;
  }
}
