/**
 * Workspaces in the embedded store: a client with `workspace` (MLFLOW_WORKSPACE) sees and writes
 * only that workspace's experiments, runs, logged models and registered models, as MLflow's
 * workspace-aware SQL store scopes them; names are unique per workspace; an unknown workspace is
 * refused with `UnknownWorkspaceError`; the workspace API over the file's `workspaces` table;
 * sync between two workspaces of one file. Without a workspace, the `default` workspace as before.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MlflowClient } from "../../../../src/client/client.js";
import { NotFoundError, ServerError, UnknownWorkspaceError } from "../../../../src/core/errors.js";
import { syncRuns } from "../../../../src/sync/sync-runs.js";
import { QUIET, removeTempDirs, tempDir } from "./helpers.js";

afterEach(removeTempDirs);

const clients: MlflowClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
});

/**
 * A client on `<dir>/mlflow.db` in `workspace` (none: the single-tenant store). New experiments'
 * locations are computed under `<cwd>/mlruns`, as MLflow does; tests that write artifacts give the
 * workspace an artifact root inside `dir`.
 */
function client(dir: string, workspace?: string): MlflowClient {
  const made = new MlflowClient({ trackingUri: `sqlite:///${join(dir, "mlflow.db")}`, env: QUIET, ...(workspace === undefined ? {} : { workspace }) });
  clients.push(made);
  return made;
}

/** A file with the workspaces team-a and team-b, and a client in each. */
async function twoWorkspaces(): Promise<{ dir: string; a: MlflowClient; b: MlflowClient; plain: MlflowClient }> {
  const dir = tempDir();
  const plain = client(dir);
  await plain.workspaces.create({ name: "team-a", description: "vision" });
  await plain.workspaces.create({ name: "team-b" });
  return { dir, a: client(dir, "team-a"), b: client(dir, "team-b"), plain };
}

describe("embedded store: workspaces", () => {
  it("keeps an experiment name per workspace: each client sees only its own experiment, runs and metrics", async () => {
    const { a, b, plain } = await twoWorkspaces();
    const idA = await a.experiments.create({ name: "mnist" });
    const idB = await b.experiments.create({ name: "mnist" });
    expect(idA).not.toBe(idB);
    expect(await a.experiments.getByName("mnist")).toMatchObject({ experiment_id: idA, workspace: "team-a" });
    expect(await b.experiments.getByName("mnist")).toMatchObject({ experiment_id: idB, workspace: "team-b" });
    expect(await plain.experiments.getByName("mnist")).toBeUndefined();
    const names = async (c: MlflowClient): Promise<string[]> =>
      (await c.experiments.search({ view_type: "ALL" }).toArray(100)).map((e) => `${e.workspace}/${e.name}`);
    expect(await names(a)).toEqual(["team-a/mnist"]);
    expect(await names(b)).toEqual(["team-b/mnist"]);
    expect(await names(plain)).toEqual(["default/Default"]);
    await expect(a.experiments.get(idB)).rejects.toBeInstanceOf(NotFoundError);
    await expect(a.experiments.create({ name: "mnist" })).rejects.toThrow("Experiment(name=mnist) already exists");

    const runA = await a.runs.create({ experiment_id: idA, run_name: "a-run" });
    await a.runs.logMetric(runA.info.run_id, "loss", 0.5, { step: 1, timestamp: 1 });
    const runB = await b.runs.create({ experiment_id: idB, run_name: "b-run" });
    await expect(b.runs.get(runA.info.run_id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(b.runs.logMetric(runA.info.run_id, "loss", 1)).rejects.toBeInstanceOf(NotFoundError);
    await expect(b.metrics.getHistory(runA.info.run_id, "loss").toArray(10)).rejects.toBeInstanceOf(NotFoundError);
    await expect(b.runs.create({ experiment_id: idA })).rejects.toBeInstanceOf(NotFoundError);
    const runNames = async (c: MlflowClient, ids: string[]): Promise<string[]> =>
      (await c.runs.search({ experiment_ids: ids }).toArray(100)).map((r) => r.info.run_name ?? "");
    expect(await runNames(a, [idA, idB])).toEqual(["a-run"]);
    expect(await runNames(b, [idA, idB])).toEqual(["b-run"]);
    expect((await a.metrics.getHistory(runA.info.run_id, "loss").toArray(10)).map((m) => m.value)).toEqual([0.5]);
    expect(runB.info.experiment_id).toBe(idB);
  });

  it("puts a workspace's experiments under <root>/workspaces/<name>/<id>, or under the workspace's own artifact root, and refuses artifact_location there", async () => {
    const { dir, a, plain } = await twoWorkspaces();
    const id = await a.experiments.create({ name: "e" });
    expect((await a.experiments.get(id)).artifact_location).toBe(join(resolve("mlruns"), "workspaces", "team-a", id));
    const run = await a.runs.create({ experiment_id: id });
    expect(run.info.artifact_uri).toBe(join(resolve("mlruns"), "workspaces", "team-a", id, run.info.run_id, "artifacts"));

    await plain.workspaces.update("team-a", { default_artifact_root: "s3://bucket/team-a" });
    const inBucket = await a.experiments.create({ name: "in-bucket" });
    expect((await a.experiments.get(inBucket)).artifact_location).toBe(`s3://bucket/team-a/${inBucket}`);

    await expect(a.experiments.create({ name: "here", artifact_location: join(dir, "elsewhere") })).rejects.toThrow(
      "artifact_location cannot be specified when workspaces are enabled",
    );
    // No workspace configured: the single-tenant store, as before.
    const plainId = await plain.experiments.create({ name: "plain", artifact_location: join(dir, "elsewhere") });
    expect(await plain.experiments.get(plainId)).toMatchObject({ artifact_location: join(dir, "elsewhere"), workspace: "default" });
    const defaulted = await plain.experiments.create({ name: "defaulted" });
    expect((await plain.experiments.get(defaulted)).artifact_location).toBe(join(resolve("mlruns"), defaulted));
  });

  it("refuses every RPC in a workspace the file does not have with UnknownWorkspaceError, and works once it is created", async () => {
    const dir = tempDir();
    const ghost = client(dir, "team-x");
    const error = await ghost.experiments.create({ name: "e" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownWorkspaceError);
    expect(error).not.toBeInstanceOf(NotFoundError);
    expect((error as Error).message).toContain("Workspace 'team-x' not found");
    expect((error as Error).message).toContain("Fix: create the workspace (mlflow-ts workspaces create team-x)");
    await expect(ghost.experiments.getByName("e")).rejects.toBeInstanceOf(UnknownWorkspaceError);
    await expect(ghost.registeredModels.create({ name: "m" })).rejects.toBeInstanceOf(UnknownWorkspaceError);
    await expect(ghost.artifacts.list("0123456789abcdef0123456789abcdef")).rejects.toBeInstanceOf(UnknownWorkspaceError);
    await ghost.workspaces.create({ name: "team-x" });
    expect(await ghost.experiments.create({ name: "e" })).toBe("1");
    // `default` is the schema's own workspace: always there.
    expect(await client(dir, "default").experiments.getByName("Default")).toMatchObject({ experiment_id: "0", workspace: "default" });
  });

  it("scopes registered models, their versions and logged models to the workspace; names are unique per workspace", async () => {
    const { a, b } = await twoWorkspaces();
    const idA = await a.experiments.create({ name: "e" });
    const runA = await a.runs.create({ experiment_id: idA });
    await a.registeredModels.create({ name: "clf", description: "a's" });
    await b.registeredModels.create({ name: "clf", description: "b's" });
    await expect(a.registeredModels.create({ name: "clf" })).rejects.toThrow("Registered Model (name=clf) already exists");
    await a.modelVersions.create({ name: "clf", source: `runs:/${runA.info.run_id}/model`, run_id: runA.info.run_id });
    expect((await a.registeredModels.get("clf")).description).toBe("a's");
    expect((await b.registeredModels.get("clf")).description).toBe("b's");
    expect((await a.registeredModels.get("clf")).latest_versions?.map((v) => v.version)).toEqual(["1"]);
    expect((await b.registeredModels.get("clf")).latest_versions ?? []).toEqual([]);
    expect((await b.modelVersions.search({ filter: "name = 'clf'" }).toArray(10)).length).toBe(0);

    const model = await a.loggedModels.create({ experiment_id: idA, name: "net" });
    expect((await a.loggedModels.get(model.info.model_id)).info.name).toBe("net");
    await expect(b.loggedModels.get(model.info.model_id)).rejects.toBeInstanceOf(NotFoundError);
    expect(await b.loggedModels.search({ experiment_ids: [idA] }).toArray(10)).toEqual([]);
  });

  it("lists, gets, updates and deletes the file's workspaces as the server's workspace API does", async () => {
    const { a, plain } = await twoWorkspaces();
    expect(await plain.workspaces.list()).toEqual([
      { name: "default", description: "Default workspace for legacy resources" },
      { name: "team-a", description: "vision" },
      { name: "team-b" },
    ]);
    await expect(plain.workspaces.create({ name: "team-a" })).rejects.toThrow("Workspace 'team-a' already exists");
    await expect(plain.workspaces.get("team-z")).rejects.toThrow("Workspace 'team-z' not found");
    expect(await plain.workspaces.update("team-a", { default_artifact_root: "s3://b/a" })).toEqual({
      name: "team-a",
      description: "vision",
      default_artifact_root: "s3://b/a",
    });
    expect(await plain.workspaces.update("team-a", { default_artifact_root: "" })).toEqual({ name: "team-a", description: "vision" });

    await a.experiments.create({ name: "kept" });
    const restrict = await plain.workspaces.delete("team-a").catch((e: unknown) => e);
    expect(restrict).toBeInstanceOf(ServerError);
    expect((restrict as Error).message).toContain("Cannot delete workspace 'team-a': table 'experiments' still contains 1 resource(s).");
    const cascade = await plain.workspaces.delete("team-a", { mode: "CASCADE" }).catch((e: unknown) => e);
    expect((cascade as Error).message).toContain("Fix: delete its experiments and registered models first");
    await plain.workspaces.delete("team-b");
    await plain.workspaces.delete("team-a", { mode: "SET_DEFAULT" });
    expect((await plain.workspaces.list()).map((ws) => ws.name)).toEqual(["default"]);
    expect(await plain.experiments.getByName("kept")).toMatchObject({ workspace: "default" });
  });

  it("refuses SET_DEFAULT when a name clashes with one in default, naming each clash", async () => {
    const { a, plain } = await twoWorkspaces();
    await a.experiments.create({ name: "mnist" });
    await plain.experiments.create({ name: "mnist" });
    await a.registeredModels.create({ name: "clf" });
    const error = await plain.workspaces.delete("team-a", { mode: "SET_DEFAULT" }).catch((e: unknown) => e);
    expect((error as Error).message).toContain("Cannot reassign resources from workspace 'team-a' to 'default'");
    expect((error as Error).message).toContain("experiments: 'mnist'");
    expect((error as Error).message).not.toContain("registered_models: 'clf'");
    expect((await a.experiments.getByName("mnist"))?.workspace).toBe("team-a");
  });

  it("syncs runs from one workspace of a file to another of the same file, artifacts included", async () => {
    const { dir, a, b, plain } = await twoWorkspaces();
    await plain.workspaces.update("team-a", { default_artifact_root: join(dir, "artifacts-a") });
    await plain.workspaces.update("team-b", { default_artifact_root: join(dir, "artifacts-b") });
    const id = await a.experiments.create({ name: "mnist" });
    const run = await a.runs.create({ experiment_id: id, run_name: "r1" });
    await a.runs.logBatch(run.info.run_id, {
      metrics: [1, 2, 3].map((step) => ({ key: "loss", value: 1 / step, step, timestamp: step })),
      params: [{ key: "lr", value: "0.1" }],
    });
    const artifactDir = run.info.artifact_uri;
    mkdirSync(artifactDir, { recursive: true });
    writeFileSync(join(artifactDir, "notes.txt"), "hello");
    await a.runs.update(run.info.run_id, { status: "FINISHED", end_time: 10 });

    const report = await syncRuns({ from: a, to: b, experimentNames: ["mnist"] });
    expect(report.ok).toBe(true);
    expect(report.totals.runsCopied).toBe(1);
    const copyExperiment = await b.experiments.getByName("mnist");
    expect(copyExperiment).toMatchObject({ workspace: "team-b" });
    expect(copyExperiment?.experiment_id).not.toBe(id);
    const [copy] = await b.runs.search({ experiment_ids: [copyExperiment!.experiment_id] }).toArray(10);
    expect(copy?.info.run_name).toBe("r1");
    expect(copy?.data.params).toEqual([{ key: "lr", value: "0.1" }]);
    expect((await b.metrics.getHistory(copy!.info.run_id, "loss").toArray(10)).map((m) => m.step)).toEqual([1, 2, 3]);
    expect(copy!.info.artifact_uri).toBe(join(dir, "artifacts-b", copyExperiment!.experiment_id, copy!.info.run_id, "artifacts"));
    expect(readFileSync(join(copy!.info.artifact_uri, "notes.txt"), "utf8")).toBe("hello");
    // The source workspace is untouched: still one experiment, one run.
    expect((await a.runs.search({ experiment_ids: [id] }).toArray(10)).length).toBe(1);
    expect(existsSync(join(artifactDir, "notes.txt"))).toBe(true);
  });
});
