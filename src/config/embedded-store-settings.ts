/**
 * The embedded store's settings from the environment, resolved once with the rest of the
 * configuration: its journal mode and whether it prints where it logs. Apart from the store's
 * engine so that the public type {@link JournalMode} does not pull better-sqlite3's types (an
 * optional dependency) into the published declarations.
 */
import { ConfigurationError } from "../core/errors.js";
import { readBoolEnv, readEnv } from "./env.js";
import type { Env } from "./options.js";

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
/** Environment variable that silences the line the embedded store prints the first time a process uses it. */
export const QUIET_LOCAL_STORE_ENV = "MLFLOW_TS_QUIET_LOCAL_STORE";

/** Settings of the embedded SQLite store. */
export interface EmbeddedStoreSettings {
  /** `MLFLOW_TS_SQLITE_JOURNAL_MODE`. @defaultValue "wal" */
  journalMode: JournalMode;
  /** `MLFLOW_TS_QUIET_LOCAL_STORE`: no notice of where runs go. @defaultValue false */
  quiet: boolean;
}

/**
 * Reads `MLFLOW_TS_SQLITE_JOURNAL_MODE` (`wal` when unset) and `MLFLOW_TS_QUIET_LOCAL_STORE`.
 * @throws {ConfigurationError} for a journal mode other than `wal` or `delete`, or a quiet switch that is no boolean.
 * @example
 * resolveEmbeddedStoreSettings({ MLFLOW_TS_SQLITE_JOURNAL_MODE: "delete" }).journalMode // "delete"
 * @internal
 */
export function resolveEmbeddedStoreSettings(env: Env): EmbeddedStoreSettings {
  return { journalMode: journalModeFromEnv(env), quiet: readBoolEnv(env, QUIET_LOCAL_STORE_ENV) ?? false };
}

function journalModeFromEnv(env: Env): JournalMode {
  const raw = readEnv(env, JOURNAL_MODE_ENV);
  if (raw === undefined) return "wal";
  const mode = raw.toLowerCase();
  if (mode === "wal" || mode === "delete") return mode;
  throw new ConfigurationError(
    JOURNAL_MODE_ENV,
    `${JOURNAL_MODE_ENV} must be "wal" or "delete"; got "${raw}". Fix: use delete on network file systems, or unset it.`,
  );
}
