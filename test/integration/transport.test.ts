/**
 * The transport under hostile conditions, against the real stack: a pooled socket the server
 * closed while this process was busy in a synchronous Python step; a runs/create that the server
 * commits after the client's per-attempt timeout (a slow proxy in front of the server); a port
 * where nothing listens, at start-up (fail fast) and after the server answered (a restart).
 */
import { execFileSync } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ConnectionError, startRun } from "../../src/index.js";
import { startProxy, type TestProxy } from "./support/http-proxy.js";
import { serverUri, stackClient, stackClientEnv, stackEnv, uniqueName } from "./support/stack.js";

/** uvicorn's `timeout_keep_alive` (5 s), which `mlflow server` 3.17 keeps, plus a margin. */
const LONGER_THAN_SERVER_KEEP_ALIVE_S = 6.5;
/** How long the proxy holds a runs/create: the server commits it after the client's 500 ms timeout. */
const SLOW_COMMIT_MS = 1_500;

const client = stackClient("direct");

afterAll(async () => {
  await client.close();
});

describe("a keep-alive socket the server closed while the event loop was blocked", () => {
  it("replays the next call on a fresh connection: it succeeds with maxRetries 0 after a Python step longer than the server's keep-alive", async () => {
    await Promise.all([client.experiments.getByName("Default"), client.experiments.getByName("Default")]);
    // A synchronous child process blocks this event loop, so neither the client's idle timer nor
    // the server's FIN is processed before the next request is written to the pooled socket.
    execFileSync(stackEnv("STACK_PYTHON"), ["-c", `import time; time.sleep(${LONGER_THAN_SERVER_KEEP_ALIVE_S})`]);
    await expect(client.experiments.getByName("Default", { maxRetries: 0 })).resolves.toMatchObject({ experiment_id: "0" });
  });
});

describe("a runs/create the server commits after the client's per-attempt timeout", () => {
  let proxy: TestProxy | undefined;

  afterAll(async () => {
    await proxy?.close();
  });

  it("returns the one run the server created, found by looking it up with backoff: with maxRetries 3 the server holds exactly one run", async () => {
    const experimentId = await client.experiments.create({ name: uniqueName("transport-slow-create") });
    proxy = await startProxy(serverUri("direct"), { delayMs: (r) => (r.method === "POST" && r.path.endsWith("/runs/create") ? SLOW_COMMIT_MS : undefined) });
    const slow = stackClient("direct", { trackingUri: proxy.url, timeoutMs: 500, maxRetries: 3, backoffFactorMs: 2_000, backoffJitterMs: 0 });
    try {
      const run = await slow.runs.create({ experiment_id: experimentId, run_name: "slow-commit" });

      const sent = proxy.requests.map((r) => `${r.method} ${r.path.replace(/^\/api\/2\.0\/mlflow/, "")}`);
      expect(sent.filter((line) => line === "POST /runs/create")).toHaveLength(1);
      expect(sent.filter((line) => line === "POST /runs/search").length).toBeGreaterThanOrEqual(2);
      const all = await client.runs.search({ experiment_ids: [experimentId], run_view_type: "ALL", max_results: 100 });
      expect(all.map((r) => r.info.run_id)).toEqual([run.info.run_id]);
      expect(run.info.run_name).toBe("slow-commit");
    } finally {
      await slow.close();
    }
  });
});

describe("a tracking server where nothing listens", () => {
  const notices = () =>
    vi
      .mocked(process.stderr.write)
      .mock.calls.map((call) => String(call[0]))
      .filter((line) => line.startsWith("mlflow-ts:"));
  beforeEach(() => {
    vi.spyOn(process.stderr, "write");
  });
  afterEach(() => vi.mocked(process.stderr.write).mockRestore());

  /** A port nothing listens on: a proxy's, once closed. */
  async function closedPort(): Promise<number> {
    const proxy = await startProxy(serverUri("direct"));
    await proxy.close();
    return Number(new URL(proxy.url).port);
  }

  it("startRun fails within the unreachable deadline, with one line on stderr and a ConnectionError naming host:port", async () => {
    const port = await closedPort();
    const env = { ...stackClientEnv(`http://127.0.0.1:${port}`), MLFLOW_TS_QUIET_RETRIES: "false" };
    const error = (await startRun({ client: { env }, experimentName: uniqueName("transport-unreachable"), exitHooks: false }).catch(
      (e: unknown) => e,
    )) as ConnectionError;

    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ code: "ECONNREFUSED", address: `127.0.0.1:${port}` });
    expect(error.message).toMatch(
      new RegExp(
        `^Connection to 127\\.0\\.0\\.1:${port} failed: ECONNREFUSED \\(nothing listens at that address\\); nothing has answered there since this client was created \\(\\d+ attempts in [\\d.]+ s\\)`,
      ),
    );
    expect(error.message).toMatch(/Fix: check that the server is running/);
    expect(notices()).toEqual([
      `mlflow-ts: cannot reach http://127.0.0.1:${port}/api/2.0/mlflow/experiments/get-by-name (ECONNREFUSED: nothing listens at that address); retrying GET for up to 10 s, as the server has not answered this client yet. Set MLFLOW_TS_QUIET_RETRIES=true to hide this line.\n`,
    ]);
  });

  it("a server that answered before and then stops listening (a restart) is waited for past the unreachable deadline", async () => {
    let proxy = await startProxy(serverUri("direct"));
    const port = Number(new URL(proxy.url).port);
    const restarting = stackClient("direct", {
      trackingUri: proxy.url,
      unreachableDeadlineMs: 1_000,
      backoffFactorMs: 500,
      backoffJitterMs: 0,
      deadlineMs: 60_000,
    });
    const fresh = stackClient("direct", { trackingUri: proxy.url, unreachableDeadlineMs: 1_000, backoffFactorMs: 500, backoffJitterMs: 0, deadlineMs: 60_000 });
    try {
      await restarting.experiments.getByName("Default");
      await proxy.close();

      const ridden = restarting.experiments.getByName("Default");
      const refused = await fresh.experiments.getByName("Default").catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(ConnectionError);
      expect((refused as ConnectionError).message).toContain("nothing has answered there since this client was created");
      await sleep(3_000);
      proxy = await startProxy(serverUri("direct"), { port });
      await expect(ridden).resolves.toMatchObject({ experiment_id: "0" });
    } finally {
      await Promise.all([restarting.close(), fresh.close(), proxy.close()]);
    }
  });
});
