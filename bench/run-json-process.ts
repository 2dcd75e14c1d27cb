/**
 * Runs one benchmark worker as a child process (so that its CPU time and peak RSS are its own) and
 * parses the JSON object it prints on its last stdout line. Killed after 15 minutes.
 */
import { spawn } from "node:child_process";

/** Longest a worker may run. */
const WORKER_TIMEOUT_MS = 15 * 60_000;

/**
 * Spawns `command args` with `process.env` plus `env`, in `cwd`, and resolves with its last stdout
 * line parsed as JSON; rejects with the tail of its stderr when it fails or prints no JSON.
 */
export function runJsonProcess<T>(command: string, args: string[], options: { env?: Record<string, string | undefined>; cwd?: string } = {}): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), WORKER_TIMEOUT_MS);
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
    child.on("exit", (code) => {
      clearTimeout(timer);
      const line = out.trim().split("\n").at(-1) ?? "";
      if (code !== 0 || !line.startsWith("{")) reject(new Error(`${args.join(" ")} exited with ${code}: ${err.slice(-2000)}`));
      else resolve(JSON.parse(line) as T);
    });
  });
}
