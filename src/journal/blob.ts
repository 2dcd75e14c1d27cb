/**
 * Why this file exists: an artifact built in memory (`logText`, `logDict`, `logTable`, `logImage`…)
 * has no file that recovery could upload later, so its bytes are copied into the journal's folder
 * before the upload starts: one content-addressed blob, `blobs/<sha256>`, written to a temporary
 * name, fdatasynced, renamed and its folder fsynced, so a kill leaves either no blob or the whole
 * one. The journal record (kind 9) names the blob by its SHA-256; recovery reads the blob back and
 * uploads it only if it still hashes to that SHA-256. The limits below bound what it may take.
 * @internal
 * @module
 */
import { createHash } from "node:crypto";
import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { syncDirectory, writeFully } from "./durable-fs.js";
import type { BlobEntry } from "./entries.js";
import { BLOB_FOLDER } from "./format.js";

/**
 * Largest artifact built in memory that is copied into the journal: 64 MiB. A larger one is
 * uploaded from memory only (one warning per run says so): a kill during its upload loses it.
 */
export const MAX_BLOB_BYTES = 64 * 1024 * 1024;

/**
 * Most blob bytes one journal keeps on disk at a time: 256 MiB (blobs leave with their segment, once
 * acknowledged). An artifact that would pass it is uploaded from memory only, with the same warning.
 */
export const MAX_JOURNAL_BLOB_BYTES = 256 * 1024 * 1024;

let nextTemporary = 0;

/**
 * The SHA-256 of `bytes`, 64 lowercase hex digits.
 * @example
 * sha256Hex(Buffer.from("hello")) // "2cf24dba…"
 */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * Path of the blob `sha256` in the journal folder `dir`.
 * @example
 * blobPath(journal.path, entry.sha256) // "<journal>/blobs/2cf24dba…"
 */
export function blobPath(dir: string, sha256: string): string {
  return join(dir, BLOB_FOLDER, sha256);
}

/**
 * Writes `bytes` as the blob `sha256` of the journal folder `dir`, durably: temporary name,
 * fdatasync, rename, folder fsync. Content-addressed, so writing the same bytes again replaces the
 * blob with itself.
 * @throws the file system's error (ENOSPC, EROFS, EACCES…); a temporary file is removed first.
 * @example
 * await writeBlob(journal.path, sha256Hex(bytes), bytes);
 */
export async function writeBlob(dir: string, sha256: string, bytes: Uint8Array): Promise<void> {
  const folder = join(dir, BLOB_FOLDER);
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const temporary = join(folder, `${sha256}.tmp-${process.pid}-${nextTemporary++}`);
  try {
    const handle = await open(temporary, "w", 0o600);
    try {
      await writeFully(handle, bytes, bytes.byteLength, 0);
      await handle.datasync();
    } finally {
      await handle.close();
    }
    await rename(temporary, blobPath(dir, sha256));
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined);
    throw error;
  }
  await syncDirectory(folder);
}

/** A blob as recovery finds it: its bytes, or why it cannot be uploaded. */
export type BlobRead = { state: "ok"; bytes: Buffer } | { state: "missing" | "damaged"; detail: string };

/**
 * Reads the blob a journal entry names and checks it: `ok` with the bytes when they have the
 * entry's size and SHA-256, `missing` when the file is gone or unreadable, `damaged` otherwise.
 * Never throws.
 * @example
 * const read = await readBlob(journal.path, record.blob);
 * if (read.state === "ok") await client.artifacts.uploadData(runId, read.bytes, record.blob.artifactFile);
 */
export async function readBlob(dir: string, entry: BlobEntry): Promise<BlobRead> {
  const path = blobPath(dir, entry.sha256);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    return { state: "missing", detail: `${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"})` };
  }
  if (bytes.byteLength !== entry.sizeBytes)
    return { state: "damaged", detail: `${path} holds ${bytes.byteLength} bytes, the journal recorded ${entry.sizeBytes}` };
  if (sha256Hex(bytes) !== entry.sha256) return { state: "damaged", detail: `${path} no longer hashes to the SHA-256 the journal recorded` };
  return { state: "ok", bytes };
}
