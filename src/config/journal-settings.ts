/**
 * The durable-delivery journal's settings as the environment and the defaults give them, resolved
 * once with the rest of the configuration; the journal's options (src/journal/options.ts) override
 * them. `startRun` reads them for the run's journal and the background recovery of dead journals
 * (docs/journal.md).
 */
import { join, resolve } from "node:path";
import { cacheRoot } from "./cache-root.js";
import {
  DEFAULT_JOURNAL_COMMIT_BYTES,
  DEFAULT_JOURNAL_COMMIT_INTERVAL_MS,
  DEFAULT_JOURNAL_SEGMENT_BYTES,
  DEFAULT_JOURNAL_SYNC_INTERVAL_MS,
} from "./defaults.js";
import { readBoolEnv, readEnv, readNumberEnv } from "./env.js";
import type { Env } from "./options.js";

/** Journal settings after the environment and the defaults were applied. */
export interface JournalSettings {
  readonly enabled: boolean;
  /** Absolute path of the journals' folder. */
  readonly dir: string;
  readonly commitIntervalMs: number;
  /** Pending size that starts a commit at once, bytes (no option: a tuning constant). */
  readonly commitBytes: number;
  readonly syncIntervalMs: number;
  readonly segmentBytes: number;
  /** `MLFLOW_TS_RECOVER`: whether `startRun` recovers dead journals in the background (only while the journal is on). */
  readonly recover: boolean;
  /** `MLFLOW_TS_QUIET_RECOVERY`: no stderr line per journal the background recovery dealt with. */
  readonly quietRecovery: boolean;
}

/** Environment variable that turns the background recovery off (`false`). */
export const RECOVER_ENV = "MLFLOW_TS_RECOVER";
/** Environment variable that hides the background recovery's stderr lines (`true`). */
export const QUIET_RECOVERY_ENV = "MLFLOW_TS_QUIET_RECOVERY";

/**
 * The default folder of the journals: `$XDG_CACHE_HOME/mlflow-ts/journal`, else
 * `$HOME/.cache/mlflow-ts/journal` (`HOME` from `env`, then the OS).
 * @example
 * defaultJournalDir({ XDG_CACHE_HOME: "/scratch/cache" }) // "/scratch/cache/mlflow-ts/journal"
 * @internal
 */
export function defaultJournalDir(env: Env): string {
  return join(cacheRoot(env), "journal");
}

/**
 * Reads `MLFLOW_TS_JOURNAL`, `MLFLOW_TS_JOURNAL_DIR`, `MLFLOW_TS_JOURNAL_COMMIT_INTERVAL_MS`,
 * `MLFLOW_TS_JOURNAL_SYNC_INTERVAL_MS`, `MLFLOW_TS_JOURNAL_SEGMENT_BYTES`, `MLFLOW_TS_RECOVER` and
 * `MLFLOW_TS_QUIET_RECOVERY`.
 *
 * @param storeKind - What runs log to: the journal is on by default only for a tracking server
 *   (`rest`); the embedded store (`sqlite`) is already a local file.
 * @throws {ConfigurationError} naming the variable when a value is malformed.
 * @example
 * resolveJournalSettings({ MLFLOW_TS_JOURNAL: "false" }, "rest").enabled // false
 * @internal
 */
export function resolveJournalSettings(env: Env, storeKind: "rest" | "sqlite"): JournalSettings {
  return {
    enabled: readBoolEnv(env, "MLFLOW_TS_JOURNAL") ?? storeKind === "rest",
    dir: resolve(readEnv(env, "MLFLOW_TS_JOURNAL_DIR") ?? defaultJournalDir(env)),
    commitIntervalMs:
      readNumberEnv(env, "MLFLOW_TS_JOURNAL_COMMIT_INTERVAL_MS", { min: 1, max: 60_000, integer: true, unit: "milliseconds" }) ??
      DEFAULT_JOURNAL_COMMIT_INTERVAL_MS,
    commitBytes: DEFAULT_JOURNAL_COMMIT_BYTES,
    syncIntervalMs:
      readNumberEnv(env, "MLFLOW_TS_JOURNAL_SYNC_INTERVAL_MS", { min: 0, max: 600_000, integer: true, unit: "milliseconds" }) ??
      DEFAULT_JOURNAL_SYNC_INTERVAL_MS,
    segmentBytes:
      readNumberEnv(env, "MLFLOW_TS_JOURNAL_SEGMENT_BYTES", { min: 64 * 1024, max: 1024 * 1024 * 1024, integer: true, unit: "bytes" }) ??
      DEFAULT_JOURNAL_SEGMENT_BYTES,
    recover: readBoolEnv(env, RECOVER_ENV) ?? true,
    quietRecovery: readBoolEnv(env, QUIET_RECOVERY_ENV) ?? false,
  };
}
