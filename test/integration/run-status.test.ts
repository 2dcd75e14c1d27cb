/**
 * The final status of a run whose code throws, read back from the real server, for each way the
 * docs show to hold a run: `withRun` (FAILED), `await using` alone (FINISHED: a disposer is not
 * told about the exception — the documented caveat), and `await using` with the documented
 * `catch` that ends the run FAILED.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MlflowClient } from "../../src/client/client.js";
import { startRun, withRun } from "../../src/logging/fluent.js";
import { stackClient } from "./support/stack.js";

let client: MlflowClient;
let experimentId: string;

class TrainingDiverged extends Error {}

async function statusOf(runId: string): Promise<{ status: string; loss: number | undefined }> {
  const run = await client.runs.get(runId);
  return { status: run.info.status, loss: run.data.metrics.find((metric) => metric.key === "loss")?.value };
}

beforeAll(async () => {
  client = stackClient("direct");
  experimentId = await client.experiments.create({ name: `run-status-${randomUUID()}` });
});

afterAll(async () => {
  await client.experiments.delete(experimentId).catch(() => undefined);
  await client.close();
});

describe("the status a crash leaves", () => {
  it("withRun: a body that throws ends the run FAILED, after delivering what it logged", async () => {
    let runId = "";
    const thrown = await withRun({ client, experimentId, exitHooks: false }, (run) => {
      runId = run.runId;
      run.logMetric("loss", 0.5, { step: 1 });
      throw new TrainingDiverged("loss is NaN");
    }).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(TrainingDiverged);
    expect(await statusOf(runId)).toEqual({ status: "FAILED", loss: 0.5 });
  });

  it("await using alone: a block that throws still ends the run FINISHED (the documented caveat)", async () => {
    let runId = "";
    const crash = async (): Promise<void> => {
      await using run = await startRun({ client, experimentId, exitHooks: false });
      runId = run.runId;
      run.logMetric("loss", 0.5, { step: 1 });
      throw new TrainingDiverged("loss is NaN");
    };
    expect(await crash().catch((e: unknown) => e)).toBeInstanceOf(TrainingDiverged);
    expect(await statusOf(runId)).toEqual({ status: "FINISHED", loss: 0.5 });
  });

  it("await using with the documented catch: the run ends FAILED and the error goes on", async () => {
    let runId = "";
    const crash = async (): Promise<void> => {
      await using run = await startRun({ client, experimentId, exitHooks: false });
      runId = run.runId;
      try {
        run.logMetric("loss", 0.5, { step: 1 });
        throw new TrainingDiverged("loss is NaN");
      } catch (error) {
        await run.end({ status: "FAILED" });
        throw error;
      }
    };
    expect(await crash().catch((e: unknown) => e)).toBeInstanceOf(TrainingDiverged);
    expect(await statusOf(runId)).toEqual({ status: "FAILED", loss: 0.5 });
  });
});
