/**
 * `artifacts/list` in the embedded store: the run's artifact directory on the local disk, listed as
 * MLflow's `LocalArtifactRepository` lists it (paths relative to the run's root, sorted; a path
 * that names a file lists nothing).
 */
import { parseArtifactUri } from "../../../artifacts/artifact-uri.js";
import { LocalArtifactStore } from "../../../artifacts/local-store.js";
import { decodeArtifactPath, isSafeArtifactPath } from "../../../artifacts/path-safety.js";
import type { EndpointRequest } from "../../../protocol/endpoints.js";
import type { FileInfo } from "../../../protocol/entities/tracking.js";
import type { StoreContext } from "../engine/context.js";
import { invalidParameter, StoreException } from "../engine/errors.js";

/** `artifacts/list`. @internal */
export async function listArtifacts(ctx: StoreContext, request: EndpointRequest<"artifacts.list">): Promise<{ root_uri: string; files: FileInfo[] }> {
  const path = checkedListingPath(request.path);
  const run = ctx.getRun(request.run_id);
  return listLocalArtifacts(run.artifact_uri ?? "", path, `run ${run.run_uuid}`);
}

/**
 * A listing path as the server takes it (`validate_path_is_safe`): trailing slashes dropped, `""`
 * for the root, percent-decoded as the server decodes it.
 * @throws {StoreException} `INVALID_PARAMETER_VALUE` ("Invalid path") for an unsafe path.
 * @internal
 */
export function checkedListingPath(path: string | undefined): string {
  const trimmed = path?.replace(/\/+$/, "") ?? "";
  if (trimmed === "") return "";
  if (!isSafeArtifactPath(trimmed)) throw invalidParameter("Invalid path");
  return decodeArtifactPath(trimmed) ?? trimmed;
}

/**
 * Lists `path` under the local directory of `rootUri` (a run's or a logged model's artifact root).
 * @param owner - Who keeps the artifacts there, for the error, e.g. `run 0f3c…`.
 * @throws {StoreException} `NOT_IMPLEMENTED` when `rootUri` is not on the local disk.
 * @internal
 */
export async function listLocalArtifacts(rootUri: string, path: string, owner: string): Promise<{ root_uri: string; files: FileInfo[] }> {
  const directory = localDirectory(rootUri);
  if (directory === undefined) {
    throw new StoreException(
      "NOT_IMPLEMENTED",
      `The embedded store lists only artifacts on the local disk; ${owner} keeps its artifacts at ${rootUri}. Fix: list them with the artifact store of that URI.`,
    );
  }
  const files = await new LocalArtifactStore(directory).list(path, {});
  return { root_uri: rootUri, files };
}

function localDirectory(uri: string): string | undefined {
  try {
    const location = parseArtifactUri(uri);
    return location.kind === "local" ? location.directory : undefined;
  } catch {
    return undefined;
  }
}
