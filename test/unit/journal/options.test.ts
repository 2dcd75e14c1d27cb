/** The journal's options: defaults, environment variables (read with the configuration, same style as the logger's), the cache folder, and errors that name the variable. */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { resolveConfig } from "../../../src/config/resolve.js";
import { ConfigurationError } from "../../../src/core/errors.js";
import { DEFAULT_JOURNAL_SEGMENT_BYTES, defaultJournalDir, journalOptionsShape, resolveJournalOptions } from "../../../src/journal/options.js";

/** The journal settings of a client configured from `env` (a tracking server unless `storeKind` is sqlite). */
function settingsFrom(env: Record<string, string>, storeKind: "rest" | "sqlite" = "rest") {
  return resolveConfig({ trackingUri: storeKind === "rest" ? "http://127.0.0.1:5000" : "sqlite:///mlflow.db", env: { HOME: "/home/ada", ...env } }).journal;
}

describe("journal options", () => {
  it("is on for a tracking server and off for the embedded store by default, under the XDG cache folder", () => {
    expect(resolveJournalOptions({}, settingsFrom({}))).toEqual({
      enabled: true,
      dir: "/home/ada/.cache/mlflow-ts/journal",
      commitIntervalMs: 100,
      commitBytes: 1024 * 1024,
      syncIntervalMs: 0,
      segmentBytes: DEFAULT_JOURNAL_SEGMENT_BYTES,
      recover: true,
      quietRecovery: false,
    });
    expect(resolveJournalOptions({}, settingsFrom({}, "sqlite")).enabled).toBe(false);
    expect(defaultJournalDir({ XDG_CACHE_HOME: "/scratch/cache", HOME: "/home/ada" })).toBe("/scratch/cache/mlflow-ts/journal");
    expect(defaultJournalDir({ XDG_CACHE_HOME: "relative/ignored", HOME: "/home/ada" })).toBe("/home/ada/.cache/mlflow-ts/journal");
  });

  it("reads MLFLOW_TS_JOURNAL* variables, and an option wins over its variable", () => {
    const env = {
      MLFLOW_TS_JOURNAL: "false",
      MLFLOW_TS_JOURNAL_DIR: "/fast/ssd/journal",
      MLFLOW_TS_JOURNAL_COMMIT_INTERVAL_MS: "50",
      MLFLOW_TS_JOURNAL_SYNC_INTERVAL_MS: "1000",
      MLFLOW_TS_JOURNAL_SEGMENT_BYTES: "1048576",
    };
    expect(resolveJournalOptions({}, settingsFrom(env))).toMatchObject({
      enabled: false,
      dir: "/fast/ssd/journal",
      commitIntervalMs: 50,
      syncIntervalMs: 1000,
      segmentBytes: 1048576,
    });
    expect(resolveJournalOptions({ journal: true, journalDir: "/other", journalCommitIntervalMs: 10 }, settingsFrom(env))).toMatchObject({
      enabled: true,
      dir: "/other",
      commitIntervalMs: 10,
    });
  });

  it("recovers dead journals in the background unless MLFLOW_TS_RECOVER or the journal itself is off", () => {
    expect(resolveJournalOptions({}, settingsFrom({ MLFLOW_TS_RECOVER: "false" }))).toMatchObject({ enabled: true, recover: false });
    expect(resolveJournalOptions({}, settingsFrom({ MLFLOW_TS_JOURNAL: "false" }))).toMatchObject({ enabled: false, recover: false });
    expect(resolveJournalOptions({}, settingsFrom({ MLFLOW_TS_JOURNAL: "false", MLFLOW_TS_RECOVER: "true" })).recover).toBe(false);
    expect(resolveJournalOptions({ journalRecover: true }, settingsFrom({ MLFLOW_TS_RECOVER: "false" })).recover).toBe(true);
    expect(resolveJournalOptions({}, settingsFrom({ MLFLOW_TS_QUIET_RECOVERY: "1" })).quietRecovery).toBe(true);
    expect(() => settingsFrom({ MLFLOW_TS_RECOVER: "maybe" })).toThrow(/MLFLOW_TS_RECOVER must be one of true, false, 1, 0.*Fix:/);
  });

  it("names the variable, the rule and the fix when a value is malformed, when the configuration is resolved", () => {
    expect(() => settingsFrom({ MLFLOW_TS_JOURNAL: "yes please" })).toThrow(ConfigurationError);
    expect(() => settingsFrom({ MLFLOW_TS_JOURNAL: "yes please" })).toThrow(/MLFLOW_TS_JOURNAL must be one of true, false, 1, 0.*Fix:/);
    expect(() => settingsFrom({ MLFLOW_TS_JOURNAL_SEGMENT_BYTES: "1000" })).toThrow(
      /MLFLOW_TS_JOURNAL_SEGMENT_BYTES must be a whole number from 65536 to 1073741824 bytes; got "1000". Fix:/,
    );
    expect(() => settingsFrom({ MLFLOW_TS_JOURNAL_COMMIT_INTERVAL_MS: "0" })).toThrow(
      /MLFLOW_TS_JOURNAL_COMMIT_INTERVAL_MS must be a whole number from 1 to 60000 milliseconds/,
    );
  });

  it("checks options with a schema that refuses a zero commit interval and tiny segments", () => {
    const schema = z.object(journalOptionsShape).strict();
    expect(schema.safeParse({ journalCommitIntervalMs: 0 }).success).toBe(false);
    expect(schema.safeParse({ journalSegmentBytes: 1024 }).success).toBe(false);
    expect(schema.safeParse({ journal: true, journalDir: "/x", journalSyncIntervalMs: 0 }).success).toBe(true);
  });
});
