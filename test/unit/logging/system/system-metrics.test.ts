/**
 * System metrics as MLflow's SystemMetricsMonitor logs them: names, aggregation, steps, node id,
 * settings from the environment, and a run on the embedded store that logs them and resumes them.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { MlflowClient } from "../../../../src/client/client.js";
import { resolveConfig } from "../../../../src/config/resolve.js";
import { ConfigurationError } from "../../../../src/core/errors.js";
import { startRun } from "../../../../src/logging/fluent.js";
import type { ActiveRun } from "../../../../src/logging/run.js";
import { GpuSampler, parseNvidiaSmi } from "../../../../src/logging/system/gpu-metrics.js";
import type { SystemSample } from "../../../../src/logging/system/sample.js";
import {
  aggregateSamples,
  DEFAULT_SYSTEM_METRICS_SAMPLING_INTERVAL_MS,
  MachineSampler,
  nextSystemMetricsStep,
  resolveSystemMetricsSettings,
  SystemMetricsMonitor,
} from "../../../../src/logging/system/system-metrics.js";
import { removeTempDirs, tempDir } from "../../store/sqlite/helpers.js";

afterEach(() => {
  vi.useRealTimers();
  removeTempDirs();
});

const MLFLOW_NAMES = [
  "cpu_utilization_percentage",
  "system_memory_usage_megabytes",
  "system_memory_usage_percentage",
  "disk_usage_percentage",
  "disk_usage_megabytes",
  "disk_available_megabytes",
  "network_receive_megabytes",
  "network_transmit_megabytes",
];

/** A run stand-in that records what the monitor logs. */
function fakeRun(): { run: ActiveRun; logged: { metrics: Record<string, number>; step: number | undefined }[]; end: () => void } {
  const logged: { metrics: Record<string, number>; step: number | undefined }[] = [];
  let ended = false;
  const run = {
    get ended() {
      return ended;
    },
    logMetrics: (metrics: Record<string, number>, options?: { step?: number }) => logged.push({ metrics, step: options?.step }),
  } as unknown as ActiveRun;
  return { run, logged, end: () => (ended = true) };
}

function scriptedSampler(samples: SystemSample[]): { sample(): SystemSample } {
  let index = 0;
  return { sample: () => samples[Math.min(index++, samples.length - 1)]! };
}

/** The system-metrics settings of a client configured from `env`. */
function settingsFrom(env: Record<string, string>) {
  return resolveConfig({ trackingUri: "http://127.0.0.1:5000", env: { HOME: "/nonexistent", ...env } }).systemMetrics;
}

describe("settings", () => {
  it("is off with MLflow's defaults unless enabled, and reads MLflow's variables (interval in seconds)", () => {
    expect(resolveSystemMetricsSettings(undefined, settingsFrom({}))).toEqual({
      enabled: false,
      samplingIntervalMs: DEFAULT_SYSTEM_METRICS_SAMPLING_INTERVAL_MS,
      samplesBeforeLogging: 1,
      nodeId: undefined,
    });
    const env = {
      MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING: "true",
      MLFLOW_SYSTEM_METRICS_SAMPLING_INTERVAL: "0.5",
      MLFLOW_SYSTEM_METRICS_SAMPLES_BEFORE_LOGGING: "3",
      MLFLOW_SYSTEM_METRICS_NODE_ID: "node_0",
    };
    expect(resolveSystemMetricsSettings(undefined, settingsFrom(env))).toEqual({
      enabled: true,
      samplingIntervalMs: 500,
      samplesBeforeLogging: 3,
      nodeId: "node_0",
    });
    expect(resolveSystemMetricsSettings(false, settingsFrom(env)).enabled).toBe(false);
  });

  it("names the variable of a malformed value when the configuration is resolved", () => {
    expect(() => settingsFrom({ MLFLOW_SYSTEM_METRICS_SAMPLING_INTERVAL: "often" })).toThrow(ConfigurationError);
    expect(() => settingsFrom({ MLFLOW_SYSTEM_METRICS_SAMPLES_BEFORE_LOGGING: "0" })).toThrow(/MLFLOW_SYSTEM_METRICS_SAMPLES_BEFORE_LOGGING/);
  });
});

describe("the machine sampler", () => {
  it("reads MLflow's metrics, within their ranges (no GPU metrics without nvidia-smi)", async () => {
    const sample = await new MachineSampler("/nonexistent/nvidia-smi").sample();
    expect(Object.keys(sample).sort()).toEqual([...(process.platform === "linux" ? MLFLOW_NAMES : MLFLOW_NAMES.slice(0, 6))].sort());
    for (const name of ["cpu_utilization_percentage", "system_memory_usage_percentage", "disk_usage_percentage"]) {
      expect(sample[name]).toBeGreaterThanOrEqual(0);
      expect(sample[name]).toBeLessThanOrEqual(100);
    }
    expect(sample.system_memory_usage_megabytes).toBeGreaterThan(0);
    expect(sample.disk_available_megabytes).toBeGreaterThan(0);
  });
});

describe("GPU metrics (nvidia-smi)", () => {
  it("reads MLflow's GPU metric names from nvidia-smi's CSV, leaving out what a GPU does not report", () => {
    const sample = parseNvidiaSmi("0, 4096, 16384, 37, 70.50, 250.00\n1, 1024, 8192, 5, [N/A], [N/A]\n");
    expect(sample).toEqual({
      gpu_0_memory_usage_percentage: 25,
      gpu_0_memory_usage_megabytes: 4294.967296,
      gpu_0_utilization_percentage: 37,
      gpu_0_power_usage_watts: 70.5,
      gpu_0_power_usage_percentage: 28.199999999999996,
      gpu_1_memory_usage_percentage: 12.5,
      gpu_1_memory_usage_megabytes: 1073.741824,
      gpu_1_utilization_percentage: 5,
    });
  });

  it("samples every GPU through the nvidia-smi on the machine, and stops trying after a failure", async () => {
    const dir = tempDir();
    const fake = join(dir, "nvidia-smi");
    writeFileSync(fake, `#!/bin/sh\necho "$@" >> "${join(dir, "calls")}"\necho "0, 2048, 8192, 90, 100.0, 200.0"\n`, { mode: 0o755 });
    const sample = await new MachineSampler(fake).sample();
    expect(sample).toMatchObject({ gpu_0_utilization_percentage: 90, gpu_0_memory_usage_percentage: 25, gpu_0_power_usage_percentage: 50 });
    expect(readFileSync(join(dir, "calls"), "utf8").trim()).toBe(
      "--query-gpu=index,memory.used,memory.total,utilization.gpu,power.draw,enforced.power.limit --format=csv,noheader,nounits",
    );

    const broken = join(dir, "broken-smi");
    writeFileSync(broken, `#!/bin/sh\necho called >> "${join(dir, "broken-calls")}"\nexit 9\n`, { mode: 0o755 });
    const gpus = new GpuSampler(broken);
    expect(await gpus.sample()).toEqual({});
    expect(await gpus.sample()).toEqual({});
    expect(readFileSync(join(dir, "broken-calls"), "utf8").trim().split("\n")).toHaveLength(1);
  });
});

describe("the monitor", () => {
  it("logs the mean of every N samples (network: the latest) under system/, one step per logging, then stops with the run", async () => {
    vi.useFakeTimers();
    const { run, logged, end } = fakeRun();
    const sampler = scriptedSampler([
      { cpu_utilization_percentage: 10, network_receive_megabytes: 1 },
      { cpu_utilization_percentage: 20.25, network_receive_megabytes: 3 },
      { cpu_utilization_percentage: 50, network_receive_megabytes: 4 },
      { cpu_utilization_percentage: 70, network_receive_megabytes: 6 },
    ]);
    const monitor = new SystemMetricsMonitor(run, { samplingIntervalMs: 1000, samplesBeforeLogging: 2, nodeId: undefined }, { sampler });
    monitor.start();
    await vi.advanceTimersByTimeAsync(999);
    expect(logged).toEqual([]);
    await vi.advanceTimersByTimeAsync(4001);
    expect(logged).toEqual([
      { metrics: { "system/cpu_utilization_percentage": 15.1, "system/network_receive_megabytes": 3 }, step: 0 },
      { metrics: { "system/cpu_utilization_percentage": 60, "system/network_receive_megabytes": 6 }, step: 1 },
    ]);
    end();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(logged).toHaveLength(2);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("puts the node id into the names and continues from a given step", async () => {
    vi.useFakeTimers();
    const { run, logged } = fakeRun();
    const monitor = new SystemMetricsMonitor(
      run,
      { samplingIntervalMs: 100, samplesBeforeLogging: 1, nodeId: "node_1" },
      { firstStep: 7, sampler: scriptedSampler([{ disk_usage_percentage: 42 }]) },
    );
    monitor.start();
    await vi.advanceTimersByTimeAsync(100);
    monitor.stop();
    await vi.advanceTimersByTimeAsync(1000);
    expect(logged).toEqual([{ metrics: { "system/node_1/disk_usage_percentage": 42 }, step: 7 }]);
  });

  it("aggregates and resumes as MLflow does", () => {
    expect(
      aggregateSamples([
        { a: 1, network_transmit_megabytes: 1 },
        { a: 2, network_transmit_megabytes: 5 },
      ]),
    ).toEqual({ a: 1.5, network_transmit_megabytes: 5 });
    expect(
      nextSystemMetricsStep([
        { key: "loss", step: 99 },
        { key: "system/cpu_utilization_percentage", step: 4 },
        { key: "system/disk_usage_percentage", step: 5 },
      ]),
    ).toBe(6);
    expect(nextSystemMetricsStep([{ key: "loss", step: 3 }])).toBe(0);
  });
});

describe("startRun({ logSystemMetrics: true }) on the embedded store", () => {
  it("logs system metrics until the run ends, and a resumed run continues their steps", async () => {
    const dir = tempDir();
    const env = { MLFLOW_TS_QUIET_LOCAL_STORE: "true", MLFLOW_SYSTEM_METRICS_SAMPLING_INTERVAL: "0.02" };
    const client = new MlflowClient({ trackingUri: `sqlite:///${join(dir, "mlflow.db")}`, env });
    const run = await startRun({ client, exitHooks: false, logSystemMetrics: true });
    await waitForPoints(run, 2);
    await run.end();
    const first = await cpuSteps(client, run.runId);
    expect(first.slice(0, 2)).toEqual([0, 1]);
    const resumed = await startRun({ client, exitHooks: false, runId: run.runId, logSystemMetrics: true });
    await waitForPoints(resumed, first.length + 1);
    await resumed.end();
    const all = await cpuSteps(client, run.runId);
    expect(all.length).toBeGreaterThan(first.length);
    expect(all).toEqual(Array.from({ length: all.length }, (_, i) => i));
    await client.close();
  });
});

async function cpuSteps(client: MlflowClient, runId: string): Promise<number[]> {
  return (await client.metrics.getHistory(runId, "system/cpu_utilization_percentage", { pageSize: 1000 })).map((m) => m.step);
}

/** Waits (polling every 20 ms, at most 500 times) until the run has `count` system CPU points. */
async function waitForPoints(run: ActiveRun, count: number): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt++) {
    await run.flush();
    if ((await cpuSteps(run.client, run.runId)).length >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`run ${run.runId} did not log ${count} system-metrics points in time`);
}
