/**
 * Artifacts in the journal are files to upload later, recorded by path, size, mtime and SHA-256 (not
 * by content: a checkpoint can be gigabytes). {@link describeArtifact} makes the entry (it streams the
 * file through the hash, off the hot path); {@link artifactUnchanged} tells, at upload time, whether
 * the file is still the one that was journaled, so a file overwritten since is never uploaded in its
 * place.
 * @internal
 * @module
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import type { ArtifactEntry } from "./entries.js";

async function sha256Of(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/**
 * Describes a local file for the journal.
 * @param artifactPath - Folder inside the run's artifact root. @defaultValue ""
 * @throws the file system's error when the file cannot be read, or a `TypeError` when it is not a regular file.
 * @example
 * journal.appendArtifact(await describeArtifact("model.onnx", "model"));
 */
export async function describeArtifact(localPath: string, artifactPath = ""): Promise<ArtifactEntry> {
  const path = resolve(localPath);
  const before = await stat(path);
  if (!before.isFile()) throw new TypeError(`${path} is not a regular file. Fix: journal files one by one.`);
  const sha256 = await sha256Of(path);
  const after = await stat(path);
  if (after.size !== before.size || after.mtimeMs !== before.mtimeMs)
    throw Object.assign(new Error(`${path} changed while it was being hashed. Fix: log it once it is written.`), { code: "EBUSY" });
  return { localPath: path, artifactPath, sizeBytes: before.size, mtimeMs: before.mtimeMs, sha256 };
}

/**
 * What became of a journaled file: `unchanged` (same size, same mtime, same SHA-256: safe to upload),
 * `changed` (it is there but is not the file that was logged) or `missing` (gone, or no longer a
 * readable regular file).
 */
export type ArtifactState = "unchanged" | "changed" | "missing";

/**
 * Tells whether the file is still the one journaled: size and mtime first, then the SHA-256 of its
 * content (streamed). Never throws.
 * @example
 * if ((await artifactState(record.artifact)) === "missing") report.push(`${record.artifact.localPath} is gone`);
 */
export async function artifactState(entry: ArtifactEntry): Promise<ArtifactState> {
  let now: Awaited<ReturnType<typeof stat>>;
  try {
    now = await stat(entry.localPath);
  } catch {
    return "missing";
  }
  if (!now.isFile()) return "missing";
  if (now.size !== entry.sizeBytes || now.mtimeMs !== entry.mtimeMs) return "changed";
  try {
    return (await sha256Of(entry.localPath)) === entry.sha256 ? "unchanged" : "changed";
  } catch {
    return "missing";
  }
}

/**
 * Whether the file is still the one journaled: same size, same mtime, same SHA-256. `false` when it
 * is gone or unreadable.
 * @example
 * if (await artifactUnchanged(record.artifact)) await client.artifacts.upload(runId, record.artifact.localPath, { artifactPath: record.artifact.artifactPath });
 */
export async function artifactUnchanged(entry: ArtifactEntry): Promise<boolean> {
  return (await artifactState(entry)) === "unchanged";
}
