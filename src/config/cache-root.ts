/**
 * The one cache root of mlflow-ts on this machine, under which the journal and the offline stores
 * keep their folders: `$XDG_CACHE_HOME/mlflow-ts`, else `$HOME/.cache/mlflow-ts`. One function so
 * that the journal and offline mode can never disagree about where "the cache" is.
 */
import { homedir } from "node:os";
import { join } from "node:path";
import { readEnv } from "./env.js";
import type { Env } from "./options.js";

/**
 * The cache root: `$XDG_CACHE_HOME/mlflow-ts` when `XDG_CACHE_HOME` is an absolute path, else
 * `$HOME/.cache/mlflow-ts` (`HOME` from `env`, then the OS).
 * @example
 * cacheRoot({ XDG_CACHE_HOME: "/scratch/cache" }) // "/scratch/cache/mlflow-ts"
 * @internal
 */
export function cacheRoot(env: Env): string {
  const xdg = readEnv(env, "XDG_CACHE_HOME");
  if (xdg?.startsWith("/")) return join(xdg, "mlflow-ts");
  return join(readEnv(env, "HOME") ?? homedir(), ".cache", "mlflow-ts");
}
