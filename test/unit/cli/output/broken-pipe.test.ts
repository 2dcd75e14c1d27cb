/**
 * `mlflow-ts --help | head -1`: a reader that closes the pipe early ends the command quietly — no
 * EPIPE stack trace, exit code 0 — as other command-line tools end.
 */
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

/** Runs the command with its stdout closed by the reader before anything is written. */
function runWithClosedStdout(args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(resolve("node_modules/.bin/tsx"), [resolve("src/cli/main.ts"), ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { PATH: process.env.PATH ?? "", HOME: "/nonexistent-mlflow-ts-test-home" },
    });
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", fail);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, stderr });
    });
  });
}

describe("a reader that closes the pipe", () => {
  it.each([["--help"], ["doctor --help"], ["--version"]])(
    "ends `mlflow-ts %s` quietly with exit code 0",
    async (args) => {
      const { code, signal, stderr } = await runWithClosedStdout(args.split(" "));
      expect(stderr).toBe("");
      expect({ code, signal }).toEqual({ code: 0, signal: null });
    },
    90_000,
  );
});
