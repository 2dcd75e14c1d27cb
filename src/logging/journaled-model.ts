/**
 * Why this file exists: `logModel` on a run with a journal writes the model's folder inside the
 * journal's folder and journals it (every file by path, size, mtime and SHA-256, and where it goes)
 * before its upload, so that a process killed during `logModel` leaves the model for recovery to
 * finish, as path artifacts and blobs are (docs/journal.md, "Models"). This is the logger's side of
 * the models layer's `ModelJournal` hook (models/finish-model.ts).
 */
import { relative } from "node:path";
import type { ModelTarget } from "../journal/index.js";
import type { ModelJournal } from "../models/finish-model.js";
import type { JournalFeed } from "./batcher/journal-feed.js";
import { describeUpload } from "./journaled-upload.js";

/**
 * The run's journal as `logModel`'s hook, or `undefined` when the run has no journal that writes.
 * A model whose files cannot all be hashed, or above the journal's disk bound, is uploaded without
 * an entry (a kill then leaves it UPLOAD_FAILED, as before).
 * @example
 * await logModel(client, { ...options, runId }, tags, modelJournal(feed));
 * @internal
 */
export function modelJournal(feed: JournalFeed | undefined): ModelJournal | undefined {
  if (feed === undefined || !feed.active) return undefined;
  return {
    modelFolder: () => feed.modelFolder(),
    async record(dir: string, target: ModelTarget): Promise<(() => void) | undefined> {
      const folder = relative(feed.path, dir);
      if (folder.startsWith("..")) return undefined; // written outside the journal (its folder could not be made)
      const entries = await describeUpload(dir, undefined);
      const files = entries.map((entry) => ({ ...entry, localPath: relative(dir, entry.localPath) }));
      const sizeBytes = files.reduce((sum, file) => sum + file.sizeBytes, 0);
      const seq = await feed.appendModel({ target, folder, files }, sizeBytes);
      return seq === undefined ? undefined : () => feed.acknowledgeArtifacts([seq]);
    },
  };
}
