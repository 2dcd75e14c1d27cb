/**
 * registerModel and copyModelVersion on the embedded store: every source form, alias and tags,
 * the model's mlflow.modelVersions link, and sources that name nothing refused before any write.
 */
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ArtifactNotFoundError, copyModelVersion, type MlflowClient, registerModel, startRun, ValidationError } from "../../../src/index.js";
import { removeTempDirs, sqliteClient, tempDir } from "../store/sqlite/helpers.js";

afterEach(removeTempDirs);

const ONNX_LIKE = Uint8Array.from([0x08, 0x0a, 0x12, 0x01, 0x78]);

async function loggedModel(client: MlflowClient, dir: string): Promise<{ runId: string; modelId: string; modelUri: string }> {
  const experimentId = await client.experiments.create({ name: "registry", artifact_location: join(dir, "artifacts") });
  const run = await startRun({ client, experimentId, exitHooks: false });
  const info = await run.logModel({ flavor: "onnx", model: ONNX_LIKE, name: "model" });
  await run.end();
  return { runId: run.runId, modelId: info.modelId!, modelUri: info.modelUri };
}

async function registeredNames(client: MlflowClient): Promise<string[]> {
  const names: string[] = [];
  for await (const model of client.registeredModels.search()) names.push(model.name);
  return names;
}

describe("registerModel", () => {
  it("registers a logged model, READY, with the alias, tags and the model's link to the version", async () => {
    const dir = tempDir();
    const client = sqliteClient(dir);
    const { modelId, modelUri, runId } = await loggedModel(client, dir);
    const version = await registerModel(modelUri, "churn", { client, alias: "champion", tags: { stage: "candidate" }, description: "first" });
    expect(version).toMatchObject({
      name: "churn",
      version: "1",
      status: "READY",
      aliases: ["champion"],
      source: modelUri,
      run_id: runId,
      description: "first",
    });
    expect(version.tags).toEqual([{ key: "stage", value: "candidate" }]);
    const model = await client.loggedModels.get(modelId);
    expect(JSON.parse(model.info.tags.find((t) => t.key === "mlflow.modelVersions")!.value)).toEqual([{ name: "churn", version: 1 }]);
    // A second registration is version 2 of the same model; the link lists both, once each.
    const second = await client.models.register(modelUri, "churn");
    expect(second.version).toBe("2");
    const again = await client.loggedModels.get(modelId);
    expect(JSON.parse(again.info.tags.find((t) => t.key === "mlflow.modelVersions")!.value)).toHaveLength(2);
    await client.close();
  });

  it("registers runs:/<run>/<model name> as the run's logged model, as mlflow.register_model does", async () => {
    const dir = tempDir();
    const client = sqliteClient(dir);
    const { modelId, runId } = await loggedModel(client, dir);
    const version = await client.models.register(`runs:/${runId}/model`, "churn");
    expect(version).toMatchObject({ source: `models:/${modelId}`, run_id: runId, status: "READY" });
    await client.close();
  });

  it("copies a version by alias into another registered model, with its tags", async () => {
    const dir = tempDir();
    const client = sqliteClient(dir);
    const { modelUri } = await loggedModel(client, dir);
    await client.models.register(modelUri, "churn-staging", { alias: "champion", tags: { owner: "risk" } });
    const copy = await copyModelVersion("models:/churn-staging@champion", "churn-prod", { client, alias: "live" });
    expect(copy).toMatchObject({ name: "churn-prod", version: "1", source: "models:/churn-staging/1", aliases: ["live"], status: "READY" });
    expect(copy.tags).toEqual([{ key: "owner", value: "risk" }]);
    expect(await client.uris.loadText("models:/churn-prod@live/model.onnx")).toBe(Buffer.from(ONNX_LIKE).toString());
    await expect(client.models.copyVersion(modelUri, "x")).rejects.toThrow(/names a logged model.*Fix: registerModel/);
    await client.close();
  });

  it.each([
    ["models:/churn-staging/9", /"models:\/churn-staging\/9" names nothing.*Fix: list the versions/],
    ["models:/churn-staging@missing", /"models:\/churn-staging@missing" names nothing.*Fix: point the alias/],
    ["models:/m-0123456789abcdef0123456789abcdef", /names nothing.*Fix: check the id/],
    ["runs:/0123456789abcdef0123456789abcdef/model", /there is no run .*Fix: check the run id/],
  ])("refuses %s naming the URI and the fix, and registers nothing", async (uri, message) => {
    const dir = tempDir();
    const client = sqliteClient(dir);
    const { modelUri } = await loggedModel(client, dir);
    await client.models.register(modelUri, "churn-staging");
    const error = await registerModel(uri, "churn-new", { client }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArtifactNotFoundError);
    expect((error as Error).message).toMatch(message);
    expect(await registeredNames(client)).toEqual(["churn-staging"]);
    await client.close();
  });

  it("refuses a deleted version's URI, and a run path with no model, registering nothing", async () => {
    const dir = tempDir();
    const client = sqliteClient(dir);
    const { modelUri, runId } = await loggedModel(client, dir);
    await client.models.register(modelUri, "churn-staging");
    await client.modelVersions.delete("churn-staging", "1");
    await expect(registerModel("models:/churn-staging/1", "churn-new", { client })).rejects.toThrow(/"models:\/churn-staging\/1" names nothing/);
    await expect(registerModel(`runs:/${runId}/other`, "churn-new", { client })).rejects.toThrow(
      /no MLmodel under "other" and no logged model named "other".*Fix: /,
    );
    expect(await registeredNames(client)).toEqual(["churn-staging"]);
    await client.close();
  });

  it("checks the name, alias and tags before any request", async () => {
    const client = sqliteClient(tempDir());
    await expect(registerModel("models:/m-1", "a/b", { client })).rejects.toBeInstanceOf(ValidationError);
    await expect(registerModel("models:/m-1", "churn", { client, alias: "latest" })).rejects.toThrow(/reserved/);
    await expect(registerModel("models:/m-1", "churn", { client, awaitReadyMs: -1 })).rejects.toThrow(/awaitReadyMs/);
    await expect(registerModel("models:", "churn", { client })).rejects.toThrow(/Not a proper models:\/ URI/);
    expect(await registeredNames(client)).toEqual([]);
    await client.close();
  });
});
