/**
 * The logger on the real stack (PostgreSQL + mlflow server): a million points arrive exactly
 * (full histories compared: count, values, steps, timestamps); a read-only user gets a clear
 * permission error from flush(), not a crash, and from end() a RunEndError (the status could not be
 * set). The tracking server stopped for 30 s mid-run is logger-server-stop.test.ts: it stops a
 * server every other suite uses, so it runs alone (test/integration/suites.ts, EXCLUSIVE_FILES).
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MlflowClient } from "../../src/client/client.js";
import { PermissionDeniedError } from "../../src/core/errors.js";
import { LogDeliveryError, RunEndError } from "../../src/logging/errors.js";
import { startRun } from "../../src/logging/fluent.js";
import { expectHistories, logPoints } from "./support/logger-points.js";

const TRACKING_URI = process.env.STACK_ENV_MLFLOW_TRACKING_URI!;

let client: MlflowClient;
let experimentId: string;

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
    await expectHistories(client, run.runId, 1_000_000);
    expect((await client.runs.get(run.runId)).info.status).toBe("FINISHED");
  }, 900_000);

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
