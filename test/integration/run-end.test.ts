/**
 * Ending a run is bounded and honest, on the real stack (issue #14, item 6). A plain training loop
 * in a child process that keeps logging is stopped with SIGINT or SIGTERM: with the server up it
 * exits 130/143, the run is KILLED and every point it logged before the signal is in PostgreSQL;
 * with the server gone (a proxy in front of it, closed) it exits within its exit deadline and
 * stderr counts what was not delivered. In-process, `end()` with the server gone and a lot
 * buffered gives up at its one deadline with the counts; `end()` begun while the server is still
 * gone, with entries kept past their deadline, gets them all to the server when it comes back
 * during the end. Bounds are asserted against the deadline
 * each test sets plus a generous grace, never as wall-clock figures.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MlflowClient } from "../../src/client/client.js";
import { ConnectionError, TimeoutError } from "../../src/core/errors.js";
import { RunEndError } from "../../src/logging/errors.js";
import { startRun } from "../../src/logging/fluent.js";
import { startProxy, type TestProxy } from "./support/http-proxy.js";
import { runPython } from "./support/python.js";
import { serverUri, stackClient, stackClientEnv, stackEnv, uniqueName } from "./support/stack.js";

/** The loop fixture the unit exit tests run against a tiny server. */
const LOOP = fileURLToPath(new URL("../unit/logging/fixtures/log-until-signal.ts", import.meta.url));
/** A child that has not exited this long after its start is killed and the test fails. */
const CHILD_LIMIT_MS = 90_000;
/** Slack for a loaded machine on top of a deadline the test sets (process start, PostgreSQL). */
const GRACE_MS = 10_000;

interface LoopStats {
  logged: number;
  sent: number;
  failed: number;
  ignored: number;
}

interface LoopResult {
  code: number | null;
  stderr: string;
  runId: string;
  stats: LoopStats;
  /** From the signal to the child's exit, ms. */
  signalToExitMs: number;
}

interface RunRows {
  metrics: Record<string, number>;
  params: Record<string, string>;
}

let client: MlflowClient;
let experimentId: string;

/** Runs the loop against `trackingUri`; at "ready" calls `beforeSignal`, then sends `signal`. */
function runLoop(
  trackingUri: string,
  signal: NodeJS.Signals,
  env: Record<string, string> = {},
  beforeSignal: () => Promise<void> = async () => undefined,
): Promise<LoopResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", LOOP], {
      env: { PATH: process.env.PATH ?? "", ...stackClientEnv(trackingUri), MLFLOW_EXPERIMENT_ID: experimentId, MLFLOW_TS_QUIET_RETRIES: "true", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let signalledAt = 0;
    const limit = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the loop did not exit within ${CHILD_LIMIT_MS} ms; stderr: ${stderr}`));
    }, CHILD_LIMIT_MS);
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      const wasReady = stdout.includes("ready\n");
      stdout += chunk;
      if (wasReady || !stdout.includes("ready\n")) return;
      void beforeSignal().then(() => {
        signalledAt = Date.now();
        child.kill(signal);
      }, reject);
    });
    child.on("exit", (code) => {
      clearTimeout(limit);
      const runId = /^run (\w+)$/m.exec(stdout)?.[1];
      const stats = /^stats (.+)$/m.exec(stdout)?.[1];
      if (runId === undefined || stats === undefined) {
        reject(new Error(`the loop printed no run id or stats (exit ${code}); stdout: ${stdout}; stderr: ${stderr}`));
        return;
      }
      resolve({ code, stderr, runId, stats: JSON.parse(stats) as LoopStats, signalToExitMs: Date.now() - signalledAt });
    });
  });
}

/** What PostgreSQL holds for the run (metric rows by key, params), read by Python. */
function runRows(runId: string): Promise<RunRows> {
  return runPython<RunRows>("test/integration/run-rows.py", { run_id: runId, pg_uri: stackEnv("STACK_PG_URI") });
}

beforeAll(async () => {
  client = stackClient("direct");
  experimentId = await client.experiments.create({ name: uniqueName("run-end") });
});

afterAll(async () => {
  await client.experiments.delete(experimentId).catch(() => undefined);
  await client.close();
});

describe("a plain training loop stopped by a signal", () => {
  for (const [signal, exitCode] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const) {
    it(`${signal}: exits ${exitCode}, the run KILLED, every point logged before the signal in PostgreSQL, no crash`, async () => {
      const result = await runLoop(serverUri("direct"), signal);
      expect(result.stderr).not.toMatch(/Unhandled|run-ended|has ended/);
      expect(result.code).toBe(exitCode);
      expect(result.stats).toMatchObject({ failed: 0 });
      expect(result.stats.logged).toBeGreaterThan(1000);
      expect(result.stats.sent).toBe(result.stats.logged);
      // Every entry the loop logged before the signal: the param, and one "loss" row per point.
      const rows = await runRows(result.runId);
      expect(rows.metrics).toEqual({ loss: result.stats.logged - 1 });
      expect(rows.params).toEqual({ lr: "0.01" });
      expect((await client.runs.get(result.runId)).info.status).toBe("KILLED");
    }, 120_000);
  }

  for (const [signal, exitCode] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const) {
    it(`${signal} with the server gone: exits ${exitCode} within the exit deadline, stderr counts what is pending in the journal, the run stays RUNNING`, async () => {
      const proxy = await startProxy(serverUri("direct"));
      const exitTimeoutMs = 4_000;
      try {
        const result = await runLoop(proxy.url, signal, { MLFLOW_TS_EXIT_TIMEOUT_MS: String(exitTimeoutMs) }, () => proxy.close());
        expect(result.code).toBe(exitCode);
        expect(result.signalToExitMs).toBeLessThan(exitTimeoutMs + GRACE_MS);
        expect(result.stderr).not.toMatch(/Unhandled|run-ended|has ended/);
        // Undelivered entries are kept in the run's journal (pending, not failed) for recovery.
        const undelivered = /stays RUNNING on the server\. (\d+) entries are pending, kept in the journal at /.exec(result.stderr);
        expect(undelivered, result.stderr).not.toBeNull();
        const pending = Number(undelivered![1]);
        expect(pending).toBeGreaterThan(0);
        expect(result.stats.failed).toBe(0);
        // What arrived before the proxy closed is in PostgreSQL; with what stderr counts, nothing is unaccounted for.
        const rows = await runRows(result.runId);
        expect((rows.metrics.loss ?? 0) + pending).toBeGreaterThanOrEqual(result.stats.logged - 1);
        expect((await client.runs.get(result.runId)).info.status).toBe("RUNNING");
      } finally {
        await proxy.close();
      }
    }, 120_000);
  }
});

describe("end() while the server is gone", () => {
  it("gives up at its one deadline (deliveryTimeoutMs) with 5000 points buffered, and rejects with the counts kept in the journal", async () => {
    const proxy: TestProxy = await startProxy(serverUri("direct"));
    // The client's own retry curve (2 s backoff factor, 7 retries): what the status update fell back to.
    const viaProxy = new MlflowClient({ trackingUri: proxy.url, env: { ...stackClientEnv(proxy.url), MLFLOW_TS_QUIET_RETRIES: "true" } });
    const deliveryTimeoutMs = 6_000;
    try {
      const run = await startRun({ client: viaProxy, experimentId, runName: "end-in-outage", exitHooks: false, deliveryTimeoutMs, maxInFlight: 1 });
      run.on("error", () => undefined);
      await proxy.close();
      for (let step = 0; step < 5000; step++) run.logMetric("loss", step, { step });
      const startedAt = Date.now();
      const error = (await run.end().catch((e: unknown) => e)) as RunEndError;
      // One request at a time with a deadline each took 5 × 6 s, then minutes for the update.
      expect(Date.now() - startedAt).toBeLessThan(deliveryTimeoutMs + GRACE_MS);
      expect(error).toBeInstanceOf(RunEndError);
      // Not failed: kept in the run's journal (pending) for recovery, with the end status.
      expect(error.failed).toEqual({ metrics: 0, params: 0, tags: 0 });
      expect(error.journaled).toBe(5000);
      expect(error.cause instanceof TimeoutError || error.cause instanceof ConnectionError).toBe(true);
      expect(error.message).toContain(`5000 entries are pending, kept in the journal at ${error.journalPath}`);
      expect(error.message).toMatch(/RUNNING on the server/);
      expect(run.stats()).toMatchObject({ logged: 5000, sent: 0, failed: 0, queued: 0, inFlight: 0, journaled: 5001, pending: 5001 });
      expect((await client.runs.get(run.runId)).info.status).toBe("RUNNING");
    } finally {
      await proxy.close();
      await viaProxy.close();
    }
  }, 120_000);
});

describe("end() while the server has just come back", () => {
  it("lets the probe finish: every param, tag and point kept during the outage reaches the server once, the run FINISHED, nothing left to recovery", async () => {
    const proxy: TestProxy = await startProxy(serverUri("direct"));
    const port = Number(new URL(proxy.url).port);
    const viaProxy = new MlflowClient({ trackingUri: proxy.url, env: { ...stackClientEnv(proxy.url), MLFLOW_TS_QUIET_RETRIES: "true" } });
    let back: TestProxy | undefined;
    try {
      const run = await startRun({
        client: viaProxy,
        experimentId,
        runName: "end-after-outage",
        exitHooks: false,
        deliveryTimeoutMs: 1_000,
        retryInitialDelayMs: 50,
        retryMaxDelayMs: 200,
      });
      run.on("error", () => undefined);
      await proxy.close();
      run.logParams({ lr: 0.01 });
      run.setTags({ owner: "ana" });
      for (let step = 0; step < 2000; step++) run.logMetric("loss", step, { step });
      // Past their deadline the entries are kept (pending), not failed.
      expect((await run.flush()).pending).toBe(2002);
      const path = run.journalPath!;
      // The end begins with the server still gone; it comes back while the end waits.
      const ending = run.end({ timeoutMs: 60_000 });
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      back = await startProxy(serverUri("direct"), { port });
      await ending;

      const ended = await client.runs.get(run.runId);
      expect(ended.info.status).toBe("FINISHED");
      expect(ended.data.params).toEqual([{ key: "lr", value: "0.01" }]);
      expect(ended.data.tags).toContainEqual({ key: "owner", value: "ana" });
      const steps: number[] = [];
      for await (const point of client.metrics.getHistory(run.runId, "loss")) steps.push(point.step);
      expect(steps.length).toBe(2000);
      expect(new Set(steps).size).toBe(2000);
      expect(run.stats()).toMatchObject({ failed: 0, pending: 0 });
      expect(existsSync(path)).toBe(false);
    } finally {
      await proxy.close();
      await back?.close();
      await viaProxy.close();
    }
  }, 120_000);
});
