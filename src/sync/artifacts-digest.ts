/**
 * A cheap fingerprint of a run's local artifact directory, kept on its copy so that a later sync
 * notices files added or overwritten at the source after the copy was complete. Only paths, sizes
 * and modification times are read, never the files' contents.
 */
import { createHash } from "node:crypto";
import { stat } from "node:fs/promises";
import { planUpload } from "../artifacts/transfer.js";
import { localDirectory } from "./copy-artifacts.js";

/**
 * The sha256 (hex) of the source's artifact tree: one line per file, in the order of their relative
 * paths, with the path, the size in bytes and the modification time in whole milliseconds. A run
 * without an artifact directory gets the digest of an empty tree.
 *
 * @returns `undefined` for an artifact URI that is not local (`s3://`, `mlflow-artifacts:`…): such
 *   trees are not fingerprinted, and changes to them after a copy are not noticed.
 * @throws {UnsafeArtifactPathError} when a file's relative path cannot be an artifact path; fs errors other than a missing directory.
 * @example
 * await artifactsDigest("file:///home/me/mlruns/1/0a1b/artifacts"); // "9f86d08…"
 * await artifactsDigest("s3://bucket/1/0a1b/artifacts");             // undefined
 */
export async function artifactsDigest(artifactUri: string): Promise<string | undefined> {
  if (artifactUri === "") return undefined;
  const directory = localDirectory(artifactUri);
  if (directory === undefined) return undefined;
  const hash = createHash("sha256");
  const info = await stat(directory).catch(() => undefined);
  if (!info?.isDirectory()) return hash.digest("hex"); // nothing logged yet: the empty tree
  const { files } = await planUpload(directory, undefined);
  for (const file of files) {
    const { mtimeMs } = await stat(file.path);
    hash.update(`${file.artifactFile}\t${file.size}\t${Math.floor(mtimeMs)}\n`);
  }
  return hash.digest("hex");
}
