/**
 * Workspaces in one SQLite file, written by both sides: MLflow's own workspace-aware SQL store
 * (Python, MLFLOW_ENABLE_WORKSPACES=true, the workspace bound as MLFLOW_WORKSPACE binds it) and the
 * embedded store (a client per workspace). Each side creates one of the two workspaces; in each,
 * `mnist` comes from one side and `cifar` from the other, so both names live in both workspaces.
 * Then each side reads every workspace and sees exactly what the other sees, field by field:
 * experiments (workspace and artifact location included), runs, metric histories, registered
 * models, and nothing of the other workspace.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeDouble } from "../../src/core/wire.js";
import { openSqliteStore, type SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { interopWithEnv } from "./sqlite-python.js";

const WORKSPACES = ["team-a", "team-b", "default"] as const;
const T0 = 1_760_000_000_000;

/** What one workspace holds, as `sqlite-interop.py read-workspaces` prints it. */
interface WorkspaceView {
  experiments: Record<string, unknown>[];
  runs: Record<string, unknown>[];
  histories: Record<string, unknown[]>;
  registered_models: { name: string; description: string }[];
}

interface View {
  workspaces: string[];
  by_workspace: Record<string, WorkspaceView>;
}

const dir = mkdtempSync(join(tmpdir(), "mlflow-ts-workspaces-"));
const path = join(dir, "mlflow.db");
const python = <T>(...args: string[]): Promise<T> => interopWithEnv<T>(dir, { MLFLOW_ENABLE_WORKSPACES: "true" }, ...args);
/** The embedded store in `workspace`, artifacts under `<dir>/mlruns` as Python's (run in `dir`). */
const store = (workspace?: string): Promise<SqliteStore> =>
  openSqliteStore(path, { quiet: true, defaultArtifactRoot: join(dir, "mlruns"), ...(workspace === undefined ? {} : { workspace }) });

let theirs: View;
let ours: View;

beforeAll(async () => {
  const plain = await store();
  await plain.call("workspaces.create", { name: "team-b", description: "team-b (ts)" });
  await plain.close();
  await python("create-workspace", path, "team-a");
  await python("write-in-workspace", path, "team-a", "mnist", "py");
  await writeWithTs("team-b", "mnist", "ts");
  await python("write-in-workspace", path, "team-b", "cifar", "py");
  await writeWithTs("team-a", "cifar", "ts");
  theirs = await python<View>("read-workspaces", path, ...WORKSPACES);
  ours = await readWithTs();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What `sqlite-interop.py write-in-workspace` writes, through the embedded store. */
async function writeWithTs(workspace: string, experimentName: string, tag: string): Promise<void> {
  const ts = await store(workspace);
  try {
    const { experiment_id } = await ts.call("experiments.create", { name: experimentName, tags: [{ key: "owner", value: tag }] });
    const { run } = await ts.call("runs.create", { experiment_id, run_name: `${tag}-run`, start_time: T0 });
    const runId = run.info.run_id;
    await ts.call("runs.logBatch", {
      run_id: runId,
      metrics: [
        ...Array.from({ length: 20 }, (_, step) => ({ key: "loss", value: 1 / (step + 1), timestamp: T0 + step, step })),
        { key: "odd", value: "NaN" as const, timestamp: T0 + 100, step: 1 },
      ],
      params: [{ key: "lr", value: "0.01" }],
      tags: [{ key: "writer", value: tag }],
    });
    await ts.call("runs.update", { run_id: runId, status: "FINISHED", end_time: T0 + 100_000 });
    await ts.call("registeredModels.create", { name: `${experimentName}-model`, description: `${tag} model` });
  } finally {
    await ts.close();
  }
}

/** Every workspace's content through the embedded store, in the shape Python prints. */
async function readWithTs(): Promise<View> {
  const plain = await store();
  const { workspaces } = await plain.call("workspaces.list", {});
  await plain.close();
  const view: View = { workspaces: workspaces.map((ws) => ws.name), by_workspace: {} };
  for (const workspace of WORKSPACES) {
    const ts = await store(workspace);
    try {
      const { experiments } = await ts.call("experiments.search", { max_results: 1000, view_type: "ALL" });
      const ids = experiments.map((e) => e.experiment_id);
      const { runs } = await ts.call("runs.search", { experiment_ids: ids, run_view_type: "ALL", max_results: 1000 });
      const histories: Record<string, unknown[]> = {};
      for (const run of runs) {
        for (const { key } of run.data.metrics) {
          const { metrics } = await ts.call("metrics.getHistory", { run_id: run.info.run_id, metric_key: key, max_results: 25_000 });
          histories[`${run.info.run_id}/${key}`] = metrics.map((m) => ({ key: m.key, value: encodeDouble(m.value), timestamp: m.timestamp, step: m.step }));
        }
      }
      const { registered_models } = await ts.call("registeredModels.search", { max_results: 1000 });
      view.by_workspace[workspace] = {
        experiments: experiments.map((e) => ({
          experiment_id: e.experiment_id,
          name: e.name,
          artifact_location: e.artifact_location,
          lifecycle_stage: e.lifecycle_stage,
          workspace: e.workspace,
          tags: Object.fromEntries(e.tags.map((t) => [t.key, t.value])),
        })),
        runs: runs.map((r) => ({
          run_id: r.info.run_id,
          run_name: r.info.run_name,
          experiment_id: r.info.experiment_id,
          status: r.info.status,
          artifact_uri: r.info.artifact_uri,
          metrics: Object.fromEntries(r.data.metrics.map((m) => [m.key, encodeDouble(m.value)])),
          params: Object.fromEntries(r.data.params.map((p) => [p.key, p.value])),
          tags: Object.fromEntries(r.data.tags.filter((t) => !t.key.startsWith("mlflow.")).map((t) => [t.key, t.value])),
        })),
        histories,
        registered_models: registered_models.map((m) => ({ name: m.name, description: m.description ?? "" })),
      };
    } finally {
      await ts.close();
    }
  }
  return view;
}

describe("conformance: workspaces in one SQLite file, MLflow's workspace-aware store and the embedded store", () => {
  it("list the same workspaces, each side's included", () => {
    expect(ours.workspaces).toEqual(theirs.workspaces);
    expect(theirs.workspaces).toEqual(["default", "team-a", "team-b"]);
  });

  it.each(WORKSPACES)("see the same experiments in %s, field by field, with the same name in both workspaces", (workspace) => {
    expect(ours.by_workspace[workspace]!.experiments).toEqual(theirs.by_workspace[workspace]!.experiments);
  });

  it.each(WORKSPACES)("see the same runs, metric histories and registered models in %s", (workspace) => {
    const [o, t] = [ours.by_workspace[workspace]!, theirs.by_workspace[workspace]!];
    const byId = (runs: Record<string, unknown>[]) => [...runs].sort((x, y) => String(x.run_id).localeCompare(String(y.run_id)));
    expect(byId(o.runs)).toEqual(byId(t.runs));
    expect(o.histories).toEqual(t.histories);
    expect(o.registered_models).toEqual(t.registered_models);
  });

  it("keeps each workspace's own experiments, runs and model: mnist and cifar in both, written by the side that wrote them", () => {
    const summary = (workspace: string) =>
      theirs.by_workspace[workspace]!.experiments.map((e) => `${e.name}:${(e.tags as Record<string, string>).owner}:${String(e.workspace)}`).sort();
    expect(summary("team-a")).toEqual(["cifar:ts:team-a", "mnist:py:team-a"]);
    expect(summary("team-b")).toEqual(["cifar:py:team-b", "mnist:ts:team-b"]);
    expect(summary("default")).toEqual(["Default:undefined:default"]);
    const writers = (workspace: string) => theirs.by_workspace[workspace]!.runs.map((r) => (r.tags as Record<string, string>).writer).sort();
    expect(writers("team-a")).toEqual(["py", "ts"]);
    expect(writers("team-b")).toEqual(["py", "ts"]);
    expect(theirs.by_workspace.default!.runs).toEqual([]);
    // The same model names in both workspaces, each written by the side that wrote the experiment.
    expect(theirs.by_workspace["team-a"]!.registered_models).toEqual([
      { name: "cifar-model", description: "ts model" },
      { name: "mnist-model", description: "py model" },
    ]);
    expect(theirs.by_workspace["team-b"]!.registered_models).toEqual([
      { name: "cifar-model", description: "py model" },
      { name: "mnist-model", description: "ts model" },
    ]);
    expect(theirs.by_workspace.default!.registered_models).toEqual([]);
  });

  it("puts each workspace's experiments under <root>/workspaces/<workspace>/<id>, on both sides", () => {
    for (const workspace of ["team-a", "team-b"]) {
      for (const e of theirs.by_workspace[workspace]!.experiments) {
        expect(e.artifact_location).toBe(join(dir, "mlruns", "workspaces", workspace, String(e.experiment_id)));
      }
    }
  });
});
