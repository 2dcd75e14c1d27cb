/**
 * Copying artifacts: a local artifact directory (the embedded store's) is uploaded as it is;
 * artifacts elsewhere (a source experiment with an `s3://` location, a source server) are
 * downloaded into a temporary directory first, then uploaded. The target store is whatever the
 * copy's artifact URI names (S3, the server's proxy, a local path): through `client.artifacts` for
 * runs, through the client's {@link ArtifactStores} for logged models (which have no run).
 */
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ArtifactStore } from "../artifacts/artifact-store.js";
import { ArtifactStores } from "../artifacts/artifact-stores.js";
import { parseArtifactUri } from "../artifacts/artifact-uri.js";
import { downloadTree, planUpload, uploadFiles } from "../artifacts/transfer.js";
import type { MlflowClient } from "../client/client.js";
import { internalsOf } from "../client/internals.js";
import type { Run } from "../protocol/entities/tracking.js";

/** Files and bytes uploaded. */
export interface ArtifactCounts {
  files: number;
  bytes: number;
}

const NOTHING: ArtifactCounts = { files: 0, bytes: 0 };

/**
 * Uploads every artifact of `source` to the target run, keeping their relative paths.
 *
 * @throws {ArtifactError} or {@link MlflowApiError} when reading or writing fails; `AbortError` when the signal fires.
 * @example
 * const { files, bytes } = await copyArtifacts(from, to, sourceRun, targetRunId);
 */
export async function copyArtifacts(from: MlflowClient, to: MlflowClient, source: Run, targetRunId: string, signal?: AbortSignal): Promise<ArtifactCounts> {
  const uri = source.info.artifact_uri;
  if (uri === "") return NOTHING;
  const directory = localDirectory(uri);
  if (directory !== undefined) return uploadDirectory(to, targetRunId, directory, signal);
  const listing = await from.artifacts.list(source.info.run_id, "", { signal });
  if (listing.length === 0) return NOTHING;
  const staging = await mkdtemp(join(tmpdir(), "mlflow-ts-sync-"));
  try {
    await from.artifacts.download(source.info.run_id, "", staging, { signal });
    return await uploadDirectory(to, targetRunId, staging, signal);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/**
 * The directory of a path or `file:` URI (what the embedded store gives its runs); `undefined` for remote URIs.
 *
 * @example
 * localDirectory("file:///home/me/mlruns/1/0a1b/artifacts"); // "/home/me/mlruns/1/0a1b/artifacts"
 * localDirectory("s3://bucket/1/0a1b/artifacts");             // undefined
 */
export function localDirectory(uri: string): string | undefined {
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(uri)?.[1];
  const local = scheme === undefined || scheme.length === 1 || scheme.toLowerCase() === "file";
  if (!local) return undefined;
  const location = parseArtifactUri(uri);
  return location.kind === "local" ? location.directory : undefined;
}

async function uploadDirectory(to: MlflowClient, targetRunId: string, directory: string, signal?: AbortSignal): Promise<ArtifactCounts> {
  const info = await stat(directory).catch(() => undefined);
  if (!info?.isDirectory()) return NOTHING; // a run that logged no artifact has no directory
  const result = await to.artifacts.upload(targetRunId, directory, { signal });
  return { files: result.paths.length, bytes: result.bytes };
}

/**
 * Artifact stores for the artifact URIs of `client`'s store (a server's `mlflow-artifacts:` URIs
 * go through its transport). The caller closes them.
 *
 * @example
 * const stores = artifactStoresOf(to);
 * try { await copyArtifactTree(sourceUri, fromStores, stores.forUri(copy.info.artifact_uri), 8) } finally { stores.close() }
 */
export function artifactStoresOf(client: MlflowClient): ArtifactStores {
  return new ArtifactStores(client.config, internalsOf(client).transport, undefined, client.server);
}

/**
 * Uploads every file under the artifact location `sourceUri` to `target`, keeping relative paths:
 * straight from the disk for a local location, through a temporary directory otherwise.
 *
 * @param concurrency - Files transferred at once.
 * @throws {ArtifactError} or {@link MlflowApiError} when reading or writing fails; `AbortError` when the signal fires.
 * @example
 * await copyArtifactTree(model.info.artifact_uri, artifactStoresOf(from), artifactStoresOf(to).forUri(copy.info.artifact_uri), 8, signal);
 */
export async function copyArtifactTree(
  sourceUri: string,
  sourceStores: ArtifactStores,
  target: ArtifactStore,
  concurrency: number,
  signal?: AbortSignal,
): Promise<ArtifactCounts> {
  if (sourceUri === "") return NOTHING;
  const directory = localDirectory(sourceUri);
  if (directory !== undefined) return uploadTree(target, directory, concurrency, signal);
  const source = sourceStores.forUri(sourceUri);
  if ((await source.list("", { signal })).length === 0) return NOTHING;
  const staging = await mkdtemp(join(tmpdir(), "mlflow-ts-sync-"));
  try {
    await downloadTree(source, "", staging, { signal }, concurrency);
    return await uploadTree(target, staging, concurrency, signal);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function uploadTree(target: ArtifactStore, directory: string, concurrency: number, signal?: AbortSignal): Promise<ArtifactCounts> {
  const info = await stat(directory).catch(() => undefined);
  if (!info?.isDirectory()) return NOTHING; // nothing was logged: no directory
  const plan = await planUpload(directory, undefined);
  const result = await uploadFiles(target, plan, { signal }, concurrency);
  return { files: result.paths.length, bytes: result.bytes };
}
