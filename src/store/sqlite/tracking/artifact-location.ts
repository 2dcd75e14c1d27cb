/**
 * Artifact locations as MLflow's SQL store computes them: the default root is `./mlruns` resolved
 * against the working folder (an absolute path, no `file:` scheme), an experiment's location is
 * `<root>/<experiment_id>`, a run's artifact URI is `<experiment location>/<run_id>/artifacts`
 * (`mlflow/utils/uri.py`: `resolve_uri_if_local`, `append_to_uri_path`).
 */
import { isAbsolute, resolve } from "node:path";
import { invalidParameter } from "../engine/errors.js";

/** Longest experiment artifact location, as `MLFLOW_ARTIFACT_LOCATION_MAX_LENGTH`: 2048 characters. */
export const MAX_ARTIFACT_LOCATION_LENGTH = 2048;

const URI = /^([a-zA-Z][a-zA-Z0-9+.-]*):(\/\/[^/?#]*)?([^?#]*)(\?[^#]*)?(#.*)?$/;

/**
 * MLflow's default artifact root for a client-side SQL store: `<cwd>/mlruns`.
 * @internal
 */
export function defaultArtifactRoot(cwd: string = process.cwd()): string {
  return resolve(cwd, "mlruns");
}

/**
 * Appends POSIX path segments to the path of a URI or plain path, keeping its scheme, host and
 * query (`append_to_uri_path`).
 * @example
 * appendToUriPath("s3://bucket/root?x=1", "7", "artifacts") // "s3://bucket/root/7/artifacts?x=1"
 * @internal
 */
export function appendToUriPath(uri: string, ...segments: string[]): string {
  const suffix = segments.reduce(joinPosix, "");
  const match = URI.exec(uri);
  if (!match) return joinPosix(uri, suffix);
  const [, scheme, authority = "", path = "", query = "", fragment = ""] = match;
  const netloc = authority || (scheme!.toLowerCase() === "file" && path.startsWith("/") ? "//" : "");
  return `${scheme}:${netloc}${joinPosix(path, suffix)}${query}${fragment}`;
}

/**
 * Resolves a relative local path (or relative `file:` URI) against the working folder; other URIs
 * are returned unchanged (`resolve_uri_if_local`).
 * @internal
 */
export function resolveIfLocal(location: string, cwd: string = process.cwd()): string {
  const match = URI.exec(location);
  if (!match) return isAbsolute(location) ? location : resolve(cwd, location);
  const [, scheme, authority = "", path = ""] = match;
  if (scheme!.toLowerCase() !== "file" || authority || isAbsolute(path)) return location;
  return `file://${resolve(cwd, decodeURIComponent(path))}`;
}

/**
 * Checks an experiment artifact location as the server does: no `#fragment`, no `;params`, no
 * `..` in the query, not a `runs:` URI, at most 2048 characters.
 * @throws {StoreException} `INVALID_PARAMETER_VALUE` naming the rule.
 * @internal
 */
export function validateArtifactLocation(location: string): void {
  const match = URI.exec(location);
  if (match?.[1]?.toLowerCase() === "runs")
    throw invalidParameter(`Invalid artifact_location '${location}': 'runs:' URIs cannot be used as an experiment's artifact location.`);
  if (match?.[5]) throw invalidParameter(`Invalid artifact_location '${location}': URI fragments ('#...') are not allowed.`);
  if (match && /;/.test(match[3] ?? "")) throw invalidParameter(`Invalid artifact_location '${location}': URI parameters (';...') are not allowed.`);
  if (match?.[4]?.includes("..")) throw invalidParameter(`Invalid artifact_location '${location}': the query must not contain '..'.`);
  if (location.length > MAX_ARTIFACT_LOCATION_LENGTH) {
    throw invalidParameter(
      `Invalid artifact_location: it has ${location.length} characters; at most ${MAX_ARTIFACT_LOCATION_LENGTH} are allowed (MLFLOW_ARTIFACT_LOCATION_MAX_LENGTH).`,
    );
  }
}

/** `_join_posixpaths_and_append_absolute_suffixes`: joins, treating an absolute suffix as relative. */
function joinPosix(prefix: string, suffix: string): string {
  if (prefix.length === 0) return suffix;
  const relative = suffix.replace(/^\/+/, "");
  if (relative === "") return prefix.endsWith("/") ? prefix : `${prefix}/`;
  return prefix.endsWith("/") ? `${prefix}${relative}` : `${prefix}/${relative}`;
}
