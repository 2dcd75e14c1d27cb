/**
 * Which metric values a gate judges a subject on (resolveGateSubject, against msw): a run's latest
 * values; a logged model's source run first, then the model's own metrics for keys the run lacks
 * (the server reads a logged model's NaN back as 0); a registered version through its logged model
 * or its run; a reference of no known form refused before any request.
 */
import { afterAll, describe, expect, it } from "vitest";
import { ValidationError } from "../../../../src/core/errors.js";
import { resolveGateSubject } from "../../../../src/models/gate/subject.js";
import { API, loggedModelJson, modelVersionJson, RUN_ID, record, runJson, testClient, useMockServer } from "../../helpers/mock-server.js";

const server = useMockServer();
const client = testClient();
afterAll(() => client.close());
const MODEL_ID = "m-0123456789abcdef0123456789abcdef";

function runWith(metrics: { key: string; value: number | string; step?: number; timestamp?: number }[]) {
  return record(server, "get", `${API}/runs/get`, () => {
    const run = runJson();
    return { run: { ...run, data: { ...(run.data as object), metrics: metrics.map((m) => ({ step: 0, timestamp: 1, ...m })) } } };
  });
}

function modelWith(metrics: { key: string; value: number | string; step: number; timestamp: number }[]) {
  const model = loggedModelJson(MODEL_ID);
  return record(server, "get", `${API}/logged-models/${MODEL_ID}`, () => ({
    model: { ...model, info: { ...(model.info as object), source_run_id: RUN_ID }, data: { params: [], metrics } },
  }));
}

describe("resolveGateSubject", () => {
  it("reads a run's latest metrics by run id or runs:/ URI", async () => {
    runWith([{ key: "acc", value: 0.9 }]);
    expect((await resolveGateSubject(client, RUN_ID)).metrics).toEqual(new Map([["acc", 0.9]]));
    expect(await resolveGateSubject(client, `runs:/${RUN_ID}/model`)).toMatchObject({ runId: RUN_ID, metrics: new Map([["acc", 0.9]]) });
  });

  it("reads a logged model's source run first, then the model's own metrics (highest step, then newest) for keys the run lacks", async () => {
    runWith([{ key: "acc", value: "NaN" }]);
    modelWith([
      { key: "acc", value: 0, step: 0, timestamp: 1 },
      { key: "auc", value: 0.7, step: 2, timestamp: 1 },
      { key: "auc", value: 0.8, step: 2, timestamp: 5 },
      { key: "auc", value: 0.9, step: 1, timestamp: 9 },
    ]);
    const subject = await resolveGateSubject(client, `models:/${MODEL_ID}`);
    expect(subject).toMatchObject({ modelId: MODEL_ID, runId: RUN_ID });
    expect(subject.metrics.get("acc")).toBeNaN();
    expect(subject.metrics.get("auc")).toBe(0.8);
  });

  it("reads a registered version through its logged model when it has one, else through its run", async () => {
    runWith([{ key: "acc", value: 0.91 }]);
    modelWith([{ key: "f1", value: 0.5, step: 0, timestamp: 1 }]);
    const versions = record(server, "get", `${API}/model-versions/get`, (req) => ({
      model_version: { ...modelVersionJson("fraud", req.query.get("version")!), model_id: req.query.get("version") === "2" ? MODEL_ID : "" },
    }));
    record(server, "get", `${API}/model-versions/get-download-uri`, () => ({ artifact_uri: "s3://mlflow/x" }));
    expect(await resolveGateSubject(client, "models:/fraud/2")).toMatchObject({
      name: "fraud",
      version: "2",
      modelId: MODEL_ID,
      metrics: new Map([
        ["acc", 0.91],
        ["f1", 0.5],
      ]),
    });
    expect(await resolveGateSubject(client, "models:/fraud/3")).toEqual({
      uri: "models:/fraud/3",
      runId: RUN_ID,
      name: "fraud",
      version: "3",
      metrics: new Map([["acc", 0.91]]),
    });
    expect(versions).toHaveLength(2);
  });

  it("refuses a reference of no known form before any request", async () => {
    await expect(resolveGateSubject(client, "s3://bucket/model")).rejects.toThrow(ValidationError);
    await expect(resolveGateSubject(client, "s3://bucket/model")).rejects.toThrow(/is not a model or run reference\. Fix: give a run id, runs:\/<run id>/);
    await expect(resolveGateSubject(client, "not a run")).rejects.toThrow(ValidationError);
  });
});
