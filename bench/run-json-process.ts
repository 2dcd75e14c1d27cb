/**
 * Runs one benchmark worker (or a load-test process) as a child process, so that its CPU time and
 * peak RSS are its own, and parses the JSON object it prints on its last stdout line. Killed after
 * 15 minutes (or the `timeoutMs` given), or when the caller's `signal` aborts.
 */
import { spawn } from "node:child_process";

/** Longest a worker may run unless told otherwise. */
const WORKER_TIMEOUT_MS = 15 * 60_000;

/** How {@link runJsonProcess} rejects: `output` is the last stdout line parsed, when it was a JSON object. */
export interface JsonProcessError extends Error {
  output?: unknown;
}

/** Options of {@link runJsonProcess}. */
export interface JsonProcessOptions {
  /** Variables added to the child's environment. */
  env?: Record<string, string | undefined>;
  /** Whether the child also gets `process.env` (below `env`). @defaultValue true */
  inheritEnv?: boolean;
  cwd?: string;
  /** The child is killed (SIGKILL) after this long, and the call rejects saying so. @defaultValue 15 min */
  timeoutMs?: number;
  /** Kills the child (SIGKILL) when aborted; the call rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Spawns `command args` with `process.env` plus `env`, in `cwd`, and resolves with its last stdout
 * line parsed as JSON; rejects with the tail of its stderr (and its last stdout line) when it
 * fails, prints no JSON, or is killed (at `timeoutMs` or by `signal`).
 */
export function runJsonProcess<T>(command: string, args: string[], options: JsonProcessOptions = {}): Promise<T> {
  return new Promise((resolve, reject) => {
    const env = { ...(options.inheritEnv === false ? {} : process.env), ...options.env };
    const child = spawn(command, args, { cwd: options.cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    const timeoutMs = options.timeoutMs ?? WORKER_TIMEOUT_MS;
    let killedBecause: string | undefined;
    let out = "";
    let err = "";
    const kill = (reason: string): void => {
      killedBecause ??= reason;
      child.kill("SIGKILL");
    };
    const timer = setTimeout(() => kill(`was still running after ${timeoutMs} ms and was killed`), timeoutMs);
    const onAbort = (): void => kill(`was killed: ${String(options.signal?.reason)}`);
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener("abort", onAbort, { once: true });
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      const line = out.trim().split("\n").at(-1) ?? "";
      if (code === 0 && line.startsWith("{")) {
        resolve(JSON.parse(line) as T);
        return;
      }
      const how = killedBecause ?? `exited with ${code ?? signal}`;
      const error: JsonProcessError = new Error(`${args.join(" ")} ${how}; last stdout line: ${line.slice(0, 1000)}; stderr: ${err.slice(-2000)}`);
      error.output = parseJsonLine(line);
      reject(error);
    });
  });
}

function parseJsonLine(line: string): unknown {
  try {
    return line.startsWith("{") ? JSON.parse(line) : undefined;
  } catch {
    return undefined;
  }
}
