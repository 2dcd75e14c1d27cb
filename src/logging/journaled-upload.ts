/**
 * Why this file exists: a run's artifact uploads go through its journal (issue #14 item 1,
 * docs/journal.md "Journaled artifacts"), so that a process killed during an upload, or whose upload
 * failed transiently, still gets its files to the server: each file of a `logArtifact(s)` call is
 * journaled by path, size, mtime and SHA-256 (streamed, never its content) and synced before the
 * upload starts, then acknowledged once the upload succeeded. Recovery uploads a journaled,
 * unacknowledged file only if it is unchanged, and reports it otherwise. Artifacts built in memory
 * (`logText`, `logDict`, `logTable`, `logImage`…) have no file to come back to: their bytes are
 * copied into the journal as a blob (journal/blob.ts) and go the same way.
 */
import { Readable } from "node:stream";
import { checkArtifactPath, joinArtifactPath } from "../artifacts/path-safety.js";
import { planUpload } from "../artifacts/transfer.js";
import type { UploadOptions, UploadResult } from "../artifacts/types.js";
import type { MlflowClient } from "../client/client.js";
import { AbortError, ConnectionError, isMlflowError, TimeoutError } from "../core/errors.js";
import { type ArtifactEntry, describeArtifact } from "../journal/index.js";
import type { JournalFeed } from "./batcher/journal-feed.js";

/**
 * Uploads `localPath` (a file or a directory) to the run's artifacts as `client.artifacts.upload`
 * does, journaling its files first when the run has a journal that writes. A failure that recovery
 * may still overcome (unreachable server or S3, timeout, 5xx) leaves the files journaled, pending;
 * any other failure acknowledges them (it is the caller's to handle). The error is rethrown as is.
 *
 * @throws whatever `client.artifacts.upload` throws (the same errors as without a journal).
 * @example
 * await journaledUpload(client, runId, feed, "model.onnx", { artifactPath: "model" });
 * @internal
 */
export async function journaledUpload(
  client: MlflowClient,
  runId: string,
  feed: JournalFeed | undefined,
  localPath: string,
  options: UploadOptions,
): Promise<UploadResult> {
  const entries = feed?.active ? await describeUpload(localPath, options.artifactPath) : [];
  if (feed === undefined || entries.length === 0) return client.artifacts.upload(runId, localPath, options);
  const seqs = await feed.appendArtifacts(entries);
  return settled(feed, seqs, () => client.artifacts.upload(runId, localPath, options));
}

/**
 * Uploads in-memory data as the artifact `artifactFile` as `client.artifacts.uploadData` does,
 * copying its bytes into the run's journal first (a blob, synced) when the run has a journal that
 * writes, so a kill during the upload, or a transient failure, leaves it to recovery. A stream, and
 * bytes above the journal's blob limits (one warning per run), are uploaded from memory only.
 *
 * @throws whatever `client.artifacts.uploadData` throws (the same errors as without a journal).
 * @example
 * await journaledUploadData(client, runId, feed, JSON.stringify({ acc: 0.9 }), "eval/metrics.json", {});
 * @internal
 */
export async function journaledUploadData(
  client: MlflowClient,
  runId: string,
  feed: JournalFeed | undefined,
  data: string | Uint8Array | Readable,
  artifactFile: string,
  options: UploadOptions,
): Promise<UploadResult> {
  if (feed === undefined || !feed.active || data instanceof Readable || (typeof data !== "string" && !(data instanceof Uint8Array)))
    return client.artifacts.uploadData(runId, data, artifactFile, options);
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  // The unsafe-path check runs before anything is journaled: a refused path leaves no entry.
  const file = checkArtifactPath(joinArtifactPath(options.artifactPath, artifactFile), "artifactFile");
  const seq = await feed.appendBlob(bytes, file);
  return settled(feed, seq === undefined ? [] : [seq], () => client.artifacts.uploadData(runId, data, artifactFile, options));
}

/** Runs an upload whose entries `seqs` are journaled: acknowledged once it succeeded or failed for good, kept when recovery may still overcome the failure. */
async function settled(feed: JournalFeed, seqs: readonly number[], upload: () => Promise<UploadResult>): Promise<UploadResult> {
  if (seqs.length === 0) return upload();
  try {
    const result = await upload();
    feed.acknowledgeArtifacts(seqs);
    return result;
  } catch (error) {
    if (!keptForRecovery(error)) feed.acknowledgeArtifacts(seqs);
    throw error;
  }
}

/**
 * The journal entries of the files an upload covers, as `planUpload` names them (a file of a
 * directory goes to the folder of its artifact path). Empty when the upload cannot even be planned
 * (a missing path, an unsafe artifact path): the upload itself then fails with its usual error. A
 * file that cannot be hashed (it changed while being read, or vanished) is left out of the journal
 * and uploaded all the same.
 * @example
 * const entries = await describeUpload("./out", "model"); // one entry per file, by path and SHA-256
 * @internal
 */
export async function describeUpload(localPath: string, artifactPath: string | undefined): Promise<ArtifactEntry[]> {
  const plan = await planUpload(localPath, artifactPath).catch(() => undefined);
  if (plan === undefined) return [];
  const entries: ArtifactEntry[] = [];
  for (const file of plan.files) {
    const slash = file.artifactFile.lastIndexOf("/");
    const entry = await describeArtifact(file.path, slash < 0 ? "" : file.artifactFile.slice(0, slash)).catch(() => undefined);
    if (entry !== undefined) entries.push(entry);
  }
  return entries;
}

/** Whether a failed upload should stay journaled: a transient failure, not an abort by the caller nor a refusal. */
function keptForRecovery(error: unknown): boolean {
  if (error instanceof AbortError) return false;
  return error instanceof ConnectionError || error instanceof TimeoutError || (isMlflowError(error) && error.retryable);
}
