/**
 * The model hand-off with no server first: an ONNX model trained in Node, logged and registered
 * @champion in an embedded store, carried to the real stack by `syncRuns` (model, files, version,
 * alias), then loaded there by Python's pyfunc through models:/<name>@champion — predictions equal
 * Node's, and the copy's MLmodel names the copy.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fit, generateData, predict, toOnnx } from "../../examples/support/logistic-regression.js";
import { MlflowClient, registerModel, startRun } from "../../src/index.js";
import { syncRuns } from "../../src/sync/sync-runs.js";
import { runPython } from "./support/python.js";
import { serverUri, stackClient, uniqueName } from "./support/stack.js";

const dir = mkdtempSync(join(tmpdir(), "mlflow-ts-models-sync-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("a model logged and registered with no server, then synced to the stack", () => {
  it("is loaded by Python's pyfunc from the server by alias, and its MLmodel names the copy", async () => {
    const from = new MlflowClient({ trackingUri: `sqlite:///${join(dir, "mlflow.db")}`, env: { MLFLOW_TS_QUIET_LOCAL_STORE: "true" } });
    const to = stackClient("direct");
    try {
      const experimentName = uniqueName("models-sync");
      const experimentId = await from.experiments.create({ name: experimentName, artifact_location: join(dir, "mlruns") });
      const { x, y } = generateData(300, 3, 5);
      const model = fit(x, y, { epochs: 150, learningRate: 0.5 });
      const run = await startRun({ client: from, experimentId, exitHooks: false });
      const info = await run.logModel({ flavor: "onnx", model: toOnnx(model), name: "churn", onnxExecutionProviders: ["CPUExecutionProvider"] });
      await run.end();
      const name = uniqueName("synced-churn");
      await registerModel(info.modelUri, name, { client: from, alias: "champion" });

      const report = await syncRuns({ from, to, experimentNames: [experimentName] });
      expect(report.totals).toMatchObject({
        runsCopied: 1,
        loggedModelsCopied: 1,
        modelVersionsCopied: 1,
        runsFailed: 0,
        loggedModelsFailed: 0,
        modelVersionsFailed: 0,
      });

      const copy = await to.registeredModels.getByAlias(name, "champion");
      expect(copy.source).toMatch(/^models:\/m-[0-9a-f]{32}$/);
      expect(copy.source).not.toBe(info.modelUri);
      const probe = generateData(10, 3, 11).x;
      const python = await runPython<{ predictions: number[]; model_id: string }>(
        "test/conformance/python/pyfunc_predict.py",
        { model_uri: `models:/${name}@champion`, inputs: probe },
        { MLFLOW_TRACKING_URI: serverUri("direct") },
      );
      const node = predict(model, probe);
      for (let i = 0; i < node.length; i++) expect(Math.abs(python.predictions[i]! - node[i]!)).toBeLessThan(1e-6);
      expect(`models:/${python.model_id}`).toBe(copy.source);
    } finally {
      await Promise.all([from.close(), to.close()]);
    }
  }, 240_000);
});
