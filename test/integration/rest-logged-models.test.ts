/**
 * MLflow 3 logged models against the real direct server: create, get, finalize, search across
 * pages, tags, more than 100 params, artifact listing (a file put straight into the model's S3
 * location), run outputs, delete.
 */
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NotFoundError } from "../../src/index.js";
import { stackClient, stackEnv, uniqueName } from "./support/stack.js";

const client = stackClient("direct");
let experimentId: string;
let runId: string;

beforeAll(async () => {
  experimentId = await client.experiments.create({ name: uniqueName("rest-logged-models") });
  runId = (await client.runs.create({ experiment_id: experimentId })).info.run_id;
});

afterAll(async () => {
  await client.close();
});

const tagsOf = (tags: { key: string; value: string }[]): Record<string, string> => Object.fromEntries(tags.map((t) => [t.key, t.value]));

describe("logged models on the real server", () => {
  it("creates a PENDING model with params and tags, reads it, and finalizes it READY", async () => {
    const model = await client.loggedModels.create({
      experiment_id: experimentId,
      name: "classifier",
      model_type: "sklearn",
      source_run_id: runId,
      params: { alpha: 0.5 },
      tags: { team: "vision" },
    });

    expect(model.info).toMatchObject({
      experiment_id: experimentId,
      name: "classifier",
      model_type: "sklearn",
      source_run_id: runId,
      status: "LOGGED_MODEL_PENDING",
    });
    expect(model.info.model_id).toMatch(/^m-[0-9a-f]{32}$/);
    expect(model.info.artifact_uri).toBe(`s3://${stackEnv("STACK_BUCKET_DIRECT")}/${experimentId}/models/${model.info.model_id}/artifacts`);
    expect(model.data.params).toEqual([{ key: "alpha", value: "0.5" }]);
    expect(tagsOf(model.info.tags)).toMatchObject({ team: "vision" });

    const fetched = await client.loggedModels.get(model.info.model_id);
    expect(fetched.info.model_id).toBe(model.info.model_id);
    expect(fetched.data.params).toEqual([{ key: "alpha", value: "0.5" }]);

    const ready = await client.loggedModels.finalize(model.info.model_id, "LOGGED_MODEL_READY");
    expect(ready.info.status).toBe("LOGGED_MODEL_READY");
    expect((await client.loggedModels.get(model.info.model_id)).info.status).toBe("LOGGED_MODEL_READY");
  });

  it("sets and deletes tags", async () => {
    const model = await client.loggedModels.create({ experiment_id: experimentId });

    await client.loggedModels.setTags(model.info.model_id, { a: "1", b: "2" });
    await client.loggedModels.setTags(model.info.model_id, { a: "3" });
    await client.loggedModels.deleteTag(model.info.model_id, "b");

    const tags = tagsOf((await client.loggedModels.get(model.info.model_id)).info.tags);
    expect(tags.a).toBe("3");
    expect(tags.b).toBeUndefined();
  });

  it("logs 250 params in one logParams call (sent 100 per request)", async () => {
    const model = await client.loggedModels.create({ experiment_id: experimentId });
    const params = Object.fromEntries(Array.from({ length: 250 }, (_, i) => [`p${i}`, `v${i}`]));

    await client.loggedModels.logParams(model.info.model_id, params);

    expect(tagsOf((await client.loggedModels.get(model.info.model_id)).data.params)).toEqual(params);
  });

  it("searches an experiment's models with a filter and an order, across pages of 1", async () => {
    const searchExperiment = await client.experiments.create({ name: uniqueName("rest-logged-models-search") });
    const ids: string[] = [];
    for (const name of ["m-a", "m-b", "m-c"]) {
      const model = await client.loggedModels.create({
        experiment_id: searchExperiment,
        name: name.replace("-", "_"),
        tags: { kind: name === "m-b" ? "skip" : "keep" },
      });
      ids.push(model.info.model_id);
    }

    const found: string[] = [];
    let pages = 0;
    const search = client.loggedModels.search({ experiment_ids: [searchExperiment], order_by: [{ field_name: "name", ascending: false }], max_results: 1 });
    for await (const page of search.pages()) {
      pages++;
      found.push(...page.items.map((m) => m.info.name));
    }
    expect(found).toEqual(["m_c", "m_b", "m_a"]);
    expect(pages).toBeGreaterThanOrEqual(3);

    const kept = await client.loggedModels.search({ experiment_ids: [searchExperiment], filter: "tags.kind = 'keep'", max_results: 10 });
    expect(kept.map((m) => m.info.model_id).sort()).toEqual([ids[0], ids[2]].sort());
  });

  it("lists the files in a model's artifact location, and nothing for an empty model", async () => {
    const model = await client.loggedModels.create({ experiment_id: experimentId });
    expect(await client.loggedModels.listArtifacts(model.info.model_id)).toEqual([]);

    const location = new URL(model.info.artifact_uri);
    const s3 = new S3Client({
      endpoint: stackEnv("MLFLOW_S3_ENDPOINT_URL"),
      forcePathStyle: true,
      region: stackEnv("AWS_DEFAULT_REGION"),
      credentials: { accessKeyId: stackEnv("AWS_ACCESS_KEY_ID"), secretAccessKey: stackEnv("AWS_SECRET_ACCESS_KEY") },
      requestChecksumCalculation: "WHEN_REQUIRED",
    });
    try {
      const prefix = location.pathname.slice(1);
      await s3.send(new PutObjectCommand({ Bucket: location.host, Key: `${prefix}/MLmodel`, Body: "flavors: {}\n" }));
      await s3.send(new PutObjectCommand({ Bucket: location.host, Key: `${prefix}/data/model.bin`, Body: Buffer.alloc(1234) }));
    } finally {
      s3.destroy();
    }

    const files = await client.loggedModels.listArtifacts(model.info.model_id);
    expect(files).toHaveLength(2);
    expect(files).toEqual(
      expect.arrayContaining([
        { path: "MLmodel", is_dir: false, file_size: 12 },
        { path: "data", is_dir: true },
      ]),
    );
    expect(await client.loggedModels.listArtifacts(model.info.model_id, "data")).toEqual([{ path: "data/model.bin", is_dir: false, file_size: 1234 }]);
  });

  it("records a model as a run output", async () => {
    const model = await client.loggedModels.create({ experiment_id: experimentId, source_run_id: runId });
    await client.runs.logOutputs(runId, [{ model_id: model.info.model_id, step: 3 }]);
    expect((await client.runs.get(runId)).outputs.model_outputs).toContainEqual({ model_id: model.info.model_id, step: 3 });
  });

  it("deletes a model: reading it is then a 404", async () => {
    const model = await client.loggedModels.create({ experiment_id: experimentId });
    await client.loggedModels.delete(model.info.model_id);
    const error = await client.loggedModels.get(model.info.model_id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ status: 404, errorCode: "RESOURCE_DOES_NOT_EXIST", endpoint: `/api/2.0/mlflow/logged-models/${model.info.model_id}` });
  });
});
