/**
 * The embedded store's journal mode, as the engine sees it. The setting is read with the
 * configuration (config/embedded-store-settings.ts, `MLFLOW_TS_SQLITE_JOURNAL_MODE`); this file keeps
 * the engine's import of the type apart from `database.ts`, so that the public type
 * {@link JournalMode} does not pull better-sqlite3's types (an optional dependency) into the
 * published declarations.
 */
export type { JournalMode } from "../../../config/embedded-store-settings.js";
