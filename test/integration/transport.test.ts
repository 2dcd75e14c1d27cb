/**
 * The transport under hostile conditions, against the real stack: a pooled socket the server
 * closed while this process was busy in a synchronous Python step, and a runs/create that the
 * server commits after the client's per-attempt timeout (a slow proxy in front of the server).
 */
import { execFileSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { startProxy, type TestProxy } from "./support/http-proxy.js";
import { serverUri, stackClient, stackEnv, uniqueName } from "./support/stack.js";

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
      expect(all.items.map((r) => r.info.run_id)).toEqual([run.info.run_id]);
      expect(run.info.run_name).toBe("slow-commit");
    } finally {
      await slow.close();
    }
  });
});
