/**
 * `client.runs` against the real direct server (PostgreSQL store): lifecycle, searches with
 * filters on metrics, params, tags and attributes across pages, write-once params, tags, batches
 * above every server limit, inputs, and the tracking API's artifact listing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CREATE_REQUEST_ID_TAG } from "../../src/advanced.js";
import { InvalidParameterError, NotFoundError, type Run } from "../../src/index.js";
import { stackClient, uniqueName } from "./support/stack.js";

const client = stackClient("direct");
let experimentId: string;
let artifactLocation: string;

beforeAll(async () => {
  experimentId = await client.experiments.create({ name: uniqueName("rest-runs") });
  artifactLocation = (await client.experiments.get(experimentId)).artifact_location;
});

afterAll(async () => {
  await client.close();
});

const tagsOf = (run: Run): Record<string, string> => Object.fromEntries(run.data.tags.map((t) => [t.key, t.value]));
const paramsOf = (run: Run): Record<string, string> => Object.fromEntries(run.data.params.map((p) => [p.key, p.value]));

describe("run lifecycle on the real server", () => {
  it("creates a RUNNING run with a name, a start time and tags, and reads it back", async () => {
    const startTime = Date.now() - 5_000;
    const run = await client.runs.create({
      experiment_id: experimentId,
      run_name: "baseline",
      start_time: startTime,
      tags: { team: "vision", "mlflow.user": "ci" },
    });

    expect(run.info).toMatchObject({
      run_name: "baseline",
      experiment_id: experimentId,
      status: "RUNNING",
      start_time: startTime,
      lifecycle_stage: "active",
      artifact_uri: `${artifactLocation}/${run.info.run_id}/artifacts`,
    });
    expect(run.info.run_id).toMatch(/^[0-9a-f]{32}$/);
    expect(run.info.end_time).toBeUndefined();
    expect(tagsOf(run)).toMatchObject({ team: "vision", "mlflow.user": "ci", "mlflow.runName": "baseline" });
    expect(tagsOf(run)[CREATE_REQUEST_ID_TAG]).toMatch(/^[0-9a-f-]{36}$/);

    const fetched = await client.runs.get(run.info.run_id);
    expect(fetched.info).toEqual(run.info);
    expect(tagsOf(fetched)).toEqual(tagsOf(run));
  });

  it("lets the server name a run created without a name", async () => {
    const run = await client.runs.create({ experiment_id: experimentId });
    expect(run.info.run_name).toMatch(/^[a-z]+-[a-z]+-\d+$/);
    expect(tagsOf(run)["mlflow.runName"]).toBe(run.info.run_name);
  });

  it("updates status, end time and name; the rename also rewrites the mlflow.runName tag", async () => {
    const run = await client.runs.create({ experiment_id: experimentId, run_name: "before" });
    const endTime = Date.now();

    const info = await client.runs.update(run.info.run_id, { status: "FINISHED", end_time: endTime, run_name: "after" });

    expect(info).toMatchObject({ run_id: run.info.run_id, status: "FINISHED", end_time: endTime, run_name: "after" });
    const fetched = await client.runs.get(run.info.run_id);
    expect(fetched.info).toMatchObject({ status: "FINISHED", end_time: endTime, run_name: "after" });
    expect(tagsOf(fetched)["mlflow.runName"]).toBe("after");
  });

  it("soft-deletes and restores a run; a deleted run refuses new data", async () => {
    const run = await client.runs.create({ experiment_id: experimentId, run_name: "to-delete" });
    const runId = run.info.run_id;
    const activeIds = async () =>
      (await client.runs.search({ experiment_ids: [experimentId], filter: "attributes.run_name = 'to-delete'" })).map((r) => r.info.run_id);

    await client.runs.delete(runId);
    expect((await client.runs.get(runId)).info.lifecycle_stage).toBe("deleted");
    expect(await activeIds()).toEqual([]);
    const deleted = await client.runs.search({ experiment_ids: [experimentId], run_view_type: "DELETED_ONLY", filter: "attributes.run_name = 'to-delete'" });
    expect(deleted.map((r) => r.info.run_id)).toEqual([runId]);
    const refused = await client.runs.logMetric(runId, "loss", 1).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(InvalidParameterError);
    expect(refused).toMatchObject({ status: 400, errorCode: "INVALID_PARAMETER_VALUE" });

    await client.runs.restore(runId);
    expect((await client.runs.get(runId)).info.lifecycle_stage).toBe("active");
    expect(await activeIds()).toEqual([runId]);
  });

  it("answers NotFoundError (404, RESOURCE_DOES_NOT_EXIST) for an unknown run id", async () => {
    const error = await client.runs.get("0123456789abcdef0123456789abcdef").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ status: 404, errorCode: "RESOURCE_DOES_NOT_EXIST", endpoint: "/api/2.0/mlflow/runs/get" });
  });
});

describe("run search on the real server", () => {
  let searchExperiment: string;
  /** Run names r0 … r6 with acc = i/10, param kind even|odd, tag parity, runs 0–2 FINISHED. */
  const names = Array.from({ length: 7 }, (_, i) => `r${i}`);

  beforeAll(async () => {
    searchExperiment = await client.experiments.create({ name: uniqueName("rest-runs-search") });
    for (const [i, name] of names.entries()) {
      const run = await client.runs.create({ experiment_id: searchExperiment, run_name: name, start_time: 1_700_000_000_000 + i * 1000 });
      await client.runs.logBatch(run.info.run_id, {
        metrics: [{ key: "acc", value: i / 10, step: 0 }],
        params: { kind: i % 2 === 0 ? "even" : "odd", index: i },
        tags: { parity: i % 2 === 0 ? "even" : "odd" },
      });
      if (i < 3) await client.runs.update(run.info.run_id, { status: "FINISHED", end_time: Date.now() });
    }
  });

  async function searchNames(filter: string | undefined, orderBy: string[], pageSize: number): Promise<{ names: string[]; pages: number }> {
    const found: string[] = [];
    let pages = 0;
    for await (const page of client.runs.search({ experiment_ids: [searchExperiment], filter, order_by: orderBy, max_results: pageSize }).pages()) {
      pages++;
      found.push(...page.items.map((r) => r.info.run_name));
    }
    return { names: found, pages };
  }

  it("orders by a metric across pages of 2", async () => {
    expect(await searchNames(undefined, ["metrics.acc DESC"], 2)).toEqual({ names: ["r6", "r5", "r4", "r3", "r2", "r1", "r0"], pages: 4 });
  });

  it("uses the default order start_time DESC", async () => {
    expect((await searchNames(undefined, [], 3)).names).toEqual(["r6", "r5", "r4", "r3", "r2", "r1", "r0"]);
  });

  it("filters on metrics, params, tags and attributes", async () => {
    expect((await searchNames("metrics.acc > 0.35", ["attributes.run_name ASC"], 2)).names).toEqual(["r4", "r5", "r6"]);
    expect((await searchNames("params.kind = 'even'", ["metrics.acc ASC"], 1)).names).toEqual(["r0", "r2", "r4", "r6"]);
    expect((await searchNames("tags.parity = 'odd' AND metrics.acc <= 0.3", ["start_time ASC"], 1)).names).toEqual(["r1", "r3"]);
    expect((await searchNames("attributes.status = 'FINISHED'", ["attributes.run_name DESC"], 2)).names).toEqual(["r2", "r1", "r0"]);
    expect((await searchNames("attributes.run_name LIKE 'r%' AND params.index != '3'", ["params.index ASC"], 4)).names).toEqual([
      "r0",
      "r1",
      "r2",
      "r4",
      "r5",
      "r6",
    ]);
  });
});

describe("params and tags on the real server", () => {
  it("accepts a param re-logged with the same value and refuses a changed value with the server's INVALID_PARAMETER_VALUE", async () => {
    const run = await client.runs.create({ experiment_id: experimentId });
    const runId = run.info.run_id;

    await client.runs.logParam(runId, "lr", 0.01);
    await client.runs.logParam(runId, "lr", "0.01");
    await client.runs.logBatch(runId, { params: { lr: "0.01" } });
    const changed = await client.runs.logParam(runId, "lr", 0.02).catch((e: unknown) => e);

    expect(changed).toBeInstanceOf(InvalidParameterError);
    expect(changed).toMatchObject({ status: 400, errorCode: "INVALID_PARAMETER_VALUE", endpoint: "/api/2.0/mlflow/runs/log-parameter" });
    expect((changed as InvalidParameterError).serverMessage).toMatch(/Changing param values is not allowed/);
    await expect(client.runs.logBatch(runId, { params: { lr: "0.03" } })).rejects.toMatchObject({ errorCode: "INVALID_PARAMETER_VALUE" });
    expect(paramsOf(await client.runs.get(runId))).toEqual({ lr: "0.01" });
  });

  it("keeps an empty param value", async () => {
    const run = await client.runs.create({ experiment_id: experimentId });
    await client.runs.logParam(run.info.run_id, "empty", "");
    expect(paramsOf(await client.runs.get(run.info.run_id))).toEqual({ empty: "" });
  });

  it("sets, overwrites and deletes run tags; deleting an absent tag is a 404", async () => {
    const run = await client.runs.create({ experiment_id: experimentId });
    const runId = run.info.run_id;

    await client.runs.setTag(runId, "state", "a");
    await client.runs.setTag(runId, "state", "b");
    await client.runs.setTag(runId, "note", "x y z");
    expect(tagsOf(await client.runs.get(runId))).toMatchObject({ state: "b", note: "x y z" });

    await client.runs.deleteTag(runId, "state");
    expect(tagsOf(await client.runs.get(runId)).state).toBeUndefined();
    await expect(client.runs.deleteTag(runId, "state")).rejects.toMatchObject({ status: 404, errorCode: "RESOURCE_DOES_NOT_EXIST" });
  });

  it("renames a run through the mlflow.runName tag", async () => {
    const run = await client.runs.create({ experiment_id: experimentId, run_name: "tag-old" });
    await client.runs.setTag(run.info.run_id, "mlflow.runName", "tag-new");
    expect((await client.runs.get(run.info.run_id)).info.run_name).toBe("tag-new");
  });
});

describe("batches above every server limit", () => {
  it("delivers 2500 metrics, 250 params and 250 tags given to one logBatch call", async () => {
    const run = await client.runs.create({ experiment_id: experimentId });
    const runId = run.info.run_id;
    const keys = ["m0", "m1", "m2", "m3", "m4"];
    const base = 1_700_000_000_000;
    const metrics = Array.from({ length: 2500 }, (_, i) => ({ key: keys[i % 5]!, value: i * 0.25, step: Math.floor(i / 5), timestamp: base + i }));
    const params = Object.fromEntries(Array.from({ length: 250 }, (_, i) => [`p${i}`, `v${i}`]));
    const tags = Object.fromEntries(Array.from({ length: 250 }, (_, i) => [`t${i}`, `w${i}`]));

    await client.runs.logBatch(runId, { metrics, params, tags });

    const fetched = await client.runs.get(runId);
    expect(paramsOf(fetched)).toEqual(params);
    expect(tagsOf(fetched)).toMatchObject(tags);
    expect(fetched.data.metrics.map((m) => [m.key, m.step, m.value]).sort()).toEqual(keys.map((key, k) => [key, 499, (2495 + k) * 0.25]));
    for (const key of keys) {
      const history = [];
      for await (const point of client.metrics.getHistory(runId, key)) history.push(point);
      const expected = metrics.filter((m) => m.key === key);
      expect(
        history.map((m) => [m.step, m.value, m.timestamp]),
        key,
      ).toEqual(expected.map((m) => [m.step, m.value, m.timestamp]));
    }
  });
});

describe("inputs and artifact listing", () => {
  it("records a dataset input with its tags", async () => {
    const run = await client.runs.create({ experiment_id: experimentId });
    const dataset = { name: "mnist", digest: "abc123", source_type: "local", source: '{"uri": "/data/mnist"}', schema: '{"x": "float"}' };

    await client.runs.logInputs(run.info.run_id, { datasets: [{ dataset, tags: [{ key: "mlflow.data.context", value: "training" }] }] });

    const inputs = (await client.runs.get(run.info.run_id)).inputs.dataset_inputs;
    expect(inputs).toHaveLength(1);
    expect(inputs[0]!.dataset).toMatchObject(dataset);
    expect(inputs[0]!.tags).toEqual([{ key: "mlflow.data.context", value: "training" }]);
  });

  it("lists no artifacts for a run that has none, through the tracking API and through the artifact store", async () => {
    const run = await client.runs.create({ experiment_id: experimentId });

    const listing = await client.store.call("artifacts.list", { run_id: run.info.run_id });

    expect(listing).toEqual({ root_uri: run.info.artifact_uri, files: [] });
    expect(await client.artifacts.list(run.info.run_id)).toEqual([]);
  });

  it("gives runs on the proxied server mlflow-artifacts: URIs, which the tracking API lists too", async () => {
    const proxied = stackClient("proxied");
    try {
      const id = await proxied.experiments.create({ name: uniqueName("rest-runs-proxied") });
      const run = await proxied.runs.create({ experiment_id: id });
      expect(run.info.artifact_uri).toBe(`mlflow-artifacts:/${id}/${run.info.run_id}/artifacts`);
      expect(await proxied.store.call("artifacts.list", { run_id: run.info.run_id })).toEqual({ root_uri: run.info.artifact_uri, files: [] });
    } finally {
      await proxied.close();
    }
  });
});
