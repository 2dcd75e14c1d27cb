/**
 * The journal's options, their environment variables and defaults, in the same style as the
 * logger's (src/logging/options.ts). Not wired into `startRun` or src/config/ yet: the wiring step
 * merges {@link journalOptionsShape} into the `startRun` schema and calls
 * {@link resolveJournalOptions} next to `resolveLoggerOptions` (docs/journal.md, "Integration plan").
 * @internal
 * @module
 */
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { z } from "zod";
import { type Env, type NumberRule, readBoolEnv, readEnv, readNumberEnv } from "../config/env.js";

/** Default interval of group commits: 100 ms. What was accepted in the last interval is not yet on disk. */
export const DEFAULT_JOURNAL_COMMIT_INTERVAL_MS = 100;
/** Default pending size that starts a group commit before the interval ends: 1 MiB (about 37,000 points). */
export const DEFAULT_JOURNAL_COMMIT_BYTES = 1024 * 1024;
/** Default longest time between a commit and its `fdatasync`: 0 ms, i.e. every commit is synced. */
export const DEFAULT_JOURNAL_SYNC_INTERVAL_MS = 0;
/** Default size at which a segment is closed and the next one started: 16 MiB (about 600,000 points). */
export const DEFAULT_JOURNAL_SEGMENT_BYTES = 16 * 1024 * 1024;

/** Options of the journal. Each falls back to the environment variable named in its description, then to the default. */
export interface JournalOptions {
  /** Journal every entry on disk before it is delivered. Env `MLFLOW_TS_JOURNAL`. @defaultValue true for a tracking server, false for the embedded store */
  journal?: boolean;
  /** Folder of the journals. Env `MLFLOW_TS_JOURNAL_DIR`. @defaultValue `$XDG_CACHE_HOME/mlflow-ts/journal`, else `~/.cache/mlflow-ts/journal` */
  journalDir?: string;
  /** Interval of group commits, ms. Env `MLFLOW_TS_JOURNAL_COMMIT_INTERVAL_MS`. @defaultValue 100 */
  journalCommitIntervalMs?: number;
  /** Longest time between a commit and its `fdatasync`, ms; 0 syncs every commit. Env `MLFLOW_TS_JOURNAL_SYNC_INTERVAL_MS`. @defaultValue 0 */
  journalSyncIntervalMs?: number;
  /** Segment size at which the next segment starts, bytes. Env `MLFLOW_TS_JOURNAL_SEGMENT_BYTES`. @defaultValue 16777216 */
  journalSegmentBytes?: number;
}

/** Journal options after defaults and environment were applied. */
export interface ResolvedJournalOptions {
  readonly enabled: boolean;
  /** Absolute path of the journals' folder. */
  readonly dir: string;
  readonly commitIntervalMs: number;
  /** Pending size that starts a commit at once, bytes (no option: a tuning constant). */
  readonly commitBytes: number;
  readonly syncIntervalMs: number;
  readonly segmentBytes: number;
}

/** Schema of {@link JournalOptions}, to merge into the `startRun` options schema. */
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
};

const ENV_RULES: Record<"journalCommitIntervalMs" | "journalSyncIntervalMs" | "journalSegmentBytes", [string, NumberRule]> = {
  journalCommitIntervalMs: ["MLFLOW_TS_JOURNAL_COMMIT_INTERVAL_MS", { min: 1, max: 60_000, integer: true, unit: "milliseconds" }],
  journalSyncIntervalMs: ["MLFLOW_TS_JOURNAL_SYNC_INTERVAL_MS", { min: 0, max: 600_000, integer: true, unit: "milliseconds" }],
  journalSegmentBytes: ["MLFLOW_TS_JOURNAL_SEGMENT_BYTES", { min: 64 * 1024, max: 1024 * 1024 * 1024, integer: true, unit: "bytes" }],
};

/**
 * The default folder of the journals: `$XDG_CACHE_HOME/mlflow-ts/journal`, else
 * `$HOME/.cache/mlflow-ts/journal` (`HOME` from `env`, then the OS).
 * @example
 * defaultJournalDir({ XDG_CACHE_HOME: "/scratch/cache" }) // "/scratch/cache/mlflow-ts/journal"
 */
export function defaultJournalDir(env: Env): string {
  const xdg = readEnv(env, "XDG_CACHE_HOME");
  if (xdg?.startsWith("/")) return join(xdg, "mlflow-ts", "journal");
  return join(readEnv(env, "HOME") ?? homedir(), ".cache", "mlflow-ts", "journal");
}

/**
 * Applies the environment and the defaults to journal options (already checked by the schema).
 *
 * @param storeKind - What the run logs to: the journal is on by default only for a tracking server
 *   (`rest`); the embedded store (`sqlite`) is already a local file. @defaultValue "rest"
 * @throws {ConfigurationError} naming the variable when an environment value is malformed.
 * @example
 * resolveJournalOptions({}, { MLFLOW_TS_JOURNAL: "false" }).enabled // false
 */
export function resolveJournalOptions(options: JournalOptions, env: Env, storeKind: "rest" | "sqlite" = "rest"): ResolvedJournalOptions {
  const fromEnv = (key: keyof typeof ENV_RULES): number | undefined => readNumberEnv(env, ENV_RULES[key][0], ENV_RULES[key][1]);
  return Object.freeze({
    enabled: options.journal ?? readBoolEnv(env, "MLFLOW_TS_JOURNAL") ?? storeKind === "rest",
    dir: resolve(options.journalDir ?? readEnv(env, "MLFLOW_TS_JOURNAL_DIR") ?? defaultJournalDir(env)),
    commitIntervalMs: options.journalCommitIntervalMs ?? fromEnv("journalCommitIntervalMs") ?? DEFAULT_JOURNAL_COMMIT_INTERVAL_MS,
    commitBytes: DEFAULT_JOURNAL_COMMIT_BYTES,
    syncIntervalMs: options.journalSyncIntervalMs ?? fromEnv("journalSyncIntervalMs") ?? DEFAULT_JOURNAL_SYNC_INTERVAL_MS,
    segmentBytes: options.journalSegmentBytes ?? fromEnv("journalSegmentBytes") ?? DEFAULT_JOURNAL_SEGMENT_BYTES,
  });
}
