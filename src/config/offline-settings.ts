/**
 * Offline mode (`MLFLOW_TS_OFFLINE`): a job configured for a tracking server logs everything to a
 * local embedded store instead, one per target server, kept in the cache folder until
 * `mlflow-ts sync --offline` delivers it. This file reads the two variables and works out where
 * the store of a given server lives; it only computes paths (the store layer creates the folder).
 */
import { createHash } from "node:crypto";
import { join, resolve } from "node:path";
import { cacheRoot } from "./cache-root.js";
import { readBoolEnv, readEnv } from "./env.js";
import type { Env } from "./options.js";

/** Environment variable that turns offline mode on (`true`). */
export const OFFLINE_ENV = "MLFLOW_TS_OFFLINE";
/** Environment variable that moves the offline stores' folder. */
export const OFFLINE_DIR_ENV = "MLFLOW_TS_OFFLINE_DIR";
/** Environment variable that hides the line `startRun` prints for an offline run (`true`). */
export const QUIET_OFFLINE_ENV = "MLFLOW_TS_QUIET_OFFLINE";
/** File name of an offline store's database inside its folder. */
export const OFFLINE_DB_FILE = "mlflow.db";
/** Folder of an offline store's artifacts inside its folder. */
export const OFFLINE_ARTIFACTS_DIR = "mlruns";

/** Offline settings after the option, the environment and the defaults were applied. */
export interface OfflineSettings {
  /** `offline` option, else `MLFLOW_TS_OFFLINE`. @defaultValue false */
  readonly enabled: boolean;
  /**
   * Where `enabled` comes from: the `offline` option (of `startRun` or the client), the
   * `MLFLOW_TS_OFFLINE` variable, or neither (off by default). Messages name it.
   */
  readonly source: "option" | "environment" | "default";
  /** Absolute path of the folder that holds one offline store per tracking server. */
  readonly dir: string;
  /** `MLFLOW_TS_QUIET_OFFLINE`: no stderr line when an offline run starts. @defaultValue false */
  readonly quiet: boolean;
}

/**
 * The default folder of the offline stores: `$XDG_CACHE_HOME/mlflow-ts/offline`, else
 * `$HOME/.cache/mlflow-ts/offline` (beside the journal's folder).
 * @example
 * defaultOfflineDir({ HOME: "/home/me" }) // "/home/me/.cache/mlflow-ts/offline"
 * @internal
 */
export function defaultOfflineDir(env: Env): string {
  return join(cacheRoot(env), "offline");
}

/**
 * Reads `MLFLOW_TS_OFFLINE`, `MLFLOW_TS_OFFLINE_DIR` and `MLFLOW_TS_QUIET_OFFLINE`; the `offline`
 * option wins over the variable.
 * @throws {ConfigurationError} naming the variable when a boolean is not true/false/1/0.
 * @example
 * resolveOfflineSettings({ MLFLOW_TS_OFFLINE: "true" }, undefined).enabled // true
 * @internal
 */
export function resolveOfflineSettings(env: Env, option: boolean | undefined): OfflineSettings {
  const fromEnv = readBoolEnv(env, OFFLINE_ENV);
  return {
    enabled: option ?? fromEnv ?? false,
    source: option !== undefined ? "option" : fromEnv !== undefined ? "environment" : "default",
    dir: resolve(readEnv(env, OFFLINE_DIR_ENV) ?? defaultOfflineDir(env)),
    quiet: readBoolEnv(env, QUIET_OFFLINE_ENV) ?? false,
  };
}

/**
 * The folder of the offline store for one tracking server: a readable prefix (host, port, path)
 * and the first 12 hex digits of the SHA-256 of the URI, so two servers never share a store and
 * the same server always gets the same one.
 *
 * @param dir - {@link OfflineSettings.dir}.
 * @param trackingUri - The server's URI without credentials, query or fragment (the tracking
 *   target's `baseUrl`), e.g. `http://mlflow.internal:5000`.
 * @example
 * offlineStoreFolder("/home/me/.cache/mlflow-ts/offline", "http://mlflow.internal:5000")
 * // "/home/me/.cache/mlflow-ts/offline/mlflow.internal_5000-<12 hex digits>"
 * @internal
 */
export function offlineStoreFolder(dir: string, trackingUri: string): string {
  const url = new URL(trackingUri);
  const readable = `${url.hostname}${url.port ? `_${url.port}` : ""}${url.pathname}`
    .replace(/[^A-Za-z0-9.-]+/g, "_")
    .replace(/_+$/, "")
    .slice(0, 80);
  const hash = createHash("sha256").update(trackingUri).digest("hex").slice(0, 12);
  return join(dir, `${readable}-${hash}`);
}
