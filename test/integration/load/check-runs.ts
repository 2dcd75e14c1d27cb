/**
 * What training processes left on the direct server, read back by `check_runs.py`: each run's rows
 * counted in PostgreSQL (metrics, params, tags, latest metrics), the run as the Python client reads
 * it, and its summary artifact downloaded from S3. Used by the load and pool-exhaustion tests.
 *
 * @example
 * const check = await checkRuns(experimentName);
 * expect(check.runs.find((r) => r.run_id === runId)).toMatchObject({ metric_rows: 1000, doubled_points: 0 });
 */
import { runPython } from "../support/python.js";
import { stackEnv } from "../support/stack.js";

/** One run as check_runs.py read it back. */
export interface CheckedRun {
  run_id: string;
  worker: string | null;
  status: string;
  end_time: number | null;
  lifecycle_stage: string;
  /** Metric rows in PostgreSQL. */
  metric_rows: number;
  /** Distinct (key, step): fewer than `metric_rows` when a point was stored twice with another timestamp or value. */
  distinct_points: number;
  /** Rows of a key `m<k>` whose value is step + k/16 (how the tests log). */
  matching_values: number;
  min_step: number;
  max_step: number;
  /** Groups of rows with the same (key, step, timestamp, value) and more than one row. */
  duplicate_groups: number;
  /** (key, step) pairs with more than one row. */
  doubled_points: number;
  latest_metric_rows: number;
  param_rows: number;
  tag_rows: number;
  params: Record<string, string>;
  tags: Record<string, string>;
  /** `load/summary-w<worker>.json` as downloaded, for runs with a `load.worker` tag. */
  artifact: { worker?: number; runId?: string; points?: number; error?: string } | null;
}

/** The whole answer of check_runs.py. */
export interface CheckResult {
  pg_version: string;
  experiments_with_name: number;
  experiment_id?: string;
  runs: CheckedRun[];
}

/** Reads back every run of the experiment named `experimentName` on the direct server. */
export function checkRuns(experimentName: string): Promise<CheckResult> {
  return runPython<CheckResult>("test/integration/load/check_runs.py", { experiment_name: experimentName }, { STACK_PG_URI: stackEnv("STACK_PG_URI") });
}
