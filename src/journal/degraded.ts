/**
 * The journal's degraded state: the disk refused a write (full, read-only, permission, I/O error),
 * so the journal stops writing and delivery goes on from memory. It is a value, reported once, never
 * an exception in a logging call.
 * @internal
 * @module
 */

import { messageOf } from "../core/error-text.js";
import { redact } from "../core/redact.js";

/** Why a journal stopped writing. */
export interface JournalDegraded {
  /** The file system's error code: `ENOSPC`, `EACCES`, `EROFS`, `EDQUOT`, `EIO`, `ENOTDIR`… */
  code: string;
  /** What failed and what to do, ending in "Fix: …". */
  message: string;
  /** The file or folder the failing operation was on. */
  path: string;
  /** When it happened, ms since the epoch. */
  atMs: number;
}

const FIXES: Record<string, string> = {
  ENOSPC: "free space on that disk, or set MLFLOW_TS_JOURNAL_DIR to a folder on a disk with room.",
  EDQUOT: "free space within your quota, or set MLFLOW_TS_JOURNAL_DIR to a folder outside it.",
  EROFS: "set MLFLOW_TS_JOURNAL_DIR to a writable folder.",
  EACCES: "make the folder writable for this user, or set MLFLOW_TS_JOURNAL_DIR to one that is.",
  EPERM: "make the folder writable for this user, or set MLFLOW_TS_JOURNAL_DIR to one that is.",
  ENOTDIR: "a file stands where the journal folder should be: move it, or set MLFLOW_TS_JOURNAL_DIR elsewhere.",
  EEXIST: "a file stands where the journal folder should be: move it, or set MLFLOW_TS_JOURNAL_DIR elsewhere.",
};

/**
 * Describes a file-system failure of the journal as a {@link JournalDegraded}.
 * @example
 * degradedFrom(error, "/cache/journal/run.1-2-abcd1234-0/00000003.seg", "write a group commit")
 */
export function degradedFrom(error: unknown, path: string, action: string): JournalDegraded {
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? "EUNKNOWN";
  const reason = messageOf(error);
  const fix = FIXES[code] ?? "check the disk and the folder, or set MLFLOW_TS_JOURNAL_DIR to another folder.";
  const message = redact(
    `mlflow-ts: the run's journal could not ${action} (${code}: ${reason}); entries are now delivered from memory only, and a crash from here on can lose what is not yet on the server. Fix: ${fix}`,
  );
  return { code, message, path, atMs: Date.now() };
}
