/**
 * The system tags MLflow's Python client puts on every new run (`mlflow/tracking/context`):
 * user, source name and type, git commit/branch/remote of the main script, and the extra tags of
 * `MLFLOW_RUN_CONTEXT` (read with the configuration).
 */
import { userInfo } from "node:os";
import type { ResolvedConfig } from "../../config/resolve.js";
import { TAG_GIT_BRANCH, TAG_GIT_COMMIT, TAG_GIT_REPO_URL, TAG_SOURCE_NAME, TAG_SOURCE_TYPE, TAG_USER } from "../../protocol/tag-names.js";
import { type GitInfo, readGitInfo } from "./git.js";

const gitCache = new Map<string, GitInfo>();

/**
 * The system tags of a new run, for the script `mainFile` (`process.argv[1]` by default).
 *
 * @example
 * systemTags(client.config)["mlflow.source.type"] // "LOCAL"
 * @internal
 */
export function systemTags(config: ResolvedConfig, mainFile: string | undefined = process.argv[1]): Record<string, string> {
  const tags: Record<string, string> = {
    [TAG_USER]: currentUser(config),
    [TAG_SOURCE_NAME]: mainFile || "<console>",
    [TAG_SOURCE_TYPE]: "LOCAL",
  };
  const git = mainFile ? cachedGitInfo(mainFile) : {};
  if (git.commit !== undefined) tags[TAG_GIT_COMMIT] = git.commit;
  if (git.branch !== undefined) tags[TAG_GIT_BRANCH] = git.branch;
  if (git.repoUrl !== undefined) tags[TAG_GIT_REPO_URL] = git.repoUrl;
  return { ...tags, ...config.systemTags.runContext };
}

/**
 * The user MLflow records: the tracking username when Basic auth is configured
 * (`MLFLOW_TRACKING_USERNAME` or `~/.mlflow/credentials`), else the OS user, else `unknown`.
 * @internal
 */
export function currentUser(config: ResolvedConfig): string {
  if (config.auth.kind === "basic") return config.auth.username;
  try {
    return userInfo().username || "unknown";
  } catch {
    return "unknown";
  }
}

function cachedGitInfo(mainFile: string): GitInfo {
  let info = gitCache.get(mainFile);
  if (info === undefined) {
    info = readGitInfo(mainFile);
    gitCache.set(mainFile, info);
  }
  return info;
}
