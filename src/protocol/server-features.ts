/**
 * The server features not every supported MLflow release has: for each, the first release that
 * serves it and the endpoints it gates. One table, so that the typed "feature unavailable" error,
 * the doctor's list and the fallbacks (logModel, sync) agree. The first versions come from the
 * routes survey (scripts/stack/routes-survey.ts, committed as scripts/stack/routes-survey.json);
 * test/unit/protocol/server-features.test.ts checks this table against it, endpoint by endpoint.
 *
 * A first version is the first *final patch of a minor release* the survey found serving the
 * feature (the stack pins final patches only); the feature is claimed for that whole minor
 * release, so comparisons are by major.minor.
 */
import type { EndpointName } from "./endpoints.js";

/** One feature: who has it, what it gates. */
export interface ServerFeatureSpec {
  /** What a reader calls it, e.g. `"logged models"`. */
  readonly title: string;
  /** The first release found serving it (a final patch; the whole minor release is assumed to). */
  readonly firstVersion: string;
  /** The endpoints of the endpoint table it gates. */
  readonly endpoints: readonly EndpointName[];
  /** Paths outside the endpoint table it gates (the server-info route). */
  readonly paths: readonly string[];
  /** What the caller can do on an older server (the error's "Fix: …" after "upgrade the server"). */
  readonly otherwise: string;
}

function feature(title: string, firstVersion: string, endpoints: readonly EndpointName[], otherwise: string, paths: readonly string[] = []): ServerFeatureSpec {
  return { title, firstVersion, endpoints, paths, otherwise };
}

/** The name of every gated feature, oldest first: the literal list behind {@link ServerFeature}. */
export const SERVER_FEATURE_NAMES = [
  "logged-models",
  "run-outputs",
  "experiment-tag-delete",
  "webhooks",
  "use-permission",
  "server-info",
  "workspaces",
  "permission-grants",
  "deny-permission",
] as const;

/** A gated feature's name, e.g. `"logged-models"`. */
export type ServerFeature = (typeof SERVER_FEATURE_NAMES)[number];

/** Every gated feature: its first version and the endpoints it gates. */
// biome-ignore format: one row per feature keeps the table readable
export const SERVER_FEATURES: Readonly<Record<ServerFeature, ServerFeatureSpec>> = {
  "logged-models": feature("logged models", "3.0.1", [
    "loggedModels.create", "loggedModels.get", "loggedModels.finalize", "loggedModels.delete", "loggedModels.search",
    "loggedModels.setTags", "loggedModels.deleteTag", "loggedModels.logParams", "loggedModels.listArtifacts",
  ], "on an MLflow 2 server log the model as run artifacts (run.logModel and client.models.log do it by themselves for a run) and register it from runs:/<run id>/<name>."),
  "run-outputs": feature("run outputs (logged models a run produced)", "3.0.1", ["runs.logOutputs"],
    "on an MLflow 2 server a run's models are its artifacts, recorded in its mlflow.log-model.history tag."),
  "experiment-tag-delete": feature("deleting an experiment tag", "3.2.0", ["experiments.deleteTag"],
    "set the tag to an empty value instead (client.experiments.setTag(id, key, \"\"))."),
  "webhooks": feature("model-registry webhooks", "3.3.2", [
    "webhooks.create", "webhooks.list", "webhooks.get", "webhooks.update", "webhooks.delete", "webhooks.test",
  ], "poll the registry instead (client.modelVersions.search)."),
  "server-info": feature("the server-info endpoint", "3.10.1", [], "read the server's version from GET /version (client.server.version()).",
    ["/api/3.0/mlflow/server-info"]),
  "workspaces": feature("workspaces", "3.10.1", ["workspaces.list", "workspaces.create", "workspaces.get", "workspaces.update", "workspaces.delete"],
    "unset MLFLOW_WORKSPACE (or the workspace option): a server before 3.10 keeps every experiment in one namespace."),
  // The basic-auth app (`--app-name basic-auth`): not in the routes survey (routes.py loads the
  // tracking app only); dated from each release's mlflow/server/auth/routes.py and permissions.py.
  "permission-grants": feature("per-user permission grants", "3.13.0", [
    "auth.permissions.grant", "auth.permissions.revoke", "auth.permissions.get", "auth.permissions.list",
  ], "use client.auth.experimentPermissions / registeredModelPermissions / users.permissions, which speak the per-resource permission API of older servers by themselves."),
  "use-permission": feature("the USE permission", "3.9.0", [],
    "grant READ (reading is all USE adds on an experiment or a registered model)."),
  "deny-permission": feature("the DENY permission", "3.17.2", [],
    "revoke the user's grant on the resource and rely on the server's default_permission (servers before 3.13 also take a NO_PERMISSIONS grant)."),
};

const BY_ENDPOINT: ReadonlyMap<string, ServerFeature> = new Map(
  SERVER_FEATURE_NAMES.flatMap((name) => SERVER_FEATURES[name].endpoints.map((endpoint) => [endpoint, name] as const)),
);

/**
 * The feature that gates an endpoint, or `undefined` when every supported release serves it.
 * @example
 * featureOfEndpoint("webhooks.create") // "webhooks"
 * @internal
 */
export function featureOfEndpoint(name: EndpointName): ServerFeature | undefined {
  return BY_ENDPOINT.get(name);
}

/** `major.minor` of a version, e.g. `"3.3"` for `"3.3.2"`. */
export function minorRelease(version: string): string {
  return version.split(".").slice(0, 2).join(".");
}

/**
 * Whether a server of `version` lacks `feature` (compared by major.minor; see the module comment).
 * `undefined` when the version does not parse (a development build, a fork's own numbering).
 * @example
 * serverLacks("2.22.5", "logged-models") // true
 * serverLacks("3.3.0", "webhooks") // false
 * @internal
 */
export function serverLacks(version: string, feature: ServerFeature): boolean | undefined {
  return releasedBefore(version, SERVER_FEATURES[feature].firstVersion);
}

/**
 * Whether `version` is of a minor release before `first`'s (compared by major.minor, as
 * {@link serverLacks}); `undefined` when either does not parse. For a server behaviour that changed
 * without a route to gate (the proxied prefix delete before 3.16).
 * @example
 * releasedBefore("2.14.3", "3.16") // true
 * releasedBefore("3.16.0rc0", "3.16.1") // false
 * @internal
 */
export function releasedBefore(version: string, first: string): boolean | undefined {
  const have = parseMinor(version);
  const need = parseMinor(first);
  if (have === undefined || need === undefined) return undefined;
  return have[0] !== need[0] ? have[0] < need[0] : have[1] < need[1];
}

/**
 * The features a server of `version` lacks, in the table's order (none when the version does not parse).
 * @example
 * featuresMissingIn("3.0.1") // ["experiment-tag-delete", "webhooks", "use-permission", "server-info", "workspaces", "permission-grants", "deny-permission"]
 * @internal
 */
export function featuresMissingIn(version: string): ServerFeature[] {
  return SERVER_FEATURE_NAMES.filter((name) => serverLacks(version, name) === true);
}

function parseMinor(version: string): [number, number] | undefined {
  const match = /^(\d+)\.(\d+)/.exec(version.trim());
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}
