/**
 * The model hand-off, proven by Python: a logistic regression trained in Node, written as ONNX with
 * protobufjs, logged with run.logModel and registered @champion — on the direct server (files
 * straight to S3), the proxied one (files through the server) and the embedded store (no server) —
 * then loaded by the pinned Python's `mlflow.pyfunc.load_model("models:/<name>@champion")`, whose
 * predictions equal Node's within 1e-6; its signature, input example and serving example read back.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fit, generateData, predict, toOnnx } from "../../examples/support/logistic-regression.js";
import { MlflowClient, registerModel, startRun } from "../../src/index.js";
import { runPython } from "./support/python.js";
import { serverUri, stackClient, stackClientEnv, uniqueName } from "./support/stack.js";

const dir = mkdtempSync(join(tmpdir(), "mlflow-ts-models-onnx-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Target = "direct" | "proxied" | "embedded";

function clientFor(target: Target): { client: MlflowClient; trackingUri: string } {
  if (target !== "embedded") return { client: stackClient(target), trackingUri: serverUri(target) };
  const trackingUri = `sqlite:///${join(dir, "embedded", "mlflow.db")}`;
  return { client: new MlflowClient({ trackingUri, env: { ...stackClientEnv(trackingUri), MLFLOW_TS_QUIET_LOCAL_STORE: "true" } }), trackingUri };
}

interface PythonPrediction {
  predictions: number[];
  loader_module: string;
  flavors: string[];
  input_schema: unknown;
  example: number[][] | null;
  serving_predictions: number[] | null;
  model_id: string;
}

describe.each(["direct", "proxied", "embedded"] as Target[])("an ONNX model trained in Node, %s", (target) => {
  it("is loaded by Python's pyfunc through models:/<name>@champion and predicts what Node predicts", async () => {
    const { client, trackingUri } = clientFor(target);
    try {
      const { x, y } = generateData(400, 4, 7);
      const model = fit(x, y, { epochs: 200, learningRate: 0.5 });
      const probe = generateData(25, 4, 99).x;
      const experimentId = await client.experiments.create({
        name: uniqueName(`models-onnx-${target}`),
        ...(target === "embedded" ? { artifact_location: join(dir, "embedded", "artifacts") } : {}),
      });
      const run = await startRun({ client, experimentId, exitHooks: false });
      const info = await run.logModel({
        flavor: "onnx",
        model: toOnnx(model),
        name: "churn",
        signature: { inputs: [{ type: "tensor", dtype: "float64", shape: [-1, 4] }], outputs: [{ type: "tensor", dtype: "float64", shape: [-1, 1] }] },
        inputExample: { type: "ndarray", data: x.slice(0, 3) },
        onnxExecutionProviders: ["CPUExecutionProvider"],
      });
      await run.end();
      expect(info.loggedModel?.info.status).toBe("LOGGED_MODEL_READY");
      const name = uniqueName("churn-onnx");
      const version = await registerModel(info.modelUri, name, { client, alias: "champion" });
      expect(version).toMatchObject({ status: "READY", aliases: ["champion"] });

      const python = await runPython<PythonPrediction>(
        "test/conformance/python/pyfunc_predict.py",
        { model_uri: `models:/${name}@champion`, inputs: probe },
        { MLFLOW_TRACKING_URI: trackingUri },
      );
      const node = predict(model, probe);
      expect(python.predictions).toHaveLength(node.length);
      for (let i = 0; i < node.length; i++) expect(Math.abs(python.predictions[i]! - node[i]!)).toBeLessThan(1e-6);
      expect(python).toMatchObject({ loader_module: "mlflow.onnx", flavors: ["onnx", "python_function"], model_id: info.modelId });
      expect(python.input_schema).toEqual([{ type: "tensor", "tensor-spec": { dtype: "float64", shape: [-1, 4] } }]);
      expect(python.example).toEqual(x.slice(0, 3));
      // Python's validate_serving_input runs the model on serving_input_example.json: the example a server accepts.
      const expected = predict(model, x.slice(0, 3));
      for (let i = 0; i < expected.length; i++) expect(Math.abs(python.serving_predictions![i]! - expected[i]!)).toBeLessThan(1e-6);
    } finally {
      await client.close();
    }
  }, 240_000);
});
