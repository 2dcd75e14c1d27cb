/**
 * The embedded store's journal-mode setting, apart from `database.ts` so that the public type
 * {@link JournalMode} does not pull better-sqlite3's types (an optional dependency) into the
 * published declarations.
 */
import { type Env, readEnv } from "../../../config/env.js";
import { ConfigurationError } from "../../../core/errors.js";

/**
 * How the file keeps its journal:
 * - `wal` (default): write-ahead log with `synchronous = NORMAL`, so a commit does not wait for the
 *   disk (a power cut can lose the last commits, never corrupt the file). Readers such as `mlflow ui`
 *   read while a run logs. Every process must be on the same machine: not for network file systems
 *   or a bind mount shared between a container and its host.
 * - `delete`: SQLite's rollback journal with `synchronous = FULL`, as MLflow leaves a new file; each
 *   commit waits for the disk (several times slower), but works wherever SQLite's file locks do.
 */
export type JournalMode = "wal" | "delete";

/** Environment variable that picks the {@link JournalMode}. */
export const JOURNAL_MODE_ENV = "MLFLOW_TS_SQLITE_JOURNAL_MODE";

/**
 * The journal mode from `MLFLOW_TS_SQLITE_JOURNAL_MODE` (`wal` when unset).
 * @throws {ConfigurationError} for any value other than `wal` or `delete`.
 * @example
 * journalModeFromEnv({ MLFLOW_TS_SQLITE_JOURNAL_MODE: "delete" }) // "delete"
 * @internal
 */
export function journalModeFromEnv(env: Env): JournalMode {
  const raw = readEnv(env, JOURNAL_MODE_ENV);
  if (raw === undefined) return "wal";
  const mode = raw.toLowerCase();
  if (mode === "wal" || mode === "delete") return mode;
  throw new ConfigurationError(
    JOURNAL_MODE_ENV,
    `${JOURNAL_MODE_ENV} must be "wal" or "delete"; got "${raw}". Fix: use delete on network file systems, or unset it.`,
  );
}
