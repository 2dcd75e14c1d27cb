/**
 * An `mlflow server` started on a database mlflow-ts wrote answers, through the REST client, exactly
 * what the embedded store answers for the same calls: the same runs (deep-equal entities) for every
 * search, the same experiments and metric histories.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MlflowClient } from "../../src/client/client.js";
import type { SearchRunsRequest } from "../../src/protocol/endpoints.js";
import { SCHEMA_MLFLOW_VERSION } from "../../src/store/sqlite/engine/schema.generated.js";
import { openSqliteStore, type SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { conformancePython, mlflowCli, pythonMlflowVersion } from "./sqlite-python.js";

const STARTUP_TIMEOUT_MS = 120_000;
const dir = mkdtempSync(join(tmpdir(), "mlflow-ts-server-"));
const path = join(dir, "mlflow.db");
let server: ChildProcess | undefined;
let serverLog = "";
let rest: MlflowClient;
let store: SqliteStore;
let experimentId: string;

/** A free port in 56000–56999 on 127.0.0.1. */
async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 56_000 + Math.floor(Math.random() * 1000);
    const free = await new Promise<boolean>((done) => {
      const probe = createServer();
      probe.once("error", () => done(false));
      probe.listen(port, "127.0.0.1", () => probe.close(() => done(true)));
    });
    if (free) return port;
  }
  throw new Error("no free port in 56000-56999");
}

async function waitForHealth(url: string): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (server?.exitCode !== null && server?.exitCode !== undefined)
      throw new Error(`mlflow server exited with ${server.exitCode}:\n${serverLog.slice(-3000)}`);
    const ok = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await sleep(500);
  }
  throw new Error(`mlflow server did not become healthy within ${STARTUP_TIMEOUT_MS} ms:\n${serverLog.slice(-3000)}`);
}

async function stopServer(): Promise<void> {
  const child = server;
  if (!child?.pid || child.exitCode !== null) return;
  const exited = new Promise((done) => child.once("exit", done));
  process.kill(-child.pid, "SIGTERM");
  const stopped = await Promise.race([exited.then(() => true), sleep(15_000).then(() => false)]);
  if (!stopped && child.exitCode === null) process.kill(-child.pid, "SIGKILL");
}

beforeAll(async () => {
  store = await openSqliteStore(path, { quiet: true, defaultArtifactRoot: join(dir, "mlruns") });
  experimentId = (await store.call("experiments.create", { name: "served", tags: [{ key: "k", value: "v" }] })).experiment_id;
  for (const [index, name] of ["alpha", "beta", "gamma", "delta"].entries()) {
    const { run } = await store.call("runs.create", {
      experiment_id: experimentId,
      run_name: name,
      start_time: 1_000 + index,
      tags: [{ key: "team", value: index % 2 ? "nlp" : "vision" }],
    });
    await store.call("runs.logBatch", {
      run_id: run.info.run_id,
      metrics: [
        ...Array.from({ length: 20 }, (_, step) => ({ key: "loss", value: (index + 1) / (step + 1), timestamp: 5_000 + step, step })),
        { key: "acc", value: index === 2 ? "NaN" : index / 4, timestamp: 1, step: 0 },
      ],
      params: [{ key: "lr", value: String(0.1 / (index + 1)) }],
    });
    if (index === 3) await store.call("runs.update", { run_id: run.info.run_id, status: "FINISHED", end_time: 9_000 });
  }
  if ((await pythonMlflowVersion(dir)) !== SCHEMA_MLFLOW_VERSION) await mlflowCli(dir, "db", "upgrade", `sqlite:///${path}`);
  const port = await freePort();
  server = spawn(
    conformancePython(),
    ["-m", "mlflow", "server", "--backend-store-uri", `sqlite:///${path}`, "--host", "127.0.0.1", "--port", String(port), "--workers", "1"],
    {
      cwd: dir,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, MLFLOW_TRACKING_URI: "", MLFLOW_DISABLE_TELEMETRY: "true", DO_NOT_TRACK: "true", MLFLOW_SERVER_ENABLE_JOB_EXECUTION: "false" },
    },
  );
  const capture = (chunk: Buffer): void => {
    serverLog = (serverLog + chunk.toString()).slice(-20_000);
  };
  server.stdout?.on("data", capture);
  server.stderr?.on("data", capture);
  const url = `http://127.0.0.1:${port}`;
  await waitForHealth(url);
  rest = new MlflowClient({ trackingUri: url, env: {} });
});

afterAll(async () => {
  await rest?.close();
  await store?.close();
  await stopServer();
  rmSync(dir, { recursive: true, force: true });
});

describe("conformance: mlflow server on a database mlflow-ts wrote", () => {
  it("answers runs/search exactly as the embedded store does", async () => {
    const searches: Omit<SearchRunsRequest, "experiment_ids" | "max_results">[] = [
      {},
      { filter: "metrics.acc > 0.2" },
      { filter: "metrics.acc != 0.5" },
      { filter: "tags.team = 'vision' AND params.lr LIKE '0.1%'" },
      { filter: "attributes.status = 'FINISHED'" },
      { order_by: ["metrics.acc DESC"] },
      { order_by: ["metrics.loss ASC", "attributes.run_name DESC"] },
    ];
    for (const search of searches) {
      const request = { experiment_ids: [experimentId], max_results: 1000, ...search };
      const viaServer = await rest.store.call("runs.search", request);
      const embedded = await store.call("runs.search", request);
      expect(viaServer.runs.length, JSON.stringify(search)).toBeGreaterThan(0);
      expect(viaServer, JSON.stringify(search)).toEqual(embedded);
    }
  });

  it("pages with tokens the embedded store also accepts", async () => {
    const first = await rest.store.call("runs.search", { experiment_ids: [experimentId], max_results: 3 });
    expect(first.next_page_token).toBeDefined();
    const embeddedSecond = await store.call("runs.search", { experiment_ids: [experimentId], max_results: 3, page_token: first.next_page_token });
    const serverSecond = await rest.store.call("runs.search", { experiment_ids: [experimentId], max_results: 3, page_token: first.next_page_token });
    expect(serverSecond).toEqual(embeddedSecond);
    expect(embeddedSecond.runs).toHaveLength(1);
  });

  it("keeps reading while mlflow-ts writes into the same file, and neither side fails", async () => {
    const { run } = await store.call("runs.create", { experiment_id: experimentId, run_name: "live" });
    const batches = 40;
    const writer = (async () => {
      for (let batch = 0; batch < batches; batch++) {
        const metrics = Array.from({ length: 500 }, (_, i) => ({ key: "live", value: i, timestamp: 10_000 + batch, step: batch * 500 + i }));
        await store.call("runs.logBatch", { run_id: run.info.run_id, metrics });
        await sleep(5);
      }
    })();
    let reads = 0;
    const reader = (async () => {
      for (let i = 0; i < 40; i++) {
        await rest.store.call("runs.search", { experiment_ids: [experimentId], max_results: 100, filter: "metrics.live >= 0" });
        reads++;
      }
    })();
    await Promise.all([writer, reader]);
    expect(reads).toBe(40);
    const history = await rest.store.call("metrics.getHistory", { run_id: run.info.run_id, metric_key: "live", max_results: 50_000 });
    expect(history.metrics).toHaveLength(batches * 500);
  });

  it("serves the same experiment and metric history", async () => {
    expect(await rest.experiments.get(experimentId)).toEqual(
      await (async () => (await store.call("experiments.get", { experiment_id: experimentId })).experiment)(),
    );
    const [run] = (await store.call("runs.search", { experiment_ids: [experimentId], max_results: 1 })).runs;
    const request = { run_id: run!.info.run_id, metric_key: "loss", max_results: 7 };
    expect(await rest.store.call("metrics.getHistory", request)).toEqual(await store.call("metrics.getHistory", request));
    expect(await rest.store.call("runs.get", { run_id: run!.info.run_id })).toEqual(await store.call("runs.get", { run_id: run!.info.run_id }));
  });
});
