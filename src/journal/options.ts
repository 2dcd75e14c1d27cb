/**
 * The journal's options, in the same style as the logger's (src/logging/options.ts): the environment
 * and the defaults are resolved with the client's configuration (config/journal-settings.ts,
 * `client.config.journal`); options override them here. `startRun` resolves them (with
 * its options) for the run's journal and the background recovery of dead journals;
 * {@link journalOptionsShape} is merged into the `startRun` schema. Only {@link JournalOptions} is
 * public (part of `StartRunOptions`).
 * @module
 */
import { resolve } from "node:path";
import { z } from "zod";
import type { JournalSettings } from "../config/journal-settings.js";

export {
  DEFAULT_JOURNAL_COMMIT_BYTES,
  DEFAULT_JOURNAL_COMMIT_INTERVAL_MS,
  DEFAULT_JOURNAL_SEGMENT_BYTES,
  DEFAULT_JOURNAL_SYNC_INTERVAL_MS,
} from "../config/defaults.js";
export { defaultJournalDir } from "../config/journal-settings.js";

/** Options of the journal. Each falls back to the environment variable named in its description, then to the default. */
export interface JournalOptions {
  /** Journal every entry on disk before it is delivered. Env `MLFLOW_TS_JOURNAL`. @defaultValue true for a tracking server, false for the embedded store */
  journal?: boolean | undefined;
  /** Folder of the journals. Env `MLFLOW_TS_JOURNAL_DIR`. @defaultValue `$XDG_CACHE_HOME/mlflow-ts/journal`, else `~/.cache/mlflow-ts/journal` */
  journalDir?: string | undefined;
  /** Interval of group commits, ms. Env `MLFLOW_TS_JOURNAL_COMMIT_INTERVAL_MS`. @defaultValue 100 */
  journalCommitIntervalMs?: number | undefined;
  /** Longest time between a commit and its `fdatasync`, ms; 0 syncs every commit. Env `MLFLOW_TS_JOURNAL_SYNC_INTERVAL_MS`. @defaultValue 0 */
  journalSyncIntervalMs?: number | undefined;
  /** Segment size at which the next segment starts, bytes. Env `MLFLOW_TS_JOURNAL_SEGMENT_BYTES`. @defaultValue 16777216 */
  journalSegmentBytes?: number | undefined;
  /**
   * Recover dead processes' journals for the same tracking server in the background when a run
   * starts (off when `journal` is off). Env `MLFLOW_TS_RECOVER`. @defaultValue true
   */
  journalRecover?: boolean | undefined;
}

/** Journal options after defaults and environment were applied. @internal */
export type ResolvedJournalOptions = JournalSettings;

/** Schema of {@link JournalOptions}, merged into the `startRun` options schema. @internal */
export const journalOptionsShape = {
  journal: z.boolean().optional(),
  journalDir: z.string().min(1).optional(),
  journalCommitIntervalMs: z.number().int().min(1).max(60_000).optional(),
  journalSyncIntervalMs: z.number().int().min(0).max(600_000).optional(),
  journalSegmentBytes: z
    .number()
    .int()
    .min(64 * 1024)
    .max(1024 * 1024 * 1024)
    .optional(),
  journalRecover: z.boolean().optional(),
};

/**
 * Applies journal options (already checked by the schema) over the client's journal settings (the
 * environment and the defaults, resolved with its configuration).
 *
 * @param settings - `client.config.journal`.
 * @example
 * resolveJournalOptions({ journalDir: "/scratch/journal" }, client.config.journal).dir // "/scratch/journal"
 * @internal
 */
export function resolveJournalOptions(options: JournalOptions, settings: JournalSettings): ResolvedJournalOptions {
  const enabled = options.journal ?? settings.enabled;
  return Object.freeze({
    enabled,
    dir: options.journalDir === undefined ? settings.dir : resolve(options.journalDir),
    commitIntervalMs: options.journalCommitIntervalMs ?? settings.commitIntervalMs,
    commitBytes: settings.commitBytes,
    syncIntervalMs: options.journalSyncIntervalMs ?? settings.syncIntervalMs,
    segmentBytes: options.journalSegmentBytes ?? settings.segmentBytes,
    recover: enabled && (options.journalRecover ?? settings.recover),
    quietRecovery: settings.quietRecovery,
  });
}
