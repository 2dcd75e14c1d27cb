/**
 * Reads the commit, branch and remote URL of the git work tree that holds a file, straight from
 * `.git` (HEAD, loose refs, packed-refs, config), without spawning git: nothing to hang, nothing
 * to install. Worktrees and submodules (a `.git` file pointing elsewhere) are followed.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";

/** What {@link readGitInfo} found; fields are absent when unknown. */
export interface GitInfo {
  /** Full hash of the checked-out commit. */
  commit?: string;
  /** Current branch, when HEAD is on one. */
  branch?: string;
  /** URL of the first remote, without credentials. */
  repoUrl?: string;
}

const HASH = /^[0-9a-f]{40}([0-9a-f]{24})?$/;
const MAX_PARENT_LEVELS = 100;

/**
 * Git facts of the work tree containing `path` (a file or directory); `{}` outside a work tree or
 * when `.git` cannot be read.
 *
 * @example
 * readGitInfo(process.argv[1]).commit // "3f2c…" or undefined
 */
export function readGitInfo(path: string): GitInfo {
  try {
    const gitDir = findGitDir(path);
    if (gitDir === undefined) return {};
    const commonDir = readCommonDir(gitDir);
    const head = readFileSync(join(gitDir, "HEAD"), "utf8").trim();
    const ref = head.startsWith("ref:") ? head.slice(4).trim() : undefined;
    const commit = ref === undefined ? (HASH.test(head) ? head : undefined) : resolveRef(ref, gitDir, commonDir);
    const info: GitInfo = {};
    if (commit !== undefined) info.commit = commit;
    if (ref?.startsWith("refs/heads/")) info.branch = ref.slice("refs/heads/".length);
    const repoUrl = readRemoteUrl(commonDir);
    if (repoUrl !== undefined) info.repoUrl = repoUrl;
    return info;
  } catch {
    return {};
  }
}

/** The git directory of the work tree containing `path`, walking up from it. */
function findGitDir(path: string): string | undefined {
  let dir = resolve(path);
  if (existsSync(dir) && !statSync(dir).isDirectory()) dir = dirname(dir);
  for (let level = 0; level < MAX_PARENT_LEVELS; level++) {
    const candidate = join(dir, ".git");
    if (existsSync(candidate)) return statSync(candidate).isDirectory() ? candidate : readGitFile(candidate);
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
  return undefined;
}

/** A `.git` file (worktree, submodule) holds `gitdir: <path>`. */
function readGitFile(file: string): string | undefined {
  const match = /^gitdir:\s*(.+)$/m.exec(readFileSync(file, "utf8"));
  if (!match) return undefined;
  const target = match[1]!.trim();
  return isAbsolute(target) ? target : resolve(dirname(file), target);
}

/** Worktrees keep refs and config in the main repository's directory, named in `commondir`. */
function readCommonDir(gitDir: string): string {
  const file = join(gitDir, "commondir");
  if (!existsSync(file)) return gitDir;
  const target = readFileSync(file, "utf8").trim();
  return isAbsolute(target) ? target : resolve(gitDir, target);
}

/** A ref's hash: a loose ref file (following symbolic refs) or a `packed-refs` line. */
function resolveRef(ref: string, gitDir: string, commonDir: string, depth = 0): string | undefined {
  if (depth > 5 || ref.includes("..")) return undefined;
  for (const dir of [gitDir, commonDir]) {
    const file = join(dir, ref);
    if (!existsSync(file)) continue;
    const content = readFileSync(file, "utf8").trim();
    if (content.startsWith("ref:")) return resolveRef(content.slice(4).trim(), gitDir, commonDir, depth + 1);
    if (HASH.test(content)) return content;
  }
  const packed = join(commonDir, "packed-refs");
  if (!existsSync(packed)) return undefined;
  for (const line of readFileSync(packed, "utf8").split("\n")) {
    const [hash, name] = line.trim().split(" ");
    if (name === ref && hash !== undefined && HASH.test(hash)) return hash;
  }
  return undefined;
}

/** The URL of the first `[remote "…"]` section of the repository config, credentials removed. */
function readRemoteUrl(commonDir: string): string | undefined {
  const file = join(commonDir, "config");
  if (!existsSync(file)) return undefined;
  let inRemote = false;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const trimmed = line.trim();
    if (trimmed.startsWith("[")) {
      inRemote = /^\[remote\s+"[^"]*"\]$/.test(trimmed);
      continue;
    }
    const match = /^url\s*=\s*(.+)$/.exec(trimmed);
    if (inRemote && match) return stripCredentials(match[1]!.trim());
  }
  return undefined;
}

/** `https://user:token@host/repo` → `https://host/repo`; scp-style `git@host:repo` is kept. */
function stripCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, "$1");
}
