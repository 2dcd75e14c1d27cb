/**
 * The journal's few file-system primitives whose durability matters, in one place: a write that
 * loops over short writes, a directory fsync (a created, renamed or removed file survives a power cut
 * only once its directory is synced), and an atomic file replacement (temporary file, fdatasync,
 * rename, directory fsync).
 * @internal
 * @module
 */

import type { FileHandle } from "node:fs/promises";
import { open, rename } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/**
 * Writes `bytes` bytes of `buffer` at `position`, looping over short writes.
 * @throws the file system's error (ENOSPC, EIO…).
 * @example
 * await writeFully(handle, group.bytes, group.length, segment.committedBytes);
 */
export async function writeFully(handle: FileHandle, buffer: Uint8Array, bytes: number, position: number): Promise<void> {
  let written = 0;
  while (written < bytes) {
    const result = await handle.write(buffer, written, bytes - written, position + written);
    if (result.bytesWritten === 0) throw Object.assign(new Error("write made no progress"), { code: "EIO" });
    written += result.bytesWritten;
  }
}

/**
 * fsyncs the directory `dir`; does nothing where directories cannot be fsynced (Windows).
 * @throws the file system's error when the directory cannot be opened or synced.
 * @example
 * await rename(temporary, final); await syncDirectory(dirname(final));
 */
export async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === "win32") return;
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Replaces `path` with `bytes` so that a crash leaves either the old file or the new one, whole.
 * @throws the file system's error.
 * @example
 * await writeFileAtomically(join(dir, "meta.json"), Buffer.from(json));
 */
export async function writeFileAtomically(path: string, bytes: Uint8Array): Promise<void> {
  const temporary = join(dirname(path), `${basename(path)}.tmp`);
  const handle = await open(temporary, "w");
  try {
    await writeFully(handle, bytes, bytes.length, 0);
    await handle.datasync();
  } finally {
    await handle.close();
  }
  await rename(temporary, path);
  await syncDirectory(dirname(path));
}
