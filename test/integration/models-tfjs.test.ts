/**
 * A TensorFlow.js model trained in Node, logged with run.logModel (the live model, saved through
 * model.save) and registered @champion on the real stack: Python's download_artifacts fetches it by
 * alias (the same files, byte for byte), and loadModel by alias gives back a model that predicts
 * exactly what the trained one did.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import * as tfl from "@tensorflow/tfjs-layers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadModel, registerModel, startRun } from "../../src/index.js";
import { fileTree } from "../unit/helpers/file-tree.js";
import { runPython } from "./support/python.js";
import { type StackServer, serverUri, stackClient, uniqueName } from "./support/stack.js";

const dir = mkdtempSync(join(tmpdir(), "mlflow-ts-models-tfjs-"));
beforeAll(async () => {
  await tf.setBackend("cpu");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each(["direct", "proxied"] as StackServer[])("a TF.js model, %s server", (server) => {
  it("is downloaded by Python by alias and loaded back in Node with the same predictions", async () => {
    const client = stackClient(server);
    try {
      const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 4, inputShape: [3], activation: "relu" }), tfl.layers.dense({ units: 1 })] });
      model.compile({ optimizer: "adam", loss: "meanSquaredError" });
      await model.fit(tf.randomNormal([64, 3], 0, 1, "float32", 7), tf.randomNormal([64, 1], 0, 1, "float32", 8), { epochs: 3, verbose: 0 });
      const probe = [
        [0.1, -0.4, 1.2],
        [2, 0, -1],
      ];

      const experimentId = await client.experiments.create({ name: uniqueName(`models-tfjs-${server}`) });
      const run = await startRun({ client, experimentId, exitHooks: false });
      const info = await run.logModel({ flavor: "tfjs", model, name: "regressor", inputExample: { type: "ndarray", data: probe } });
      await run.end();
      const name = uniqueName("tfjs");
      await registerModel(info.modelUri, name, { client, alias: "champion" });

      const ours = await loadModel(`models:/${name}@champion`, { client, destDir: join(dir, `${server}-ours`) });
      expect(ours.flavor).toBe("tfjs");
      const python = await runPython<{ results: { path: string; files: Record<string, string>; error: string | null }[] }>(
        "test/conformance/python/download_trees.py",
        { uris: [`models:/${name}@champion`], dest: join(dir, `${server}-python`) },
        { MLFLOW_TRACKING_URI: serverUri(server) },
      );
      expect(python.results[0]!.error).toBeNull();
      expect(Object.keys(python.results[0]!.files).sort()).toEqual([
        "MLmodel",
        "input_example.json",
        "registered_model_meta",
        "serving_input_example.json",
        "tfjs/model.json",
        "tfjs/weights.bin",
      ]);
      expect(fileTree(ours.path, "sha256")).toEqual(python.results[0]!.files);

      const modelJson = JSON.parse(readFileSync(join(ours.dataPath, "model.json"), "utf8")) as {
        modelTopology: object;
        weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[];
      };
      const weights = readFileSync(join(ours.dataPath, "weights.bin"));
      const restored = await tfl.loadLayersModel({
        load: async () => ({
          modelTopology: modelJson.modelTopology,
          weightSpecs: modelJson.weightsManifest[0]!.weights,
          weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
        }),
      });
      const input = tf.tensor2d(probe);
      expect(Array.from((restored.predict(input) as tf.Tensor).dataSync())).toEqual(Array.from((model.predict(input) as tf.Tensor).dataSync()));
    } finally {
      await client.close();
    }
  }, 180_000);
});
