/**
 * logModel on an MLflow 2 server (msw): the logged-model create answers MLflow's HTML 404, the
 * version says 2.22.5, so the model's files go into the run's artifacts under its name and the
 * model is recorded with POST runs/log-model in MLflow 2's shape (run_id, artifact_path,
 * utc_time_created, model_uuid, flavors) — one version probe, nothing else on the logged-model API.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HttpResponse } from "msw";
import { afterEach, describe, expect, it } from "vitest";
import { UnsupportedFeatureError } from "../../../src/index.js";
import { API, BASE, RUN_ID, record, runJson, testClient, useMockServer } from "../helpers/mock-server.js";

const server = useMockServer();
let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

function mlflow2Server() {
  const run = runJson();
  (run.info as Record<string, unknown>).artifact_uri = `mlflow-artifacts:/1/${RUN_ID}/artifacts`;
  return {
    runsGet: record(server, "get", `${API}/runs/get`, () => ({ run })),
    create: record(server, "post", `${API}/logged-models`, () => new HttpResponse("<!doctype html><title>404 Not Found</title>", { status: 404 })),
    version: record(server, "get", `${BASE}/version`, () => new HttpResponse("2.22.5")),
    puts: record(server, "put", `${BASE}/api/2.0/mlflow-artifacts/artifacts/*`, () => ({})),
    logModel: record(server, "post", `${API}/runs/log-model`, () => ({})),
  };
}

describe("logModel on an MLflow 2 server", () => {
  it("uploads the model into the run's artifacts and records it in MLflow 2's shape", async () => {
    dir = await mkdtemp(join(tmpdir(), "mlflow2-model-"));
    await writeFile(join(dir, "weights.bin"), "0123");
    const mocks = mlflow2Server();
    const info = await testClient().models.log({ runId: RUN_ID, flavor: "files", model: dir, name: "clf" });

    expect(info).toMatchObject({
      modelId: undefined,
      loggedModel: undefined,
      modelUri: `runs:/${RUN_ID}/clf`,
      artifactUri: `mlflow-artifacts:/1/${RUN_ID}/artifacts/clf`,
    });
    expect(mocks.create).toHaveLength(1);
    expect(mocks.version).toHaveLength(1);
    expect(mocks.puts.map((put) => put.path).sort()).toEqual([
      `/api/2.0/mlflow-artifacts/artifacts/1/${RUN_ID}/artifacts/clf/MLmodel`,
      `/api/2.0/mlflow-artifacts/artifacts/1/${RUN_ID}/artifacts/clf/files/weights.bin`,
    ]);
    expect(mocks.logModel).toHaveLength(1);
    const body = mocks.logModel[0]!.body as { run_id: string; model_json: string };
    expect(body.run_id).toBe(RUN_ID);
    const recorded = JSON.parse(body.model_json) as Record<string, unknown>;
    expect(Object.keys(recorded).sort()).toEqual(["artifact_path", "flavors", "model_uuid", "run_id", "utc_time_created"]);
    expect(recorded).toMatchObject({ artifact_path: "clf", run_id: RUN_ID, model_uuid: info.mlmodel.model_uuid, flavors: { files: expect.any(Object) } });
    expect(info.mlmodel).toMatchObject({ artifact_path: "clf", run_id: RUN_ID });
    expect(info.mlmodel.model_id).toBeUndefined();
  });

  it("throws the typed error for a model without a run: there is nothing to fall back to", async () => {
    dir = await mkdtemp(join(tmpdir(), "mlflow2-model-"));
    await writeFile(join(dir, "weights.bin"), "0123");
    const mocks = mlflow2Server();
    const error = await testClient()
      .models.log({ experimentId: "1", flavor: "files", model: dir })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedFeatureError);
    expect(error).toMatchObject({ feature: "logged-models", serverVersion: "2.22.5" });
    expect(mocks.puts).toHaveLength(0);
    expect(mocks.logModel).toHaveLength(0);
  });
});
