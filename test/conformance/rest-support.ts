/**
 * Shared pieces of the REST conformance tests: the shape the Python scripts in
 * `test/conformance/python/` print (`common.read_run`), the same view built from what the
 * TypeScript client reads, and what MLflow's SQL store makes of a logged metric value.
 */
import type { Metric, MlflowClient } from "../../src/index.js";
import { releasedBefore } from "../../src/protocol/server-features.js";
import { wireValue } from "../integration/support/python.js";
import { stackServerVersion } from "../integration/support/stack.js";

/** ±Infinity as the SQL store returns it: clamped to the largest double. */
export const MAX_DOUBLE = 1.7976931348623157e308;

/** One metric point as the scripts print it (value in wire spelling). */
export interface PointView {
  key: string;
  value: number | string;
  timestamp: number;
  step: number;
}

/** What `common.read_run` prints for a run. */
export interface RunView {
  info: {
    run_id: string;
    run_name: string;
    experiment_id: string;
    user_id: string;
    status: string;
    start_time: number;
    end_time: number | null;
    artifact_uri: string;
    lifecycle_stage: string;
  };
  params: Record<string, string>;
  tags: Record<string, string>;
  latest_metrics: PointView[];
  histories: Record<string, PointView[]>;
  experiment: { experiment_id: string; name: string; artifact_location: string; lifecycle_stage: string; tags: Record<string, string> };
}

/** A point in the scripts' spelling. */
export function pointView(m: Pick<Metric, "key" | "value" | "timestamp" | "step">): PointView {
  return { key: m.key, value: wireValue(m.value), timestamp: m.timestamp, step: m.step };
}

/** The value the SQL store keeps for `value`: NaN stays NaN, ±Infinity becomes ±MAX_DOUBLE. */
export function storedValue(value: number): number {
  if (value === Number.POSITIVE_INFINITY) return MAX_DOUBLE;
  if (value === Number.NEGATIVE_INFINITY) return -MAX_DOUBLE;
  return value;
}

/** The first release whose server orders a history (timestamp, step, value); before it Python reads the database's order. */
const ORDERED_HISTORY_SINCE = "3.1";

/**
 * Python's view of a run, with each history in the order the server gives from 3.1 when the
 * server (by the version its client reports) is older: before 3.1 the server answers a history in
 * the database's order and Python passes it on, while mlflow-ts sorts it as later servers do
 * (docs/compatibility.md). Unchanged on a 3.1+ server, so the order is compared there as sent.
 */
export async function inServerOrderBefore31(client: MlflowClient, view: RunView): Promise<RunView> {
  if (releasedBefore(await stackServerVersion(client), ORDERED_HISTORY_SINCE) !== true) return view;
  const byTime = (a: PointView, b: PointView): number => a.timestamp - b.timestamp || a.step - b.step;
  return { ...view, histories: Object.fromEntries(Object.entries(view.histories).map(([key, points]) => [key, [...points].sort(byTime)])) };
}

/**
 * The latest point per key as MLflow's SQL store defines it: the largest (step, timestamp, value),
 * where a NaN counts as the 0 it is stored as; sorted by key.
 */
export function latestPoints(points: readonly PointView[]): PointView[] {
  const rank = (v: number | string): number => (typeof v === "number" ? v : v === "Infinity" ? MAX_DOUBLE : v === "-Infinity" ? -MAX_DOUBLE : 0);
  const latest = new Map<string, PointView>();
  for (const p of points) {
    const best = latest.get(p.key);
    const newer =
      !best ||
      p.step > best.step ||
      (p.step === best.step && (p.timestamp > best.timestamp || (p.timestamp === best.timestamp && rank(p.value) > rank(best.value))));
    if (newer) latest.set(p.key, p);
  }
  return [...latest.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** The {@link RunView} of a run as the TypeScript client reads it (runs.get, getHistory, experiments.get). */
export async function tsRunView(client: MlflowClient, runId: string, historyKeys?: string[]): Promise<RunView> {
  const run = await client.runs.get(runId);
  const experiment = await client.experiments.get(run.info.experiment_id);
  const keys = historyKeys ?? [...new Set(run.data.metrics.map((m) => m.key))].sort();
  const histories: Record<string, PointView[]> = {};
  for (const key of keys) {
    const points: PointView[] = [];
    for await (const m of client.metrics.getHistory(runId, key)) points.push(pointView(m));
    histories[key] = points;
  }
  const { info } = run;
  return {
    info: {
      run_id: info.run_id,
      run_name: info.run_name,
      experiment_id: info.experiment_id,
      user_id: info.user_id ?? "",
      status: info.status,
      start_time: info.start_time!,
      end_time: info.end_time ?? null,
      artifact_uri: info.artifact_uri,
      lifecycle_stage: info.lifecycle_stage,
    },
    params: Object.fromEntries(run.data.params.map((p) => [p.key, p.value])),
    tags: Object.fromEntries(run.data.tags.map((t) => [t.key, t.value])),
    latest_metrics: run.data.metrics.map(pointView).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
    histories,
    experiment: {
      experiment_id: experiment.experiment_id,
      name: experiment.name,
      artifact_location: experiment.artifact_location,
      lifecycle_stage: experiment.lifecycle_stage,
      tags: Object.fromEntries(experiment.tags.map((t) => [t.key, t.value])),
    },
  };
}
