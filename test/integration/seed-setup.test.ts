/**
 * The set-up this project exists for, end to end, on whichever server version the suite runs
 * against (the version matrix runs it on every one): a training script configured by environment
 * variables only, artifacts straight to S3, and what it logged read back by the Python client of
 * the same MLflow version (`STACK_PYTHON` is that version's venv).
 */
import { execFile } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { runPython } from "./support/python.js";
import { serverUri, stackClientEnv, stackEnv } from "./support/stack.js";

const exec = promisify(execFile);
const TSX = resolve("node_modules/.bin/tsx");
const SEED_TIMEOUT_MS = 120_000;

interface PythonRun {
  info: { run_name: string; status: string; artifact_uri: string };
  params: Record<string, string>;
  histories: Record<string, { step: number; value: number }[]>;
}

describe(`the seed set-up on MLflow ${process.env.STACK_ENV_STACK_MLFLOW_VERSION ?? "?"}`, () => {
  it(
    "logs params, a metric history and a direct-S3 artifact from env vars alone, and that version's Python client reads them back",
    async () => {
      const env = {
        PATH: process.env.PATH ?? "",
        ...stackClientEnv(serverUri("direct")),
        MLFLOW_EXPERIMENT_NAME: `seed-${randomUUID()}`,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      };
      const { stdout } = await exec(TSX, [resolve("test/integration/seed/seed-run.ts")], { env, timeout: SEED_TIMEOUT_MS }).catch(
        (error: { stderr?: string; message: string }) => {
          throw new Error(`seed-run.ts failed: ${error.message}\n${(error.stderr ?? "").slice(-4000)}`);
        },
      );
      const { runId, artifactPath } = JSON.parse(stdout.trim().split("\n").pop() ?? "{}") as { runId: string; artifactPath: string };

      const { runs } = await runPython<{ runs: PythonRun[] }>("test/conformance/python/read_run.py", { run_ids: [runId], history_keys: ["loss"] });
      const run = runs[0]!;
      expect(run.info).toMatchObject({ run_name: "seed-run", status: "FINISHED" });
      expect(run.info.artifact_uri.startsWith(`s3://${stackEnv("STACK_BUCKET_DIRECT")}/`), run.info.artifact_uri).toBe(true);
      expect(run.params).toEqual({ lr: "0.01", optimizer: "sgd" });
      expect(run.histories.loss!.map((p) => [p.step, p.value]).sort((a, b) => a[0]! - b[0]!)).toEqual(
        Array.from({ length: 50 }, (_, step) => [step, 1 / (step + 1)]),
      );

      const dst = await mkdtemp(join(tmpdir(), "mlflow-ts-seed-read-"));
      try {
        const files = await runPython<Record<string, string>>("test/integration/artifacts-download.py", {
          run_id: runId,
          artifact_path: "reports",
          dst_path: dst,
        });
        const expected = createHash("sha256").update("seed set-up: direct S3 artifacts\n").digest("hex");
        expect(files).toEqual({ [artifactPath]: expected });
      } finally {
        await rm(dst, { recursive: true, force: true });
      }
    },
    2 * SEED_TIMEOUT_MS,
  );
});
