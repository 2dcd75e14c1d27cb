/**
 * The deterministic metric stream the real-stack logger suites (`logger.test.ts`,
 * `logger-server-stop.test.ts`) log and read back: point `i` sits under one of 100 keys, at a step
 * and a value unique to (key, step), 1000 points per millisecond. Shared so that both files compare
 * the server's histories with the same points.
 *
 * @example
 * logPoints(run, 0, 1_000_000);
 * await run.flush();
 * await expectHistories(client, run.runId, 1_000_000);
 */
import { expect } from "vitest";
import type { MlflowClient } from "../../../src/client/client.js";
import type { ActiveRun } from "../../../src/logging/run.js";

/** The 100 metric keys, `train/metric_00` … `train/metric_99`. */
export const KEYS = Array.from({ length: 100 }, (_, i) => `train/metric_${String(i).padStart(2, "0")}`);
const BASE_TIME = 1_750_000_000_000;

/** The point `i` of a run: key i % 100, step i / 100, a value unique to (key, step), 1000 points per ms. */
export function point(i: number): { key: string; value: number; step: number; timestamp: number } {
  const step = Math.floor(i / 100);
  return { key: KEYS[i % 100]!, value: step * 0.5 + (i % 100) / 1000, step, timestamp: BASE_TIME + Math.floor(i / 1000) };
}

/** Logs points `from` … `to`−1 on `run` (synchronously: the logger buffers them). */
export function logPoints(run: ActiveRun, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const p = point(i);
    run.logMetric(p.key, p.value, { step: p.step, timestamp: p.timestamp });
  }
}

/** Reads every key's full history through `client` and compares it with points 0 … total−1, exactly once each. */
export async function expectHistories(client: MlflowClient, runId: string, total: number): Promise<void> {
  const perKey = total / KEYS.length;
  const mismatches: string[] = [];
  for (let k = 0; k < KEYS.length; k++) {
    const history = [];
    for await (const metric of client.metrics.getHistory(runId, KEYS[k]!)) history.push(metric);
    history.sort((a, b) => a.step - b.step);
    if (history.length !== perKey) mismatches.push(`${KEYS[k]}: ${history.length} points, expected ${perKey}`);
    for (let s = 0; s < Math.min(history.length, perKey) && mismatches.length < 10; s++) {
      const expected = point(s * 100 + k);
      const got = history[s]!;
      if (got.step !== expected.step || got.value !== expected.value || got.timestamp !== expected.timestamp) {
        mismatches.push(`${KEYS[k]} #${s}: got ${JSON.stringify(got)}, expected ${JSON.stringify(expected)}`);
      }
    }
  }
  expect(mismatches).toEqual([]);
}
