/**
 * System metrics, as MLflow's `SystemMetricsMonitor` logs them (`mlflow.start_run(log_system_metrics=True)`
 * or `MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING=true`): every sampling interval a sample of CPU, memory,
 * disk and network use; every `samplesBeforeLogging` samples their mean (network: the latest value)
 * is logged through the run's batcher under `system/<name>` (or `system/<node id>/<name>`), one
 * step per logging, from step 0 (a resumed run continues after its last `system/` step). NVIDIA GPU
 * metrics come from `nvidia-smi` when it is installed (see `gpu-metrics.ts`).
 */
import { readFileSync, statfsSync } from "node:fs";
import { cpus, freemem, totalmem } from "node:os";
import type { SystemMetricsSettings } from "../../config/system-settings.js";
import type { ActiveRun } from "../run.js";
import { GpuSampler } from "./gpu-metrics.js";
import type { SystemSample, SystemSampler } from "./sample.js";

export { DEFAULT_SYSTEM_METRICS_SAMPLES_BEFORE_LOGGING, DEFAULT_SYSTEM_METRICS_SAMPLING_INTERVAL_MS } from "../../config/defaults.js";
export type { SystemMetricsSettings } from "../../config/system-settings.js";

/**
 * The system-metrics settings of a run: the client's (`MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING`,
 * `MLFLOW_SYSTEM_METRICS_SAMPLING_INTERVAL` in seconds, `MLFLOW_SYSTEM_METRICS_SAMPLES_BEFORE_LOGGING`,
 * `MLFLOW_SYSTEM_METRICS_NODE_ID`, resolved with its configuration), with `option` (startRun's
 * `logSystemMetrics`) deciding whether they are logged at all when given.
 *
 * @example
 * resolveSystemMetricsSettings(true, client.config.systemMetrics).enabled // true
 * @internal
 */
export function resolveSystemMetricsSettings(option: boolean | undefined, settings: SystemMetricsSettings): SystemMetricsSettings {
  return { ...settings, enabled: option ?? settings.enabled };
}

/** Metrics logged as their latest value rather than a mean (they count since the start). */
const CUMULATIVE = new Set(["network_receive_megabytes", "network_transmit_megabytes"]);

/**
 * Samples the machine as psutil does for MLflow: CPU use since the previous sample, memory in use
 * (total − available), the root file system, network bytes since the sampler was created
 * (Linux `/proc/net/dev`; left out elsewhere), and the NVIDIA GPUs (`nvidia-smi`; none without it).
 * @internal
 */
export class MachineSampler implements SystemSampler {
  #cpu = cpuTimes();
  readonly #network0 = networkBytes();
  readonly #gpus: GpuSampler;

  /** @param nvidiaSmi - The `nvidia-smi` command. @defaultValue "nvidia-smi" (from PATH) */
  constructor(nvidiaSmi?: string) {
    this.#gpus = new GpuSampler(nvidiaSmi);
  }

  /** One sample. */
  async sample(): Promise<SystemSample> {
    const sample: SystemSample = { cpu_utilization_percentage: this.#cpuPercent(), ...memory(), ...disk(), ...(await this.#gpus.sample()) };
    const network = networkBytes();
    if (network && this.#network0) {
      sample.network_receive_megabytes = (network.received - this.#network0.received) / 1e6;
      sample.network_transmit_megabytes = (network.transmitted - this.#network0.transmitted) / 1e6;
    }
    return sample;
  }

  #cpuPercent(): number {
    const now = cpuTimes();
    const total = now.total - this.#cpu.total;
    const busy = total - (now.idle - this.#cpu.idle);
    this.#cpu = now;
    return total > 0 ? (busy / total) * 100 : 0;
  }
}

function cpuTimes(): { idle: number; total: number } {
  let idle = 0;
  let total = 0;
  for (const { times } of cpus()) {
    idle += times.idle;
    total += times.user + times.nice + times.sys + times.idle + times.irq;
  }
  return { idle, total };
}

function memory(): SystemSample {
  const total = totalmem();
  const used = total - freemem();
  return { system_memory_usage_megabytes: used / 1e6, system_memory_usage_percentage: (used / total) * 100 };
}

function disk(): SystemSample {
  try {
    const fs = statfsSync("/");
    const used = (fs.blocks - fs.bfree) * fs.bsize;
    const available = fs.bavail * fs.bsize;
    return { disk_usage_percentage: (used / (used + available)) * 100, disk_usage_megabytes: used / 1e6, disk_available_megabytes: available / 1e6 };
  } catch {
    return {};
  }
}

function networkBytes(): { received: number; transmitted: number } | undefined {
  let text: string;
  try {
    text = readFileSync("/proc/net/dev", "utf8");
  } catch {
    return undefined;
  }
  let received = 0;
  let transmitted = 0;
  for (const line of text.split("\n").slice(2)) {
    const fields = line.split(":")[1]?.trim().split(/\s+/);
    if (!fields || fields.length < 9) continue;
    received += Number(fields[0]);
    transmitted += Number(fields[8]);
  }
  return { received, transmitted };
}

/**
 * Logs system metrics into a run until it ends: a timer (unref'd: it never keeps the process
 * alive) takes a sample every interval and logs the aggregate every `samplesBeforeLogging` samples.
 * It stops by itself once the run has ended, or on {@link SystemMetricsMonitor.stop}.
 *
 * @example
 * const monitor = new SystemMetricsMonitor(run, { samplingIntervalMs: 10_000, samplesBeforeLogging: 1, nodeId: undefined });
 * monitor.start();
 * @internal
 */
export class SystemMetricsMonitor {
  readonly #run: ActiveRun;
  readonly #settings: Omit<SystemMetricsSettings, "enabled">;
  readonly #sampler: SystemSampler;
  readonly #samples: SystemSample[] = [];
  #step: number;
  #timer: NodeJS.Timeout | undefined;
  #sampling = false;

  constructor(run: ActiveRun, settings: Omit<SystemMetricsSettings, "enabled">, options: { firstStep?: number; sampler?: SystemSampler } = {}) {
    this.#run = run;
    this.#settings = settings;
    this.#sampler = options.sampler ?? new MachineSampler();
    this.#step = options.firstStep ?? 0;
  }

  /** Starts sampling (idempotent). */
  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.#tick(), this.#settings.samplingIntervalMs);
    this.#timer.unref();
  }

  /** Stops sampling; samples not yet logged are dropped, as MLflow's monitor does. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #tick(): Promise<void> {
    if (this.#run.ended) return this.stop();
    if (this.#sampling) return; // the previous sample (nvidia-smi) is still running
    this.#sampling = true;
    try {
      this.#samples.push(await this.#sampler.sample());
    } finally {
      this.#sampling = false;
    }
    if (this.#run.ended || this.#samples.length < this.#settings.samplesBeforeLogging) return;
    const prefix = `system/${this.#settings.nodeId ? `${this.#settings.nodeId}/` : ""}`;
    const aggregate = aggregateSamples(this.#samples.splice(0));
    this.#run.logMetrics(Object.fromEntries(Object.entries(aggregate).map(([name, value]) => [prefix + name, value])), { step: this.#step });
    this.#step += 1;
  }
}

/**
 * The point MLflow logs for a group of samples: the mean rounded to one decimal, except for the
 * cumulative network counters, which keep their latest value.
 * @internal
 */
export function aggregateSamples(samples: readonly SystemSample[]): SystemSample {
  const aggregate: SystemSample = {};
  for (const name of Object.keys(samples[0] ?? {})) {
    const values = samples.map((sample) => sample[name]).filter((value): value is number => value !== undefined);
    aggregate[name] = CUMULATIVE.has(name) ? values[values.length - 1]! : Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 10) / 10;
  }
  return aggregate;
}

/**
 * The step a resumed run's system metrics continue from: one past the largest step of its latest
 * `system/` metrics (0 when it has none), as MLflow's `resume_logging`.
 * @internal
 */
export function nextSystemMetricsStep(latestMetrics: readonly { key: string; step?: number }[]): number {
  let max = -1;
  for (const metric of latestMetrics) if (metric.key.startsWith("system/")) max = Math.max(max, metric.step ?? 0);
  return max + 1;
}
