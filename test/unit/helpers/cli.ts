/**
 * The `mlflow-ts` command in-process for unit tests: `runCli` with captured stdout and stderr, on
 * the mock server's tracking URI, no retries and a HOME without credentials (`env` adds to or
 * overrides that); or on an embedded store in a folder (`cliEmbedded`), for commands whose
 * behaviour is best checked against a store that really keeps what they write; `cliOnTerminal`
 * runs it with stdout a terminal (`isTTY`), for output that changes there.
 *
 * @example
 * const { code, stdout, stderr } = await cliCaptured(["runs", "show", RUN_ID]);
 * const created = await cliEmbedded(["experiments", "create", "mnist"], dir);
 */
import { join } from "node:path";
import type { InputStream } from "../../../src/cli/context.js";
import { runCli } from "../../../src/cli/program.js";
import { BASE, EMPTY_HOME } from "./mock-server.js";

/** What one invocation printed and returned. */
export interface CapturedCli {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `mlflow-ts <argv>` in-process against the mock server; `stdin`, when given, is its standard input. */
export function cliCaptured(argv: string[], env: Record<string, string> = {}, stdin?: InputStream): Promise<CapturedCli> {
  return captured(argv, { HOME: EMPTY_HOME, MLFLOW_TRACKING_URI: BASE, MLFLOW_HTTP_REQUEST_MAX_RETRIES: "0", ...env }, stdin);
}

/** Runs `mlflow-ts <argv>` in-process against the mock server, as {@link cliCaptured}, with stdout a terminal. */
export function cliOnTerminal(argv: string[], env: Record<string, string> = {}): Promise<CapturedCli> {
  return captured(argv, { HOME: EMPTY_HOME, MLFLOW_TRACKING_URI: BASE, MLFLOW_HTTP_REQUEST_MAX_RETRIES: "0", ...env }, undefined, true);
}

/** Runs `mlflow-ts <argv>` in-process on the embedded store `<dir>/mlflow.db` (its notice silenced). */
export function cliEmbedded(argv: string[], dir: string, env: Record<string, string> = {}): Promise<CapturedCli> {
  return captured(argv, { HOME: EMPTY_HOME, MLFLOW_TRACKING_URI: `sqlite:///${join(dir, "mlflow.db")}`, MLFLOW_TS_QUIET_LOCAL_STORE: "true", ...env });
}

async function captured(argv: string[], env: Record<string, string>, stdin?: InputStream, isTTY = false): Promise<CapturedCli> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io = {
    stdout: { write: (text: string) => stdout.push(text), isTTY },
    stderr: { write: (text: string) => stderr.push(text) },
    env,
    stdin,
  };
  const code = await runCli(argv, io);
  return { code, stdout: stdout.join(""), stderr: stderr.join("") };
}
