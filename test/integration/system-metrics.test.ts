/**
 * System metrics on the real stack: a run started with `logSystemMetrics: true` against the mlflow
 * server logs MLflow's `system/…` metrics, one step per interval, and the Python reference client
 * reads them back under the same names and steps as its own SystemMetricsMonitor writes them.
 */
import { afterAll, describe, expect, it } from "vitest";
import { MlflowClient } from "../../src/client/client.js";
import { startRun } from "../../src/logging/fluent.js";
import type { ActiveRun } from "../../src/logging/run.js";
import { runPython } from "./support/python.js";
import { serverUri, stackClientEnv, uniqueName } from "./support/stack.js";

const SYSTEM_NAMES = [
  "system/cpu_utilization_percentage",
  "system/disk_available_megabytes",
  "system/disk_usage_megabytes",
  "system/disk_usage_percentage",
  "system/network_receive_megabytes",
  "system/network_transmit_megabytes",
  "system/system_memory_usage_megabytes",
  "system/system_memory_usage_percentage",
];

const env = { ...stackClientEnv(serverUri("direct")), MLFLOW_SYSTEM_METRICS_SAMPLING_INTERVAL: "0.1", MLFLOW_SYSTEM_METRICS_SAMPLES_BEFORE_LOGGING: "2" };
const client = new MlflowClient({ trackingUri: serverUri("direct"), env });

afterAll(() => client.close());

interface PythonRun {
  runs: { latest_metrics: { key: string; step: number }[]; histories: Record<string, { step: number; value: number }[]> }[];
}

describe("system metrics (logSystemMetrics)", () => {
  it("are logged under MLflow's names, one step per logging, and read back by the Python client", async () => {
    const run = await startRun({ client, experimentName: uniqueName("system-metrics"), exitHooks: false, logSystemMetrics: true });
    await waitForSteps(run, 3);
    await run.end();

    const { runs } = await runPython<PythonRun>("test/conformance/python/read_run.py", { run_ids: [run.runId], history_keys: SYSTEM_NAMES });
    const [read] = runs;
    expect(read!.latest_metrics.map((m) => m.key).sort()).toEqual(SYSTEM_NAMES);
    for (const name of SYSTEM_NAMES) {
      const steps = read!.histories[name]!.map((point) => point.step);
      expect(steps.length).toBeGreaterThanOrEqual(3);
      expect(steps).toEqual(Array.from({ length: steps.length }, (_, i) => i));
    }
    for (const point of read!.histories["system/cpu_utilization_percentage"]!) {
      expect(point.value).toBeGreaterThanOrEqual(0);
      expect(point.value).toBeLessThanOrEqual(100);
    }
  }, 60_000);
});

/** Waits (polling every 100 ms, at most 300 times) until the run has `count` CPU points on the server. */
async function waitForSteps(run: ActiveRun, count: number): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt++) {
    await run.flush();
    const points = await client.metrics.getHistory(run.runId, "system/cpu_utilization_percentage");
    if (points.length >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`run ${run.runId} did not log ${count} system-metrics points in time`);
}
