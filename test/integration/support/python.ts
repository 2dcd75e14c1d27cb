/**
 * Runs a Python script with the stack's interpreter (`STACK_PYTHON`: the MLflow client of the server
 * version under test, 3.17.2 on the default servers, with boto3) and
 * parses the JSON object it prints on its last stdout line. The script sees the stack's tracking
 * URI, S3 endpoint and credentials in its environment (override with `env`).
 *
 * Scripts print non-finite floats as the strings `"NaN"`, `"Infinity"`, `"-Infinity"` (plain JSON
 * has no spelling for them); compare them with {@link wireValue}.
 *
 * @example
 * const run = await runPython<{ status: string }>("test/conformance/python/read_run.py", { run_id });
 */
import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { encodeDouble, type WireDouble } from "../../../src/core/wire.js";
import { stackClientEnv, stackEnv } from "./stack.js";

const exec = promisify(execFile);

/** Longest a script may run. */
const PYTHON_TIMEOUT_MS = 180_000;

/**
 * Runs `script` (a path relative to the repository root) with `input` as its one argument (JSON)
 * and returns the JSON object printed last. Rejects with the script's stderr when it fails.
 */
export async function runPython<T>(script: string, input: unknown, env: Record<string, string> = {}): Promise<T> {
  const trackingUri = env.MLFLOW_TRACKING_URI ?? stackEnv("MLFLOW_TRACKING_URI");
  const childEnv = {
    PATH: process.env.PATH ?? "",
    ...stackClientEnv(trackingUri),
    MLFLOW_DISABLE_TELEMETRY: "true",
    DO_NOT_TRACK: "true",
    PYTHONWARNINGS: "ignore",
    ...env,
  };
  try {
    const { stdout } = await exec(stackEnv("STACK_PYTHON"), [resolve(script), JSON.stringify(input)], {
      env: childEnv,
      timeout: PYTHON_TIMEOUT_MS,
      maxBuffer: 256 * 1024 * 1024,
    });
    const last = stdout.trim().split("\n").pop() ?? "";
    return JSON.parse(last) as T;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? "";
    throw new Error(`${script} failed: ${(error as Error).message}\n${stderr.slice(-4000)}`);
  }
}

/** A number as the Python scripts print it: finite numbers unchanged, NaN and ±Infinity as strings. */
export function wireValue(value: number): WireDouble {
  return encodeDouble(value);
}
