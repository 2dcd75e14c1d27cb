/**
 * The embedded store and the Python MLflow client read each other's databases, field by field:
 * experiments, runs (status, times, names, artifact URIs, lifecycle), latest metrics (NaN and
 * clamped infinities included), params, tags, dataset inputs, full metric histories, and
 * `search_runs` with filters and order clauses returning the same runs in the same order.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeDouble } from "../../src/core/wire.js";
import type { Experiment, Run } from "../../src/protocol/entities/tracking.js";
import { SCHEMA_MLFLOW_VERSION } from "../../src/store/sqlite/engine/schema.generated.js";
import { openSqliteStore, type SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { interop, mlflowCli, pythonMlflowVersion } from "./sqlite-python.js";

const T0 = 1_760_000_000_000;

/** What `sqlite-interop.py read` prints. */
interface PythonView {
  experiments: Record<string, unknown>[];
  runs: ComparableRun[];
  histories: Record<string, unknown[]>;
  searches: string[][];
}

interface ComparableRun {
  info: Record<string, unknown>;
  metrics: Record<string, unknown>;
  params: Record<string, string>;
  tags: Record<string, string>;
  datasets: Record<string, unknown>[];
}

/** Searches run by both sides over the fixture, all with run_view_type ALL. */
const SEARCHES: { filter?: string; order_by?: string[] }[] = [
  {},
  { filter: "metrics.acc > 0.5" },
  { filter: "metrics.acc != 0.9" },
  { filter: "params.lr = '0.1' AND tags.team LIKE 'vis%'" },
  { filter: "tags.team ILIKE 'NLP'" },
  { filter: "tags.team IS NULL" },
  { filter: "params.opt IS NOT NULL" },
  { filter: "attributes.status = 'FINISHED'" },
  { filter: "attributes.start_time >= 1760000000200 AND attributes.end_time > 0" },
  { filter: "attributes.run_name LIKE '%ta'" },
  { filter: "datasets.name = 'mnist'" },
  { filter: "metrics.`val loss` < 1" },
  { order_by: ["metrics.acc DESC"] },
  { order_by: ["metrics.acc ASC", "attributes.run_name DESC"] },
  { order_by: ["params.lr DESC"] },
  { order_by: ["tags.team ASC", "start_time ASC"] },
  { order_by: ["attributes.end_time DESC"] },
];

const dir = mkdtempSync(join(tmpdir(), "mlflow-ts-interop-"));
let pythonVersion: string;

beforeAll(async () => {
  pythonVersion = await pythonMlflowVersion(dir);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function comparableRun(run: Run): ComparableRun {
  const { info } = run;
  return {
    info: {
      run_id: info.run_id,
      run_name: info.run_name,
      experiment_id: info.experiment_id,
      user_id: info.user_id ?? null,
      status: info.status,
      start_time: info.start_time ?? null,
      end_time: info.end_time ?? null,
      artifact_uri: info.artifact_uri,
      lifecycle_stage: info.lifecycle_stage,
    },
    metrics: Object.fromEntries(run.data.metrics.map((m) => [m.key, encodeDouble(m.value)])),
    params: Object.fromEntries(run.data.params.map((p) => [p.key, p.value])),
    tags: Object.fromEntries(run.data.tags.map((t) => [t.key, t.value])),
    datasets: run.inputs.dataset_inputs.map(({ dataset, tags }) => ({
      name: dataset.name,
      digest: dataset.digest,
      source_type: dataset.source_type,
      source: dataset.source,
      tags: Object.fromEntries(tags.map((t) => [t.key, t.value])),
    })),
  };
}

function comparableExperiment(e: Experiment): Record<string, unknown> {
  return {
    experiment_id: e.experiment_id,
    name: e.name,
    artifact_location: e.artifact_location,
    lifecycle_stage: e.lifecycle_stage,
    creation_time: e.creation_time ?? null,
    last_update_time: e.last_update_time ?? null,
    tags: Object.fromEntries(e.tags.map((t) => [t.key, t.value])),
  };
}

/** Everything the store holds, in the shape `sqlite-interop.py read` prints. */
async function ourView(store: SqliteStore): Promise<Omit<PythonView, "searches">> {
  const { experiments } = await store.call("experiments.search", { max_results: 1000, view_type: "ALL" });
  const { runs } = await store.call("runs.search", { experiment_ids: experiments.map((e) => e.experiment_id), run_view_type: "ALL", max_results: 1000 });
  const full = await Promise.all(runs.map(async (run) => (await store.call("runs.get", { run_id: run.info.run_id })).run));
  const histories: Record<string, unknown[]> = {};
  for (const run of full) {
    for (const { key } of run.data.metrics) {
      const { metrics } = await store.call("metrics.getHistory", { run_id: run.info.run_id, metric_key: key, max_results: 25_000 });
      histories[`${run.info.run_id}/${key}`] = metrics.map((m) => ({ key: m.key, value: encodeDouble(m.value), timestamp: m.timestamp, step: m.step }));
    }
  }
  return { experiments: experiments.map(comparableExperiment), runs: full.map(comparableRun), histories };
}

/** Writes the fixture through the embedded store. */
async function writeFixture(store: SqliteStore): Promise<void> {
  const { experiment_id: id } = await store.call("experiments.create", { name: "interop", tags: [{ key: "owner", value: "ts" }] });
  const { experiment_id: goneId } = await store.call("experiments.create", { name: "gone" });
  const create = async (experiment_id: string, run_name: string, start_time: number, team?: string) =>
    (await store.call("runs.create", { experiment_id, run_name, start_time, user_id: "ann", tags: team ? [{ key: "team", value: team }] : [] })).run.info
      .run_id;
  const alpha = await create(id, "alpha", T0 + 100, "vision");
  const beta = await create(id, "beta", T0 + 200, "nlp");
  const gamma = await create(id, "gamma", T0 + 300);
  const delta = await create(id, "delta", T0 + 400, "Vision");
  const lost = await create(goneId, "lost", T0 + 500);
  const loss = (scale: number) => Array.from({ length: 30 }, (_, step) => ({ key: "loss", value: scale / (step + 1), timestamp: T0 + step * 10, step }));
  await store.call("runs.logBatch", {
    run_id: alpha,
    metrics: [
      ...loss(1),
      { key: "acc", value: 0.9, timestamp: T0, step: 0 },
      { key: "val loss", value: 0.25, timestamp: T0, step: 3 },
      { key: "weird", value: "NaN", timestamp: T0 + 1, step: 1 },
      { key: "weird", value: "Infinity", timestamp: T0 + 2, step: 2 },
      { key: "neg", value: "-Infinity", timestamp: T0, step: 0 },
    ],
    params: [
      { key: "lr", value: "0.1" },
      { key: "opt", value: "adam" },
    ],
  });
  await store.call("runs.logBatch", {
    run_id: beta,
    metrics: [...loss(2), ...loss(2), { key: "acc", value: "NaN", timestamp: T0, step: 0 }],
    params: [{ key: "lr", value: "0.01" }],
  });
  await store.call("runs.logBatch", { run_id: gamma, metrics: [{ key: "acc", value: 0.5, timestamp: T0, step: 0 }] });
  await store.call("runs.logBatch", { run_id: delta, params: [{ key: "lr", value: "0.1" }] });
  await store.call("runs.logInputs", {
    run_id: alpha,
    datasets: [
      {
        dataset: { name: "mnist", digest: "d41d8cd9", source_type: "local", source: '{"uri": "/data/mnist"}' },
        tags: [{ key: "mlflow.data.context", value: "train" }],
      },
    ],
  });
  await store.call("runs.update", { run_id: alpha, status: "FINISHED", end_time: T0 + 1000 });
  await store.call("runs.update", { run_id: beta, status: "FAILED", end_time: T0 + 2000 });
  await store.call("runs.delete", { run_id: gamma });
  await store.call("runs.logBatch", { run_id: lost, metrics: [{ key: "acc", value: 0.1, timestamp: T0, step: 0 }] });
  await store.call("experiments.delete", { experiment_id: goneId });
}

describe("conformance: Python MLflow reads a database written by mlflow-ts", () => {
  const path = join(dir, "from-ts.db");
  let ours: Omit<PythonView, "searches">;
  let ourSearches: string[][];
  let theirs: PythonView;

  beforeAll(async () => {
    const store = await openSqliteStore(path, { quiet: true, defaultArtifactRoot: join(dir, "mlruns") });
    await writeFixture(store);
    ours = await ourView(store);
    const experimentIds = ours.experiments.map((e) => e.experiment_id as string);
    ourSearches = [];
    for (const search of SEARCHES) {
      const { runs } = await store.call("runs.search", { experiment_ids: experimentIds, run_view_type: "ALL", max_results: 1000, ...search });
      ourSearches.push(runs.map((r) => r.info.run_id));
    }
    await store.close();
    // A newer MLflow refuses an older schema until `mlflow db upgrade` (its rule for every database).
    if (pythonVersion !== SCHEMA_MLFLOW_VERSION) await mlflowCli(dir, "db", "upgrade", `sqlite:///${path}`);
    writeFileSync(join(dir, "queries.json"), JSON.stringify({ searches: SEARCHES.map((s) => ({ experiment_ids: experimentIds, ...s })) }));
    theirs = await interop<PythonView>(dir, "read", path, join(dir, "queries.json"));
  });

  it("sees the same experiments, field by field", () => {
    expect(theirs.experiments).toEqual(ours.experiments);
    expect(theirs.experiments.map((e) => e.name)).toEqual(["gone", "interop", "Default"]);
  });

  it("sees the same runs, field by field, with NaN and clamped infinities", () => {
    expect(sortById(theirs.runs)).toEqual(sortById(ours.runs));
    const alpha = theirs.runs.find((r) => r.info.run_name === "alpha")!;
    expect(alpha.metrics).toEqual({ loss: 1 / 30, acc: 0.9, "val loss": 0.25, weird: 1.7976931348623157e308, neg: -1.7976931348623157e308 });
    expect(theirs.runs.find((r) => r.info.run_name === "beta")!.metrics.acc).toBe("NaN");
    expect(alpha.info).toMatchObject({ status: "FINISHED", end_time: T0 + 1000, start_time: T0 + 100, user_id: "ann" });
  });

  it("reads the same full metric histories (duplicates dropped, NaN kept)", () => {
    expect(theirs.histories).toEqual(ours.histories);
    const alpha = ours.runs.find((r) => r.info.run_name === "alpha")!.info.run_id as string;
    const beta = ours.runs.find((r) => r.info.run_name === "beta")!.info.run_id as string;
    expect(theirs.histories[`${alpha}/weird`]).toEqual([
      { key: "weird", value: "NaN", timestamp: T0 + 1, step: 1 },
      { key: "weird", value: 1.7976931348623157e308, timestamp: T0 + 2, step: 2 },
    ]);
    expect(theirs.histories[`${beta}/loss`]).toHaveLength(30);
  });

  it("finds the same runs in the same order for every filter and order clause", () => {
    expect(theirs.searches).toEqual(ourSearches);
    expect(ourSearches.filter((ids) => ids.length > 0).length).toBeGreaterThan(SEARCHES.length - 2);
  });
});

describe("conformance: mlflow-ts reads a database written by the Python client", () => {
  it("sees what Python sees, field by field", async () => {
    const path = join(dir, "from-python.db");
    const written = await interop<{ experiment_id: string; run_id: string; deleted_run_id: string }>(dir, "write", path);
    writeFileSync(join(dir, "no-queries.json"), "{}");
    const theirs = await interop<PythonView>(dir, "read", path, join(dir, "no-queries.json"));
    const store = await openSqliteStore(path, { quiet: true });
    const ours = await ourView(store);
    await store.close();
    expect(ours.experiments).toEqual(theirs.experiments);
    expect(sortById(ours.runs)).toEqual(sortById(theirs.runs));
    expect(ours.histories).toEqual(theirs.histories);
    const run = ours.runs.find((r) => r.info.run_id === written.run_id)!;
    expect(run.metrics).toMatchObject({ loss: 0.02, weird: 1.7976931348623157e308, neg: -1.7976931348623157e308 });
    expect(run.info).toMatchObject({ status: "FINISHED", start_time: 1_700_000_000_000, end_time: 1_700_000_100_000, run_name: "py-run" });
    expect(ours.histories[`${written.run_id}/weird`]![0]).toEqual({ key: "weird", value: "NaN", timestamp: 1_700_000_000_100, step: 1 });
    expect(ours.runs.find((r) => r.info.run_id === written.deleted_run_id)!.info.lifecycle_stage).toBe("deleted");
  });
});

function sortById(runs: ComparableRun[]): ComparableRun[] {
  return [...runs].sort((a, b) => String(a.info.run_id).localeCompare(String(b.info.run_id)));
}
