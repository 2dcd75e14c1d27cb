/**
 * What a system-metrics sampler reads and returns, apart from the samplers themselves so that the
 * machine sampler (system-metrics.ts) and the GPU sampler (gpu-metrics.ts) share the type without
 * importing each other.
 */

/** One reading of the machine: MLflow's metric names (without `system/`) → value. */
export type SystemSample = Record<string, number>;

/** Something that reads the machine, e.g. `MachineSampler` (system-metrics.ts). @internal */
export interface SystemSampler {
  sample(): SystemSample | Promise<SystemSample>;
}
