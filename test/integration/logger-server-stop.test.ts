/**
 * The logger on the real stack while the tracking server is stopped for 30 s mid-run: nothing is
 * lost and nothing duplicated (full histories compared: count, values, steps, timestamps). Apart
 * from logger.test.ts because it stops the direct server every other suite uses: it is one of the
 * files that run alone (test/integration/suites.ts, EXCLUSIVE_FILES).
 */
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MlflowClient } from "../../src/client/client.js";
import { startRun } from "../../src/logging/fluent.js";
import { expectHistories, logPoints } from "./support/logger-points.js";
import { stackService } from "./support/stack.js";

const TRACKING_URI = process.env.STACK_ENV_MLFLOW_TRACKING_URI!;

let client: MlflowClient;
let experimentId: string;

function stack(command: "stop-service" | "start-service", service: string): void {
  execFileSync("bash", [`scripts/stack/${command}`, service], { stdio: "inherit", timeout: 180_000 });
}

beforeAll(async () => {
  client = new MlflowClient({ trackingUri: TRACKING_URI, env: {} });
  experimentId = await client.experiments.create({ name: `logger-stop-${randomUUID()}` });
});

afterAll(async () => {
  await client.experiments.delete(experimentId).catch(() => undefined);
});

describe("logger on the real stack", () => {
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
    await expectHistories(client, run.runId, 60_000);
  }, 600_000);
});
