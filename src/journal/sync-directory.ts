/**
 * Makes a directory's entries durable (a created, renamed or removed file survives a power cut only
 * once its directory is fsynced). Platforms that cannot open a directory for fsync skip it.
 * @internal
 * @module
 */
import { open } from "node:fs/promises";

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
