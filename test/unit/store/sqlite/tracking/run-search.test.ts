/**
 * `runs/search` in the embedded store: MLflow's filter grammar over metrics, params, tags,
 * attributes and datasets, its ordering (missing values and NaN last, then start time descending),
 * and its page tokens, through `client.runs.search` and PagePromise.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidParameterError } from "../../../../../src/core/errors.js";
import type { SqliteStore } from "../../../../../src/store/sqlite/sqlite-store.js";
import { removeTempDirs, sqliteStore, tempDir } from "../helpers.js";

let store: SqliteStore;
const ids: Record<string, string> = {};

/** Four runs in experiment 1 and one in experiment 2. */
beforeAll(async () => {
  store = await sqliteStore(tempDir());
  const one = (await store.call("experiments.create", { name: "one" })).experiment_id;
  const two = (await store.call("experiments.create", { name: "two" })).experiment_id;
  const specs = [
    { name: "alpha", experiment: one, start: 100, acc: 0.9, lr: "0.1", team: "Vision" },
    { name: "beta", experiment: one, start: 200, acc: Number.NaN, lr: "0.01", team: "vision" },
    { name: "gamma", experiment: one, start: 300, acc: 0.5, lr: undefined, team: undefined },
    { name: "delta", experiment: one, start: 400, acc: undefined, lr: "0.1", team: "nlp" },
    { name: "other", experiment: two, start: 500, acc: 0.99, lr: "0.1", team: "vision" },
  ];
  for (const spec of specs) {
    const tags = spec.team === undefined ? [] : [{ key: "team", value: spec.team }];
    const { run } = await store.call("runs.create", { experiment_id: spec.experiment, run_name: spec.name, start_time: spec.start, user_id: "ann", tags });
    ids[spec.name] = run.info.run_id;
    await store.call("runs.logBatch", {
      run_id: run.info.run_id,
      metrics: spec.acc === undefined ? [] : [{ key: "acc", value: Number.isNaN(spec.acc) ? "NaN" : spec.acc, timestamp: 1, step: 0 }],
      params: spec.lr === undefined ? [] : [{ key: "lr", value: spec.lr }],
    });
  }
  await store.call("runs.update", { run_id: ids.delta!, status: "FINISHED", end_time: 450 });
  await store.call("runs.logInputs", {
    run_id: ids.alpha!,
    datasets: [{ dataset: { name: "mnist", digest: "d1", source_type: "local", source: "{}" }, tags: [{ key: "mlflow.data.context", value: "train" }] }],
  });
  await store.call("runs.delete", { run_id: ids.gamma! });
});

afterAll(async () => {
  await store.close();
  removeTempDirs();
});

async function names(filter?: string, order_by?: string[], run_view_type?: "ACTIVE_ONLY" | "DELETED_ONLY" | "ALL", experiment_ids = ["1"]): Promise<string[]> {
  const { runs } = await store.call("runs.search", {
    experiment_ids,
    max_results: 100,
    ...(filter ? { filter } : {}),
    ...(order_by ? { order_by } : {}),
    ...(run_view_type ? { run_view_type } : {}),
  });
  return runs.map((run) => run.info.run_name);
}

describe("embedded store: runs/search", () => {
  it("returns active runs of the experiments, newest start first", async () => {
    expect(await names()).toEqual(["delta", "beta", "alpha"]);
    expect(await names(undefined, undefined, "ALL", ["1", "2"])).toEqual(["other", "delta", "gamma", "beta", "alpha"]);
    expect(await names(undefined, undefined, "DELETED_ONLY")).toEqual(["gamma"]);
  });

  it("compares latest metrics numerically and never matches NaN except with !=", async () => {
    expect(await names("metrics.acc > 0.5")).toEqual(["alpha"]);
    expect(await names("metrics.acc >= 0.5", undefined, "ALL")).toEqual(["gamma", "alpha"]);
    expect(await names("metrics.acc = 0")).toEqual([]);
    expect(await names("metrics.acc != 0.9")).toEqual(["beta"]);
    expect(await names("metrics.acc < 1e3")).toEqual(["alpha"]);
  });

  it("compares params and tags as strings, with case-sensitive LIKE, ILIKE and IS [NOT] NULL", async () => {
    expect(await names("params.lr = '0.1'")).toEqual(["delta", "alpha"]);
    expect(await names('params.lr != "0.1"')).toEqual(["beta"]);
    expect(await names("tags.team LIKE 'vis%'")).toEqual(["beta"]);
    expect(await names("tags.team ILIKE 'VIS%'")).toEqual(["beta", "alpha"]);
    expect(await names("tags.team IS NULL", undefined, "ALL")).toEqual(["gamma"]);
    expect(await names("params.lr IS NOT NULL AND tags.team != 'nlp'")).toEqual(["beta", "alpha"]);
    expect(await names("tags.`mlflow.runName` = 'beta'")).toEqual(["beta"]);
  });

  it("filters on run attributes, including IN lists of run ids and the run name", async () => {
    expect(await names("attributes.status = 'FINISHED'")).toEqual(["delta"]);
    expect(await names("attributes.start_time >= 200 AND start_time < 400")).toEqual(["beta"]);
    expect(await names("attributes.end_time > 0")).toEqual(["delta"]);
    expect(await names(`attributes.run_id IN ('${ids.alpha}', '${ids.beta}')`)).toEqual(["beta", "alpha"]);
    expect(await names(`run_id NOT IN ('${ids.alpha}')`)).toEqual(["delta", "beta"]);
    expect(await names("attributes.run_name LIKE '%ta'")).toEqual(["delta", "beta"]);
    expect(await names("`Run name` = 'alpha'")).toEqual(["alpha"]);
    expect(await names("attributes.user_id = 'ann' AND created > 150")).toEqual(["delta", "beta"]);
  });

  it("filters on dataset inputs", async () => {
    expect(await names("datasets.name = 'mnist'")).toEqual(["alpha"]);
    expect(await names("datasets.context IN ('train', 'eval')")).toEqual(["alpha"]);
    expect(await names("datasets.digest = 'nope'")).toEqual([]);
  });

  it("orders by metrics with NaN and missing values last, then by start time", async () => {
    expect(await names(undefined, ["metrics.acc DESC"])).toEqual(["alpha", "beta", "delta"]);
    expect(await names(undefined, ["metrics.acc"], "ALL")).toEqual(["gamma", "alpha", "beta", "delta"]);
    expect(await names(undefined, ["params.lr ASC", "start_time ASC"])).toEqual(["beta", "alpha", "delta"]);
    expect(await names(undefined, ["tags.team DESC"])).toEqual(["beta", "delta", "alpha"]);
    expect(await names(undefined, ["attributes.run_name"])).toEqual(["alpha", "beta", "delta"]);
  });

  it("pages through results with tokens, and the client's PagePromise reads every page", async () => {
    const first = await store.call("runs.search", { experiment_ids: ["1"], max_results: 2 });
    expect(first.runs.map((r) => r.info.run_name)).toEqual(["delta", "beta"]);
    expect(Buffer.from(first.next_page_token!, "base64").toString()).toBe('{"offset": 2}');
    const second = await store.call("runs.search", { experiment_ids: ["1"], max_results: 2, page_token: first.next_page_token });
    expect(second.runs.map((r) => r.info.run_name)).toEqual(["alpha"]);
    expect(second.next_page_token).toBeUndefined();
  });

  it("refuses what MLflow refuses, with INVALID_PARAMETER_VALUE", async () => {
    const bad = [
      "metrics.acc LIKE '1'",
      "metrics.acc > 'high'",
      "params.lr > '0.1'",
      "params.lr = 0.1",
      "tags.team IN ('a')",
      "attributes.status IN ('RUNNING')",
      "attributes.nope = 'x'",
      "metrics.acc > 1 OR metrics.acc < 0",
      "foo.bar = 'x'",
      "metrics.acc IS NULL",
      "params.lr = unquoted",
    ];
    for (const filter of bad) {
      await expect(store.call("runs.search", { experiment_ids: ["1"], max_results: 10, filter }), filter).rejects.toBeInstanceOf(InvalidParameterError);
    }
    await expect(store.call("runs.search", { experiment_ids: ["1"], max_results: 10, order_by: ["metrics.acc", "metrics.acc DESC"] })).rejects.toThrow(
      "duplicate fields",
    );
    await expect(store.call("runs.search", { experiment_ids: ["1"], max_results: 10, order_by: ["metrics.acc SIDEWAYS"] })).rejects.toThrow(
      "Invalid ordering key in order_by clause",
    );
    await expect(store.call("runs.search", { experiment_ids: ["x"], max_results: 10 })).rejects.toThrow("Invalid experiment ID 'x'");
  });
});
