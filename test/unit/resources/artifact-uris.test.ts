/**
 * client.uris on the embedded store: every URI form resolved as Python's mlflow.artifacts resolves
 * it (layout of the download, listing paths, registered_model_meta), and the errors a URI that
 * names nothing gives.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ArtifactNotFoundError, type MlflowClient, ValidationError } from "../../../src/index.js";
import { fileTree } from "../helpers/file-tree.js";
import { removeTempDirs, sqliteClient, tempDir } from "../store/sqlite/helpers.js";

afterEach(removeTempDirs);

/** Every file under `root`: relative path → content. */
/** A run with `eval/summary.json`, and a logged model "model" of that run with MLmodel + weights, registered as churn v1 @champion. */
async function fixture(client: MlflowClient, dir: string): Promise<{ runId: string; modelId: string }> {
  const experimentId = await client.experiments.create({ name: "uris", artifact_location: join(dir, "artifacts") });
  const run = await client.runs.create({ experiment_id: experimentId });
  const runId = run.info.run_id;
  await client.artifacts.uploadData(runId, '{"accuracy": 0.9}', "eval/summary.json");
  await client.artifacts.uploadData(runId, "café", "notes.txt");
  const model = await client.loggedModels.create({ experiment_id: experimentId, name: "model", source_run_id: runId });
  const modelId = model.info.model_id;
  const files = join(dir, "model-files");
  mkdirSync(join(files, "data"), { recursive: true });
  writeFileSync(join(files, "MLmodel"), "flavors: {}\n");
  writeFileSync(join(files, "data", "weights.bin"), "w");
  await client.loggedModels.uploadArtifacts(modelId, files);
  await client.loggedModels.finalize(modelId, "LOGGED_MODEL_READY");
  await client.registeredModels.create({ name: "churn" });
  await client.modelVersions.create({ name: "churn", source: `models:/${modelId}`, model_id: modelId });
  await client.registeredModels.setAlias("churn", "champion", "1");
  return { runId, modelId };
}

describe("client.uris.download", () => {
  it("puts a model's files in the destination itself, with Python's registered_model_meta", async () => {
    const dir = tempDir();
    const client = sqliteClient(dir);
    const { modelId } = await fixture(client, dir);
    const expected = { MLmodel: "flavors: {}\n", "data/weights.bin": "w" };
    for (const [uri, meta] of [
      ["models:/churn@champion", "model_name: churn\nmodel_version: '1'\n"],
      ["models:/churn/1", "model_name: churn\nmodel_version: '1'\n"],
      ["models:/churn/latest", "model_name: churn\nmodel_version: '1'\n"],
      [`models:/${modelId}`, "model_name: null\nmodel_version: null\n"],
    ] as const) {
      const dest = join(dir, "out", encodeURIComponent(uri));
      expect(await client.uris.download(uri, dest)).toBe(dest);
      expect(fileTree(dest)).toEqual({ ...expected, registered_model_meta: meta });
    }
    await client.close();
  });

  it("puts a path inside a model at <dest>/<path>, without the meta file", async () => {
    const dir = tempDir();
    const client = sqliteClient(dir);
    await fixture(client, dir);
    const dest = join(dir, "out");
    expect(await client.uris.download("models:/churn@champion/data/weights.bin", dest)).toBe(join(dest, "data", "weights.bin"));
    expect(fileTree(dest)).toEqual({ "data/weights.bin": "w" });
    await client.close();
  });

  it("reaches a run's files and the files of the run's logged model by name, as runs:/ does in Python", async () => {
    const dir = tempDir();
    const client = sqliteClient(dir);
    const { runId } = await fixture(client, dir);
    expect(await client.uris.download(`runs:/${runId}/eval`, join(dir, "a"))).toBe(join(dir, "a", "eval"));
    expect(fileTree(join(dir, "a"))).toEqual({ "eval/summary.json": '{"accuracy": 0.9}' });
    expect(await client.uris.download(`runs:/${runId}/model`, join(dir, "b"))).toBe(join(dir, "b", "model"));
    // Python opens the run's model as models:/<id>, which writes registered_model_meta beside its files.
    expect(fileTree(join(dir, "b"))).toEqual({
      "model/MLmodel": "flavors: {}\n",
      "model/data/weights.bin": "w",
      "model/registered_model_meta": "model_name: null\nmodel_version: null\n",
    });
    // Python's layout for a file inside the model: <dest>/<model name>/<path in the model>.
    expect(await client.uris.download(`runs:/${runId}/model/MLmodel`, join(dir, "c"))).toBe(join(dir, "c", "model", "MLmodel"));
    // A trailing slash downloads the folder's content into the destination itself.
    expect(await client.uris.download(`runs:/${runId}/eval/`, join(dir, "d"))).toBe(join(dir, "d"));
    expect(fileTree(join(dir, "d"))).toEqual({ "summary.json": '{"accuracy": 0.9}' });
    await client.close();
  });

  it("reads a location URI directly: the last segment lands in the destination", async () => {
    const dir = tempDir();
    const client = sqliteClient(dir);
    const { runId } = await fixture(client, dir);
    const { info } = await client.runs.get(runId);
    expect(await client.uris.download(`${info.artifact_uri}/eval`, join(dir, "e"))).toBe(join(dir, "e", "eval"));
    expect(fileTree(join(dir, "e"))).toEqual({ "eval/summary.json": '{"accuracy": 0.9}' });
    await client.close();
  });

  it.each([
    ["models:/churn@nope", /has no alias|alias nope not found|not found/i, /Fix: point the alias at a version/],
    ["models:/churn/7", /not found/i, /Fix: list the versions/],
    ["models:/nobody/latest", /not found/i, /Fix: check the registered model name/],
    ["models:/churn", /not found/i, /models:\/churn\/1, models:\/churn@champion/],
    ["models:/m-0123456789abcdef0123456789abcdef", /not found/i, /Fix: check the id/],
  ])("refuses %s with an ArtifactNotFoundError naming the URI and the fix", async (uri, what, fix) => {
    const dir = tempDir();
    const client = sqliteClient(dir);
    await fixture(client, dir);
    const error = await client.uris.download(uri, join(dir, "x")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArtifactNotFoundError);
    expect((error as Error).message).toContain(`"${uri}"`);
    expect((error as Error).message).toMatch(what);
    expect((error as Error).message).toMatch(fix);
    await client.close();
  });

  it("refuses a deleted version's URI, and a path the run does not have", async () => {
    const dir = tempDir();
    const client = sqliteClient(dir);
    const { runId } = await fixture(client, dir);
    await client.modelVersions.delete("churn", "1");
    await expect(client.uris.download("models:/churn/1", join(dir, "x"))).rejects.toThrow(/"models:\/churn\/1" names nothing.*Fix: /);
    const missing = await client.uris.download(`runs:/${runId}/nothing-here`, join(dir, "y")).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ArtifactNotFoundError);
    expect((missing as Error).message).toMatch(/nothing-here.*Fix: list the run's artifacts/);
    await client.close();
  });

  it("refuses runs:/<run> alone and a path that climbs out, before any request", async () => {
    const client = sqliteClient(tempDir());
    await expect(client.uris.download("runs:/0a1b", "/tmp/x")).rejects.toThrow(/trailing slash/);
    await expect(client.uris.download("runs:/0a1b/../../etc", "/tmp/x")).rejects.toBeInstanceOf(ValidationError);
    await client.close();
  });
});

describe("client.uris.list, open, loadText, loadDict", () => {
  it("lists as Python does: paths relative to the URI's parent, a run's model under its name", async () => {
    const dir = tempDir();
    const client = sqliteClient(dir);
    const { runId } = await fixture(client, dir);
    expect((await client.uris.list("models:/churn@champion")).map((f) => f.path)).toEqual(["MLmodel", "data"]);
    expect((await client.uris.list(`runs:/${runId}/eval`)).map((f) => f.path)).toEqual(["eval/summary.json"]);
    expect((await client.uris.list(`runs:/${runId}/model`)).map((f) => f.path)).toEqual(["model/MLmodel", "model/data"]);
    await client.close();
  });

  it("lists everything below a URI with recursive: each folder before its contents, a run's model under its name", async () => {
    const dir = tempDir();
    const client = sqliteClient(dir);
    const { runId } = await fixture(client, dir);
    expect((await client.uris.list("models:/churn@champion", { recursive: true })).map((f) => [f.path, f.is_dir])).toEqual([
      ["MLmodel", false],
      ["data", true],
      ["data/weights.bin", false],
    ]);
    expect((await client.uris.list(`runs:/${runId}/model`, { recursive: true })).map((f) => f.path)).toEqual([
      "model/MLmodel",
      "model/data",
      "model/data/weights.bin",
    ]);
    expect((await client.uris.list(`runs:/${runId}/`, { recursive: true })).map((f) => f.path)).toEqual(["eval", "eval/summary.json", "notes.txt"]);
    await client.close();
  });

  it("opens and reads files by URI, from the run or its model", async () => {
    const dir = tempDir();
    const client = sqliteClient(dir);
    const { runId } = await fixture(client, dir);
    expect(await client.uris.loadDict(`runs:/${runId}/eval/summary.json`)).toEqual({ accuracy: 0.9 });
    expect(await client.uris.loadText(`runs:/${runId}/notes.txt`)).toBe("café");
    expect(await client.uris.loadText(`runs:/${runId}/model/MLmodel`)).toBe("flavors: {}\n");
    expect(await client.uris.loadText("models:/churn@champion/data/weights.bin")).toBe("w");
    const chunks: Buffer[] = [];
    for await (const chunk of await client.uris.open("models:/churn/1/MLmodel")) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe("flavors: {}\n");
    await expect(client.uris.loadDict(`runs:/${runId}/notes.txt`)).rejects.toThrow(/is not JSON.*Fix: read it with loadText/);
    await expect(client.uris.open("models:/churn@champion")).rejects.toThrow(/names a folder, not a file/);
    await expect(client.uris.open("models:/churn@champion/data")).rejects.toThrow(/it is a folder/);
    await client.close();
  });

  it("resolves a models:/ URI to its version and files", async () => {
    const dir = tempDir();
    const client = sqliteClient(dir);
    const { modelId, runId } = await fixture(client, dir);
    const resolved = await client.uris.resolveModel("models:/churn@champion");
    expect(resolved).toMatchObject({ name: "churn", version: "1" });
    expect(resolved.artifactUri).toContain(modelId);
    expect(runId).toBeTruthy();
    await client.close();
  });
});
