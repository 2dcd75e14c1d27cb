/**
 * What every command of `mlflow-ts` shares: where output goes (every line redacted), the
 * environment it configures the client from (the same variables as the library), one lazily
 * created client, and the exit code.
 */
import { MlflowClient } from "../client/client.js";
import { redact } from "../core/redact.js";

/** Exit codes: 0 nothing failed, 1 something failed, 2 the command line was wrong. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** An output stream: `process.stdout`, `process.stderr`, or a test double. */
export interface OutputStream {
  write(text: string): unknown;
  /** True when the stream is a terminal (progress bars and colours then). */
  isTTY?: boolean;
}

/** The process-level things a command uses; `process` by default, doubles in tests. */
export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  /** Environment the client is configured from. */
  env: Record<string, string | undefined>;
  /** Standard input (`runs log-batch` reads JSON lines from it, `auth … --password-stdin` a password); main.ts passes `process.stdin`. */
  stdin?: InputStream | undefined;
}

/** An input stream: `process.stdin`, or any async iterable of text or bytes in tests. */
export interface InputStream extends AsyncIterable<string | Uint8Array> {
  /** True when the stream is a terminal (a person typing, not a pipe). */
  isTTY?: boolean;
}

/**
 * The state of one `mlflow-ts` invocation.
 * @internal
 */
export class CliContext {
  readonly io: CliIo;
  /** The exit code the invocation ends with unless an error decides otherwise. */
  exitCode: number = EXIT.ok;
  #client: MlflowClient | undefined;

  constructor(io: CliIo) {
    this.io = io;
  }

  /** Writes a line to stdout, redacted. */
  print(text: string): void {
    this.io.stdout.write(`${redact(text)}\n`);
  }

  /** Writes a line to stderr, redacted. */
  printError(text: string): void {
    this.io.stderr.write(`${redact(text)}\n`);
  }

  /**
   * The client, configured from the environment exactly as `new MlflowClient()` is.
   * @throws {ConfigurationError} when a variable is malformed.
   */
  client(): MlflowClient {
    this.#client ??= new MlflowClient({ env: this.io.env });
    return this.#client;
  }

  /** Closes the client's sockets. */
  async close(): Promise<void> {
    await this.#client?.close();
  }
}
