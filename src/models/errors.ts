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

/** Why a gate's promotion was refused: the baseline moved before it, or another gate won the race. */
export type GatePromotionFailure = "baseline-moved" | "lost-race";

/**
 * A gate passed but did not move the alias, because another writer moved it: before this gate set
 * it (`reason: "baseline-moved"`: the alias no longer points at the baseline the gate compared
 * against), or just after (`reason: "lost-race"`: a concurrent gate set it last). `version` is this
 * gate's candidate version when it was registered (it stays registered, without the alias).
 *
 * @example
 * catch (e) { if (e instanceof GatePromotionError) console.log(e.reason, e.expectedVersion, e.actualVersion) }
 */
export class GatePromotionError extends MlflowError {
  readonly reason: GatePromotionFailure;
  /** Registered model name. */
  readonly modelName: string;
  readonly alias: string;
  /** The version the alias pointed at when the gate compared (undefined: no alias yet). */
  readonly expectedVersion: string | undefined;
  /** The version it points at now (undefined: no alias). */
  readonly actualVersion: string | undefined;
  /** This gate's candidate version, when it was registered. */
  readonly version: string | undefined;

  constructor(init: {
    reason: GatePromotionFailure;
    modelName: string;
    alias: string;
    expectedVersion: string | undefined;
    actualVersion: string | undefined;
    version: string | undefined;
  }) {
    const uri = `models:/${init.modelName}@${init.alias}`;
    const show = (version: string | undefined) => (version === undefined ? "(none)" : `version ${version}`);
    const kept = init.version === undefined ? "" : ` Version ${init.version} stays registered without the alias.`;
    const message =
      init.reason === "baseline-moved"
        ? `baseline moved: ${uri} was ${show(init.expectedVersion)} when the gate compared, now ${show(init.actualVersion)}; the alias was not changed.${kept} Fix: re-run the gate against the new baseline.`
        : `lost the race: another gate set ${uri} to ${show(init.actualVersion)} after this gate set it to ${show(init.version)}; that gate's promotion stands.${kept} Fix: re-run the gate against the new baseline.`;
    super(message);
    this.reason = init.reason;
    this.modelName = init.modelName;
    this.alias = init.alias;
    this.expectedVersion = init.expectedVersion;
    this.actualVersion = init.actualVersion;
    this.version = init.version;
  }
}
