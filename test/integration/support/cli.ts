/**
 * The BUILT `mlflow-ts` command (`dist/cli/main.js`) as a child process: `ensureCliBuilt()` rebuilds
 * `dist/` with tsconfig.build.json when the command is older than any source file, and
 * `runBuiltCli(args, env)` runs it with exactly `env` (plus PATH), killed after 2 minutes.
 *
 * @example
 * beforeAll(() => ensureCliBuilt(), 360_000);
 * const { code, stdout } = await runBuiltCli(["runs", "show", runId], stackClientEnv(serverUri("direct")));
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const BIN = join(ROOT, "dist/cli/main.js");
/** Longest one command may run before it is killed. */
const CLI_TIMEOUT_MS = 120_000;

/** What a run of the command ended with. */
export interface CliOutcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

function newestMtime(directory: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds `dist/` when the command is missing or older than any source file. */
export function ensureCliBuilt(): void {
  if (existsSync(BIN) && statSync(BIN).mtimeMs >= newestMtime(join(ROOT, "src"))) return;
  try {
    execFileSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], {
      cwd: ROOT,
      stdio: "pipe",
      timeout: 300_000,
    });
  } catch (error) {
    // tsc emits even when another part of the tree does not typecheck; only a missing command is fatal here.
    if (!existsSync(BIN)) throw error;
  }
}

/**
 * Runs the built command with exactly `env` (plus PATH). `onStderr` sees the stderr so far after
 * each chunk, with the child (to interrupt it at a given point).
 */
export function runBuiltCli(
  args: readonly string[],
  env: Record<string, string>,
  onStderr?: (stderr: string, child: ChildProcess) => void,
): Promise<CliOutcome> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
      timeout: CLI_TIMEOUT_MS,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      onStderr?.(stderr, child);
    });
    child.on("error", fail);
    child.on("close", (code) => done({ code, stdout, stderr }));
  });
}
