/**
 * Opens the SQLite file with better-sqlite3, an optional dependency loaded only here, on the first
 * call of a client that logs locally, so that users of a tracking server never need it installed.
 * Connection settings are MLflow's own (`mlflow/store/db/utils.py`): foreign keys on, a 20 s busy
 * timeout, case-sensitive `LIKE`. The journal mode is the one choice of ours (see `journal-mode.ts`).
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type BetterSqlite3 from "better-sqlite3";
import { ConfigurationError } from "../../../core/errors.js";
import type { JournalMode } from "./journal-mode.js";

/** An open better-sqlite3 database. */
export type Database = BetterSqlite3.Database;

/** How long a statement waits for another process's lock before failing: 20 s, as MLflow. */
export const BUSY_TIMEOUT_MS = 20_000;

type DatabaseConstructor = typeof BetterSqlite3;

/**
 * WAL pages between automatic checkpoints: 10 000 (about 40 MB), not SQLite's 1000. A batch of
 * metrics over many keys dirties hundreds of index pages; a longer interval copies each page back
 * once per checkpoint instead of after nearly every commit.
 */
export const WAL_CHECKPOINT_PAGES = 10_000;

let driver: Promise<DatabaseConstructor> | undefined;

/**
 * Loads better-sqlite3 once.
 * @throws {ConfigurationError} when it is not installed or its native module does not load.
 * @internal
 */
export function loadDriver(): Promise<DatabaseConstructor> {
  driver ??= import("better-sqlite3").then(
    (module) => module.default,
    (error: unknown) => {
      driver = undefined;
      throw missingDriverError(error);
    },
  );
  return driver;
}

/**
 * Opens (creating the file and its folder if needed) the database at `path`.
 * @param journalMode - See {@link JournalMode}. @defaultValue "wal"
 * @throws {ConfigurationError} when better-sqlite3 is missing or the file cannot be opened.
 * @internal
 */
export async function openDatabase(path: string, journalMode: JournalMode = "wal"): Promise<Database> {
  const Driver = await loadDriver();
  let db: Database | undefined;
  try {
    mkdirSync(dirname(path), { recursive: true });
    db = new Driver(path, { timeout: BUSY_TIMEOUT_MS });
    db.pragma("foreign_keys = ON");
    db.pragma("case_sensitive_like = true");
    setJournalMode(db, journalMode);
    return db;
  } catch (error) {
    db?.close();
    throw new ConfigurationError(
      "MLFLOW_TRACKING_URI",
      `Cannot open the SQLite database ${path}: ${(error as Error).message}. Fix: check that it is an SQLite file in a writable folder, or set MLFLOW_TRACKING_URI to another sqlite:/// path or to a tracking server.`,
    );
  }
}

/**
 * Switches the journal mode. Switching needs the file to itself: when another process holds it
 * past the busy timeout, the file keeps the mode it has (both work; only speed differs).
 */
function setJournalMode(db: Database, mode: JournalMode): void {
  try {
    db.pragma(`journal_mode = ${mode}`);
  } catch (error) {
    if (!String((error as { code?: unknown }).code).startsWith("SQLITE_BUSY")) throw error;
  }
  const current = db.pragma("journal_mode", { simple: true });
  db.pragma(`synchronous = ${current === "wal" ? "NORMAL" : "FULL"}`);
  if (current === "wal") db.pragma(`wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`);
}

function missingDriverError(error: unknown): ConfigurationError {
  const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
  return new ConfigurationError(
    "MLFLOW_TRACKING_URI",
    `The embedded SQLite store needs the optional dependency better-sqlite3 (major version 12), which did not load (${reason}). ` +
      "Fix: `npm install better-sqlite3@12`, or set MLFLOW_TRACKING_URI to an MLflow tracking server (http://host:5000).",
  );
}
