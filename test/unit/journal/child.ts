/** Running the journal fixtures as child processes (`node --import tsx`), reading their lines, and killing them. */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));
/** Longest a fixture may take to print a line the test waits for. */
export const CHILD_TIMEOUT_MS = 30_000;

/** A fixture process and the lines it printed so far. */
export interface Fixture {
  child: ChildProcess;
  lines: string[];
  stderr: () => string;
  /** Resolves with the first line (from the start) that `match` accepts; rejects after CHILD_TIMEOUT_MS or when the child exits first. */
  waitFor: (match: (line: string) => boolean) => Promise<string>;
  /** SIGKILLs the child and resolves once it is gone. */
  kill: () => Promise<void>;
}

/** Starts `fixtures/<name>` (or the script at `name` when it is an absolute path) with `args`, and `env` on top of PATH and HOME. */
export function startFixture(name: string, args: string[], env: Record<string, string> = {}): Fixture {
  const script = name.startsWith("/") ? name : `${FIXTURES}${name}`;
  const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
  });
  const lines: string[] = [];
  let partial = "";
  let stderr = "";
  const listeners = new Set<() => void>();
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    const parts = (partial + chunk).split("\n");
    partial = parts.pop()!;
    lines.push(...parts);
    for (const listener of listeners) listener();
  });
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  void exited.then(() => {
    for (const listener of listeners) listener();
  });
  let gone = false;
  void exited.then(() => (gone = true));
  const waitFor = (match: (line: string) => boolean): Promise<string> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const line = lines.find(match);
        if (line !== undefined || gone) {
          listeners.delete(check);
          clearTimeout(timer);
          if (line !== undefined) resolve(line);
          else reject(new Error(`${name} exited before printing the line awaited; stderr: ${stderr.slice(-2000)}`));
        }
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        child.kill("SIGKILL");
        reject(new Error(`${name} printed no awaited line within ${CHILD_TIMEOUT_MS} ms; stderr: ${stderr.slice(-2000)}`));
      }, CHILD_TIMEOUT_MS);
      listeners.add(check);
      check();
    });
  const kill = async (): Promise<void> => {
    if (!gone) child.kill("SIGKILL");
    await exited;
  };
  return { child, lines, stderr: () => stderr, waitFor, kill };
}
