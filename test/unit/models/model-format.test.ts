/**
 * The pieces of the model format, checked against what mlflow 3.17.2 writes: signature JSON
 * (columns, tensors, params), input examples of each kind with their serving bodies, PyYAML's
 * layout of MLmodel, and the fluent URI functions on an explicit client.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { downloadArtifacts, listArtifacts, loadDict, loadText, openArtifact } from "../../../src/index.js";
import { prepareExample } from "../../../src/models/input-example.js";
import { mlmodelYaml, rebaseMLmodel, utcTimeCreated } from "../../../src/models/mlmodel.js";
import { signatureBlock } from "../../../src/models/signature.js";
import { validationError } from "../helpers/validation-error.js";
import { removeTempDirs, sqliteClient, tempDir } from "../store/sqlite/helpers.js";

afterEach(removeTempDirs);

describe("signatureBlock", () => {
  it("writes column specs, named tensors and params as mlflow.types.Schema.to_json does", () => {
    expect(
      signatureBlock({
        inputs: [
          { type: "double", name: "age" },
          { type: "string", name: "plan", required: false },
        ],
        outputs: [{ type: "long" }],
      }),
    ).toEqual({
      inputs: '[{"type": "double", "name": "age", "required": true}, {"type": "string", "name": "plan", "required": false}]',
      outputs: '[{"type": "long", "required": true}]',
      params: null,
    });
    expect(
      signatureBlock({
        inputs: [{ type: "tensor", dtype: "float32", shape: [-1, 28, 28], name: "image" }],
        params: [{ name: "top_k", type: "long", default: 5 }],
      }),
    ).toEqual({
      inputs: '[{"name": "image", "type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 28, 28]}}]',
      outputs: null,
      params: '[{"name": "top_k", "default": 5, "shape": null, "type": "long"}]',
    });
  });

  it.each([
    [{ inputs: [{ type: "double", name: "a" }, { type: "double" }] }, /mixes named and unnamed/],
    [
      {
        inputs: [
          { type: "double", name: "a" },
          { type: "long", name: "a" },
        ],
      },
      /repeats a name/,
    ],
    [{ inputs: [{ type: "tensor", dtype: "float128", shape: [-1] }] }, /signature is invalid at "inputs.0/],
    [{ inputs: [] }, /invalid at "inputs"/],
    [
      {
        inputs: [{ type: "double" }],
        params: [
          { name: "k", type: "long", default: 1 },
          { name: "k", type: "long", default: 2 },
        ],
      },
      /params repeats a name/,
    ],
  ])("refuses %j", (signature, message) => {
    const error = validationError(() => signatureBlock(signature as never));
    expect(error.rule).toBe("signature");
    expect(error.message).toMatch(message);
    expect(error.message).toContain("Fix: ");
  });
});

describe("prepareExample", () => {
  async function written(example: Parameters<typeof prepareExample>[0]): Promise<{ info: Record<string, string>; example: string; serving: unknown }> {
    const prepared = prepareExample(example);
    const dir = mkdtempSync(join(tmpdir(), "mlflow-ts-example-"));
    try {
      await prepared.write(dir);
      return {
        info: prepared.info,
        example: readFileSync(join(dir, "input_example.json"), "utf8"),
        serving: JSON.parse(readFileSync(join(dir, "serving_input_example.json"), "utf8")),
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it("writes a table by columns or rows in pandas' split orientation, as a dataframe example", async () => {
    const byColumns = await written({ type: "dataframe", data: { age: [31, 45], plan: ["basic", null] } });
    expect(byColumns).toEqual({
      info: { artifact_path: "input_example.json", type: "dataframe", pandas_orient: "split", serving_input_path: "serving_input_example.json" },
      example: '{"columns": ["age", "plan"], "data": [[31, "basic"], [45, null]]}',
      serving: {
        dataframe_split: {
          columns: ["age", "plan"],
          data: [
            [31, "basic"],
            [45, null],
          ],
        },
      },
    });
    const byRows = await written({ type: "dataframe", data: [{ age: 31 }, { age: 45, plan: "pro" }] });
    expect(byRows.example).toBe('{"columns": ["age", "plan"], "data": [[31, null], [45, "pro"]]}');
  });

  it("writes JSON examples, named tensors and params as _Example does", async () => {
    expect(await written({ type: "json", data: { question: "What is MLflow?" }, params: { temperature: 0.1 } })).toEqual({
      info: { artifact_path: "input_example.json", type: "json_object", params: "true", serving_input_path: "serving_input_example.json" },
      example: '{"inputs": {"question": "What is MLflow?"}, "params": {"temperature": 0.1}}',
      serving: { inputs: { question: "What is MLflow?" }, params: { temperature: 0.1 } },
    });
    expect((await written({ type: "ndarray", data: { x: [[1, 2]], mask: Float64Array.from([1, 0]) } })).example).toBe('{"x": [[1, 2]], "mask": [1, 0]}');
  });

  it.each([
    [{ type: "table", data: [] }, /Unknown input example type "table"/],
    [{ type: "ndarray", data: [["a"]] }, /holds string/],
    [{ type: "dataframe", data: { a: [1], b: [1, 2] } }, /same number of values/],
    [{ type: "dataframe", data: 7 }, /is a table/],
    [{ type: "json", data: undefined }, /no JSON form/],
  ])("refuses %j", (example, message) => {
    const error = validationError(() => prepareExample(example as never));
    expect(error.rule).toBe("input-example");
    expect(error.message).toMatch(message);
  });
});

describe("MLmodel", () => {
  it("is written with PyYAML's layout: sorted keys, flush sequences, YAML 1.1 quoting", () => {
    expect(
      mlmodelYaml({
        utc_time_created: "2026-12-06 11:21:59.770000",
        flavors: { python_function: { python_version: "3.11", env: { conda: "conda.yaml" } } },
        mlflow_version: "3.17.2",
        run_id: undefined,
        prompts: null,
        providers: ["CPUExecutionProvider"],
      }),
    ).toBe(
      "flavors:\n  python_function:\n    env:\n      conda: conda.yaml\n    python_version: '3.11'\nmlflow_version: 3.17.2\nprompts: null\nproviders:\n- CPUExecutionProvider\nutc_time_created: '2026-12-06 11:21:59.770000'\n",
    );
    expect(utcTimeCreated(new Date(Date.UTC(2026, 11, 6, 11, 21, 59, 770)))).toBe("2026-12-06 11:21:59.770000");
  });

  it("is rebased onto a copy only where it named the source", () => {
    const text = mlmodelYaml({ flavors: {}, model_id: "m-a", model_uuid: "m-a", artifact_path: "s3://b/1/models/m-a/artifacts", run_id: "r1" });
    const rebased = rebaseMLmodel(
      text,
      { modelId: "m-a", artifactUri: "s3://b/1/models/m-a/artifacts", runId: "r1" },
      { modelId: "m-b", artifactUri: "file:///x", runId: undefined },
    );
    expect(rebased).toBe("artifact_path: file:///x\nflavors: {}\nmodel_id: m-b\nmodel_uuid: m-b\n");
    expect(rebaseMLmodel(text, { modelId: "m-z", artifactUri: "other", runId: "r9" }, { modelId: "m-b", artifactUri: "x", runId: undefined })).toBeUndefined();
    expect(
      rebaseMLmodel("not: [a model", { modelId: "m-a", artifactUri: "", runId: undefined }, { modelId: "m-b", artifactUri: "", runId: undefined }),
    ).toBeUndefined();
  });
});

describe("the fluent URI functions", () => {
  it("download, list, open and read by URI on the given client", async () => {
    const dir = tempDir();
    const client = sqliteClient(dir);
    const experimentId = await client.experiments.create({ name: "fluent-uris", artifact_location: join(dir, "artifacts") });
    const run = await client.runs.create({ experiment_id: experimentId });
    await client.artifacts.uploadData(run.info.run_id, '{"a": 1}', "conf/params.json");
    const uri = `runs:/${run.info.run_id}/conf/params.json`;
    expect(await loadDict(uri, { client })).toEqual({ a: 1 });
    expect(await loadText(uri, { client })).toBe('{"a": 1}');
    expect((await listArtifacts(`runs:/${run.info.run_id}/conf`, { client })).map((f) => f.path)).toEqual(["conf/params.json"]);
    expect(await downloadArtifacts(uri, join(dir, "out"), { client })).toBe(join(dir, "out", "params.json"));
    let text = "";
    for await (const chunk of await openArtifact(uri, { client })) text += String(chunk);
    expect(text).toBe('{"a": 1}');
    await client.close();
  });
});

describe("client.models.waitUntilReady", () => {
  it("returns a READY version at once", async () => {
    const dir = tempDir();
    const client = sqliteClient(dir);
    const info = await client.models.log({ experimentId: "0", flavor: "files", model: join(__dirname, "model-format.test.ts") });
    await client.models.register(info.modelUri, "ready");
    expect((await client.models.waitUntilReady("ready", 1)).status).toBe("READY");
    await client.close();
  });
});
