/**
 * Puts a user's files into the model folder being written: hard-linked when the file system
 * allows it (no copy of a multi-gigabyte model), copied otherwise. Folders are walked as an upload
 * walks them: links to files followed, links to folders not descended.
 */
import { copyFile, link, mkdir, readdir, stat } from "node:fs/promises";
import { dirname, join } from "node:path";

/** Places one file at `target`. @internal */
export async function placeFile(source: string, target: string): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  try {
    await link(source, target);
  } catch {
    await copyFile(source, target);
  }
}

/** Places every file under `source` below `target`, keeping relative paths; returns how many. @internal */
export async function placeFolder(source: string, target: string): Promise<number> {
  let count = 0;
  for (const entry of await readdir(source, { withFileTypes: true })) {
    const from = join(source, entry.name);
    const to = join(target, entry.name);
    if (entry.isDirectory()) {
      count += await placeFolder(from, to);
      continue;
    }
    const info = await stat(from).catch(() => undefined);
    if (!info?.isFile()) continue;
    await placeFile(from, to);
    count++;
  }
  return count;
}
