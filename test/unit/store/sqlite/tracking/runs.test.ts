/**
 * Runs in the embedded store: creation as MLflow's SQL store does it (ids, generated names,
 * artifact URIs, the `mlflow.runName` tag), updates, soft delete and restore, through the
 * unchanged `client.runs` resource.
 */
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { InvalidParameterError, NotFoundError } from "../../../../../src/core/errors.js";
import { rawCall, removeTempDirs, sqliteClient, sqliteStore, tempDir } from "../helpers.js";

afterEach(removeTempDirs);

describe("embedded store: runs", () => {
  it("creates a RUNNING run with a uuid4-hex id, a generated name and MLflow's artifact URI", async () => {
    const dir = tempDir();
    const store = await sqliteStore(dir);
    const { run } = await store.call("runs.create", { experiment_id: "0", start_time: 1234, tags: [{ key: "team", value: "a" }] });
    expect(run.info.run_id).toMatch(/^[0-9a-f]{32}$/);
    expect(run.info).toMatchObject({
      run_uuid: run.info.run_id,
      experiment_id: "0",
      status: "RUNNING",
      start_time: 1234,
      lifecycle_stage: "active",
      user_id: "",
    });
    expect(run.info.end_time).toBeUndefined();
    expect(run.info.run_name).toMatch(/^[a-z]+-[a-z]+-\d{1,4}$/);
    expect(run.info.run_name.length).toBeLessThanOrEqual(20);
    expect(run.info.artifact_uri).toBe(join(dir, "mlruns", "0", run.info.run_id, "artifacts"));
    expect(run.data.tags).toEqual([
      { key: "team", value: "a" },
      { key: "mlflow.runName", value: run.info.run_name },
    ]);
    await store.close();
  });

  it("takes the name from run_name or the mlflow.runName tag, and refuses the two when they differ", async () => {
    const client = sqliteClient(tempDir());
    const named = await client.runs.create({ experiment_id: "0", run_name: "baseline" });
    expect(named.info.run_name).toBe("baseline");
    expect(named.data.tags).toContainEqual({ key: "mlflow.runName", value: "baseline" });
    const tagged = await client.runs.create({ experiment_id: "0", tags: { "mlflow.runName": "from-tag" } });
    expect(tagged.info.run_name).toBe("from-tag");
    const error = await client.runs.create({ experiment_id: "0", run_name: "a", tags: { "mlflow.runName": "b" } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidParameterError);
    expect((error as InvalidParameterError).serverMessage).toContain("Both 'run_name' argument and 'mlflow.runName' tag are specified");
    await client.close();
  });

  it("refuses runs in a deleted or unknown experiment", async () => {
    const client = sqliteClient(tempDir());
    const id = await client.experiments.create({ name: "gone" });
    await client.experiments.delete(id);
    await expect(client.runs.create({ experiment_id: id })).rejects.toBeInstanceOf(InvalidParameterError);
    await expect(client.runs.create({ experiment_id: "99" })).rejects.toBeInstanceOf(NotFoundError);
    await client.close();
  });

  it("updates status, end time and name (with its tag) and returns the new run info", async () => {
    const client = sqliteClient(tempDir());
    const run = await client.runs.create({ experiment_id: "0", run_name: "first" });
    const info = await client.runs.update(run.info.run_id, { status: "FINISHED", end_time: 99, run_name: "second" });
    expect(info).toMatchObject({ status: "FINISHED", end_time: 99, run_name: "second" });
    const again = await client.runs.get(run.info.run_id);
    expect(again.data.tags).toContainEqual({ key: "mlflow.runName", value: "second" });
    expect((await client.runs.update(run.info.run_id, { status: "FAILED" })).end_time).toBe(99);
    await client.close();
  });

  it("soft-deletes a run (deleted_time set, still readable), refuses writes to it, and restores it", async () => {
    const dir = tempDir();
    const store = await sqliteStore(dir, () => 4242);
    const { run } = await store.call("runs.create", { experiment_id: "0" });
    const runId = run.info.run_id;
    await store.call("runs.delete", { run_id: runId });
    expect((await store.call("runs.get", { run_id: runId })).run.info.lifecycle_stage).toBe("deleted");
    const refused = await store.call("runs.logBatch", { run_id: runId, metrics: [{ key: "m", value: 1, timestamp: 1 }] }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(InvalidParameterError);
    expect((refused as InvalidParameterError).serverMessage).toBe(`The run ${runId} must be in the 'active' state. Current state is deleted.`);
    await expect(store.call("runs.update", { run_id: runId, status: "FINISHED" })).rejects.toBeInstanceOf(InvalidParameterError);
    await store.close();
    const Database = (await import("better-sqlite3")).default;
    const db = new Database(join(dir, "mlflow.db"), { readonly: true });
    expect(db.prepare("SELECT deleted_time FROM runs WHERE run_uuid = ?").get(runId)).toEqual({ deleted_time: 4242 });
    db.close();
    const reopened = await sqliteStore(dir);
    await reopened.call("runs.restore", { run_id: runId });
    expect((await reopened.call("runs.get", { run_id: runId })).run.info.lifecycle_stage).toBe("active");
    await reopened.close();
  });

  it("answers 404 RESOURCE_DOES_NOT_EXIST for an unknown run", async () => {
    const client = sqliteClient(tempDir());
    const error = await client.runs.get("0123456789abcdef0123456789abcdef").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ errorCode: "RESOURCE_DOES_NOT_EXIST", status: 404, endpoint: "sqlite:runs.get" });
    await client.close();
  });

  it("answers run RPCs in the endpoint's wire shape, with no field the schema does not declare", async () => {
    const dir = tempDir();
    const store = await sqliteStore(dir);
    const { run } = await store.call("runs.create", { experiment_id: "0" });
    await store.call("runs.logBatch", { run_id: run.info.run_id, metrics: [{ key: "m", value: "NaN", timestamp: 1 }], params: [{ key: "p", value: "v" }] });
    await store.call("runs.logInputs", {
      run_id: run.info.run_id,
      datasets: [{ dataset: { name: "d", digest: "abc", source_type: "local", source: "{}" }, tags: [{ key: "mlflow.data.context", value: "train" }] }],
      models: [{ model_id: "m-1" }],
    });
    await store.call("runs.logOutputs", { run_id: run.info.run_id, models: [{ model_id: "m-2", step: 3 }] });
    await store.close();
    const got = (await rawCall(dir, "runs.get", { run_id: run.info.run_id })) as { run: { data: { metrics: unknown[] }; inputs: unknown; outputs: unknown } };
    expect(got.run.data.metrics).toEqual([{ key: "m", value: "NaN", timestamp: 1, step: 0 }]);
    expect(got.run.inputs).toEqual({
      dataset_inputs: [{ dataset: { name: "d", digest: "abc", source_type: "local", source: "{}" }, tags: [{ key: "mlflow.data.context", value: "train" }] }],
      model_inputs: [{ model_id: "m-1" }],
    });
    expect(got.run.outputs).toEqual({ model_outputs: [{ model_id: "m-2", step: 3 }] });
    await rawCall(dir, "runs.search", { experiment_ids: ["0"], max_results: 10 });
    await rawCall(dir, "runs.update", { run_id: run.info.run_id, status: "FINISHED", end_time: 5 });
    await rawCall(dir, "metrics.getHistory", { run_id: run.info.run_id, metric_key: "m", max_results: 10 });
    await rawCall(dir, "metrics.getHistoryBulkInterval", { run_ids: [run.info.run_id], metric_key: "m", max_results: 10 });
  });
});
