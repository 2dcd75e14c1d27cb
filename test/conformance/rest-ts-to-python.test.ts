/**
 * Conformance, TypeScript → Python: what the TypeScript client logs to the real server is read
 * back with the reference `mlflow` client (test/conformance/python/read_run.py,
 * read_registry.py) and compared field by field — run info, params, tags, latest metrics, full
 * metric histories with steps and timestamps (NaN, ±Infinity), the experiment and its tags, a
 * registered model and its versions. Any difference fails.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MetricPoint } from "../../src/index.js";
import { runPython, wireValue } from "../integration/support/python.js";
import { stackClient, uniqueName } from "../integration/support/stack.js";
import { inServerOrderBefore31, latestPoints, type PointView, type RunView, storedValue, tsRunView } from "./rest-support.js";

const READ_RUN = "test/conformance/python/read_run.py";
const READ_REGISTRY = "test/conformance/python/read_registry.py";
const BASE_TIME = 1_750_000_000_000;

const client = stackClient("direct");
let experimentId: string;
let experimentName: string;

beforeAll(async () => {
  experimentName = uniqueName("conformance-ts-to-py");
  experimentId = await client.experiments.create({ name: experimentName, tags: { team: "vision", "note with spaces": "ünïcödé ✓" } });
  await client.experiments.setTag(experimentId, "stage", "conformance");
});

afterAll(async () => {
  await client.close();
});

/** What the store keeps of a logged point, in the scripts' spelling. */
function expectedPoint(p: Required<Pick<MetricPoint, "key" | "value" | "step" | "timestamp">>): PointView {
  return { key: p.key, value: wireValue(storedValue(p.value)), timestamp: p.timestamp, step: p.step };
}

describe("a run logged by TypeScript, read by the Python client", () => {
  const params = { lr: "0.001", layers: "3", optimizer: "adam", empty: "", long: "x".repeat(6000), "nested/key": "a b" };
  const tags = { team: "vision", "mlflow.source.name": "train.ts", "unicode/tag": "日本語 ✓", multiline: "line 1\nline 2" };
  const loss = Array.from({ length: 300 }, (_, step) => ({ key: "loss", value: 1 / (step + 1), step, timestamp: BASE_TIME + step * 10 }));
  const special = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -0.5, 1e-300, 123456789.125].map((value, step) => ({
    key: "special",
    value,
    step,
    timestamp: BASE_TIME + 5 + step,
  }));
  const sameStep = [0.25, 0.5, 0.75].map((value, i) => ({ key: "same step", value, step: 4, timestamp: BASE_TIME + 100 - i }));
  let runId: string;
  let startTime: number;
  let endTime: number;
  let python: RunView;

  beforeAll(async () => {
    startTime = BASE_TIME - 60_000;
    const run = await client.runs.create({ experiment_id: experimentId, run_name: "ts-logged", start_time: startTime, tags });
    runId = run.info.run_id;
    await client.runs.logBatch(runId, { metrics: [...loss, ...special], params });
    for (const point of sameStep) await client.runs.logMetric(runId, point.key, point.value, { step: point.step, timestamp: point.timestamp });
    await client.runs.setTag(runId, "late", "yes");
    endTime = BASE_TIME + 3_600_000;
    await client.runs.update(runId, { status: "FINISHED", end_time: endTime });
    const [read] = (await runPython<{ runs: RunView[] }>(READ_RUN, { run_ids: [runId], history_keys: null })).runs as [RunView];
    python = await inServerOrderBefore31(client, read);
  });

  it("reads the same run info: status, times, name, experiment, artifact URI, lifecycle", async () => {
    expect(python.info).toEqual({
      run_id: runId,
      run_name: "ts-logged",
      experiment_id: experimentId,
      user_id: (await tsRunView(client, runId)).info.user_id,
      status: "FINISHED",
      start_time: startTime,
      end_time: endTime,
      artifact_uri: (await client.runs.get(runId)).info.artifact_uri,
      lifecycle_stage: "active",
    });
  });

  it("reads exactly the params logged (including an empty and a 6000-character value)", () => {
    expect(python.params).toEqual(params);
  });

  it("reads the tags logged, plus the name and request-id tags the client and server add", async () => {
    const ts = await tsRunView(client, runId);
    expect(python.tags).toEqual(ts.tags);
    expect(python.tags).toMatchObject({ ...tags, late: "yes", "mlflow.runName": "ts-logged" });
    expect(Object.keys(python.tags).sort()).toEqual([...Object.keys(tags), "late", "mlflow.runName", "mlflow-ts.createRequestId"].sort());
  });

  it("reads full metric histories with the same values, steps and timestamps, NaN and clamped ±Infinity included", () => {
    expect(Object.keys(python.histories).sort()).toEqual(["loss", "same step", "special"]);
    expect(python.histories.loss).toEqual(loss.map(expectedPoint));
    expect(python.histories.special).toEqual(special.map(expectedPoint));
    expect(python.histories.special!.slice(0, 3).map((p) => p.value)).toEqual(["NaN", 1.7976931348623157e308, -1.7976931348623157e308]);
    expect(python.histories["same step"]).toEqual([...sameStep].reverse().map(expectedPoint));
  });

  it("reads the same latest value per metric", async () => {
    const expected = latestPoints([...loss, ...special, ...sameStep].map(expectedPoint));
    expect(python.latest_metrics).toEqual(expected);
    expect((await tsRunView(client, runId)).latest_metrics).toEqual(expected);
  });

  it("sees everything the TypeScript client sees, field for field", async () => {
    expect(python).toEqual(await tsRunView(client, runId));
  });

  it("reads the experiment with its tags", () => {
    expect(python.experiment).toEqual({
      experiment_id: experimentId,
      name: experimentName,
      artifact_location: expect.stringMatching(new RegExp(`/${experimentId}$`)),
      lifecycle_stage: "active",
      tags: { team: "vision", "note with spaces": "ünïcödé ✓", stage: "conformance" },
    });
  });
});

describe("run states logged by TypeScript, read by the Python client", () => {
  it("reads FAILED and KILLED runs, a deleted run's lifecycle, and a renamed run", async () => {
    const states = ["FAILED", "KILLED", "RUNNING"] as const;
    const runIds: string[] = [];
    for (const [i, status] of states.entries()) {
      const run = await client.runs.create({ experiment_id: experimentId, run_name: `state-${i}`, start_time: BASE_TIME + i });
      if (status !== "RUNNING") await client.runs.update(run.info.run_id, { status, end_time: BASE_TIME + 1000 + i, run_name: `renamed-${i}` });
      runIds.push(run.info.run_id);
    }
    await client.runs.delete(runIds[1]!);

    const python = (await runPython<{ runs: RunView[] }>(READ_RUN, { run_ids: runIds, history_keys: [] })).runs;
    expect(python).toHaveLength(3);
    for (const [i, runId] of runIds.entries()) {
      expect(python[i]!.info).toMatchObject({
        status: states[i],
        start_time: BASE_TIME + i,
        end_time: states[i] === "RUNNING" ? null : BASE_TIME + 1000 + i,
        run_name: states[i] === "RUNNING" ? `state-${i}` : `renamed-${i}`,
        lifecycle_stage: i === 1 ? "deleted" : "active",
      });
      expect(python[i]).toEqual(await tsRunView(client, runId, []));
    }
  });
});

describe("a registered model written by TypeScript, read by the Python client", () => {
  it("reads the model, its tags and aliases, and every version with its stage, tags and source", async () => {
    const run = await client.runs.create({ experiment_id: experimentId });
    const name = uniqueName("conformance-model");
    const source = `${run.info.artifact_uri}/model`;
    await client.registeredModels.create({ name, description: "from TypeScript", tags: { owner: "ml", "multi word": "v a l" } });
    const v1 = await client.modelVersions.create({ name, source, run_id: run.info.run_id, tags: { framework: "onnx" }, description: "first" });
    const v2 = await client.modelVersions.create({ name, source, run_id: run.info.run_id, run_link: "http://example.invalid/run" });
    await client.modelVersions.transitionStage(name, v1.version, "Production");
    await client.modelVersions.setTag(name, v2.version, "validated", "true");
    await client.registeredModels.setAlias(name, "champion", v1.version);
    await client.registeredModels.setAlias(name, "challenger", v2.version);

    const python = await runPython<{
      registered_model: { name: string; description: string; tags: Record<string, string>; aliases: Record<string, string>; creation_timestamp: number };
      versions: Record<string, unknown>[];
      by_alias: Record<string, string>;
    }>(READ_REGISTRY, { name });

    const model = await client.registeredModels.get(name);
    expect(python.registered_model).toEqual({
      name,
      description: "from TypeScript",
      tags: { owner: "ml", "multi word": "v a l" },
      aliases: { champion: "1", challenger: "2" },
      creation_timestamp: model.creation_timestamp,
    });
    expect(python.by_alias).toEqual({ champion: "1", challenger: "2" });
    const tsVersions = [await client.modelVersions.get(name, 1), await client.modelVersions.get(name, 2)];
    expect(python.versions).toEqual(
      tsVersions.map((v) => ({
        name: v.name,
        version: v.version,
        source: v.source,
        run_id: v.run_id,
        status: v.status,
        current_stage: v.current_stage,
        description: v.description ?? "",
        tags: Object.fromEntries(v.tags.map((t) => [t.key, t.value])),
        aliases: [...v.aliases].sort(),
        run_link: v.run_link ?? "",
        creation_timestamp: v.creation_timestamp,
      })),
    );
    expect(python.versions.map((v) => [v.version, v.current_stage, v.source, v.run_id])).toEqual([
      ["1", "Production", source, run.info.run_id],
      ["2", "None", source, run.info.run_id],
    ]);
    expect(python.versions[0]!.tags).toEqual({ framework: "onnx" });
    expect(python.versions[1]!.tags).toEqual({ validated: "true" });
    expect(python.versions[1]!.run_link).toBe("http://example.invalid/run");
  });
});
