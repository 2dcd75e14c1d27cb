/**
 * The embedded store as a whole: what the client picks for `sqlite:` URIs, the first-use notice,
 * errors for what it does not do, artifact listing on the local disk, the logger running on it
 * unchanged, and two processes logging to one file at once.
 */
import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it, vi } from "vitest";
import { MlflowClient } from "../../../../src/client/client.js";
import { AbortError, MlflowError, ServerError } from "../../../../src/core/errors.js";
import { startRun } from "../../../../src/logging/fluent.js";
import { resetNoticeForTests } from "../../../../src/store/sqlite/engine/notice.js";
import { QUIET, removeTempDirs, sqliteClient, sqliteStore, tempDir } from "./helpers.js";

afterEach(() => {
  removeTempDirs();
  resetNoticeForTests();
  vi.restoreAllMocks();
});

describe("embedded store", () => {
  it("is what the client uses for sqlite:/// URIs, and tells once, on first use, where it logs", async () => {
    const dir = tempDir();
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const client = new MlflowClient({ trackingUri: `sqlite:///${join(dir, "mlflow.db")}`, env: {} });
    expect(client.store.kind).toBe("sqlite");
    expect(client.trackingUri).toBe(`sqlite:///${join(dir, "mlflow.db")}`);
    expect(stderr).not.toHaveBeenCalled();
    await client.experiments.create({ name: "first" });
    await client.experiments.create({ name: "second" });
    const lines = stderr.mock.calls.map(([chunk]) => String(chunk)).filter((line) => line.startsWith("mlflow-ts:"));
    expect(lines).toEqual([
      `mlflow-ts: logging to sqlite:///${join(dir, "mlflow.db")}, artifacts under ${resolve("mlruns")}. View with: mlflow ui --backend-store-uri sqlite:///${join(dir, "mlflow.db")}\n`,
    ]);
    await client.close();
  });

  it("answers an RPC it has no handler for with NOT_IMPLEMENTED (501), and refuses calls after close", async () => {
    const client = sqliteClient(tempDir());
    const error = await client.store.call("registeredModels.unknown" as "registeredModels.get", { name: "m" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ errorCode: "NOT_IMPLEMENTED", status: 501, retryable: false, endpoint: "sqlite:registeredModels.unknown" });
    expect((error as ServerError).serverMessage).toContain(`mlflow server --backend-store-uri ${client.trackingUri}`);
    await client.close();
    await expect(client.experiments.get("0")).rejects.toBeInstanceOf(MlflowError);
  });

  it("does not start an aborted call", async () => {
    const client = sqliteClient(tempDir());
    await expect(client.experiments.get("0", { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError);
    await client.close();
  });

  it("lists a run's artifacts from its local directory (client and RPC), relative to the run root and sorted", async () => {
    const dir = tempDir();
    const client = sqliteClient(dir);
    const experimentId = await client.experiments.create({ name: "art", artifact_location: join(dir, "artifacts") });
    const run = await client.runs.create({ experiment_id: experimentId });
    const root = run.info.artifact_uri;
    expect(root).toBe(join(dir, "artifacts", run.info.run_id, "artifacts"));
    expect(await client.artifacts.list(run.info.run_id)).toEqual([]);
    mkdirSync(join(root, "model"), { recursive: true });
    writeFileSync(join(root, "model", "weights.bin"), "12345");
    writeFileSync(join(root, "a.txt"), "hi");
    expect(await client.artifacts.list(run.info.run_id)).toEqual([
      { path: "a.txt", is_dir: false, file_size: 2 },
      { path: "model", is_dir: true },
    ]);
    expect(await client.artifacts.list(run.info.run_id, "model")).toEqual([{ path: "model/weights.bin", is_dir: false, file_size: 5 }]);
    expect(await client.artifacts.list(run.info.run_id, "a.txt")).toEqual([]);
    const rpc = await client.store.call("artifacts.list", { run_id: run.info.run_id, path: "model" });
    expect(rpc).toEqual({ root_uri: root, files: [{ path: "model/weights.bin", is_dir: false, file_size: 5 }] });
    expect((await client.store.call("artifacts.list", { run_id: run.info.run_id, path: "a.txt" })).files).toEqual([]);
    await expect(client.store.call("artifacts.list", { run_id: run.info.run_id, path: "../x" })).rejects.toThrow("Invalid path");
    await client.close();
  });

  it("says, through the artifacts.list RPC, that it cannot list artifacts kept in a bucket", async () => {
    const client = sqliteClient(tempDir());
    const experimentId = await client.experiments.create({ name: "s3", artifact_location: "s3://bucket/prefix" });
    const run = await client.runs.create({ experiment_id: experimentId });
    expect(run.info.artifact_uri).toBe(`s3://bucket/prefix/${run.info.run_id}/artifacts`);
    await expect(client.store.call("artifacts.list", { run_id: run.info.run_id })).rejects.toMatchObject({ errorCode: "NOT_IMPLEMENTED", status: 501 });
    await client.close();
  });

  it("runs the logger unchanged: metrics, params and tags land in the file and the run ends FINISHED", async () => {
    const dir = tempDir();
    const client = sqliteClient(dir);
    const run = await startRun({ client, experimentName: "logger", runName: "loop", params: { lr: 0.1 }, exitHooks: false });
    for (let step = 0; step < 2500; step++) run.logMetric("loss", 1 / (step + 1), { step });
    run.setTags({ team: "vision" });
    await run.end();
    const [found] = await client.runs.search({ experiment_ids: [run.experimentId], filter: "params.lr = '0.1'" });
    expect(found?.info).toMatchObject({ run_name: "loop", status: "FINISHED" });
    expect(found?.data.tags).toContainEqual({ key: "team", value: "vision" });
    let points = 0;
    for await (const _ of client.metrics.getHistory(run.runId, "loss")) points++;
    expect(points).toBe(2500);
    await client.close();
  });

  it("lets two processes log to the same file at once, each batch complete", async () => {
    const dir = tempDir();
    const setup = await sqliteStore(dir);
    const runIds = [];
    for (let i = 0; i < 2; i++) runIds.push((await setup.call("runs.create", { experiment_id: "0" })).run.info.run_id);
    await setup.close();
    const script = join(dir, "writer.mts");
    writeFileSync(
      script,
      `import { openSqliteStore } from ${JSON.stringify(resolve("src/store/sqlite/sqlite-store.ts"))};
const [path, runId] = process.argv.slice(2);
const store = await openSqliteStore(path, { quiet: true });
for (let batch = 0; batch < 40; batch++) {
  const metrics = Array.from({ length: 250 }, (_, i) => ({ key: "m" + (i % 5), value: i, timestamp: batch, step: batch * 250 + i }));
  await store.call("runs.logBatch", { run_id: runId, metrics, params: [{ key: "p" + batch, value: "v" }] });
}
await store.close();
`,
    );
    const run = promisify(execFile);
    const tsx = resolve("node_modules/.bin/tsx");
    await Promise.all(runIds.map((runId) => run(tsx, [script, join(dir, "mlflow.db"), runId!], { timeout: 120_000, env: { ...process.env, ...QUIET } })));
    const check = await sqliteStore(dir);
    for (const runId of runIds) {
      const { run: got } = await check.call("runs.get", { run_id: runId! });
      expect(got.data.params).toHaveLength(40);
      expect(got.data.metrics.map((m) => m.step).sort((a, b) => a - b)).toEqual([9995, 9996, 9997, 9998, 9999]);
      const history = await check.call("metrics.getHistory", { run_id: runId!, metric_key: "m0", max_results: 5000 });
      expect(history.metrics).toHaveLength(2000);
    }
    await check.close();
  });
});
