/**
 * The logger against a server rule it does not know, on the real stack: MLflow 3.17.2 (Python
 * 3.11, Unicode 14) refuses a key with a letter of Unicode 15 that the client's key check (Node's
 * newer Unicode tables) lets through, and refuses a param another writer logged with another
 * value. The refused entries are isolated from their request and named; PostgreSQL holds every
 * other entry exactly once.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MlflowClient } from "../../src/client/client.js";
import { InvalidParameterError } from "../../src/core/errors.js";
import { type BatchDeliveryError, LogDeliveryError } from "../../src/logging/errors.js";
import { startRun } from "../../src/logging/fluent.js";
import { runPython } from "./support/python.js";
import { stackClient, stackEnv } from "./support/stack.js";

/** U+31350, a CJK ideograph of Unicode 15.0: a letter to Node 20, an unknown character to the server's Python 3.11. */
const NEWER_LETTER = "\u{31350}";
const REFUSED_KEY = `eval/score_${NEWER_LETTER}`;

interface RunRows {
  metrics: Record<string, number>;
  params: Record<string, string>;
  tags: Record<string, string>;
}

let client: MlflowClient;
let experimentId: string;

function rowsOf(runId: string): Promise<RunRows> {
  return runPython<RunRows>("test/integration/run-rows.py", { run_id: runId, pg_uri: stackEnv("STACK_PG_URI") });
}

beforeAll(async () => {
  client = stackClient("direct");
  experimentId = await client.experiments.create({ name: `logger-refusals-${randomUUID()}` });
});

afterAll(async () => {
  await client.experiments.delete(experimentId).catch(() => undefined);
  await client.close();
});

describe("entries the server refuses", () => {
  it("delivers 999 of 1000 metrics when the server refuses one key, and names that key", async () => {
    const run = await startRun({ client, experimentId, exitHooks: false });
    const errors: BatchDeliveryError[] = [];
    run.on("error", (error) => errors.push(error));
    for (let i = 0; i < 1000; i++) run.logMetric(i === 500 ? REFUSED_KEY : `m${String(i).padStart(3, "0")}`, i * 0.5, { step: i });
    const error = await run.flush().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(LogDeliveryError);
    const delivery = error as LogDeliveryError;
    expect(delivery.failed).toEqual({ metrics: 1, params: 0, tags: 0 });
    expect(delivery.keys).toEqual([REFUSED_KEY]);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.refused).toHaveLength(1);
    expect(errors[0]!.refused[0]).toMatchObject({ kind: "metric", key: REFUSED_KEY, count: 1 });
    expect(errors[0]!.refused[0]!.error).toBeInstanceOf(InvalidParameterError);
    expect(errors[0]!.refused[0]!.error.message).toContain("Names may only contain alphanumerics");
    expect(run.stats()).toMatchObject({ logged: 1000, sent: 999, failed: 1, queued: 0, inFlight: 0 });

    const rows = await rowsOf(run.runId);
    expect(Object.keys(rows.metrics)).toHaveLength(999);
    expect(Object.values(rows.metrics).every((count) => count === 1)).toBe(true);
    expect(rows.metrics[REFUSED_KEY]).toBeUndefined();
    await run.end().catch(() => undefined);
  }, 120_000);

  it("isolates a param another writer logged with another value; the rest of the request lands", async () => {
    const run = await startRun({ client, experimentId, exitHooks: false });
    // Another writer (here the plain client) logs "lr" first; the logger does not know.
    await client.runs.logParam(run.runId, "lr", "0.1");
    run.on("error", () => undefined);
    run.logParams({ lr: 0.2, layers: 3 });
    run.setTags({ team: "vision" });
    for (let step = 0; step < 100; step++) run.logMetrics({ loss: 1 / (step + 1), acc: step / 100 }, { step });
    const error = (await run.flush().catch((e: unknown) => e)) as LogDeliveryError;

    expect(error).toBeInstanceOf(LogDeliveryError);
    expect(error.failed).toEqual({ metrics: 0, params: 1, tags: 0 });
    expect(error.keys).toEqual(["lr"]);
    expect(error.failures[0]!.refused.map((r) => `${r.kind}:${r.key}`)).toEqual(["param:lr"]);
    expect(error.failures[0]!.refused[0]!.error.message).toContain("Changing param values is not allowed");

    const rows = await rowsOf(run.runId);
    expect(rows.params).toEqual({ lr: "0.1", layers: "3" });
    expect(rows.metrics).toEqual({ loss: 100, acc: 100 });
    expect(rows.tags.team).toBe("vision");
    await run.end().catch(() => undefined);
  }, 120_000);

  it("does not split a batch for a deleted run: one probe, then everything is reported", async () => {
    const run = await startRun({ client, experimentId, exitHooks: false });
    await client.runs.delete(run.runId);
    run.on("error", () => undefined);
    for (let i = 0; i < 100; i++) run.logMetric(`m${i}`, i);
    const error = (await run.flush().catch((e: unknown) => e)) as LogDeliveryError;
    expect(error.failed).toEqual({ metrics: 100, params: 0, tags: 0 });
    expect(error.message).toContain("must be in the 'active' state");
    expect(run.stats()).toMatchObject({ requests: 2, failed: 100, sent: 0 });
  }, 60_000);
});
