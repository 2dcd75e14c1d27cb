/**
 * The model registry in the embedded store behaves as MLflow's registry SQL store behind its REST
 * handlers, through the unchanged `client.registeredModels` and `client.modelVersions` resources:
 * registered models (create, get, rename, update, delete, search, tags, aliases, latest versions)
 * and model versions (create with source checks, get, update, delete, search, stages, tags).
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AlreadyExistsError, InvalidParameterError, NotFoundError, ServerError, ValidationError } from "../../../../../src/core/errors.js";
import { ENDPOINTS } from "../../../../../src/protocol/endpoints.js";
import type { ModelVersion, RegisteredModel } from "../../../../../src/protocol/entities/registry.js";
import type { SqliteStore } from "../../../../../src/store/sqlite/sqlite-store.js";
import { rawCall, removeTempDirs, sqliteClient, sqliteStore, tempDir } from "../helpers.js";

afterEach(removeTempDirs);

/** A store with a clock the test moves, and a run whose artifacts are under `<dir>/mlruns`. */
async function fixture(): Promise<{ dir: string; store: SqliteStore; tick: (ms?: number) => number; runId: string; artifactUri: string }> {
  const dir = tempDir();
  let clock = 1_000;
  const store = await sqliteStore(dir, () => clock);
  const { experiment_id } = await store.call("experiments.create", { name: "e" });
  const { run } = await store.call("runs.create", { experiment_id, start_time: 1 });
  const tick = (ms = 1_000): number => (clock += ms);
  return { dir, store, tick, runId: run.info.run_id, artifactUri: run.info.artifact_uri! };
}

function caught(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe("embedded store: registered models", () => {
  it("creates a model with tags and description, in MLflow's wire shape", async () => {
    const dir = tempDir();
    const client = sqliteClient(dir);
    const created = await client.registeredModels.create({ name: "fraud", tags: { team: "risk", tier: "1" }, description: "catches fraud" });
    expect(created).toMatchObject({
      name: "fraud",
      description: "catches fraud",
      tags: [
        { key: "team", value: "risk" },
        { key: "tier", value: "1" },
      ],
      latest_versions: [],
      aliases: [],
    });
    expect(created.creation_timestamp).toBeGreaterThan(0);
    expect(created.last_updated_timestamp).toBe(created.creation_timestamp);
    expect(await client.registeredModels.get("fraud")).toEqual(created);
    await client.close();
    // The raw response carries only fields the endpoint declares.
    const raw = (await rawCall(dir, "registeredModels.get", { name: "fraud" })) as { registered_model: Record<string, unknown> };
    expect(Object.keys(raw.registered_model).sort()).toEqual([
      "aliases",
      "creation_timestamp",
      "description",
      "last_updated_timestamp",
      "latest_versions",
      "name",
      "tags",
    ]);
  });

  it("refuses a taken name with RESOURCE_ALREADY_EXISTS (400), and a missing model is RESOURCE_DOES_NOT_EXIST (404)", async () => {
    const client = sqliteClient(tempDir());
    await client.registeredModels.create({ name: "m" });
    const taken = await caught(client.registeredModels.create({ name: "m" }));
    expect(taken).toBeInstanceOf(AlreadyExistsError);
    expect(taken).toMatchObject({
      errorCode: "RESOURCE_ALREADY_EXISTS",
      status: 400,
      serverMessage: "Registered Model (name=m) already exists.",
      endpoint: "sqlite:registeredModels.create",
    });
    const missing = await caught(client.registeredModels.get("nope"));
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(missing).toMatchObject({ status: 404, serverMessage: "Registered Model with name=nope not found" });
    const bad = await caught(client.store.call("registeredModels.create", { name: "a/b" }));
    expect(bad).toBeInstanceOf(InvalidParameterError);
    await client.close();
  });

  it("renames a model: versions, their tags and the aliases follow; a taken new name is refused", async () => {
    const { store, tick, runId, artifactUri } = await fixture();
    await store.call("registeredModels.create", { name: "old" });
    await store.call("modelVersions.create", { name: "old", source: `${artifactUri}/model`, run_id: runId, tags: [{ key: "k", value: "v" }] });
    await store.call("registeredModels.setAlias", { name: "old", alias: "champion", version: "1" });
    await store.call("registeredModels.setTag", { name: "old", key: "team", value: "risk" });
    await store.call("registeredModels.create", { name: "taken" });
    const now = tick();
    const { registered_model } = await store.call("registeredModels.rename", { name: "old", new_name: "new" });
    expect(registered_model).toMatchObject({
      name: "new",
      last_updated_timestamp: now,
      aliases: [{ alias: "champion", version: "1" }],
      tags: [{ key: "team", value: "risk" }],
    });
    const { model_version } = await store.call("modelVersions.get", { name: "new", version: "1" });
    expect(model_version).toMatchObject({ name: "new", last_updated_timestamp: now, tags: [{ key: "k", value: "v" }], aliases: ["champion"] });
    await expect(store.call("registeredModels.get", { name: "old" })).rejects.toBeInstanceOf(NotFoundError);
    const clash = await caught(store.call("registeredModels.rename", { name: "new", new_name: "taken" }));
    expect(clash).toBeInstanceOf(AlreadyExistsError);
    expect((clash as AlreadyExistsError).serverMessage).toMatch(/^Registered Model \(name=taken\) already exists\./);
    await store.close();
  });

  it("updates the description and the last update time; an absent description clears it", async () => {
    const { store, tick } = await fixture();
    await store.call("registeredModels.create", { name: "m", description: "first" });
    const now = tick();
    const { registered_model } = await store.call("registeredModels.update", { name: "m", description: "second" });
    expect(registered_model).toMatchObject({ description: "second", last_updated_timestamp: now, creation_timestamp: 1_000 });
    expect((await store.call("registeredModels.update", { name: "m" })).registered_model.description).toBeUndefined();
    await store.close();
  });

  it("deletes a model with its versions, tags and aliases", async () => {
    const { dir, store, runId, artifactUri } = await fixture();
    await store.call("registeredModels.create", { name: "m", tags: [{ key: "t", value: "1" }] });
    await store.call("modelVersions.create", { name: "m", source: `${artifactUri}/a`, run_id: runId, tags: [{ key: "k", value: "v" }] });
    await store.call("modelVersions.create", { name: "m", source: `${artifactUri}/b`, run_id: runId });
    await store.call("registeredModels.setAlias", { name: "m", alias: "prod", version: "2" });
    await store.call("registeredModels.delete", { name: "m" });
    await expect(store.call("registeredModels.get", { name: "m" })).rejects.toBeInstanceOf(NotFoundError);
    await expect(store.call("registeredModels.delete", { name: "m" })).rejects.toBeInstanceOf(NotFoundError);
    await store.close();
    const Database = (await import("better-sqlite3")).default;
    const db = new Database(join(dir, "mlflow.db"), { readonly: true });
    const count = (table: string): number => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    expect(["registered_models", "registered_model_tags", "registered_model_aliases", "model_versions", "model_version_tags"].map(count)).toEqual([
      0, 0, 0, 0, 0,
    ]);
    db.close();
  });

  it("searches by name (=, LIKE case-sensitive, ILIKE, IN) and tags, leaving prompts out", async () => {
    const client = sqliteClient(tempDir());
    await client.registeredModels.create({ name: "Alpha", tags: { team: "risk" } });
    await client.registeredModels.create({ name: "alpine", tags: { team: "vision" } });
    await client.registeredModels.create({ name: "beta", tags: { team: "risk", tier: "gold" } });
    await client.registeredModels.create({ name: "a-prompt", tags: { "mlflow.prompt.is_prompt": "true" } });
    const names = async (filter?: string): Promise<string[]> => (await client.registeredModels.search({ filter })).map((m) => m.name);
    expect(await names()).toEqual(["Alpha", "alpine", "beta"]);
    expect(await names("name = 'beta'")).toEqual(["beta"]);
    expect(await names("name LIKE 'al%'")).toEqual(["alpine"]);
    expect(await names("name ILIKE 'al%'")).toEqual(["Alpha", "alpine"]);
    expect(await names("name IN ('beta', 'Alpha')")).toEqual(["Alpha", "beta"]);
    expect(await names("tags.team = 'risk'")).toEqual(["Alpha", "beta"]);
    expect(await names("tags.team = 'risk' AND tags.tier LIKE 'go%'")).toEqual(["beta"]);
    expect(await names("name != 'beta' AND tags.team ILIKE 'VISION'")).toEqual(["alpine"]);
    expect(await names("tags.`mlflow.prompt.is_prompt` = 'true'")).toEqual(["a-prompt"]);
    await expect(client.registeredModels.search({ filter: "run_id = 'x'" })).rejects.toBeInstanceOf(InvalidParameterError);
    await expect(client.registeredModels.search({ filter: "tags.team > 'a'" })).rejects.toBeInstanceOf(InvalidParameterError);
    await client.close();
  });

  it("orders by name or last update (name breaks ties) and pages with MLflow's tokens", async () => {
    const { store, tick } = await fixture();
    for (const name of ["c", "a", "d", "b"]) {
      tick();
      await store.call("registeredModels.create", { name });
    }
    tick();
    await store.call("registeredModels.update", { name: "c", description: "touched" });
    const search = async (order_by?: string[], max_results = 100, page_token?: string) =>
      store.call("registeredModels.search", { max_results, order_by, page_token });
    expect((await search(["name DESC"])).registered_models.map((m) => m.name)).toEqual(["d", "c", "b", "a"]);
    expect((await search(["last_updated_timestamp DESC"])).registered_models.map((m) => m.name)).toEqual(["c", "b", "d", "a"]);
    expect((await search(["timestamp ASC"])).registered_models.map((m) => m.name)).toEqual(["a", "d", "b", "c"]);
    const first = await search(undefined, 3);
    expect(first.registered_models.map((m) => m.name)).toEqual(["a", "b", "c"]);
    expect(first.next_page_token).toBe(Buffer.from('{"offset": 3}').toString("base64"));
    const second = await search(undefined, 3, first.next_page_token);
    expect(second.registered_models.map((m) => m.name)).toEqual(["d"]);
    expect(second.next_page_token).toBeUndefined();
    await expect(search(["creation_timestamp DESC"])).rejects.toBeInstanceOf(InvalidParameterError);
    await expect(search(["name ASC", "name DESC"])).rejects.toBeInstanceOf(ServerError);
    await expect(search(undefined, 1001)).rejects.toMatchObject({ errorCode: "INVALID_PARAMETER_VALUE", status: 400 });
    await store.close();
  });

  it("pages through all models with for-await on the resource", async () => {
    const client = sqliteClient(tempDir());
    for (let i = 0; i < 5; i++) await client.registeredModels.create({ name: `m${i}` });
    const seen: string[] = [];
    for await (const model of client.registeredModels.search({ max_results: 2 })) seen.push(model.name);
    expect(seen).toEqual(["m0", "m1", "m2", "m3", "m4"]);
    expect(() => client.registeredModels.search({ max_results: 1001 })).toThrow(ValidationError);
    await client.close();
  });

  it("shows the latest version of each stage in get and search, and answers getLatestVersions", async () => {
    const { store, runId, artifactUri } = await fixture();
    await store.call("registeredModels.create", { name: "m" });
    for (let i = 0; i < 4; i++) await store.call("modelVersions.create", { name: "m", source: `${artifactUri}/v${i}`, run_id: runId });
    await store.call("modelVersions.transitionStage", { name: "m", version: "2", stage: "production", archive_existing_versions: false });
    await store.call("modelVersions.transitionStage", { name: "m", version: "3", stage: "Staging", archive_existing_versions: false });
    await store.call("registeredModels.setAlias", { name: "m", alias: "champion", version: "2" });
    const latest = (model: RegisteredModel): [string, string | undefined][] => model.latest_versions.map((v) => [v.version, v.current_stage]);
    const { registered_model } = await store.call("registeredModels.get", { name: "m" });
    expect(latest(registered_model)).toEqual([
      ["4", "None"],
      ["2", "Production"],
      ["3", "Staging"],
    ]);
    expect(registered_model.latest_versions.every((v) => v.aliases.length === 0)).toBe(true);
    expect(latest((await store.call("registeredModels.search", { max_results: 10 })).registered_models[0]!)).toEqual(latest(registered_model));
    const production = await store.call("registeredModels.getLatestVersions", { name: "m", stages: ["PRODUCTION"] });
    expect(production.model_versions.map((v) => [v.version, v.aliases])).toEqual([["2", ["champion"]]]);
    expect((await store.call("registeredModels.getLatestVersions", { name: "m" })).model_versions).toHaveLength(3);
    await expect(store.call("registeredModels.getLatestVersions", { name: "m", stages: ["Nope"] })).rejects.toBeInstanceOf(InvalidParameterError);
    await store.close();
  });

  it("sets (upserts) and deletes tags; deleting an absent tag is not an error", async () => {
    const client = sqliteClient(tempDir());
    await client.registeredModels.create({ name: "m", tags: { a: "1" } });
    await client.registeredModels.setTag("m", "a", "2");
    await client.registeredModels.setTag("m", "b", "3");
    expect((await client.registeredModels.get("m")).tags).toEqual([
      { key: "a", value: "2" },
      { key: "b", value: "3" },
    ]);
    await client.registeredModels.deleteTag("m", "a");
    await client.registeredModels.deleteTag("m", "absent");
    expect((await client.registeredModels.get("m")).tags).toEqual([{ key: "b", value: "3" }]);
    await expect(client.registeredModels.setTag("nope", "a", "1")).rejects.toBeInstanceOf(NotFoundError);
    await client.close();
  });

  it("points aliases at versions, moves and deletes them; an unknown alias is INVALID_PARAMETER_VALUE (400)", async () => {
    const { store, runId, artifactUri } = await fixture();
    await store.call("registeredModels.create", { name: "m" });
    await store.call("modelVersions.create", { name: "m", source: `${artifactUri}/a`, run_id: runId });
    await store.call("modelVersions.create", { name: "m", source: `${artifactUri}/b`, run_id: runId });
    await store.call("registeredModels.setAlias", { name: "m", alias: "champion", version: "1" });
    await store.call("registeredModels.setAlias", { name: "m", alias: "challenger", version: "2" });
    expect((await store.call("registeredModels.getByAlias", { name: "m", alias: "champion" })).model_version).toMatchObject({
      version: "1",
      aliases: ["champion"],
    });
    await store.call("registeredModels.setAlias", { name: "m", alias: "champion", version: "2" });
    const byAlias = (await store.call("registeredModels.getByAlias", { name: "m", alias: "champion" })).model_version;
    expect(byAlias).toMatchObject({ version: "2", aliases: ["champion", "challenger"] });
    expect((await store.call("registeredModels.get", { name: "m" })).registered_model.aliases).toEqual([
      { alias: "champion", version: "2" },
      { alias: "challenger", version: "2" },
    ]);
    expect((await store.call("registeredModels.getByAlias", { name: "m", alias: "latest" })).model_version.version).toBe("2");
    await store.call("registeredModels.deleteAlias", { name: "m", alias: "challenger" });
    await store.call("registeredModels.deleteAlias", { name: "m", alias: "never-set" });
    const unknown = await caught(store.call("registeredModels.getByAlias", { name: "m", alias: "challenger" }));
    expect(unknown).toBeInstanceOf(InvalidParameterError);
    expect(unknown).toMatchObject({ errorCode: "INVALID_PARAMETER_VALUE", status: 400, serverMessage: "Registered model alias challenger not found." });
    await expect(store.call("registeredModels.setAlias", { name: "m", alias: "champion", version: "9" })).rejects.toBeInstanceOf(NotFoundError);
    await expect(store.call("registeredModels.setAlias", { name: "m", alias: "v3", version: "1" })).rejects.toBeInstanceOf(InvalidParameterError);
    await store.close();
  });
});

describe("embedded store: registry wire shapes", () => {
  it("answers every registry read with only the fields its endpoint declares", async () => {
    const { dir, store, runId, artifactUri } = await fixture();
    await store.call("registeredModels.create", { name: "m", tags: [{ key: "t", value: "1" }] });
    await store.call("modelVersions.create", { name: "m", source: `${artifactUri}/a`, run_id: runId, tags: [{ key: "k", value: "v" }] });
    await store.call("registeredModels.setAlias", { name: "m", alias: "prod", version: "1" });
    await store.close();
    await rawCall(dir, "registeredModels.search", { max_results: 10 });
    await rawCall(dir, "registeredModels.getLatestVersions", { name: "m" });
    await rawCall(dir, "registeredModels.getByAlias", { name: "m", alias: "prod" });
    await rawCall(dir, "modelVersions.search", { max_results: 10 });
    await rawCall(dir, "modelVersions.getDownloadUri", { name: "m", version: "1" });
    const moved = (await rawCall(dir, "modelVersions.transitionStage", { name: "m", version: "1", stage: "Staging", archive_existing_versions: true })) as {
      model_version: { current_stage: string };
    };
    expect(moved.model_version.current_stage).toBe("Staging");
  });
});

describe("embedded store: model versions", () => {
  it("numbers versions per model from 1, READY, with source, run, link, description and tags", async () => {
    const { dir, store, tick, runId, artifactUri } = await fixture();
    await store.call("registeredModels.create", { name: "m" });
    await store.call("registeredModels.create", { name: "other" });
    const now = tick();
    const request = { name: "m", source: `${artifactUri}/model`, run_id: runId, run_link: "http://x/run", description: "d", tags: [{ key: "k", value: "v" }] };
    const { model_version } = await store.call("modelVersions.create", request);
    expect(model_version).toEqual({
      name: "m",
      version: "1",
      creation_timestamp: now,
      last_updated_timestamp: now,
      current_stage: "None",
      description: "d",
      source: `${artifactUri}/model`,
      run_id: runId,
      run_link: "http://x/run",
      status: "READY",
      tags: [{ key: "k", value: "v" }],
      aliases: [],
      model_params: [],
      model_metrics: [],
    });
    expect((await store.call("modelVersions.create", { ...request, tags: [] })).model_version.version).toBe("2");
    expect((await store.call("modelVersions.create", { name: "other", source: `${artifactUri}/o`, run_id: runId })).model_version.version).toBe("1");
    expect((await store.call("registeredModels.get", { name: "m" })).registered_model.last_updated_timestamp).toBe(now);
    await store.close();
    const raw = (await rawCall(dir, "modelVersions.get", { name: "m", version: "1" })) as { model_version: Record<string, unknown> };
    expect(ENDPOINTS["modelVersions.get"].response.parse(raw).model_version.version).toBe("1");
  });

  it("checks sources as the server does: local paths inside the run's artifacts, runs:/ of the run, no '..'", async () => {
    const { dir, store, runId, artifactUri } = await fixture();
    await store.call("registeredModels.create", { name: "m" });
    const create = (source: string, run_id?: string): Promise<unknown> =>
      store.call("modelVersions.create", { name: "m", source, ...(run_id ? { run_id } : {}) });
    await expect(create(`file://${artifactUri}/model`, runId)).resolves.toBeDefined();
    await expect(create(`runs:/${runId}/model`, runId)).resolves.toBeDefined();
    await expect(create("s3://bucket/models/a")).resolves.toBeDefined();
    const outside = await caught(create(join(dir, "elsewhere"), runId));
    expect(outside).toBeInstanceOf(InvalidParameterError);
    expect((outside as InvalidParameterError).serverMessage).toContain("has to be contained within the artifact directory of the run specified by the run_id");
    await expect(create(`${artifactUri}/model`)).rejects.toBeInstanceOf(InvalidParameterError);
    await expect(create(`runs:/${runId}/model`)).rejects.toThrow(/The run_id request parameter must identify the resource that contains the source/);
    await expect(create("s3://bucket/models/../secrets")).rejects.toThrow(/without relative path references/);
    await expect(create("s3://bucket/models/%2e%2e/secrets")).rejects.toBeInstanceOf(InvalidParameterError);
    await expect(create(`${artifactUri}/model`, "0123456789abcdef0123456789abcdef")).rejects.toBeInstanceOf(InvalidParameterError);
    await store.close();
  });

  it("registers from another version's models:/ URI, inheriting its run and download location", async () => {
    const { store, runId, artifactUri } = await fixture();
    await store.call("registeredModels.create", { name: "src" });
    await store.call("registeredModels.create", { name: "dst" });
    await store.call("modelVersions.create", { name: "src", source: `${artifactUri}/model`, run_id: runId });
    await store.call("registeredModels.setAlias", { name: "src", alias: "best", version: "1" });
    const { model_version } = await store.call("modelVersions.create", { name: "dst", source: "models:/src@best" });
    expect(model_version).toMatchObject({ source: "models:/src/1", run_id: runId });
    expect((await store.call("modelVersions.getDownloadUri", { name: "dst", version: "1" })).artifact_uri).toBe(`${artifactUri}/model`);
    await store.close();
  });

  it("registers from a logged model's models:/<id> as MLflow's SQL store does: source kept, run and download location from the model, model_id only in the model's tag", async () => {
    const { store, runId } = await fixture();
    const { experiment_id } = await store.call("experiments.getByName", { experiment_name: "e" }).then((r) => r.experiment);
    const { model } = await store.call("loggedModels.create", { experiment_id, name: "m", source_run_id: runId });
    const modelId = model.info.model_id;
    await store.call("registeredModels.create", { name: "from-model" });
    const { model_version } = await store.call("modelVersions.create", { name: "from-model", source: `models:/${modelId}`, model_id: modelId });
    expect(model_version).toMatchObject({ source: `models:/${modelId}`, run_id: runId });
    // MLflow 3.17.2's registry SQL store has no model_id column: create, get and search answer none.
    expect(model_version.model_id).toBeUndefined();
    expect((await store.call("modelVersions.get", { name: "from-model", version: "1" })).model_version.model_id).toBeUndefined();
    expect((await store.call("modelVersions.getDownloadUri", { name: "from-model", version: "1" })).artifact_uri).toBe(model.info.artifact_uri);
    const tags = (await store.call("loggedModels.get", { model_id: modelId })).model.info.tags ?? [];
    expect(tags.find((tag) => tag.key === "mlflow.modelVersions")?.value).toBe('[{"name": "from-model", "version": 1}]');
    await store.close();
  });

  it("gets, updates and deletes versions; a deleted version is gone but keeps its number", async () => {
    const { store, tick, runId, artifactUri } = await fixture();
    await store.call("registeredModels.create", { name: "m" });
    await store.call("modelVersions.create", { name: "m", source: `${artifactUri}/a`, run_id: runId });
    const now = tick();
    const updated = (await store.call("modelVersions.update", { name: "m", version: "1", description: "better" })).model_version;
    expect(updated).toMatchObject({ description: "better", last_updated_timestamp: now });
    expect((await store.call("modelVersions.update", { name: "m", version: "1" })).model_version.description).toBeUndefined();
    await store.call("registeredModels.setAlias", { name: "m", alias: "prod", version: "1" });
    await store.call("modelVersions.delete", { name: "m", version: "1" });
    const gone = await caught(store.call("modelVersions.get", { name: "m", version: "1" }));
    expect(gone).toBeInstanceOf(NotFoundError);
    expect((gone as NotFoundError).serverMessage).toBe("Model Version (name=m, version=1) not found");
    expect((await store.call("registeredModels.get", { name: "m" })).registered_model).toMatchObject({ aliases: [], latest_versions: [] });
    expect((await store.call("modelVersions.create", { name: "m", source: `${artifactUri}/b`, run_id: runId })).model_version.version).toBe("2");
    await expect(store.call("modelVersions.get", { name: "m", version: "x" })).rejects.toBeInstanceOf(InvalidParameterError);
    await store.close();
  });

  it("searches versions by name, run_id, source_path, version_number and tags, ordered and paged", async () => {
    const { store, tick, runId, artifactUri } = await fixture();
    const { run: other } = await store.call("runs.create", { experiment_id: "1", start_time: 2 });
    await store.call("registeredModels.create", { name: "a" });
    await store.call("registeredModels.create", { name: "b" });
    for (const [name, run, uri] of [
      ["a", runId, artifactUri],
      ["a", other.info.run_id, other.info.artifact_uri!],
      ["b", runId, artifactUri],
    ] as const) {
      tick();
      await store.call("modelVersions.create", { name, source: `${uri}/model`, run_id: run, tags: [{ key: "owner", value: name === "a" ? "ann" : "bob" }] });
    }
    const search = async (filter?: string, order_by?: string[]): Promise<string[]> =>
      (await store.call("modelVersions.search", { filter, order_by, max_results: 100 })).model_versions.map((v: ModelVersion) => `${v.name}/${v.version}`);
    expect(await search()).toEqual(["b/1", "a/2", "a/1"]);
    expect(await search("name = 'a'")).toEqual(["a/2", "a/1"]);
    expect(await search(`run_id = '${runId}'`)).toEqual(["b/1", "a/1"]);
    expect(await search(`run_id IN ('${other.info.run_id}')`)).toEqual(["a/2"]);
    expect(await search(`source_path LIKE '${other.info.artifact_uri!}%'`)).toEqual(["a/2"]);
    expect(await search("version_number >= 2")).toEqual(["a/2"]);
    expect(await search("tags.owner = 'bob'")).toEqual(["b/1"]);
    expect(await search("name = 'a' AND tags.owner ILIKE 'ANN'", ["version_number ASC"])).toEqual(["a/1", "a/2"]);
    expect(await search(undefined, ["name DESC"])).toEqual(["b/1", "a/2", "a/1"]);
    await expect(search("source_path IN ('x')")).rejects.toBeInstanceOf(InvalidParameterError);
    await expect(search(undefined, ["run_id ASC"])).rejects.toBeInstanceOf(InvalidParameterError);
    const page = await store.call("modelVersions.search", { max_results: 2 });
    expect(page.model_versions).toHaveLength(2);
    const rest = await store.call("modelVersions.search", { max_results: 2, page_token: page.next_page_token });
    expect(rest.model_versions.map((v) => `${v.name}/${v.version}`)).toEqual(["a/1"]);
    expect(rest.next_page_token).toBeUndefined();
    await store.close();
  });

  it("transitions stages, archiving the versions already in the stage on request", async () => {
    const { store, runId, artifactUri } = await fixture();
    await store.call("registeredModels.create", { name: "m" });
    for (let i = 0; i < 3; i++) await store.call("modelVersions.create", { name: "m", source: `${artifactUri}/v${i}`, run_id: runId });
    const client = {
      transition: (version: string, stage: string, archive: boolean) =>
        store.call("modelVersions.transitionStage", { name: "m", version, stage, archive_existing_versions: archive }),
    };
    await client.transition("1", "Production", false);
    await client.transition("2", "production", false);
    expect((await client.transition("3", "Production", true)).model_version.current_stage).toBe("Production");
    const stages = (await store.call("modelVersions.search", { max_results: 10, order_by: ["version_number ASC"] })).model_versions.map((v) => v.current_stage);
    expect(stages).toEqual(["Archived", "Archived", "Production"]);
    await expect(client.transition("1", "Archived", true)).rejects.toMatchObject({ errorCode: "INTERNAL_ERROR", status: 500 });
    await expect(client.transition("1", "Shipped", false)).rejects.toBeInstanceOf(InvalidParameterError);
    await store.close();
  });

  it("answers the download URI and sets and deletes version tags through the resource", async () => {
    const dir = tempDir();
    const client = sqliteClient(dir);
    const experimentId = await client.experiments.create({ name: "e", artifact_location: join(dir, "art") });
    const run = await client.runs.create({ experiment_id: experimentId });
    mkdirSync(join(dir, "art"), { recursive: true });
    await client.registeredModels.create({ name: "m" });
    const version = await client.modelVersions.create({ name: "m", source: `${run.info.artifact_uri}/model`, run_id: run.info.run_id });
    expect(await client.modelVersions.getDownloadUri("m", version.version)).toBe(`${run.info.artifact_uri}/model`);
    await client.modelVersions.setTag("m", 1, "stage", "qa");
    await client.modelVersions.setTag("m", 1, "stage", "prod");
    expect((await client.modelVersions.get("m", 1)).tags).toEqual([{ key: "stage", value: "prod" }]);
    await client.modelVersions.deleteTag("m", 1, "stage");
    await client.modelVersions.deleteTag("m", 1, "stage");
    expect((await client.modelVersions.get("m", 1)).tags).toEqual([]);
    await expect(client.modelVersions.setTag("m", 7, "a", "b")).rejects.toBeInstanceOf(NotFoundError);
    const all: ModelVersion[] = [];
    for await (const item of client.modelVersions.search({ filter: "name = 'm'" })) all.push(item);
    expect(all.map((item) => item.version)).toEqual(["1"]);
    await client.close();
  });
});
