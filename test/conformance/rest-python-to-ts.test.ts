/**
 * Conformance, Python → TypeScript: the reference `mlflow` client logs a run to the real server
 * (test/conformance/python/log_run.py: params, tags, metrics with steps and timestamps through
 * log_batch and log_metric, NaN and ±Infinity, a FINISHED status) and the TypeScript client reads
 * it back. Compared field by field with what Python was asked to log and with what Python itself
 * reads back. Any difference fails.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPython, wireValue } from "../integration/support/python.js";
import { stackClient, uniqueName } from "../integration/support/stack.js";
import { inServerOrderBefore31, latestPoints, type PointView, type RunView, storedValue, tsRunView } from "./rest-support.js";

const LOG_RUN = "test/conformance/python/log_run.py";
const BASE_TIME = 1_760_000_000_000;

const client = stackClient("direct");
let experimentId: string;

afterAll(async () => {
  await client.close();
});

/** A point as Python is asked to log it (value in wire spelling) and as the store keeps it. */
function point(key: string, value: number, step: number, timestamp: number): { sent: PointView; stored: PointView } {
  return { sent: { key, value: wireValue(value), step, timestamp }, stored: { key, value: wireValue(storedValue(value)), step, timestamp } };
}

describe("a run logged by the Python client, read by TypeScript", () => {
  const params = { lr: "0.01", batch_size: "64", "model/arch": "resnet 50", empty: "" };
  const tags = { team: "vision", "mlflow.source.type": "LOCAL", "unicode/tag": "ünïcödé ✓" };
  const accuracy = Array.from({ length: 1200 }, (_, step) => point("accuracy", Math.round((1 - 1 / (step + 2)) * 1e6) / 1e6, step, BASE_TIME + step * 7));
  const special = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -2.5].map((value, step) =>
    point("special", value, step * 10, BASE_TIME + 50_000 + step),
  );
  const single = [point("val_loss", 0.9, 0, BASE_TIME + 1), point("val_loss", Number.NaN, 1, BASE_TIME + 2), point("val_loss", 0.4, 2, BASE_TIME + 3)];
  const startTime = BASE_TIME - 1_000;
  const endTime = BASE_TIME + 999_000;
  let runId: string;
  let pythonView: RunView;
  let tsView: RunView;

  beforeAll(async () => {
    experimentId = await client.experiments.create({ name: uniqueName("conformance-py-to-ts") });
    const logged = await runPython<{ run_id: string; read_back: RunView }>(LOG_RUN, {
      experiment_id: experimentId,
      run_name: "py-logged",
      start_time: startTime,
      end_time: endTime,
      status: "FINISHED",
      params,
      tags,
      metrics: [...accuracy, ...special].map((p) => p.sent),
      single_metrics: single.map((p) => p.sent),
    });
    runId = logged.run_id;
    pythonView = await inServerOrderBefore31(client, logged.read_back);
    tsView = await tsRunView(client, runId);
  });

  it("reads the run info Python set: name, experiment, FINISHED status, start and end time", async () => {
    const run = await client.runs.get(runId);
    expect(run.info).toMatchObject({
      run_id: runId,
      run_name: "py-logged",
      experiment_id: experimentId,
      status: "FINISHED",
      start_time: startTime,
      end_time: endTime,
      lifecycle_stage: "active",
    });
    expect(run.info.artifact_uri).toBe(`${(await client.experiments.get(experimentId)).artifact_location}/${runId}/artifacts`);
  });

  it("reads exactly the params Python logged", () => {
    expect(tsView.params).toEqual(params);
  });

  it("reads the tags Python logged plus the run-name tag", () => {
    expect(tsView.tags).toEqual({ ...tags, "mlflow.runName": "py-logged" });
  });

  it("reads every history point with its value, step and timestamp; NaN as NaN, ±Infinity clamped", async () => {
    expect(Object.keys(tsView.histories).sort()).toEqual(["accuracy", "special", "val_loss"]);
    expect(tsView.histories.accuracy).toEqual(accuracy.map((p) => p.stored));
    expect(tsView.histories.special).toEqual(special.map((p) => p.stored));
    expect(tsView.histories.val_loss).toEqual(single.map((p) => p.stored));
    const raw = [];
    for await (const m of client.metrics.getHistory(runId, "special")) raw.push(m.value);
    expect(raw).toEqual([Number.NaN, 1.7976931348623157e308, -1.7976931348623157e308, -2.5]);
  });

  it("reads the latest value of each metric", () => {
    expect(tsView.latest_metrics).toEqual(latestPoints([...accuracy, ...special, ...single].map((p) => p.stored)));
  });

  it("agrees with what the Python client reads back, field for field", () => {
    expect(tsView).toEqual(pythonView);
  });

  it("finds the run with a search on what Python logged", async () => {
    const found = await client.runs.search({
      experiment_ids: [experimentId],
      filter: "params.batch_size = '64' AND tags.team = 'vision' AND metrics.accuracy > 0.99 AND attributes.status = 'FINISHED'",
    });
    expect(found.map((r) => r.info.run_id)).toEqual([runId]);
  });
});
