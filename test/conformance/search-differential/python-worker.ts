/**
 * The long-lived Python process of the run-search differential test
 * (`test/conformance/python/search_runs_worker.py`): requests go in as JSON lines, answers come
 * back one line each, in order, so thousands of searches cost one interpreter start. Every batch
 * has a deadline; `close()` ends the process (and kills it if it does not exit in time).
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { resolve } from "node:path";
import { createInterface } from "node:readline";

const SCRIPT = resolve("test/conformance/python/search_runs_worker.py");
const EXIT_GRACE_MS = 5_000;

/** A running worker. */
export class PythonWorker {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #pending: { resolve: (line: string) => void; reject: (error: Error) => void }[] = [];
  #stderr = "";
  #exited: Error | undefined;

  /** Starts `python search_runs_worker.py` with `env` added to this process's environment. */
  constructor(python: string, env: Record<string, string> = {}) {
    this.#child = spawn(python, [SCRIPT], {
      env: {
        ...process.env,
        MLFLOW_DISABLE_TELEMETRY: "true",
        DO_NOT_TRACK: "true",
        PYTHONWARNINGS: "ignore",
        MLFLOW_HTTP_REQUEST_MAX_RETRIES: "0",
        MLFLOW_HTTP_REQUEST_TIMEOUT: "30",
        ...env,
      },
      stdio: ["pipe", "pipe", "pipe"],
    });
    createInterface({ input: this.#child.stdout }).on("line", (line) => this.#pending.shift()?.resolve(line));
    this.#child.stderr.on("data", (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString("utf8")).slice(-4000);
    });
    this.#child.on("exit", (code, signal) => {
      this.#exited = new Error(`search_runs_worker.py exited (code ${code}, signal ${signal}): ${this.#stderr}`);
      for (const waiter of this.#pending.splice(0)) waiter.reject(this.#exited);
    });
  }

  /**
   * Sends `requests` and resolves with the answers, in order.
   * @throws {Error} when the worker exits or the batch takes longer than `timeoutMs`.
   */
  async ask<T>(requests: readonly unknown[], timeoutMs: number): Promise<T[]> {
    if (this.#exited) throw this.#exited;
    const answers = requests.map(
      () =>
        new Promise<string>((resolveLine, reject) => {
          this.#pending.push({ resolve: resolveLine, reject });
        }),
    );
    this.#child.stdin.write(requests.map((request) => `${JSON.stringify(request)}\n`).join(""));
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`search_runs_worker.py answered ${requests.length} requests not within ${timeoutMs} ms: ${this.#stderr}`)),
        timeoutMs,
      );
    });
    try {
      const lines = await Promise.race([Promise.all(answers), deadline]);
      return lines.map((line) => JSON.parse(line) as T);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes stdin and waits for the exit, killing the process after a grace period. */
  async close(): Promise<void> {
    if (this.#exited) return;
    const exited = new Promise<void>((resolveExit) => this.#child.once("exit", () => resolveExit()));
    this.#child.stdin.end();
    const timer = setTimeout(() => this.#child.kill("SIGKILL"), EXIT_GRACE_MS);
    await exited;
    clearTimeout(timer);
  }
}
