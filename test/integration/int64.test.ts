/**
 * Steps beyond 2^53 − 1 on the real stack: MLflow's Python client logs step 9007199254740993 (its
 * ints are exact; the server and PostgreSQL keep it), and the TypeScript client refuses to read it
 * rounded, over REST and from an `mlflow.db` file Python wrote, while the other key of the same
 * run still reads exactly.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { MlflowClient } from "../../src/client/client.js";
import { UnsafeIntegerError } from "../../src/core/errors.js";
import { runPython } from "./support/python.js";
import { stackClient } from "./support/stack.js";

const BEYOND = "9007199254740993";
const scratch = mkdtempSync(join(tmpdir(), "mlflow-ts-int64-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("int64 steps written by Python beyond 2^53 − 1", () => {
  it("over REST: the server keeps the step exact and getHistory refuses to round it", async () => {
    const written = await runPython<{ run_id: string; steps: string[] }>("test/integration/log-big-step.py", { step: BEYOND });
    expect(written.steps).toEqual(["1", BEYOND]); // what Python reads back: exact
    const client = stackClient("direct");
    try {
      const error = (await client.metrics
        .getHistory(written.run_id, "big")
        .toArray(10)
        .catch((e: unknown) => e)) as UnsafeIntegerError;
      expect(error).toBeInstanceOf(UnsafeIntegerError);
      expect(error.field).toMatch(/^metrics\[\d\]\.step$/);
      expect(error.message).toContain("beyond ±9007199254740991");
      // The latest value of the key has that step too: runs.get refuses as well, naming it.
      const run = (await client.runs.get(written.run_id).catch((e: unknown) => e)) as UnsafeIntegerError;
      expect(run).toBeInstanceOf(UnsafeIntegerError);
      expect(run.field).toBe("run.data.metrics[0].step");
    } finally {
      await client.close();
    }
  }, 120_000);

  it("the embedded store: the same step in an mlflow.db Python wrote is refused, not rounded", async () => {
    const db = join(scratch, "mlflow.db");
    const written = await runPython<{ run_id: string; steps: string[] }>(
      "test/integration/log-big-step.py",
      { step: BEYOND },
      { MLFLOW_TRACKING_URI: `sqlite:///${db}` },
    );
    expect(written.steps).toEqual(["1", BEYOND]);
    const client = new MlflowClient({ trackingUri: `sqlite:///${db}`, env: { MLFLOW_TS_QUIET_LOCAL_STORE: "true" } });
    try {
      const error = (await client.metrics
        .getHistory(written.run_id, "big")
        .toArray(10)
        .catch((e: unknown) => e)) as UnsafeIntegerError;
      expect(error).toBeInstanceOf(UnsafeIntegerError);
      expect(error.endpoint).toBe("sqlite:metrics.getHistory");
    } finally {
      await client.close();
    }
  }, 120_000);
});
