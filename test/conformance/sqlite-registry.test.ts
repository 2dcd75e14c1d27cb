/**
 * The embedded store's model registry and logged models, against the pinned Python MLflow on the
 * same SQLite file, field by field: Python reads what mlflow-ts wrote (get_registered_model,
 * search_model_versions, get_model_version_by_alias, get_latest_versions, download URIs,
 * get_logged_model / search_logged_models), mlflow-ts reads what Python wrote, and both sides run
 * the same registry and logged-model searches and must find the same entities in the same order.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MlflowClient } from "../../src/client/client.js";
import { encodeDouble } from "../../src/core/wire.js";
import type { SearchLoggedModelsRequest } from "../../src/protocol/endpoints.js";
import type { LoggedModel } from "../../src/protocol/entities/logged-model.js";
import type { ModelVersion, RegisteredModel } from "../../src/protocol/entities/registry.js";
import { SCHEMA_MLFLOW_VERSION } from "../../src/store/sqlite/engine/schema.generated.js";
import { conformancePython, mlflowCli, pythonMlflowVersion } from "./sqlite-python.js";

const run = promisify(execFile);
const SCRIPT = resolve("test/conformance/sqlite-registry.py");
const QUIET = { MLFLOW_TS_QUIET_LOCAL_STORE: "true" };

interface Queries {
  model_searches: { filter?: string; order_by?: string[] }[];
  version_searches: { filter?: string; order_by?: string[] }[];
  logged_searches: { filter?: string; order_by?: NonNullable<SearchLoggedModelsRequest["order_by"]> }[];
}

/** What `sqlite-registry.py read` prints (and {@link ourView} builds). */
interface View {
  registered_models: Record<string, unknown>[];
  model_versions: Record<string, unknown>[];
  by_alias: Record<string, Record<string, unknown>>;
  download_uris: Record<string, string>;
  latest: Record<string, [string, string | null][]>;
  logged_models: Record<string, unknown>[];
  model_searches: string[][];
  version_searches: string[][];
  logged_searches: string[][];
}

const dir = mkdtempSync(join(tmpdir(), "mlflow-ts-registry-"));
let pythonVersion: string;

beforeAll(async () => {
  pythonVersion = await pythonMlflowVersion(dir);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function python<T>(...args: string[]): Promise<T> {
  const env = { ...process.env, MLFLOW_DISABLE_TELEMETRY: "true", DO_NOT_TRACK: "true", PYTHONWARNINGS: "ignore" };
  const { stdout } = await run(conformancePython(), [SCRIPT, ...args], { cwd: dir, env, timeout: 180_000, maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout.trim().split("\n").pop()!) as T;
}

function clientOn(path: string): MlflowClient {
  return new MlflowClient({ trackingUri: `sqlite:///${path}`, env: QUIET });
}

const keyValues = (items: { key: string; value: string }[]): Record<string, string> => Object.fromEntries(items.map((item) => [item.key, item.value]));

function comparableModel(model: RegisteredModel): Record<string, unknown> {
  return {
    name: model.name,
    creation_timestamp: model.creation_timestamp ?? null,
    last_updated_timestamp: model.last_updated_timestamp ?? null,
    description: model.description || null,
    tags: keyValues(model.tags),
    aliases: Object.fromEntries(model.aliases.map(({ alias, version }) => [alias, version])),
    latest_versions: model.latest_versions.map((version) => [version.version, version.current_stage ?? null]),
  };
}

function comparableVersion(version: ModelVersion): Record<string, unknown> {
  return {
    name: version.name,
    version: version.version,
    creation_timestamp: version.creation_timestamp ?? null,
    last_updated_timestamp: version.last_updated_timestamp ?? null,
    description: version.description ?? null,
    user_id: version.user_id ?? null,
    current_stage: version.current_stage ?? null,
    source: version.source ?? null,
    run_id: version.run_id ?? null,
    // MLflow 3.17.2's SQL registry has no model_id column: a version from models:/<id> reads back null.
    model_id: version.model_id ?? null,
    status: version.status ?? null,
    status_message: version.status_message ?? null,
    run_link: version.run_link ?? null,
    tags: keyValues(version.tags),
    aliases: version.aliases,
  };
}

const STATUS: Record<string, string> = { LOGGED_MODEL_PENDING: "PENDING", LOGGED_MODEL_READY: "READY", LOGGED_MODEL_UPLOAD_FAILED: "FAILED" };

function comparableLoggedModel({ info, data }: LoggedModel): Record<string, unknown> {
  return {
    model_id: info.model_id,
    experiment_id: info.experiment_id,
    name: info.name,
    artifact_location: info.artifact_uri,
    creation_timestamp: info.creation_timestamp_ms ?? null,
    last_updated_timestamp: info.last_updated_timestamp_ms ?? null,
    status: STATUS[info.status ?? ""] ?? info.status,
    model_type: info.model_type ?? null,
    source_run_id: info.source_run_id ?? null,
    status_message: info.status_message ?? null,
    tags: keyValues(info.tags),
    params: keyValues(data.params),
    metrics: data.metrics.map((m) => ({
      key: m.key,
      value: encodeDouble(m.value),
      timestamp: m.timestamp,
      step: m.step,
      run_id: m.run_id ?? null,
      dataset_name: m.dataset_name ?? null,
      dataset_digest: m.dataset_digest ?? null,
    })),
  };
}

/** Everything `sqlite-registry.py read` dumps, read through the mlflow-ts resources. */
async function ourView(client: MlflowClient, queries: Queries): Promise<View> {
  const models = await client.registeredModels.search({ max_results: 1000 });
  const registered = await Promise.all(models.map(async (model) => comparableModel(await client.registeredModels.get(model.name))));
  const versions: Record<string, unknown>[] = [];
  const downloadUris: Record<string, string> = {};
  for (const model of models) {
    for (const version of await client.modelVersions.search({ filter: `name = '${model.name}'`, max_results: 1000 })) {
      versions.push(comparableVersion(await client.modelVersions.get(version.name, version.version)));
      downloadUris[`${version.name}/${version.version}`] = await client.modelVersions.getDownloadUri(version.name, version.version);
    }
  }
  const byAlias: View["by_alias"] = {};
  const latest: View["latest"] = {};
  for (const model of registered) {
    const name = model.name as string;
    for (const alias of Object.keys(model.aliases as object))
      byAlias[`${name}@${alias}`] = comparableVersion(await client.registeredModels.getByAlias(name, alias));
    latest[name] = (await client.registeredModels.getLatestVersions(name)).map((version) => [version.version, version.current_stage ?? null]);
  }
  const experimentIds = (await client.experiments.search({ max_results: 1000, view_type: "ALL" })).map((e) => e.experiment_id);
  const logged = await client.loggedModels.search({ experiment_ids: experimentIds, max_results: 1000 });
  return {
    registered_models: registered,
    model_versions: versions,
    by_alias: byAlias,
    download_uris: downloadUris,
    latest,
    logged_models: await Promise.all(logged.map(async (model) => comparableLoggedModel(await client.loggedModels.get(model.info.model_id)))),
    model_searches: await Promise.all(
      queries.model_searches.map(async (q) => (await client.registeredModels.search({ ...q, max_results: 1000 })).map((m) => m.name)),
    ),
    version_searches: await Promise.all(
      queries.version_searches.map(async (q) => (await client.modelVersions.search({ ...q, max_results: 1000 })).map((v) => `${v.name}/${v.version}`)),
    ),
    logged_searches: await Promise.all(
      queries.logged_searches.map(async (q) =>
        (await client.loggedModels.search({ experiment_ids: experimentIds, ...q, max_results: 1000 })).map((m) => m.info.name),
      ),
    ),
  };
}

function queriesFor(prefix: string, runId: string): Queries {
  return {
    model_searches: [
      {},
      { filter: `name LIKE '${prefix}-%'` },
      { filter: `name ILIKE '${prefix.toUpperCase()}-%'` },
      { filter: "tags.team = 'risk'" },
      { filter: `name IN ('${prefix}-other', '${prefix}-model')` },
      { filter: `name != '${prefix}-model' AND tags.team LIKE '%i%'` },
      { order_by: ["name DESC"] },
      { order_by: ["last_updated_timestamp DESC"] },
      { order_by: ["timestamp ASC", "name DESC"] },
    ],
    version_searches: [
      {},
      { filter: `name = '${prefix}-model'` },
      { filter: `run_id = '${runId}'` },
      { filter: `run_id IN ('${runId}', 'x')` },
      { filter: "tags.k = 'v'" },
      { filter: "version_number > 1" },
      { filter: "source_path LIKE '%model2'" },
      { order_by: ["version_number ASC"] },
      { order_by: ["creation_timestamp DESC", "name ASC"] },
    ],
    logged_searches: [
      {},
      { filter: `name = '${prefix}-logged'` },
      { filter: "params.lr = '0.1'" },
      { filter: "metrics.acc > 0.5" },
      { filter: "tags.t = '1' AND name LIKE '%logged'" },
      { filter: "status = '2'" },
      { order_by: [{ field_name: "name", ascending: true }] },
      { order_by: [{ field_name: "metrics.acc", ascending: false }] },
    ],
  };
}

/** Writes the fixture through the mlflow-ts resources; returns the run id it registers from. */
async function writeFixture(client: MlflowClient): Promise<string> {
  const experimentId = await client.experiments.create({ name: "ts-registry", artifact_location: join(dir, "ts-artifacts") });
  const r = await client.runs.create({ experiment_id: experimentId, run_name: "ts-run" });
  const runId = r.info.run_id;
  await client.registeredModels.create({ name: "ts-model", tags: { team: "risk" }, description: "from ts" });
  await client.registeredModels.create({ name: "ts-other", tags: { team: "vision" } });
  await client.registeredModels.create({ name: "TS-upper" });
  await client.modelVersions.create({
    name: "ts-model",
    source: `runs:/${runId}/model`,
    run_id: runId,
    tags: { k: "v" },
    description: "v1",
    run_link: "http://link",
  });
  await client.modelVersions.create({ name: "ts-model", source: `${r.info.artifact_uri}/model2`, run_id: runId });
  await client.modelVersions.create({ name: "ts-other", source: `${r.info.artifact_uri}/other`, run_id: runId, tags: { k: "v" } });
  const doomed = await client.modelVersions.create({ name: "ts-model", source: `${r.info.artifact_uri}/doomed`, run_id: runId });
  await client.modelVersions.transitionStage("ts-model", 1, "Production");
  await client.modelVersions.transitionStage("ts-other", 1, "Staging");
  await client.registeredModels.setAlias("ts-model", "champion", 2);
  await client.registeredModels.setAlias("ts-model", "old", 1);
  await client.modelVersions.setTag("ts-model", 2, "validated", "yes");
  await client.modelVersions.delete("ts-model", doomed.version);
  const logged = await client.loggedModels.create({
    experiment_id: experimentId,
    name: "ts-logged",
    source_run_id: runId,
    params: { lr: "0.1" },
    tags: { t: "1" },
    model_type: "sklearn",
  });
  await client.store.call("runs.logBatch", {
    run_id: runId,
    metrics: [{ key: "acc", value: 0.9, timestamp: 1_700_000_000_000, step: 3, model_id: logged.info.model_id }],
  });
  await client.loggedModels.finalize(logged.info.model_id, "LOGGED_MODEL_READY");
  await client.loggedModels.create({ experiment_id: experimentId, name: "ts-pending", tags: { t: "1" } });
  const deleted = await client.loggedModels.create({ experiment_id: experimentId, name: "ts-deleted" });
  await client.loggedModels.delete(deleted.info.model_id);
  await client.modelVersions.create({ name: "ts-model", source: `models:/${logged.info.model_id}`, model_id: logged.info.model_id });
  await client.registeredModels.create({ name: "ts-before" });
  await client.modelVersions.create({ name: "ts-before", source: `${r.info.artifact_uri}/renamed`, run_id: runId });
  await client.registeredModels.rename("ts-before", "ts-renamed");
  return runId;
}

describe("conformance: Python MLflow reads the registry and logged models mlflow-ts wrote", () => {
  const path = join(dir, "from-ts.db");
  let ours: View;
  let theirs: View;

  beforeAll(async () => {
    const client = clientOn(path);
    const runId = await writeFixture(client);
    const queries = queriesFor("ts", runId);
    ours = await ourView(client, queries);
    await client.close();
    if (pythonVersion !== SCHEMA_MLFLOW_VERSION) await mlflowCli(dir, "db", "upgrade", `sqlite:///${path}`);
    writeFileSync(join(dir, "ts-queries.json"), JSON.stringify(queries));
    theirs = await python<View>("read", path, join(dir, "ts-queries.json"));
  });

  it("sees the same registered models: tags, description, aliases, latest version per stage", () => {
    expect(theirs.registered_models).toEqual(ours.registered_models);
    expect(theirs.registered_models.map((m) => m.name)).toEqual(["TS-upper", "ts-model", "ts-other", "ts-renamed"]);
    expect(theirs.registered_models.find((m) => m.name === "ts-model")).toMatchObject({
      description: "from ts",
      aliases: { champion: "2", old: "1" },
      tags: { team: "risk" },
    });
    expect(theirs.latest).toEqual(ours.latest);
  });

  it("sees the same model versions, field by field, the deleted one gone", () => {
    expect(theirs.model_versions).toEqual(ours.model_versions);
    // The order (last update first, ties by version) is compared above; here, which versions exist.
    expect(theirs.model_versions.map((v) => `${v.name as string}/${v.version as string}`).sort()).toEqual([
      "ts-model/1",
      "ts-model/2",
      "ts-model/4",
      "ts-other/1",
      "ts-renamed/1",
    ]);
    expect(theirs.by_alias).toEqual(ours.by_alias);
    expect(theirs.by_alias["ts-model@champion"]).toMatchObject({ version: "2", aliases: ["champion"], tags: { validated: "yes" } });
    expect(theirs.download_uris).toEqual(ours.download_uris);
  });

  it("sees the same logged models: status, params, tags (with the registered versions), metrics", () => {
    expect(theirs.logged_models).toEqual(ours.logged_models);
    const logged = theirs.logged_models.find((m) => m.name === "ts-logged")!;
    expect(logged).toMatchObject({
      status: "READY",
      params: { lr: "0.1" },
      model_type: "sklearn",
      tags: { t: "1", "mlflow.modelVersions": '[{"name": "ts-model", "version": 4}]' },
    });
    expect(theirs.logged_models.map((m) => m.name)).toEqual(["ts-pending", "ts-logged"]);
  });

  it("finds the same entities in the same order for every registry and logged-model search", () => {
    expect(theirs.model_searches).toEqual(ours.model_searches);
    expect(theirs.version_searches).toEqual(ours.version_searches);
    expect(theirs.logged_searches).toEqual(ours.logged_searches);
    expect([...ours.model_searches, ...ours.version_searches, ...ours.logged_searches].every((found) => found.length > 0)).toBe(true);
  });
});

describe("conformance: mlflow-ts reads the registry and logged models the Python client wrote", () => {
  it("sees what Python sees, field by field, and finds the same entities", async () => {
    const path = join(dir, "from-python.db");
    const written = await python<{ run_id: string; model_id: string; pending_id: string }>("write", path);
    const queries = queriesFor("py", written.run_id);
    writeFileSync(join(dir, "py-queries.json"), JSON.stringify(queries));
    const theirs = await python<View>("read", path, join(dir, "py-queries.json"));
    const client = clientOn(path);
    const ours = await ourView(client, queries);
    await client.close();
    expect(ours).toEqual(theirs);
    expect(ours.registered_models.find((m) => m.name === "py-model")).toMatchObject({
      description: "from python",
      aliases: { champion: "2" },
      tags: { team: "py" },
    });
    expect(ours.model_versions.map((v) => v.version).sort()).toEqual(["1", "2", "3"]);
    expect(ours.logged_models.find((m) => m.model_id === written.model_id)).toMatchObject({
      status: "READY",
      params: { lr: "0.1" },
      source_run_id: written.run_id,
    });
    expect(ours.logged_models.find((m) => m.model_id === written.pending_id)).toMatchObject({ status: "PENDING" });
  });
});
