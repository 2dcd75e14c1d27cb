/**
 * An overloaded server's database connection pool, on the real stack. MLflow 3.17.2 gives each
 * worker a pool of 15 connections (5 + 10 overflow) and answers a request that waited 30 s for one
 * with HTTP 400 BAD_REQUEST "QueuePool limit of size 5 overflow 10 reached" — the answer that cost
 * the load test (load.test.ts) its first runs. With PostgreSQL frozen, 32 log-batch requests in
 * flight on a 2-worker server are sure to exceed one worker's pool; later requests all wait.
 *
 * The client must take that answer for what it is, an overloaded server: the logger retries it and
 * delivers every point exactly once.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MlflowClient, type MlflowError, ServerError, startRun } from "../../src/index.js";
import { checkRuns } from "./load/check-runs.js";
import { pauseService } from "./support/pause.js";
import { stackClient, uniqueName } from "./support/stack.js";

/** Longer than the pool's 30 s wait, plus the 2 s before the probes and a margin. */
const FREEZE_MS = 40_000;
const IN_FLIGHT = 32;
const POINTS = IN_FLIGHT * 1000;
const KEYS = 10;
const PROBES = 20;

let client: MlflowClient;
let experimentName: string;
let experimentId: string;

beforeAll(async () => {
  client = stackClient("direct");
  experimentName = uniqueName("pool-exhaustion");
  experimentId = await client.experiments.create({ name: experimentName });
});

afterAll(async () => {
  await client.experiments.delete(experimentId).catch(() => undefined);
  await client.close();
});

describe("an exhausted connection pool on the server (PostgreSQL frozen 40 s)", () => {
  it("is answered 400 BAD_REQUEST 'QueuePool limit … reached', and the logger retries it: every point arrives once", async () => {
    const probeRun = await client.runs.create({ experiment_id: experimentId, run_name: "probes" });
    const loggerClient = stackClient("direct");
    const run = await startRun({ client: loggerClient, experimentId, runName: "pool", maxInFlight: IN_FLIGHT, exitHooks: false });
    const probeClient = stackClient("direct", { maxRetries: 0 });
    try {
      const frozen = pauseService("pg", FREEZE_MS);
      // 32 chunks of 1000: 32 requests in flight at once, 30 connections in the server's two pools.
      for (let i = 0; i < POINTS; i++) run.logMetric(`m${i % KEYS}`, Math.floor(i / KEYS) + (i % KEYS) / 16, { step: Math.floor(i / KEYS) });
      const flushed = run.flush();
      await sleep(2_000);
      // Once the pools are taken, every further request waits 30 s for a connection: these show the server's raw answer.
      const probes = await Promise.allSettled(
        Array.from({ length: PROBES }, (_, i) => probeClient.runs.logBatch(probeRun.info.run_id, { metrics: [{ key: "probe", value: i, step: i }] })),
      );
      await frozen;
      await flushed;

      const refusals = probes.flatMap((p) => (p.status === "rejected" ? [p.reason as MlflowError] : []));
      const poolExhausted = refusals.filter((e) => e instanceof ServerError && e.status === 400);
      expect(poolExhausted.length).toBeGreaterThan(0);
      expect(poolExhausted[0]).toMatchObject({
        errorCode: "BAD_REQUEST",
        retryable: true,
        serverMessage: expect.stringMatching(/^QueuePool limit of size \d+ overflow \d+ reached, connection timed out/),
      });
      // Whatever else a probe met (on a starved machine uvicorn may kill a worker that misses its
      // 5 s health check: a reset connection), an overloaded server is never a permanent refusal.
      expect(refusals.filter((e) => !e.retryable)).toEqual([]);
      expect(run.stats()).toMatchObject({ logged: POINTS, sent: POINTS, failed: 0, queued: 0, inFlight: 0 });
      expect(run.stats().retried).toBeGreaterThan(0);
      await run.end();
    } finally {
      await loggerClient.close();
      await probeClient.close();
    }
    const check = await checkRuns(experimentName);
    const counted = check.runs.find((r) => r.run_id === run.runId);
    expect(counted).toMatchObject({
      status: "FINISHED",
      metric_rows: POINTS,
      distinct_points: POINTS,
      matching_values: POINTS,
      doubled_points: 0,
      latest_metric_rows: KEYS,
    });
  }, 240_000);
});
