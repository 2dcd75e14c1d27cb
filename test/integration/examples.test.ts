/**
 * The examples run as a user runs them (`npx tsx examples/<name>.ts`), exit 0 and print what they
 * promise, so that they cannot rot: the quickstart with no server (Python reads the run from
 * ./mlflow.db), the others against the real stack (direct server, artifacts to S3).
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { runPython } from "./support/python.js";
import { serverUri, stackClientEnv } from "./support/stack.js";

const run = promisify(execFile);
const TSX = resolve("node_modules/.bin/tsx");

async function runExample(name: string, env: Record<string, string> = {}): Promise<string> {
  const childEnv = {
    PATH: process.env.PATH ?? "",
    ...stackClientEnv(serverUri("direct")),
    MLFLOW_EXPERIMENT_NAME: `example-${name}-${randomUUID()}`,
    ...env,
  };
  const { stdout, stderr } = await run(TSX, [resolve(`examples/${name}.ts`)], { env: childEnv, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 });
  // The AWS SDK's Node.js-version notice is the library's to silence, not the caller's.
  expect(stderr).not.toContain("NodeVersionSupportWarning");
  return stdout;
}

describe("the quickstart (the README's main job), with no server", () => {
  it("logs a run into ./mlflow.db that the Python client reads", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "mlflow-ts-quickstart-"));
    try {
      const env = { PATH: process.env.PATH ?? "", HOME: cwd };
      const { stdout } = await run(TSX, [resolve("examples/quickstart.ts")], { cwd, env, timeout: 120_000 });
      const runId = /^Logged run ([0-9a-f]{32}) \("quickstart", experiment "mlflow-ts-quickstart"\) to sqlite:\/\/\/\/?.*mlflow\.db\.$/m.exec(stdout)?.[1];
      expect(runId, stdout).toBeDefined();
      expect(stdout).toContain("mlflow ui --backend-store-uri sqlite:///mlflow.db");
      const { runs } = await runPython<{
        runs: { info: { run_name: string; status: string }; params: Record<string, string>; histories: Record<string, unknown[]> }[];
      }>("test/conformance/python/read_run.py", { run_ids: [runId], history_keys: null }, { MLFLOW_TRACKING_URI: `sqlite:///${join(cwd, "mlflow.db")}` });
      expect(runs[0]!.info).toMatchObject({ run_name: "quickstart", status: "FINISHED" });
      expect(Object.keys(runs[0]!.histories).length).toBeGreaterThan(0);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  }, 150_000);
});

describe("examples against the real stack", () => {
  it("model-registry.ts: logs a model, registers it and finds it by alias", async () => {
    const out = await runExample("model-registry", { MODEL_NAME: `example-model-${randomUUID()}` });
    expect(out).toMatch(/^logged model m-[0-9a-f]{32}: files flavor, READY=true$/m);
    expect(out).toMatch(/^registered example-model-\S+ version 1 as @champion$/m);
    expect(out).toMatch(/^@champion is version 1 \(run [0-9a-f]{32}\); files at s3:\/\/\S+\/models\/m-[0-9a-f]{32}\/artifacts: labels\.txt, weights\.json$/m);
  }, 150_000);

  it("model-handoff.ts: the ONNX model trained in Node predicts the same in Python, loaded by alias", async () => {
    const name = `example-handoff-${randomUUID()}`;
    const out = await runExample("model-handoff", { MODEL_NAME: name });
    expect(out).toMatch(/^logged models:\/m-[0-9a-f]{32} \(accuracy 0\.9\d\d\)$/m);
    expect(out).toMatch(new RegExp(`^registered ${name} version 1 as @champion \\(READY\\)$`, "m"));
    expect(out).toContain(`mlflow.pyfunc.load_model('models:/${name}@champion')`);
    const printed = JSON.parse(out.trim().split("\n").pop()!) as { modelUri: string; inputs: number[][]; predictions: number[] };
    const python = await runPython<{ predictions: number[] }>(
      "test/conformance/python/pyfunc_predict.py",
      { model_uri: printed.modelUri, inputs: printed.inputs },
      { MLFLOW_TRACKING_URI: serverUri("direct") },
    );
    for (const [i, expected] of printed.predictions.entries()) expect(Math.abs(python.predictions[i]! - expected)).toBeLessThan(1e-6);
  }, 240_000);

  it("training-loop.ts: five epochs delivered, nothing failed", async () => {
    const out = await runExample("training-loop");
    expect(out).toMatch(/^run [0-9a-f]{32} in experiment \d+$/m);
    expect(out).toMatch(/^epoch 4: \{.*"failed":0/m);
  }, 150_000);

  it("upload-artifacts.ts: uploads, lists, downloads and aborts cleanly", async () => {
    const out = await runExample("upload-artifacts");
    expect(out).toContain("upload aborted, nothing left behind");
  }, 150_000);

  it("ci-check.ts: every check passes on a healthy stack", async () => {
    const out = await runExample("ci-check");
    expect(out).toMatch(/Nothing failed\.$/m);
  }, 150_000);
});
