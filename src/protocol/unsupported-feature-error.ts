/**
 * The one error for a feature the tracking server is too old for: it names the feature, the first
 * MLflow release that has it and the release the server runs, instead of the server's bare 404
 * (an HTML page on some releases). The REST store raises it for a gated endpoint's 404
 * ENDPOINT_NOT_FOUND; the server capabilities raise it when asked for a feature up front.
 */
import { UNSUPPORTED_FEATURE_CODE } from "../core/error-codes.js";
import { MlflowError } from "../core/errors.js";
import { minorRelease, SERVER_FEATURES, type ServerFeature } from "./server-features.js";

/** What {@link UnsupportedFeatureError} is built from. */
export interface UnsupportedFeatureInit {
  feature: ServerFeature;
  /** The server's MLflow version, `undefined` when it did not say (GET /version failed). */
  serverVersion: string | undefined;
  /** Where the server is, `host:port` (never credentials). */
  address: string;
  /** The server's own error (its 404), when there was one. */
  cause?: unknown;
}

/**
 * The server lacks a feature: "`<feature>` needs MLflow ≥ X; the server at host:port runs Y. Fix: …".
 *
 * @example
 * try { await client.webhooks.list() }
 * catch (e) { if (e instanceof UnsupportedFeatureError) console.warn(e.feature, e.serverVersion, e.minVersion) }
 */
export class UnsupportedFeatureError extends MlflowError {
  /** The feature, e.g. `"webhooks"` (see `SERVER_FEATURES`). */
  readonly feature: ServerFeature;
  /** The first MLflow release with it, as major.minor, e.g. `"3.3"`. */
  readonly minVersion: string;
  /** The server's MLflow version, e.g. `"2.22.5"`; `undefined` when the server did not say. */
  readonly serverVersion: string | undefined;
  /** Where the server is, `host:port`. */
  readonly address: string;
  /** `ENDPOINT_NOT_FOUND`, as MLflow answers for the missing route. */
  readonly errorCode = UNSUPPORTED_FEATURE_CODE;

  constructor(init: UnsupportedFeatureInit) {
    const spec = SERVER_FEATURES[init.feature];
    const minVersion = minorRelease(spec.firstVersion);
    const runs = init.serverVersion === undefined ? "does not have it (it answered 404 and did not say its version)" : `runs ${init.serverVersion}`;
    super(
      `${capitalize(spec.title)} needs MLflow ≥ ${minVersion}; the server at ${init.address} ${runs}. Fix: upgrade the server to MLflow ${minVersion} or later, or ${spec.otherwise}`,
      {
        cause: init.cause,
      },
    );
    this.feature = init.feature;
    this.minVersion = minVersion;
    this.serverVersion = init.serverVersion;
    this.address = init.address;
  }
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
