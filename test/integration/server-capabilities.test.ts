/**
 * The client against the real server of the version under test (the compat suite runs it on every
 * version of the matrix): it learns the version from GET /version, lists the features that version
 * lacks, and each gated feature either works or fails with UnsupportedFeatureError naming the
 * feature and both versions — never a bare 404. On a server without logged models (MLflow 2)
 * logModel logs the model as run artifacts, as MLflow 2 did, and it registers from runs:/.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MlflowClient, startRun, UnsupportedFeatureError } from "../../src/index.js";
import { featuresMissingIn, type ServerFeature, serverLacks } from "../../src/protocol/server-features.js";
import { stackClient, stackEnv, uniqueName } from "./support/stack.js";

const VERSION = stackEnv("STACK_MLFLOW_VERSION");
const lacks = (feature: ServerFeature): boolean => serverLacks(VERSION, feature) === true;

/** What a call settled to: its value, or the error it threw. */
async function settle(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => ({ value }),
    (error: unknown) => error,
  );
}

let client: MlflowClient;
let experimentId: string;
let runId: string;

beforeAll(async () => {
  client = stackClient("direct");
  experimentId = await client.experiments.create({ name: uniqueName("capabilities") });
  runId = (await client.runs.create({ experiment_id: experimentId })).info.run_id;
});

afterAll(async () => {
  await client.close();
});

describe(`server capabilities on MLflow ${VERSION}`, () => {
  it("learns the server's version from GET /version and the features that version lacks", async () => {
    expect(await client.server.version()).toBe(VERSION);
    expect(await client.server.missingFeatures()).toEqual(featuresMissingIn(VERSION));
    expect(client.server.address).toBe(new URL(stackEnv("MLFLOW_TRACKING_URI")).host);
  });

  // The basic-auth app's features are tried on the auth server, in auth-admin.test.ts.
  const calls: Record<Exclude<ServerFeature, "server-info" | "use-permission" | "permission-grants" | "deny-permission">, () => Promise<unknown>> = {
    "logged-models": () => client.loggedModels.search({ experiment_ids: [experimentId] }).toArray(1),
    "run-outputs": () => client.runs.logOutputs(runId, [{ model_id: "m-00000000000000000000000000000000", step: 0 }]),
    "experiment-tag-delete": async () => {
      await client.experiments.setTag(experimentId, "scratch", "1");
      await client.experiments.deleteTag(experimentId, "scratch");
    },
    webhooks: () => client.webhooks.list().toArray(1),
    // This server runs without --enable-workspaces: from 3.10 on the workspace API says so (not retried).
    workspaces: () => client.workspaces.list(),
  };

  it.each(Object.keys(calls) as (keyof typeof calls)[])("%s: works, or fails with UnsupportedFeatureError naming both versions", async (feature) => {
    const outcome = await settle(calls[feature]());
    if (lacks(feature)) {
      expect(outcome).toBeInstanceOf(UnsupportedFeatureError);
      expect(outcome).toMatchObject({ feature, serverVersion: VERSION, errorCode: "ENDPOINT_NOT_FOUND" });
      expect((outcome as Error).message).toMatch(new RegExp(`needs MLflow ≥ \\d+\\.\\d+; the server at \\S+ runs ${VERSION.replaceAll(".", "\\.")}\\. Fix: `));
    } else {
      expect(outcome).not.toBeInstanceOf(UnsupportedFeatureError);
    }
  });

  it("server-info: read on a server that has it, not asked on one that does not", async () => {
    const info = await client.server.info();
    if (lacks("server-info")) expect(info).toBeUndefined();
    else expect(info).toMatchObject({ store_type: expect.any(String) });
  });

  it("logModel: a logged model where the server has them, else run artifacts recorded in mlflow.log-model.history, registrable from runs:/", async () => {
    const dir = await mkdtemp(join(tmpdir(), "capabilities-model-"));
    try {
      await writeFile(join(dir, "weights.bin"), "0123");
      const run = await startRun({ client, experimentId, exitHooks: false });
      const name = uniqueName("caps-model");
      const info = await run.logModel({ flavor: "files", model: dir, name: "model", registeredModelName: name, registration: { awaitReadyMs: 60_000 } });
      await run.end();
      expect(info.registeredModelVersion).toMatchObject({ name, version: "1", status: "READY" });
      if (lacks("logged-models")) {
        expect(info).toMatchObject({ modelId: undefined, loggedModel: undefined, modelUri: `runs:/${run.runId}/model` });
        expect(info.mlmodel).toMatchObject({ artifact_path: "model", run_id: run.runId });
        const files = (await client.artifacts.list(run.runId, "model")).map((file) => file.path).sort();
        expect(files).toEqual(expect.arrayContaining(["model/MLmodel", "model/files"]));
        const stored = await client.runs.get(run.runId);
        const history = JSON.parse(stored.data.tags.find((tag) => tag.key === "mlflow.log-model.history")?.value ?? "[]") as Record<string, unknown>[];
        expect(history).toHaveLength(1);
        expect(history[0]).toMatchObject({
          artifact_path: "model",
          run_id: run.runId,
          model_uuid: info.mlmodel.model_uuid,
          flavors: { files: expect.any(Object) },
        });
        expect(info.registeredModelVersion?.source).toBe(`${stored.info.artifact_uri}/model`);
      } else {
        expect(info.modelId).toMatch(/^m-/);
        expect(info.loggedModel?.info.status).toBe("LOGGED_MODEL_READY");
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
