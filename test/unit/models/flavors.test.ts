/** The tfjs and files flavors on the embedded store, and loadModel's answer for each flavor. */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import * as tfl from "@tensorflow/tfjs-layers";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadModel, ValidationError } from "../../../src/index.js";
import { removeTempDirs, sqliteClient, tempDir } from "../store/sqlite/helpers.js";

afterEach(removeTempDirs);
beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("the tfjs flavor", () => {
  it("saves a live TF.js model through model.save and loads back with identical weights", async () => {
    const dir = tempDir();
    const client = sqliteClient(dir);
    const experimentId = await client.experiments.create({ name: "tfjs", artifact_location: join(dir, "artifacts") });
    const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 1, inputShape: [2] })] });
    model.compile({ optimizer: "sgd", loss: "meanSquaredError" });
    await model.fit(
      tf.tensor2d([
        [0, 1],
        [1, 0],
        [1, 1],
      ]),
      tf.tensor2d([[1], [2], [3]]),
      { epochs: 2, verbose: 0 },
    );

    const info = await client.models.log({ experimentId, flavor: "tfjs", model, inputExample: { type: "ndarray", data: [[0, 1]] } });
    expect(info.mlmodel.flavors).toEqual({
      tfjs: { data: "tfjs", model_json: "tfjs/model.json", format: "layers-model", generated_by: "TensorFlow.js tfjs-layers v4.22.0" },
    });

    const loaded = await loadModel(info.modelUri, { client, destDir: join(dir, "loaded") });
    expect(loaded).toMatchObject({ path: join(dir, "loaded"), flavor: "tfjs", dataPath: join(dir, "loaded", "tfjs") });
    const modelJson = JSON.parse(readFileSync(join(loaded.dataPath, "model.json"), "utf8")) as { weightsManifest: { paths: string[]; weights: unknown[] }[] };
    expect(modelJson.weightsManifest[0]!.paths).toEqual(["weights.bin"]);
    const weights = readFileSync(join(loaded.dataPath, "weights.bin"));
    const restored = await tfl.loadLayersModel({
      load: async () => ({
        modelTopology: (modelJson as unknown as { modelTopology: object }).modelTopology,
        weightSpecs: modelJson.weightsManifest[0]!.weights as tf.io.WeightsManifestEntry[],
        weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
      }),
    });
    const input = tf.tensor2d([[0.5, 2]]);
    expect(Array.from((restored.predict(input) as tf.Tensor).dataSync())).toEqual(Array.from((model.predict(input) as tf.Tensor).dataSync()));
    await client.close();
  });

  it("copies a saved folder, and names a weight file the manifest lists but the folder lacks", async () => {
    const dir = tempDir();
    const client = sqliteClient(dir);
    const saved = join(dir, "saved");
    mkdirSync(saved);
    writeFileSync(
      join(saved, "model.json"),
      JSON.stringify({
        modelTopology: {},
        format: "layers-model",
        weightsManifest: [{ paths: ["group1-shard1of2.bin", "group1-shard2of2.bin"], weights: [] }],
      }),
    );
    writeFileSync(join(saved, "group1-shard1of2.bin"), "a");
    const error = await client.models.log({ experimentId: "0", flavor: "tfjs", model: saved }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(/names the weight file "group1-shard2of2.bin", which is not in .*Fix: copy every file/);
    writeFileSync(join(saved, "group1-shard2of2.bin"), "b");
    writeFileSync(join(saved, "notes.txt"), "not part of the model");
    const info = await client.models.log({ experimentId: "0", flavor: "tfjs", model: saved });
    const files = (await client.uris.list(`${info.modelUri}`)).map((f) => f.path);
    expect(files).toEqual(["MLmodel", "tfjs"]);
    expect((await client.loggedModels.listArtifacts(info.modelId!, "tfjs")).map((f) => f.path)).toEqual([
      "tfjs/group1-shard1of2.bin",
      "tfjs/group1-shard2of2.bin",
      "tfjs/model.json",
    ]);
    await client.close();
  });
});

describe("the files flavor", () => {
  it("logs any folder under files/ and loadModel points at it", async () => {
    const dir = tempDir();
    const client = sqliteClient(dir);
    mkdirSync(join(dir, "tokenizer", "vocab"), { recursive: true });
    writeFileSync(join(dir, "tokenizer", "config.json"), "{}");
    writeFileSync(join(dir, "tokenizer", "vocab", "en.txt"), "hello");
    const info = await client.models.log({ experimentId: "0", flavor: "files", model: join(dir, "tokenizer"), name: "tokenizer", metadata: { source: "bpe" } });
    expect(info.mlmodel).toMatchObject({ flavors: { files: { data: "files" } }, metadata: { source: "bpe" } });
    const loaded = await client.models.load(info.modelUri, { destDir: join(dir, "out") });
    expect(loaded.dataPath).toBe(join(dir, "out", "files"));
    expect(readFileSync(join(loaded.dataPath, "vocab", "en.txt"), "utf8")).toBe("hello");
    await expect(client.models.load(info.modelUri, { destDir: join(dir, "out2"), flavor: "onnx" })).rejects.toThrow(/has no "onnx" flavor \(it has: files\)/);
    await client.close();
  });
});
