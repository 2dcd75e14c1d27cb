/**
 * Reading git facts from `.git` without spawning git: loose refs, packed refs, detached HEAD,
 * worktrees (a `.git` file and `commondir`), remote URLs without credentials, and no repository.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readGitInfo } from "../../../../src/logging/system/git.js";

const COMMIT = "0123456789abcdef0123456789abcdef01234567";
const OTHER = "89abcdef0123456789abcdef0123456789abcdef";
const dirs: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "mlflow-ts-git-"));
  dirs.push(dir);
  return dir;
}

function write(path: string, content: string): void {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, content);
}

/** A work tree with a script in a sub-directory; returns the script's path. */
function repo(files: Record<string, string>): { root: string; script: string } {
  const root = tempDir();
  for (const [name, content] of Object.entries(files)) write(join(root, ".git", name), content);
  const script = join(root, "src", "train.ts");
  write(script, "// training script");
  return { root, script };
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("readGitInfo", () => {
  it("follows HEAD to a loose branch ref and reads the first remote without credentials", () => {
    const { script } = repo({
      HEAD: "ref: refs/heads/main\n",
      "refs/heads/main": `${COMMIT}\n`,
      config:
        '[core]\n\tbare = false\n[remote "origin"]\n\turl = https://bot:s3cr3t@git.example.com/team/model.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n',
    });
    expect(readGitInfo(script)).toEqual({ commit: COMMIT, branch: "main", repoUrl: "https://git.example.com/team/model.git" });
  });

  it("finds a branch in packed-refs", () => {
    const { script } = repo({
      HEAD: "ref: refs/heads/feature/x\n",
      "packed-refs": `# pack-refs with: peeled\n${OTHER} refs/heads/main\n${COMMIT} refs/heads/feature/x\n`,
    });
    expect(readGitInfo(script)).toEqual({ commit: COMMIT, branch: "feature/x" });
  });

  it("reads a detached HEAD", () => {
    const { script } = repo({ HEAD: `${COMMIT}\n` });
    expect(readGitInfo(script)).toEqual({ commit: COMMIT });
  });

  it("follows a worktree's .git file and commondir to the main repository's refs", () => {
    const main = repo({ HEAD: "ref: refs/heads/main\n", "refs/heads/wt": `${OTHER}\n`, config: '[remote "up"]\n\turl = git@host:org/repo.git\n' });
    const worktreeGitDir = join(main.root, ".git", "worktrees", "wt");
    write(join(worktreeGitDir, "HEAD"), "ref: refs/heads/wt\n");
    write(join(worktreeGitDir, "commondir"), "../..\n");
    const worktree = tempDir();
    write(join(worktree, ".git"), `gitdir: ${worktreeGitDir}\n`);
    expect(readGitInfo(join(worktree, "eval.ts"))).toEqual({ commit: OTHER, branch: "wt", repoUrl: "git@host:org/repo.git" });
  });

  it("gives nothing outside a work tree, for a branch without commits, and for garbage", () => {
    const plain = tempDir();
    expect(readGitInfo(join(plain, "train.ts"))).toEqual({});
    expect(readGitInfo(repo({ HEAD: "ref: refs/heads/main\n" }).script)).toEqual({ branch: "main" });
    expect(readGitInfo(repo({ HEAD: "not a ref\n" }).script)).toEqual({});
  });
});
