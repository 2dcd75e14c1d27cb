/**
 * The logger on the real stack (PostgreSQL + mlflow server): a million points arrive exactly
 * (full histories compared: count, values, steps, timestamps); the tracking server stopped for
 * 30 s mid-run loses nothing and duplicates nothing; a read-only user gets a clear permission
 * error from flush(), not a crash, and from end() a RunEndError (the status could not be set).
 */
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MlflowClient } from "../../src/client/client.js";
import { PermissionDeniedError } from "../../src/core/errors.js";
import { LogDeliveryError, RunEndError } from "../../src/logging/errors.js";
import { startRun } from "../../src/logging/fluent.js";
import type { ActiveRun } from "../../src/logging/run.js";
import { stackService } from "./support/stack.js";

const TRACKING_URI = process.env.STACK_ENV_MLFLOW_TRACKING_URI!;
const KEYS = Array.from({ length: 100 }, (_, i) => `train/metric_${String(i).padStart(2, "0")}`);
const BASE_TIME = 1_750_000_000_000;

let client: MlflowClient;
let experimentId: string;

/** The point `i` of a run: key i % 100, step i / 100, a value unique to (key, step), 1000 points per ms. */
function point(i: number): { key: string; value: number; step: number; timestamp: number } {
  const step = Math.floor(i / 100);
  return { key: KEYS[i % 100]!, value: step * 0.5 + (i % 100) / 1000, step, timestamp: BASE_TIME + Math.floor(i / 1000) };
}

function logPoints(run: ActiveRun, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const p = point(i);
    run.logMetric(p.key, p.value, { step: p.step, timestamp: p.timestamp });
  }
}

/** Reads every key's full history and compares it with points 0 … total−1, exactly once each. */
async function expectHistories(runId: string, total: number): Promise<void> {
  const perKey = total / KEYS.length;
  const mismatches: string[] = [];
  for (let k = 0; k < KEYS.length; k++) {
    const history = [];
    for await (const metric of client.metrics.getHistory(runId, KEYS[k]!)) history.push(metric);
    history.sort((a, b) => a.step - b.step);
    if (history.length !== perKey) mismatches.push(`${KEYS[k]}: ${history.length} points, expected ${perKey}`);
    for (let s = 0; s < Math.min(history.length, perKey) && mismatches.length < 10; s++) {
      const expected = point(s * 100 + k);
      const got = history[s]!;
      if (got.step !== expected.step || got.value !== expected.value || got.timestamp !== expected.timestamp) {
        mismatches.push(`${KEYS[k]} #${s}: got ${JSON.stringify(got)}, expected ${JSON.stringify(expected)}`);
      }
    }
  }
  expect(mismatches).toEqual([]);
}

function stack(command: "stop-service" | "start-service", service: string): void {
  execFileSync("bash", [`scripts/stack/${command}`, service], { stdio: "inherit", timeout: 180_000 });
}

beforeAll(async () => {
  client = new MlflowClient({ trackingUri: TRACKING_URI, env: {} });
  experimentId = await client.experiments.create({ name: `logger-${randomUUID()}` });
});

afterAll(async () => {
  await client.experiments.delete(experimentId).catch(() => undefined);
});

describe("logger on the real stack", () => {
  it("delivers 1,000,000 points over 100 keys exactly", async () => {
    const run = await startRun({ client, experimentId, runName: "million", exitHooks: false });
    logPoints(run, 0, 1_000_000);
    await run.flush();
    expect(run.stats()).toMatchObject({ logged: 1_000_000, sent: 1_000_000, failed: 0, queued: 0, inFlight: 0 });
    await run.end();
    await expectHistories(run.runId, 1_000_000);
    expect((await client.runs.get(run.runId)).info.status).toBe("FINISHED");
  }, 900_000);

  it("loses and duplicates nothing while the tracking server is stopped for 30 s", async () => {
    const run = await startRun({ client, experimentId, runName: "outage", exitHooks: false });
    logPoints(run, 0, 20_000);
    await run.flush();
    try {
      stack("stop-service", stackService("direct"));
      // Keep logging while the server is gone: requests fail, are retried, and the buffer grows.
      for (let second = 0; second < 30; second++) {
        logPoints(run, 20_000 + second * 1000, 21_000 + second * 1000);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      expect(run.stats().retried).toBeGreaterThan(0);
      expect(run.stats().sent).toBe(20_000);
    } finally {
      stack("start-service", stackService("direct"));
    }
    logPoints(run, 50_000, 60_000);
    await run.flush();
    expect(run.stats()).toMatchObject({ logged: 60_000, sent: 60_000, failed: 0 });
    await run.end();
    await expectHistories(run.runId, 60_000);
  }, 600_000);

  it("reports a read-only user's permission error from flush(), without crashing", async () => {
    const authUri = process.env.STACK_ENV_STACK_AUTH_URI!;
    const admin = new MlflowClient({
      trackingUri: authUri,
      auth: { username: process.env.STACK_ENV_STACK_AUTH_ADMIN_USER!, password: process.env.STACK_ENV_STACK_AUTH_ADMIN_PASSWORD! },
      env: {},
    });
    const reader = new MlflowClient({
      trackingUri: authUri,
      auth: { username: process.env.STACK_ENV_STACK_AUTH_READER_USER!, password: process.env.STACK_ENV_STACK_AUTH_READER_PASSWORD! },
      env: {},
    });
    const authExperiment = await admin.experiments.create({ name: `logger-auth-${randomUUID()}` });
    try {
      const created = await admin.runs.create({ experiment_id: authExperiment });
      const run = await startRun({ client: reader, runId: created.info.run_id, exitHooks: false });
      const errors: unknown[] = [];
      run.on("error", (error) => errors.push(error));
      run.logMetric("loss", 0.5, { step: 1 });
      run.setTag("phase", "eval");
      const error = await run.flush().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LogDeliveryError);
      const delivery = error as LogDeliveryError;
      expect(delivery.failed).toEqual({ metrics: 1, params: 0, tags: 1 });
      expect(delivery.failures[0]!.cause).toBeInstanceOf(PermissionDeniedError);
      expect(delivery.message).toMatch(/PERMISSION_DENIED|Permission denied/i);
      expect(delivery.message).not.toContain(process.env.STACK_ENV_STACK_AUTH_READER_PASSWORD!);
      expect(errors).toHaveLength(1);
      expect(run.stats()).toMatchObject({ requests: 1, retried: 0, failed: 2 });
      // The reader cannot set the status either: RunEndError, the 403 as cause, and nothing left to count.
      const ended = (await run.end().catch((e: unknown) => e)) as RunEndError;
      expect(ended).toBeInstanceOf(RunEndError);
      expect(ended.cause).toBeInstanceOf(PermissionDeniedError);
      expect(ended.failed).toEqual({ metrics: 0, params: 0, tags: 0 });
      expect(ended.message).toContain("it stays RUNNING on the server");
      expect(ended.message).not.toContain(process.env.STACK_ENV_STACK_AUTH_READER_PASSWORD!);
      expect((await admin.runs.get(created.info.run_id)).data.metrics).toEqual([]);
    } finally {
      await admin.experiments.delete(authExperiment).catch(() => undefined);
    }
  }, 120_000);
});
