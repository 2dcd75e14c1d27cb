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

  it("tfjs-autolog.ts: the TF.js training's epoch history, params and model, read back by the Python client", async () => {
    const name = `example-tfjs-${randomUUID()}`;
    const out = await runExample("tfjs-autolog", { MODEL_NAME: name });
    const [, runId, epochText] = /^run ([0-9a-f]{32}): (\d+) epochs logged/m.exec(out) ?? [];
    expect(runId, out).toBeDefined();
    const epochs = Number(epochText);
    const modelUri = /^logged (models:\/m-[0-9a-f]{32}) \(tfjs flavor\)$/m.exec(out)?.[1];
    expect(modelUri, out).toBeDefined();
    expect(out).toMatch(new RegExp(`^registered ${name} version 1$`, "m"));

    const { runs } = await runPython<{
      runs: { info: { status: string }; params: Record<string, string>; histories: Record<string, { step: number; value: number }[]> }[];
    }>("test/conformance/python/read_run.py", { run_ids: [runId], history_keys: null }, { MLFLOW_TRACKING_URI: serverUri("direct") });
    const [read] = runs;
    expect(read!.info.status).toBe("FINISHED");
    const allEpochs = Array.from({ length: epochs }, (_, epoch) => epoch);
    for (const key of ["loss", "acc", "val_loss", "val_acc", "validation_loss", "validation_acc"]) {
      expect(
        read!.histories[key]!.map((point) => point.step),
        key,
      ).toEqual(allEpochs);
    }
    expect(read!.params).toMatchObject({
      epochs: "30",
      batch_size: "32",
      initial_epoch: "0",
      steps_per_epoch: "None",
      opt_name: "adam",
      opt_learning_rate: "0.05",
      opt_beta_1: "0.9",
      opt_beta_2: "0.999",
      opt_epsilon: "1e-07",
      num_layers: "2",
      total_params: "65",
      trainable_params: "65",
      non_trainable_params: "0",
      monitor: "val_loss",
      patience: "3",
      baseline: "None",
      restore_best_weights: "False",
    });
    if (epochs < 30) expect(read!.histories.stopped_epoch).toEqual([expect.objectContaining({ step: 0, value: epochs - 1 })]);

    const dest = mkdtempSync(join(tmpdir(), "mlflow-ts-tfjs-example-"));
    try {
      const { results } = await runPython<{
        results: { files: Record<string, string> | null; listing: [string, boolean, number][] | null; error: string | null }[];
      }>(
        "test/conformance/python/download_trees.py",
        { uris: [modelUri, `models:/${name}/1`, `runs:/${runId}/model_summary.txt`], dest },
        { MLFLOW_TRACKING_URI: serverUri("direct") },
      );
      for (const result of results.slice(0, 2)) {
        expect(result.error).toBeNull();
        expect(Object.keys(result.files!)).toEqual(expect.arrayContaining(["MLmodel", "tfjs/model.json", "tfjs/weights.bin"]));
        expect(result.listing!.map(([path]) => path)).toEqual(expect.arrayContaining(["MLmodel", "tfjs"]));
      }
      expect(results[0]!.files!["tfjs/weights.bin"]).toBe(results[1]!.files!["tfjs/weights.bin"]);
      expect(results[2]!.error).toBeNull();
      expect(Object.keys(results[2]!.files!)).toEqual(["model_summary.txt"]);
    } finally {
      rmSync(dest, { recursive: true, force: true });
    }
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
