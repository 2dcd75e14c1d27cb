/**
 * Logging into the embedded store follows MLflow's SQL store: write-once params, `latest_metrics`
 * by (step, timestamp, value), duplicate metric rows dropped, NaN flagged, ±Infinity clamped,
 * tags upserted, `mlflow.runName` renaming the run; and a batch is all-or-nothing.
 */
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { InvalidParameterError, ValidationError } from "../../../../../src/core/errors.js";
import type { SqliteStore } from "../../../../../src/store/sqlite/sqlite-store.js";
import { removeTempDirs, sqliteClient, sqliteStore, tempDir } from "../helpers.js";

afterEach(removeTempDirs);

async function newRun(store: SqliteStore): Promise<string> {
  return (await store.call("runs.create", { experiment_id: "0" })).run.info.run_id;
}

function rows(dir: string, sql: string, ...params: unknown[]): unknown[] {
  const db = new Database(join(dir, "mlflow.db"), { readonly: true });
  try {
    return db.prepare(sql).all(...params);
  } finally {
    db.close();
  }
}

describe("embedded store: logging", () => {
  it("keeps params write-once: the same value again is a no-op, another value is refused", async () => {
    const client = sqliteClient(tempDir());
    const run = await client.runs.create({ experiment_id: "0" });
    await client.runs.logBatch(run.info.run_id, { params: { lr: 0.01, layers: 3 } });
    await client.runs.logParam(run.info.run_id, "lr", 0.01);
    const single = await client.runs.logParam(run.info.run_id, "lr", 0.02).catch((e: unknown) => e);
    expect(single).toBeInstanceOf(InvalidParameterError);
    expect((single as InvalidParameterError).serverMessage).toBe(
      `Changing param values is not allowed. Param with key='lr' was already logged with value='0.01' for run ID='${run.info.run_id}'. Attempted logging new value '0.02'.`,
    );
    const batch = await client.runs.logBatch(run.info.run_id, { params: { layers: 4 } }).catch((e: unknown) => e);
    expect((batch as InvalidParameterError).serverMessage).toBe(
      `Changing param values is not allowed. Params were already logged='[{'key': 'layers', 'old_value': '3', 'new_value': '4'}]' for run ID='${run.info.run_id}'.`,
    );
    expect((await client.runs.get(run.info.run_id)).data.params).toEqual([
      { key: "lr", value: "0.01" },
      { key: "layers", value: "3" },
    ]);
    await client.close();
  });

  it("refuses duplicate param keys in one batch (INVALID_PARAMETER_VALUE from the store, ValidationError from the resource)", async () => {
    const client = sqliteClient(tempDir());
    const run = await client.runs.create({ experiment_id: "0" });
    const direct = await client.store
      .call("runs.logBatch", {
        run_id: run.info.run_id,
        params: [
          { key: "a", value: "1" },
          { key: "a", value: "1" },
        ],
      })
      .catch((e: unknown) => e);
    expect(direct).toBeInstanceOf(InvalidParameterError);
    expect((direct as InvalidParameterError).serverMessage).toContain("Duplicate parameter keys have been submitted: ['a']");
    await expect(
      client.runs.logBatch(run.info.run_id, {
        params: [
          { key: "a", value: 1 },
          { key: "a", value: 2 },
        ],
      }),
    ).rejects.toBeInstanceOf(ValidationError);
    await client.close();
  });

  it("writes a batch completely or not at all", async () => {
    const dir = tempDir();
    const store = await sqliteStore(dir);
    const runId = await newRun(store);
    await store.call("runs.logParam", { run_id: runId, key: "p", value: "1" });
    const error = await store
      .call("runs.logBatch", {
        run_id: runId,
        metrics: [{ key: "m", value: 1, timestamp: 1 }],
        params: [{ key: "p", value: "2" }],
        tags: [{ key: "t", value: "x" }],
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidParameterError);
    expect(rows(dir, "SELECT * FROM metrics")).toEqual([]);
    expect(rows(dir, "SELECT key FROM tags WHERE key = 't'")).toEqual([]);
    await store.close();
  });

  it("commits concurrent writes together, each RPC on its own: one failing write leaves the others", async () => {
    const dir = tempDir();
    const store = await sqliteStore(dir);
    const runId = await newRun(store);
    await store.call("runs.logParam", { run_id: runId, key: "p", value: "1" });
    const results = await Promise.allSettled([
      store.call("runs.logBatch", { run_id: runId, metrics: [{ key: "a", value: 1, timestamp: 1 }] }),
      store.call("runs.logBatch", { run_id: runId, metrics: [{ key: "b", value: 1, timestamp: 1 }], params: [{ key: "p", value: "2" }] }),
      store.call("runs.setTag", { run_id: runId, key: "t", value: "x" }),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(InvalidParameterError);
    // Read through another connection: what resolved is committed, the failed batch left nothing.
    expect(rows(dir, "SELECT key FROM metrics ORDER BY key")).toEqual([{ key: "a" }]);
    expect(rows(dir, "SELECT value FROM tags WHERE key = 't'")).toEqual([{ value: "x" }]);
    await store.close();
  });

  it("keeps the latest metric by step, then timestamp, then value", async () => {
    const store = await sqliteStore(tempDir());
    const runId = await newRun(store);
    const log = (value: number, timestamp: number, step: number) => store.call("runs.logMetric", { run_id: runId, key: "m", value, timestamp, step });
    const latest = async () => (await store.call("runs.get", { run_id: runId })).run.data.metrics;
    await log(1, 100, 5);
    await log(2, 200, 4);
    expect(await latest()).toEqual([{ key: "m", value: 1, timestamp: 100, step: 5 }]);
    await log(3, 50, 5);
    expect((await latest())[0]!.value).toBe(1);
    await log(0.5, 100, 5);
    expect((await latest())[0]!.value).toBe(1);
    await log(7, 100, 5);
    expect(await latest()).toEqual([{ key: "m", value: 7, timestamp: 100, step: 5 }]);
    await store.call("runs.logBatch", {
      run_id: runId,
      metrics: [
        { key: "m", value: 9, timestamp: 1, step: 6 },
        { key: "m", value: 8, timestamp: 2, step: 6 },
        { key: "m", value: 1, timestamp: 0, step: 6 },
      ],
    });
    expect(await latest()).toEqual([{ key: "m", value: 8, timestamp: 2, step: 6 }]);
    await store.close();
  });

  it("stores NaN as value 0 with is_nan = 1 and reads it back as NaN; clamps ±Infinity to the largest double", async () => {
    const dir = tempDir();
    const client = sqliteClient(dir);
    const run = await client.runs.create({ experiment_id: "0" });
    const id = run.info.run_id;
    await client.runs.logBatch(id, {
      metrics: [
        { key: "nan", value: Number.NaN, timestamp: 1, step: 0 },
        { key: "up", value: Number.POSITIVE_INFINITY, timestamp: 1, step: 0 },
        { key: "down", value: Number.NEGATIVE_INFINITY, timestamp: 1, step: 0 },
      ],
    });
    expect(rows(dir, "SELECT key, value, is_nan FROM metrics WHERE run_uuid = ? ORDER BY key", id)).toEqual([
      { key: "down", value: -1.7976931348623157e308, is_nan: 0 },
      { key: "nan", value: 0, is_nan: 1 },
      { key: "up", value: 1.7976931348623157e308, is_nan: 0 },
    ]);
    const metrics = Object.fromEntries((await client.runs.get(id)).data.metrics.map((m) => [m.key, m.value]));
    expect(metrics).toEqual({ nan: Number.NaN, up: 1.7976931348623157e308, down: -1.7976931348623157e308 });
    const history = [];
    for await (const point of client.metrics.getHistory(id, "nan")) history.push(point);
    expect(history).toEqual([{ key: "nan", value: Number.NaN, timestamp: 1, step: 0 }]);
    await client.close();
  });

  it("drops metric rows that repeat an existing (key, timestamp, step, value), in a batch and across batches", async () => {
    const dir = tempDir();
    const store = await sqliteStore(dir);
    const runId = await newRun(store);
    const point = { key: "m", value: 0.5, timestamp: 10, step: 1 };
    await store.call("runs.logBatch", { run_id: runId, metrics: [point, point, { ...point, value: "NaN" }, { ...point, value: "NaN" }] });
    await store.call("runs.logBatch", { run_id: runId, metrics: [point, { ...point, step: 2 }] });
    expect(rows(dir, "SELECT value, step, is_nan FROM metrics ORDER BY step, is_nan")).toEqual([
      { value: 0.5, step: 1, is_nan: 0 },
      { value: 0, step: 1, is_nan: 1 },
      { value: 0.5, step: 2, is_nan: 0 },
    ]);
    await store.close();
  });

  it("upserts tags (last value wins), renames the run through mlflow.runName, and deletes tags", async () => {
    const client = sqliteClient(tempDir());
    const run = await client.runs.create({ experiment_id: "0", run_name: "before" });
    const id = run.info.run_id;
    await client.runs.logBatch(id, {
      tags: [
        { key: "a", value: "1" },
        { key: "a", value: "2" },
        { key: "mlflow.runName", value: "after" },
      ],
    });
    await client.runs.setTag(id, "b", "x");
    let got = await client.runs.get(id);
    expect(got.info.run_name).toBe("after");
    expect(got.data.tags).toEqual([
      { key: "mlflow.runName", value: "after" },
      { key: "a", value: "2" },
      { key: "b", value: "x" },
    ]);
    await client.runs.deleteTag(id, "a");
    got = await client.runs.get(id);
    expect(got.data.tags.map((t) => t.key)).toEqual(["mlflow.runName", "b"]);
    await expect(client.runs.deleteTag(id, "a")).rejects.toThrow(`No tag with name: a in run with id ${id}`);
    await client.close();
  });

  it("checks batch limits and values as the server does", async () => {
    const store = await sqliteStore(tempDir());
    const runId = await newRun(store);
    const metrics = Array.from({ length: 1001 }, (_, i) => ({ key: "m", value: i, timestamp: i }));
    await expect(store.call("runs.logBatch", { run_id: runId, metrics })).rejects.toThrow(
      "A batch logging request can contain at most 1000 metrics. Got 1001 metrics.",
    );
    await expect(store.call("runs.logBatch", { run_id: runId, metrics: [{ key: "bad//key", value: 1, timestamp: 1 }] })).rejects.toBeInstanceOf(
      InvalidParameterError,
    );
    await expect(store.call("runs.logBatch", { run_id: runId, metrics: [{ key: "m", value: "oops" as "NaN", timestamp: 1 }] })).rejects.toBeInstanceOf(
      InvalidParameterError,
    );
    await expect(store.call("runs.logBatch", { run_id: runId, metrics: [{ key: "m", value: 1, timestamp: -1 }] })).rejects.toBeInstanceOf(
      InvalidParameterError,
    );
    await expect(store.call("runs.logBatch", { run_id: runId, params: [{ key: "p", value: "x".repeat(6001) }] })).rejects.toBeInstanceOf(InvalidParameterError);
    await store.close();
  });

  it("reads a metric history ordered by timestamp, step and value, in pages", async () => {
    const client = sqliteClient(tempDir());
    const run = await client.runs.create({ experiment_id: "0" });
    const id = run.info.run_id;
    await client.runs.logBatch(id, {
      metrics: [
        { key: "m", value: 3, timestamp: 20, step: 1 },
        { key: "m", value: 2, timestamp: 10, step: 2 },
        { key: "m", value: 1, timestamp: 10, step: 2 },
        { key: "m", value: 0, timestamp: 10, step: 1 },
        { key: "other", value: 0, timestamp: 1, step: 1 },
      ],
    });
    const points = [];
    for await (const point of client.metrics.getHistory(id, "m", { pageSize: 2 })) points.push([point.timestamp, point.step, point.value]);
    expect(points).toEqual([
      [10, 1, 0],
      [10, 2, 1],
      [10, 2, 2],
      [20, 1, 3],
    ]);
    const first = await client.store.call("metrics.getHistory", { run_id: id, metric_key: "m", max_results: 3 });
    expect(first.metrics).toHaveLength(3);
    expect(Buffer.from(first.next_page_token!, "base64").toString()).toBe('{"offset": 3}');
    expect((await client.store.call("metrics.getHistory", { run_id: "0".repeat(32), metric_key: "m", max_results: 3 })).metrics).toEqual([]);
    await client.close();
  });

  it("samples histories of several runs evenly, keeping the last point", async () => {
    const client = sqliteClient(tempDir());
    const a = (await client.runs.create({ experiment_id: "0" })).info.run_id;
    const b = (await client.runs.create({ experiment_id: "0" })).info.run_id;
    await client.runs.logBatch(a, { metrics: Array.from({ length: 100 }, (_, step) => ({ key: "loss", value: 1 / (step + 1), timestamp: step, step })) });
    await client.runs.logBatch(b, { metrics: [{ key: "loss", value: 5, timestamp: 1, step: 0 }] });
    const sampled = await client.metrics.getHistoryBulkInterval({ run_ids: [a, b], metric_key: "loss", max_results: 10 });
    const steps = sampled.filter((m) => m.run_id === a).map((m) => m.step);
    expect(steps).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 99]);
    expect(sampled.filter((m) => m.run_id === b)).toEqual([{ key: "loss", value: 5, timestamp: 1, step: 0, run_id: b }]);
    const window = await client.metrics.getHistoryBulkInterval({ run_ids: [a], metric_key: "loss", start_step: 10, end_step: 19, max_results: 100 });
    expect(window.map((m) => m.step)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    await expect(
      client.store.call("metrics.getHistoryBulkInterval", { run_ids: [a], metric_key: "loss", start_step: 5, end_step: 1, max_results: 10 }),
    ).rejects.toThrow("end_step must be greater than start_step");
    await client.close();
  });

  it("records dataset inputs once per (name, digest) and shows them on the run", async () => {
    const client = sqliteClient(tempDir());
    const run = await client.runs.create({ experiment_id: "0" });
    const dataset = { name: "mnist", digest: "d1", source_type: "local", source: '{"uri": "/data"}' };
    await client.runs.logInputs(run.info.run_id, {
      datasets: [
        { dataset, tags: [{ key: "mlflow.data.context", value: "train" }] },
        { dataset, tags: [] },
      ],
    });
    await client.runs.logInputs(run.info.run_id, { datasets: [{ dataset, tags: [] }] });
    const got = await client.runs.get(run.info.run_id);
    expect(got.inputs.dataset_inputs).toEqual([{ dataset, tags: [{ key: "mlflow.data.context", value: "train" }] }]);
    await client.close();
  });
});
