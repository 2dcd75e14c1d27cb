/**
 * Stale keep-alive sockets over real sockets on 127.0.0.1 (no msw in this file): a request sent on
 * a pooled socket the server had already closed is replayed once on a fresh connection, whatever
 * `maxRetries` says, and the server processes it exactly once. Two servers make sockets stale:
 * one in a worker thread that closes idle connections while the client's event loop is blocked
 * (what a synchronous Python step does), and one that resets a request arriving on a connection it
 * considers expired (a middlebox that dropped it without telling the client).
 */
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { Worker } from "node:worker_threads";
import { afterEach, describe, expect, it } from "vitest";
import { ConnectionError, MlflowClient } from "../../../../src/index.js";
import { EMPTY_HOME, modelVersionJson, runJson } from "../../helpers/mock-server.js";

const clients: MlflowClient[] = [];
const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

function client(trackingUri: string, keepAliveIdleMs: number): MlflowClient {
  const created = new MlflowClient({
    trackingUri,
    keepAliveIdleMs,
    timeoutMs: 5_000,
    backoffFactorMs: 0,
    backoffJitterMs: 0,
    env: { HOME: EMPTY_HOME, MLFLOW_TS_QUIET_RETRIES: "true" },
  });
  clients.push(created);
  return created;
}

/** Blocks this thread's event loop, as `execFileSync("python", …)` does. */
function blockEventLoop(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * An MLflow-like server in a worker thread, so it keeps running while this thread is blocked; it
 * closes a keep-alive connection idle for `keepAliveMs` (as uvicorn does after 5 s).
 */
async function startWorkerServer(keepAliveMs: number): Promise<{ url: string; requests: () => number; connections: () => number }> {
  const counters = new Int32Array(new SharedArrayBuffer(8));
  const worker = new Worker(
    `
    const http = require("node:http");
    const { workerData, parentPort } = require("node:worker_threads");
    const counters = workerData.counters;
    // Closes a connection idle for keepAliveMs as uvicorn does (its own timer, like uvicorn's
    // timeout_keep_alive), and sends no "Keep-Alive: timeout=…" hint, as uvicorn sends none.
    const idle = new Map();
    const server = http.createServer((req, res) => {
      clearTimeout(idle.get(req.socket));
      req.resume();
      req.on("end", () => {
        Atomics.add(counters, 1, 1);
        res.on("finish", () => idle.set(req.socket, setTimeout(() => req.socket.destroy(), workerData.keepAliveMs)));
        res.writeHead(200, { "Content-Type": "application/json", Connection: "keep-alive" });
        res.end(JSON.stringify({ experiment: { experiment_id: "1", name: "e" } }));
      });
    });
    server.keepAliveTimeout = 0;
    server.on("connection", () => Atomics.add(counters, 0, 1));
    server.listen(0, "127.0.0.1", () => parentPort.postMessage(server.address().port));
    parentPort.on("message", () => { server.closeAllConnections(); server.close(() => process.exit(0)); });
    `,
    { eval: true, workerData: { counters, keepAliveMs } },
  );
  const port = await new Promise<number>((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
  });
  cleanups.push(async () => {
    worker.postMessage("close");
    await Promise.race([new Promise((resolve) => worker.once("exit", resolve)), sleep(2_000).then(() => worker.terminate())]);
  });
  return { url: `http://127.0.0.1:${port}`, connections: () => Atomics.load(counters, 0), requests: () => Atomics.load(counters, 1) };
}

interface ExpiringServer {
  url: string;
  /** Requests processed, by path. */
  processed: string[];
  /** Requests reset because they arrived on an expired connection. */
  resets: number;
  /** Runs created, with their tags. */
  runs: Record<string, unknown>[];
}

/**
 * A server that resets any request arriving on a connection idle for more than `expireMs`, without
 * processing it: the connection had been dropped on the server's side and the client never heard.
 * `answer` may write a partial answer and reset instead (see the last test).
 */
async function startExpiringServer(expireMs: number, answer?: (res: http.ServerResponse, n: number) => boolean): Promise<ExpiringServer> {
  const state: ExpiringServer = { url: "", processed: [], resets: 0, runs: [] };
  const lastAnswerAt = new WeakMap<object, number>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const last = lastAnswerAt.get(req.socket);
      if (last !== undefined && Date.now() - last > expireMs) {
        state.resets++;
        req.socket.resetAndDestroy();
        return;
      }
      const path = (req.url ?? "").replace(/\?.*$/, "").replace("/api/2.0/mlflow", "");
      state.processed.push(path);
      if (answer?.(res, state.processed.length)) return;
      res.on("finish", () => lastAnswerAt.set(req.socket, Date.now()));
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify(reply(path, chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : {}, state)));
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return state;
}

function reply(path: string, body: { tags?: { key: string; value: string }[]; filter?: string }, state: ExpiringServer): unknown {
  if (path === "/runs/create") {
    const run = runJson({ run_id: randomUUID().replace(/-/g, ""), tags: body.tags });
    state.runs.push(run);
    return { run };
  }
  if (path === "/runs/search") {
    const requestId = /= '([^']+)'$/.exec(body.filter ?? "")?.[1];
    return { runs: state.runs.filter((run) => (run.data as { tags: { key: string; value: string }[] }).tags.some((t) => t.value === requestId)) };
  }
  if (path === "/model-versions/create") return { model_version: modelVersionJson() };
  return { experiment: { experiment_id: "1", name: "e" } };
}

describe("a pooled socket the server closed while this process's event loop was blocked", () => {
  it("is replayed on a fresh connection with maxRetries 0, and the server answers it once", async () => {
    const server = await startWorkerServer(200);
    const c = client(server.url, 150);
    await c.experiments.get("1");
    blockEventLoop(600);
    await expect(c.experiments.get("1", { maxRetries: 0 })).resolves.toMatchObject({ experiment_id: "1" });
    expect(server.requests()).toBe(2);
    expect(server.connections()).toBe(2);
  });
});

describe("a pooled socket dropped by the server without the client knowing", () => {
  it("replays a model-versions/create (not idempotent) once on a fresh connection: processed exactly once", async () => {
    const server = await startExpiringServer(100);
    const c = client(server.url, 10_000);
    await c.experiments.get("1");
    await sleep(300);
    await expect(c.modelVersions.create({ name: "fraud", source: "s3://b/m" }, { maxRetries: 0 })).resolves.toMatchObject({ version: "3" });
    expect(server.resets).toBe(1);
    expect(server.processed).toEqual(["/experiments/get", "/model-versions/create"]);
  });

  it("looks up a runs.create before replaying it, and the server ends with one run", async () => {
    const server = await startExpiringServer(100);
    const c = client(server.url, 10_000);
    await c.experiments.get("1");
    await sleep(300);
    const run = await c.runs.create({ experiment_id: "1" }, { maxRetries: 0 });
    expect(server.resets).toBe(1);
    expect(server.processed).toEqual(["/experiments/get", "/runs/search", "/runs/create"]);
    expect(server.runs).toHaveLength(1);
    expect(run.info.run_id).toBe((server.runs[0]!.info as { run_id: string }).run_id);
  });

  it("retires the other idle sockets once one is found stale, so later calls do not hit them", async () => {
    const server = await startExpiringServer(100);
    const c = client(server.url, 10_000);
    await Promise.all([c.experiments.get("1"), c.experiments.get("1"), c.experiments.get("1")]);
    await sleep(300);
    for (let i = 0; i < 3; i++) await c.experiments.get("1", { maxRetries: 0 });
    expect(server.resets).toBe(1);
    expect(server.processed).toHaveLength(6);
  });
});

describe("resets that are not a stale socket", () => {
  it("a reset after the first byte of the answer is a normal failure: with maxRetries 0 it is not replayed", async () => {
    const server = await startExpiringServer(60_000, (res, n) => {
      if (n !== 2) return false;
      res.socket?.write("HTTP/1.1 200 OK\r\nContent-Type: appl");
      setTimeout(() => res.socket?.resetAndDestroy(), 20);
      return true;
    });
    const c = client(server.url, 10_000);
    await c.experiments.get("1");
    const error = await c.experiments.get("1", { maxRetries: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(server.processed).toHaveLength(2);
  });

  it("a reset on a fresh connection is a normal failure: with maxRetries 0 it is not replayed", async () => {
    const server = await startExpiringServer(60_000, (res, n) => {
      if (n !== 1) return false;
      res.socket?.resetAndDestroy();
      return true;
    });
    const error = await client(server.url, 10_000)
      .experiments.get("1", { maxRetries: 0 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).code).toBe("ECONNRESET");
    expect(server.processed).toHaveLength(1);
  });
});
