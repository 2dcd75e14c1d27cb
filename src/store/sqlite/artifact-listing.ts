/**
 * `artifacts/list` in the embedded store: the run's artifact directory on the local disk, listed as
 * MLflow's `LocalArtifactRepository` lists it (paths relative to the run's root, sorted; a path
 * that names a file lists nothing).
 */
import { parseArtifactUri } from "../../artifacts/artifact-uri.js";
import { isSafeArtifactPath } from "../../artifacts/path-safety.js";
import { LocalArtifactStore } from "../../artifacts/local.js";
import type { FileInfo } from "../../entities/tracking.js";
import type { EndpointRequest } from "../endpoints.js";
import type { StoreContext } from "./context.js";
import { invalidParameter, StoreException } from "./errors.js";

/** `artifacts/list`. @internal */
export async function listArtifacts(ctx: StoreContext, request: EndpointRequest<"artifacts.list">): Promise<{ root_uri: string; files: FileInfo[] }> {
  const path = request.path?.replace(/\/+$/, "") ?? "";
  if (path !== "" && !isSafeArtifactPath(path)) throw invalidParameter("Invalid path");
  const run = ctx.getRun(request.run_id);
  const rootUri = run.artifact_uri ?? "";
  const directory = localDirectory(rootUri);
  if (directory === undefined) {
    throw new StoreException(
      "NOT_IMPLEMENTED",
      `The embedded store lists only artifacts on the local disk; run ${run.run_uuid} keeps its artifacts at ${rootUri}. Fix: list them with the artifact store of that URI.`,
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
