/**
 * logModel on the embedded store: what a logged model holds (MLmodel fields, the flavor's files,
 * the example and environment files, params, tags, run output, linked metrics), READY or FAILED,
 * and bad input refused before anything is created.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { AbortError, type MlflowClient, startRun, ValidationError } from "../../../src/index.js";
import { removeTempDirs, sqliteClient, tempDir } from "../store/sqlite/helpers.js";

afterEach(removeTempDirs);

/** Bytes that start like a serialized ONNX ModelProto (ir_version 10); Python is the judge of real graphs (integration suite). */
const ONNX_LIKE = Uint8Array.from([0x08, 0x0a, 0x12, 0x07, 0x6d, 0x6c, 0x66, 0x6c, 0x6f, 0x77, 0x2d]);

function files(root: string): string[] {
  const out: string[] = [];
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder)) {
      const path = join(folder, entry);
      if (statSync(path).isDirectory()) walk(path);
      else out.push(relative(root, path));
    }
  };
  walk(root);
  return out.sort();
}

async function experimentIn(client: MlflowClient, dir: string): Promise<string> {
  return client.experiments.create({ name: "models", artifact_location: join(dir, "artifacts") });
}

async function loggedModelCount(client: MlflowClient, experimentId: string): Promise<number> {
  let count = 0;
  for await (const _ of client.loggedModels.search({ experiment_ids: [experimentId] })) count++;
  return count;
}

describe("run.logModel with the onnx flavor", () => {
  it("writes what mlflow.onnx.log_model writes, links the model to the run, and finalizes it READY", async () => {
    const dir = tempDir();
    const client = sqliteClient(dir);
    const experimentId = await experimentIn(client, dir);
    const run = await startRun({ client, experimentId, params: { lr: 0.1 }, exitHooks: false });
    run.logMetric("loss", 0.5, { step: 3 });
    run.logMetric("loss", 0.9, { step: 1 });
    const info = await run.logModel({
      flavor: "onnx",
      model: ONNX_LIKE,
      name: "churn",
      step: 3,
      params: { k: "v", lr: "ignored: the run's wins" },
      tags: { team: "risk" },
      modelType: "linear",
      signature: { inputs: [{ type: "tensor", dtype: "float32", shape: [-1, 3] }], outputs: [{ type: "tensor", dtype: "float32", shape: [-1, 1] }] },
      inputExample: {
        type: "ndarray",
        data: [
          [1, 2, 3],
          [4, Number.NaN, 6],
        ],
      },
    });
    await run.end();

    expect(info.modelUri).toBe(`models:/${info.modelId}`);
    expect(info.loggedModel?.info.status).toBe("LOGGED_MODEL_READY");
    const model = await client.loggedModels.get(info.modelId!);
    expect(model.info).toMatchObject({ name: "churn", model_type: "linear", source_run_id: run.runId, status: "LOGGED_MODEL_READY" });
    expect(Object.fromEntries(model.data.params.map((p) => [p.key, p.value]))).toEqual({ k: "v", lr: "0.1" });
    const tags = Object.fromEntries(model.info.tags.map((t) => [t.key, t.value]));
    expect(tags).toMatchObject({ team: "risk", "mlflow.source.type": "LOCAL" });
    expect(tags["mlflow.user"]).toBeTruthy();
    expect((await client.runs.get(run.runId)).outputs.model_outputs).toEqual([{ model_id: info.modelId, step: 3 }]);
    // log_model_metrics_for_step: the run's points at the model's step are linked to it.
    expect(model.data.metrics.map((m) => [m.key, m.value, m.step])).toEqual([["loss", 0.5, 3]]);

    const local = await client.uris.download(info.modelUri, join(dir, "out"));
    expect(files(local)).toEqual([
      "MLmodel",
      "conda.yaml",
      "input_example.json",
      "model.onnx",
      "python_env.yaml",
      "registered_model_meta",
      "requirements.txt",
      "serving_input_example.json",
    ]);
    expect(readFileSync(join(local, "model.onnx"))).toEqual(Buffer.from(ONNX_LIKE));
    const mlmodel = parse(readFileSync(join(local, "MLmodel"), "utf8"), { version: "1.1" }) as Record<string, unknown>;
    expect(mlmodel).toMatchObject({
      artifact_path: model.info.artifact_uri,
      mlflow_version: "3.17.2",
      model_id: info.modelId,
      model_uuid: info.modelId,
      run_id: run.runId,
      prompts: null,
      is_signature_from_type_hint: false,
      type_hint_from_example: false,
      signature: {
        inputs: '[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 3]}}]',
        outputs: '[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 1]}}]',
        params: null,
      },
      saved_input_example_info: { artifact_path: "input_example.json", serving_input_path: "serving_input_example.json", type: "ndarray" },
      flavors: {
        onnx: {
          code: null,
          data: "model.onnx",
          onnx_session_options: null,
          onnx_version: "1.23.2",
          providers: ["CUDAExecutionProvider", "CPUExecutionProvider"],
        },
        python_function: {
          data: "model.onnx",
          env: { conda: "conda.yaml", virtualenv: "python_env.yaml" },
          loader_module: "mlflow.onnx",
          python_version: "3.11.7",
        },
      },
    });
    expect(mlmodel.utc_time_created).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
    expect(mlmodel.model_size_bytes).toBeGreaterThan(0);
    expect(readFileSync(join(local, "input_example.json"), "utf8")).toBe("[[1, 2, 3], [4, null, 6]]");
    expect(JSON.parse(readFileSync(join(local, "serving_input_example.json"), "utf8"))).toEqual({
      inputs: [
        [1, 2, 3],
        [4, null, 6],
      ],
    });
    expect(readFileSync(join(local, "requirements.txt"), "utf8")).toBe("mlflow==3.17.2\nonnx==1.23.2\nonnxruntime==1.32.0");
    expect(parse(readFileSync(join(local, "python_env.yaml"), "utf8"))).toEqual({
      python: "3.11.7",
      build_dependencies: ["pip", "setuptools", "wheel"],
      dependencies: ["-r requirements.txt"],
    });
    expect(parse(readFileSync(join(local, "conda.yaml"), "utf8"))).toEqual({
      channels: ["conda-forge"],
      dependencies: ["python=3.11.7", "pip", { pip: ["mlflow==3.17.2", "onnx==1.23.2", "onnxruntime==1.32.0"] }],
      name: "mlflow-env",
    });
    await client.close();
  });

  it("takes a .onnx file by path, and the requirements given", async () => {
    const dir = tempDir();
    const client = sqliteClient(dir);
    const run = await startRun({ client, experimentId: await experimentIn(client, dir), exitHooks: false });
    writeFileSync(join(dir, "churn.onnx"), ONNX_LIKE);
    const info = await run.logModel({
      flavor: "onnx",
      model: join(dir, "churn.onnx"),
      pipRequirements: ["onnxruntime"],
      extraPipRequirements: ["scikit-learn==1.9.1"],
    });
    await run.end();
    expect(await client.uris.loadText(`runs:/${run.runId}/model/model.onnx`)).toBe(Buffer.from(ONNX_LIKE).toString());
    expect(await client.uris.loadText(`${info.modelUri}/requirements.txt`).catch(() => undefined)).toBeUndefined(); // models:/<id>/<path> is a stage URI in Python too
    expect(await client.uris.loadText(`runs:/${run.runId}/model/requirements.txt`)).toBe("mlflow==3.17.2\nonnxruntime\nscikit-learn==1.9.1");
    await client.close();
  });
});

describe("logModel refuses bad input before anything is created", () => {
  it.each([
    [{ flavor: "pytorch", model: "x" }, "flavor", "unknown-flavor", /Unknown model flavor "pytorch".*"onnx", "tfjs", "files".*Fix: /],
    [{ flavor: "onnx", model: "/nonexistent/churn.onnx" }, "model", "onnx-model-missing", /does not exist.*Fix: /],
    [{ flavor: "onnx", model: Uint8Array.from([1, 2, 3]) }, "model", "onnx-model-format", /not a serialized ONNX model.*Fix: /],
    [
      { flavor: "onnx", model: ONNX_LIKE, signature: { inputs: [{ type: "tensor", dtype: "float32", shape: [-1] }, { type: "double" }] } },
      "signature.inputs",
      "signature",
      /mixes tensor specs and column specs/,
    ],
    [{ flavor: "onnx", model: ONNX_LIKE, inputExample: { type: "ndarray", data: [[1, 2], [3]] } }, "inputExample.data", "input-example", /ragged/],
    [
      { flavor: "onnx", model: ONNX_LIKE, onnxSessionOptions: { execution_mode: "fast" } },
      "onnxSessionOptions.execution_mode",
      "model-option",
      /Invalid logModel option/,
    ],
    [{ flavor: "files", model: ONNX_LIKE }, "model", "model-option", /Invalid logModel option "model"/],
    [{ flavor: "onnx", model: ONNX_LIKE, name: "a/b" }, "name", "logged-model-name", /\/ : \. % " '/],
    [{ flavor: "tfjs", model: "/nonexistent/folder" }, "model", "tfjs-model-missing", /model\.json does not exist/],
  ])("%j → ValidationError %s/%s", async (options, key, rule, message) => {
    const dir = tempDir();
    const client = sqliteClient(dir);
    const experimentId = await experimentIn(client, dir);
    const error = await client.models.log({ experimentId, ...(options as object) } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).key).toBe(key);
    expect((error as ValidationError).rule).toBe(rule);
    expect((error as Error).message).toMatch(message);
    expect(await loggedModelCount(client, experimentId)).toBe(0);
    await client.close();
  });

  it("names the missing model.onnx of a folder", async () => {
    const dir = tempDir();
    const client = sqliteClient(dir);
    mkdirSync(join(dir, "export"));
    const error = await client.models.log({ experimentId: "0", flavor: "onnx", model: join(dir, "export") }).catch((e: unknown) => e);
    expect((error as Error).message).toContain(`The folder ${join(dir, "export")} has no model.onnx. Fix: `);
    await client.close();
  });
});

describe("a model whose upload fails", () => {
  it("is finalized FAILED and the error is thrown", async () => {
    const dir = tempDir();
    const client = sqliteClient(dir);
    const experimentId = await experimentIn(client, dir);
    const controller = new AbortController();
    controller.abort();
    const error = await client.models.log({ experimentId, flavor: "onnx", model: ONNX_LIKE, signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    const models = [];
    for await (const model of client.loggedModels.search({ experiment_ids: [experimentId] })) models.push(model);
    expect(models.map((m) => m.info.status)).toEqual(["LOGGED_MODEL_UPLOAD_FAILED"]);
    await client.close();
  });
});
