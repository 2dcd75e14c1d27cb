/**
 * The transport over real sockets on 127.0.0.1 (no msw in this file): keep-alive reuse and its
 * idle timeout, a response slower than that idle timeout, and a refused connection.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { ConnectionError, MlflowClient } from "../../../../src/index.js";
import { EMPTY_HOME } from "../../helpers/mock-server.js";

interface TestServer {
  url: string;
  /** TCP connections accepted so far. */
  connections: () => number;
  close: () => Promise<void>;
}

const servers: TestServer[] = [];
const clients: MlflowClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** An MLflow-like server answering `experiments/get` after `delayMs`. */
async function startServer(delayMs = 0): Promise<TestServer> {
  let connections = 0;
  const server = http.createServer((_req, res) => {
    setTimeout(() => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ experiment: { experiment_id: "1", name: "e" } }));
    }, delayMs);
  });
  server.keepAliveTimeout = 5_000;
  server.on("connection", () => connections++);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const handle: TestServer = {
    url: `http://127.0.0.1:${port}`,
    connections: () => connections,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(handle);
  return handle;
}

function client(trackingUri: string, keepAliveIdleMs: number): MlflowClient {
  const created = new MlflowClient({ trackingUri, keepAliveIdleMs, timeoutMs: 5_000, backoffFactorMs: 0, backoffJitterMs: 0, env: { HOME: EMPTY_HOME } });
  clients.push(created);
  return created;
}

describe("keep-alive", () => {
  it("reuses one socket for consecutive requests", async () => {
    const server = await startServer();
    const c = client(server.url, 2_000);
    for (let i = 0; i < 3; i++) await c.experiments.get("1");
    expect(server.connections()).toBe(1);
  });

  it("closes a socket idle for longer than keepAliveIdleMs, so it never reuses one the server may be closing", async () => {
    const server = await startServer();
    const c = client(server.url, 50);
    await c.experiments.get("1");
    await sleep(300);
    await c.experiments.get("1");
    expect(server.connections()).toBe(2);
  });

  it("does not cut a response that takes longer than the idle timeout", async () => {
    const server = await startServer(300);
    const c = client(server.url, 50);
    await expect(c.experiments.get("1", { maxRetries: 0 })).resolves.toMatchObject({ experiment_id: "1" });
    await expect(c.experiments.get("1", { maxRetries: 0 })).resolves.toMatchObject({ experiment_id: "1" });
  });
});

describe("refused connections", () => {
  it("reports ECONNREFUSED from a real closed port as a ConnectionError", async () => {
    const server = await startServer();
    const closedUrl = server.url;
    await server.close();
    servers.length = 0;
    const error = await client(closedUrl, 1_000)
      .experiments.get("1", { maxRetries: 1 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ code: "ECONNREFUSED", retryable: true });
  });
});
