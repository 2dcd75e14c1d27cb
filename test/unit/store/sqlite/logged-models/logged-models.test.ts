/**
 * MLflow 3 logged models in the embedded store behave as in MLflow's tracking SQL store behind
 * its REST handlers, through the unchanged `client.loggedModels` resource: create (ids, artifact
 * locations, PENDING), get, finalize, soft delete, tags, params, metrics logged with a model id,
 * searches with filters, order and page tokens, and artifact listing.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { InvalidParameterError, NotFoundError, ValidationError } from "../../../../../src/core/errors.js";
import type { SqliteStore } from "../../../../../src/store/sqlite/sqlite-store.js";
import { rawCall, removeTempDirs, sqliteClient, sqliteStore, tempDir } from "../helpers.js";

afterEach(removeTempDirs);

async function fixture(): Promise<{ dir: string; store: SqliteStore; tick: () => number; experimentId: string }> {
  const dir = tempDir();
  let clock = 1_000;
  const store = await sqliteStore(dir, () => clock);
  const { experiment_id } = await store.call("experiments.create", { name: "e" });
  return { dir, store, tick: () => (clock += 1_000), experimentId: experiment_id };
}

describe("embedded store: logged models", () => {
  it("creates a PENDING model m-<32 hex> under <experiment location>/models/<id>/artifacts, with params and tags", async () => {
    const { dir, store, experimentId } = await fixture();
    const { model } = await store.call("loggedModels.create", {
      experiment_id: experimentId,
      name: "classifier",
      model_type: "sklearn",
      params: [{ key: "alpha", value: "0.5" }],
      tags: [{ key: "team", value: "risk" }],
    });
    expect(model.info.model_id).toMatch(/^m-[0-9a-f]{32}$/);
    expect(model).toEqual({
      info: {
        model_id: model.info.model_id,
        experiment_id: experimentId,
        name: "classifier",
        creation_timestamp_ms: 1_000,
        last_updated_timestamp_ms: 1_000,
        artifact_uri: join(dir, "mlruns", experimentId, "models", model.info.model_id, "artifacts"),
        status: "LOGGED_MODEL_PENDING",
        model_type: "sklearn",
        source_run_id: "",
        tags: [{ key: "team", value: "risk" }],
        registrations: [],
      },
      data: { params: [{ key: "alpha", value: "0.5" }], metrics: [] },
    });
    await store.close();
    await rawCall(dir, "loggedModels.get", { model_id: model.info.model_id });
    await rawCall(dir, "loggedModels.search", { experiment_ids: [experimentId], max_results: 10 });
    await rawCall(dir, "loggedModels.finalize", { model_id: model.info.model_id, status: "LOGGED_MODEL_READY" });
  });

  it("names an unnamed model like a run, and refuses bad names and inactive experiments", async () => {
    const { store, experimentId } = await fixture();
    expect((await store.call("loggedModels.create", { experiment_id: experimentId })).model.info.name).toMatch(/^[a-z]+-[a-z]+-\d+$/);
    await expect(store.call("loggedModels.create", { experiment_id: experimentId, name: "a.b" })).rejects.toBeInstanceOf(InvalidParameterError);
    await expect(store.call("loggedModels.create", { experiment_id: "42" })).rejects.toBeInstanceOf(NotFoundError);
    await store.call("experiments.delete", { experiment_id: experimentId });
    await expect(store.call("loggedModels.create", { experiment_id: experimentId })).rejects.toThrow(/must be in the 'active' state/);
    await store.close();
  });

  it("finalizes, soft-deletes, and answers RESOURCE_DOES_NOT_EXIST for a deleted or unknown model", async () => {
    const { store, tick, experimentId } = await fixture();
    const { model } = await store.call("loggedModels.create", { experiment_id: experimentId, name: "m" });
    const id = model.info.model_id;
    const now = tick();
    const ready = await store.call("loggedModels.finalize", { model_id: id, status: "LOGGED_MODEL_READY" });
    expect(ready.model.info).toMatchObject({ status: "LOGGED_MODEL_READY", last_updated_timestamp_ms: now });
    expect((await store.call("loggedModels.finalize", { model_id: id, status: "LOGGED_MODEL_UPLOAD_FAILED" })).model.info.status).toBe(
      "LOGGED_MODEL_UPLOAD_FAILED",
    );
    await expect(store.call("loggedModels.finalize", { model_id: id, status: "DONE" })).rejects.toBeInstanceOf(InvalidParameterError);
    await store.call("loggedModels.delete", { model_id: id });
    const gone = await store.call("loggedModels.get", { model_id: id }).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(NotFoundError);
    expect(gone).toMatchObject({ status: 404, serverMessage: `Logged model with ID '${id}' not found.` });
    await expect(store.call("loggedModels.delete", { model_id: "m-unknown" })).rejects.toBeInstanceOf(NotFoundError);
    await store.close();
  });

  it("upserts tags, deletes them (an absent tag is RESOURCE_DOES_NOT_EXIST), and logs params once", async () => {
    const client = sqliteClient(tempDir());
    const model = await client.loggedModels.create({ experiment_id: "0", name: "m", tags: { a: "1" } });
    const id = model.info.model_id;
    await client.loggedModels.setTags(id, { a: "2", b: "3" });
    expect((await client.loggedModels.get(id)).info.tags).toEqual([
      { key: "a", value: "2" },
      { key: "b", value: "3" },
    ]);
    await client.loggedModels.deleteTag(id, "a");
    await expect(client.loggedModels.deleteTag(id, "a")).rejects.toMatchObject({ errorCode: "RESOURCE_DOES_NOT_EXIST", status: 404 });
    const params = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`p${i}`, i]));
    await client.loggedModels.logParams(id, params);
    expect((await client.loggedModels.get(id)).data.params).toHaveLength(150);
    await expect(client.loggedModels.logParams(id, { p0: "other" })).rejects.toMatchObject({ errorCode: "BAD_REQUEST", status: 400 });
    await expect(client.loggedModels.create({ experiment_id: "0", name: "a:b" })).rejects.toBeInstanceOf(ValidationError);
    await client.close();
  });

  it("shows metrics logged with the model's id, with their run and dataset", async () => {
    const client = sqliteClient(tempDir());
    const run = await client.runs.create({ experiment_id: "0" });
    const model = await client.loggedModels.create({ experiment_id: "0", name: "m", source_run_id: run.info.run_id });
    await client.store.call("runs.logBatch", {
      run_id: run.info.run_id,
      metrics: [{ key: "acc", value: 0.9, timestamp: 5, step: 1, model_id: model.info.model_id, dataset_name: "val", dataset_digest: "d1" }],
    });
    const { data, info } = await client.loggedModels.get(model.info.model_id);
    expect(info.source_run_id).toBe(run.info.run_id);
    expect(data.metrics).toEqual([
      { key: "acc", value: 0.9, timestamp: 5, step: 1, run_id: run.info.run_id, model_id: model.info.model_id, dataset_name: "val", dataset_digest: "d1" },
    ]);
    await client.close();
  });

  it("searches by attributes, params, tags and metrics, leaves deleted models out, orders and pages", async () => {
    const { store, tick, experimentId } = await fixture();
    const { run } = await store.call("runs.create", { experiment_id: experimentId, start_time: 1 });
    const ids: Record<string, string> = {};
    for (const [name, lr, acc] of [
      ["alpha", "0.1", 0.7],
      ["beta", "0.2", 0.9],
      ["gamma", "0.1", 0.8],
      ["gone", "0.1", 0.99],
    ] as const) {
      tick();
      const { model } = await store.call("loggedModels.create", {
        experiment_id: experimentId,
        name,
        params: [{ key: "lr", value: lr }],
        tags: [{ key: "kind", value: name[0]! }],
      });
      ids[name] = model.info.model_id;
      await store.call("runs.logMetric", { run_id: run.info.run_id, key: "acc", value: acc, timestamp: 10, step: 0, model_id: model.info.model_id });
    }
    await store.call("loggedModels.finalize", { model_id: ids.beta!, status: "LOGGED_MODEL_READY" });
    await store.call("loggedModels.delete", { model_id: ids.gone! });
    const names = async (filter?: string, order_by?: { field_name: string; ascending?: boolean }[]): Promise<string[]> =>
      (await store.call("loggedModels.search", { experiment_ids: [experimentId], filter, order_by, max_results: 50 })).models.map((m) => m.info.name);
    expect(await names()).toEqual(["gamma", "beta", "alpha"]);
    expect(await names("name = 'beta'")).toEqual(["beta"]);
    expect(await names("name LIKE 'a%' ")).toEqual(["alpha"]);
    expect(await names("params.lr = '0.1'")).toEqual(["gamma", "alpha"]);
    expect(await names("tags.kind != 'g'")).toEqual(["beta", "alpha"]);
    expect(await names("metrics.acc > 0.75")).toEqual(["gamma", "beta"]);
    expect(await names("status = '2'")).toEqual(["beta"]);
    expect(await names("creation_timestamp >= 3000")).toEqual(["gamma", "beta"]);
    expect(await names(undefined, [{ field_name: "metrics.acc", ascending: false }])).toEqual(["beta", "gamma", "alpha"]);
    expect(await names(undefined, [{ field_name: "name" }])).toEqual(["alpha", "beta", "gamma"]);
    await expect(names("metrics.acc LIKE '1'")).rejects.toBeInstanceOf(InvalidParameterError);
    await expect(names(undefined, [{ field_name: "params.lr" }])).rejects.toBeInstanceOf(InvalidParameterError);
    const first = await store.call("loggedModels.search", { experiment_ids: [experimentId], max_results: 2 });
    expect(first.models).toHaveLength(2);
    expect(JSON.parse(Buffer.from(first.next_page_token!, "base64").toString())).toEqual({
      experiment_ids: [experimentId],
      filter_string: null,
      order_by: null,
      offset: 2,
    });
    const second = await store.call("loggedModels.search", { experiment_ids: [experimentId], max_results: 2, page_token: first.next_page_token });
    expect(second.models.map((m) => m.info.name)).toEqual(["alpha"]);
    expect(second.next_page_token).toBeUndefined();
    await expect(store.call("loggedModels.search", { experiment_ids: ["0"], max_results: 2, page_token: first.next_page_token })).rejects.toThrow(
      /Experiment IDs in the page token do not match/,
    );
    await store.close();
  });

  it("pages through every model with for-await on the resource", async () => {
    const client = sqliteClient(tempDir());
    for (let i = 0; i < 5; i++) await client.loggedModels.create({ experiment_id: "0", name: `m${i}` });
    const seen: string[] = [];
    for await (const model of client.loggedModels.search({ experiment_ids: ["0"], max_results: 2, order_by: [{ field_name: "name", ascending: true }] }))
      seen.push(model.info.name);
    expect(seen).toEqual(["m0", "m1", "m2", "m3", "m4"]);
    await client.close();
  });

  it("lists the model's local artifact directory, relative and sorted", async () => {
    const dir = tempDir();
    const client = sqliteClient(dir);
    const experimentId = await client.experiments.create({ name: "e", artifact_location: join(dir, "art") });
    const model = await client.loggedModels.create({ experiment_id: experimentId, name: "m" });
    expect(await client.loggedModels.listArtifacts(model.info.model_id)).toEqual([]);
    const root = model.info.artifact_uri;
    mkdirSync(join(root, "sub"), { recursive: true });
    writeFileSync(join(root, "MLmodel"), "flavors: {}\n");
    writeFileSync(join(root, "sub", "weights.bin"), "1234");
    expect(await client.loggedModels.listArtifacts(model.info.model_id)).toEqual([
      { path: "MLmodel", is_dir: false, file_size: 12 },
      { path: "sub", is_dir: true },
    ]);
    expect(await client.loggedModels.listArtifacts(model.info.model_id, "sub")).toEqual([{ path: "sub/weights.bin", is_dir: false, file_size: 4 }]);
    await expect(client.loggedModels.listArtifacts(model.info.model_id, "../x")).rejects.toBeInstanceOf(InvalidParameterError);
    await client.close();
  });

  it("records registered versions on the model and takes the version's run from it", async () => {
    const client = sqliteClient(tempDir());
    const run = await client.runs.create({ experiment_id: "0" });
    const model = await client.loggedModels.create({ experiment_id: "0", name: "m", source_run_id: run.info.run_id });
    await client.registeredModels.create({ name: "reg" });
    const version = await client.modelVersions.create({ name: "reg", source: `models:/${model.info.model_id}`, model_id: model.info.model_id });
    expect(version).toMatchObject({ version: "1", run_id: run.info.run_id, source: `models:/${model.info.model_id}` });
    expect(await client.modelVersions.getDownloadUri("reg", 1)).toBe(model.info.artifact_uri);
    await client.modelVersions.create({ name: "reg", source: `models:/${model.info.model_id}`, model_id: model.info.model_id });
    const tag = (await client.loggedModels.get(model.info.model_id)).info.tags.find((t) => t.key === "mlflow.modelVersions");
    expect(tag?.value).toBe('[{"name": "reg", "version": 1}, {"name": "reg", "version": 2}]');
    await expect(client.modelVersions.create({ name: "reg", source: "models:/m-other", model_id: model.info.model_id })).rejects.toBeInstanceOf(
      InvalidParameterError,
    );
    await client.close();
  });
});
