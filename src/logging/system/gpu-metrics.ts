/**
 * NVIDIA GPU metrics for system-metrics logging, read with `nvidia-smi` (which ships with the
 * driver) under the names MLflow's pynvml-based `GPUMonitor` logs: `gpu_<i>_memory_usage_percentage`,
 * `gpu_<i>_memory_usage_megabytes`, `gpu_<i>_utilization_percentage`, `gpu_<i>_power_usage_watts`,
 * `gpu_<i>_power_usage_percentage`. A machine without `nvidia-smi` (or without a GPU) has none.
 */
import { execFile } from "node:child_process";
import type { SystemSample } from "./sample.js";

/** Longest one `nvidia-smi` call may take: 5 s. */
const NVIDIA_SMI_TIMEOUT_MS = 5_000;
const QUERY = "--query-gpu=index,memory.used,memory.total,utilization.gpu,power.draw,enforced.power.limit";

/**
 * Samples the NVIDIA GPUs through `nvidia-smi`; after the first failure (no binary, no driver, no
 * GPU) it stops trying and returns nothing.
 * @internal
 */
export class GpuSampler {
  readonly #command: string;
  #available = true;

  /** @param command - The `nvidia-smi` to run. @defaultValue "nvidia-smi" (from PATH) */
  constructor(command = "nvidia-smi") {
    this.#command = command;
  }

  /** One sample of every GPU; `{}` when there is none. */
  async sample(): Promise<SystemSample> {
    if (!this.#available) return {};
    try {
      return parseNvidiaSmi(await run(this.#command));
    } catch {
      this.#available = false;
      return {};
    }
  }
}

function run(command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, [QUERY, "--format=csv,noheader,nounits"], { timeout: NVIDIA_SMI_TIMEOUT_MS, windowsHide: true }, (error, stdout) =>
      error ? reject(error) : resolve(stdout),
    );
  });
}

/**
 * MLflow's GPU metrics from `nvidia-smi --query-gpu=index,memory.used,memory.total,utilization.gpu,
 * power.draw,enforced.power.limit --format=csv,noheader,nounits` (memory in MiB, power in W);
 * values the GPU does not report (`[N/A]`, `[Not Supported]`) are left out.
 *
 * @example
 * parseNvidiaSmi("0, 1024, 16384, 37, 70.5, 250.00\n").gpu_0_utilization_percentage // 37
 * @internal
 */
export function parseNvidiaSmi(output: string): SystemSample {
  const sample: SystemSample = {};
  for (const line of output.split("\n")) {
    const [index, memoryUsed, memoryTotal, utilization, power, powerLimit] = line.split(",").map((field) => Number.parseFloat(field.trim()));
    if (index === undefined || !Number.isInteger(index)) continue;
    const prefix = `gpu_${index}_`;
    if (isNumber(memoryUsed) && isNumber(memoryTotal) && memoryTotal > 0) {
      sample[`${prefix}memory_usage_percentage`] = Math.round((memoryUsed / memoryTotal) * 1000) / 10;
      sample[`${prefix}memory_usage_megabytes`] = (memoryUsed * 1024 * 1024) / 1e6;
    }
    if (isNumber(utilization)) sample[`${prefix}utilization_percentage`] = utilization;
    if (isNumber(power)) {
      sample[`${prefix}power_usage_watts`] = power;
      if (isNumber(powerLimit) && powerLimit > 0) sample[`${prefix}power_usage_percentage`] = (power / powerLimit) * 100;
    }
  }
  return sample;
}

function isNumber(value: number | undefined): value is number {
  return value !== undefined && Number.isFinite(value);
}
