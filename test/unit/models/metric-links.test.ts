/**
 * Metrics linked to a model and a dataset as MLflow 3 links them: logMetric's modelId and dataset
 * options, the active model (setActiveModel / withActiveModel), and the model recorded as a run input.
 */
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { clearActiveModel, getActiveModelId, type MlflowClient, setActiveModel, startRun, ValidationError, withActiveModel } from "../../../src/index.js";
import { validationError } from "../helpers/validation-error.js";
import { removeTempDirs, sqliteClient, tempDir } from "../store/sqlite/helpers.js";

afterEach(() => {
  clearActiveModel();
  removeTempDirs();
});

async function setup(): Promise<{ client: MlflowClient; experimentId: string }> {
  const dir = tempDir();
  const client = sqliteClient(dir);
  return { client, experimentId: await client.experiments.create({ name: "links", artifact_location: join(dir, "artifacts") }) };
}

function metricsOf(model: { data: { metrics: { key: string; value: number; step: number; dataset_name?: string; dataset_digest?: string }[] } }) {
  return model.data.metrics.map((m) => ({
    key: m.key,
    value: m.value,
    step: m.step,
    dataset: m.dataset_name ? `${m.dataset_name}@${m.dataset_digest}` : undefined,
  }));
}

describe("linked metrics", () => {
  it("carry modelId and the dataset to the model, and the model becomes a run input", async () => {
    const { client, experimentId } = await setup();
    const model = await client.loggedModels.create({ experiment_id: experimentId, name: "agent" });
    const modelId = model.info.model_id;
    const run = await startRun({ client, experimentId, exitHooks: false });
    run.logMetric("accuracy", 0.8, { step: 1, modelId });
    run.logMetric("accuracy", 0.9, { step: 2, modelId, datasetName: "eval", datasetDigest: "abc123" });
    run.logMetrics({ f1: 0.7 }, { step: 2, modelId, datasetName: "eval", datasetDigest: "abc123" });
    run.logMetric("loss", 0.1, { step: 2 }); // not linked
    await run.end();
    expect(metricsOf(await client.loggedModels.get(modelId))).toEqual([
      { key: "accuracy", value: 0.8, step: 1, dataset: undefined },
      { key: "accuracy", value: 0.9, step: 2, dataset: "eval@abc123" },
      { key: "f1", value: 0.7, step: 2, dataset: "eval@abc123" },
    ]);
    const stored = await client.runs.get(run.runId);
    expect(stored.inputs.model_inputs).toEqual([{ model_id: modelId }]);
    expect(stored.data.metrics.map((m) => m.key).sort()).toEqual(["accuracy", "f1", "loss"]);
    await client.close();
  });

  it("go to the active model by default, and to a scope's within withActiveModel", async () => {
    const { client, experimentId } = await setup();
    const run = await startRun({ client, experimentId, exitHooks: false });
    const agent = await setActiveModel({ client, name: "agent", experimentId });
    expect(agent.info.tags).toContainEqual({ key: "mlflow.model.isExternal", value: "true" });
    expect(agent.info.status).toBe("LOGGED_MODEL_READY");
    expect(getActiveModelId()).toBe(agent.info.model_id);
    expect((await setActiveModel({ client, name: "agent", experimentId })).info.model_id).toBe(agent.info.model_id);
    run.logMetric("turns", 3);
    const other = await client.loggedModels.create({ experiment_id: experimentId, name: "other" });
    await withActiveModel({ client, modelId: other.info.model_id }, async () => {
      run.logMetric("turns", 5, { step: 1 });
    });
    run.logMetric("turns", 4, { step: 2 });
    await run.end();
    expect(metricsOf(await client.loggedModels.get(agent.info.model_id)).map((m) => m.value)).toEqual([3, 4]);
    expect(metricsOf(await client.loggedModels.get(other.info.model_id)).map((m) => m.value)).toEqual([5]);
    await client.close();
  });

  it("logged later at the step of a model the run logged are linked to it", async () => {
    const { client, experimentId } = await setup();
    const run = await startRun({ client, experimentId, exitHooks: false });
    const info = await run.logModel({ flavor: "onnx", model: Uint8Array.from([0x08, 0x0a]) });
    run.logMetric("val/accuracy", 0.93);
    run.logMetric("val/accuracy", 0.94, { step: 5 });
    await run.end();
    const model = await client.loggedModels.get(info.modelId!);
    expect(metricsOf(model)).toEqual([{ key: "val/accuracy", value: 0.93, step: 0, dataset: undefined }]);
    expect((await client.runs.get(run.runId)).inputs.model_inputs).toEqual([]);
    await client.close();
  });

  it("refuse a bad link at the call and buffer nothing", async () => {
    const { client, experimentId } = await setup();
    const run = await startRun({ client, experimentId, exitHooks: false });
    const error = validationError(() => run.logMetric("acc", 1, { modelId: "" }));
    expect(error.rule).toBe("metric-link");
    expect(error.message).toContain("Fix: ");
    expect(run.stats().logged).toBe(0);
    await expect(setActiveModel({ client })).rejects.toBeInstanceOf(ValidationError);
    const model = await client.loggedModels.create({ experiment_id: experimentId, name: "a" });
    await expect(setActiveModel({ client, modelId: model.info.model_id, name: "b" })).rejects.toThrow(/is named "a", not "b"/);
    await run.end();
    await client.close();
  });
});
