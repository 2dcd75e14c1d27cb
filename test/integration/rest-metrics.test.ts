/**
 * Metrics against the real direct server (PostgreSQL store): NaN and ±Infinity round trips, a
 * 10,000-point history read across pages, `await` on a history longer than a page (every point,
 * never the first page alone), and sampled histories of several runs.
 *
 * What MLflow's SQL store returns for non-finite values: NaN is stored with `is_nan = true` and
 * comes back as NaN; +Infinity and -Infinity are clamped to ±1.7976931348623157e308 (the largest
 * double) when stored, so they come back as that finite number, not as Infinity.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Metric } from "../../src/index.js";
import { stackClient, uniqueName } from "./support/stack.js";

/** ±Infinity as the SQL store returns it. */
const MAX_DOUBLE = 1.7976931348623157e308;

const client = stackClient("direct");
let experimentId: string;

beforeAll(async () => {
  experimentId = await client.experiments.create({ name: uniqueName("rest-metrics") });
});

afterAll(async () => {
  await client.close();
});

async function newRunId(): Promise<string> {
  return (await client.runs.create({ experiment_id: experimentId })).info.run_id;
}

async function history(runId: string, key: string, pageSize?: number): Promise<{ points: Metric[]; pages: number }> {
  const points: Metric[] = [];
  let pages = 0;
  for await (const page of client.metrics.getHistory(runId, key, pageSize === undefined ? {} : { pageSize }).pages()) {
    pages++;
    points.push(...page.items);
  }
  return { points, pages };
}

describe("non-finite metric values", () => {
  it("reads NaN back as NaN and ±Infinity back clamped to ±1.7976931348623157e308, through logMetric", async () => {
    const runId = await newRunId();
    const t = 1_700_000_000_000;

    await client.runs.logMetric(runId, "nan", Number.NaN, { step: 1, timestamp: t });
    await client.runs.logMetric(runId, "pos", Number.POSITIVE_INFINITY, { step: 2, timestamp: t + 1 });
    await client.runs.logMetric(runId, "neg", Number.NEGATIVE_INFINITY, { step: 3, timestamp: t + 2 });

    expect((await history(runId, "nan")).points).toEqual([expect.objectContaining({ key: "nan", value: Number.NaN, step: 1, timestamp: t })]);
    expect((await history(runId, "pos")).points).toEqual([expect.objectContaining({ key: "pos", value: MAX_DOUBLE, step: 2, timestamp: t + 1 })]);
    expect((await history(runId, "neg")).points).toEqual([expect.objectContaining({ key: "neg", value: -MAX_DOUBLE, step: 3, timestamp: t + 2 })]);
    const latest = Object.fromEntries((await client.runs.get(runId)).data.metrics.map((m) => [m.key, m.value]));
    expect(latest).toEqual({ nan: Number.NaN, pos: MAX_DOUBLE, neg: -MAX_DOUBLE });
  });

  it("does the same through logBatch, next to finite values of the same key", async () => {
    const runId = await newRunId();
    const t = 1_700_000_000_000;
    const values = [0.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0.25, Number.MIN_VALUE];

    await client.runs.logBatch(runId, { metrics: values.map((value, step) => ({ key: "mixed", value, step, timestamp: t + step })) });

    const { points } = await history(runId, "mixed");
    expect(points.map((p) => [p.step, p.value])).toEqual([
      [0, 0.5],
      [1, Number.NaN],
      [2, MAX_DOUBLE],
      [3, -MAX_DOUBLE],
      [4, -0.25],
      [5, Number.MIN_VALUE],
    ]);
  });
});

describe("long histories", () => {
  it("reads a 10,000-point history back point by point across pages of 3000", async () => {
    const runId = await newRunId();
    const base = 1_700_000_000_000;
    const logged = Array.from({ length: 10_000 }, (_, i) => ({ key: "loss", value: Math.sin(i) * 1000 + i / 7, step: i, timestamp: base + i * 3 }));

    await client.runs.logBatch(runId, { metrics: logged });

    const { points, pages } = await history(runId, "loss", 3000);
    expect(pages).toBe(4);
    expect(points).toHaveLength(10_000);
    const mismatches = points.flatMap((p, i) => {
      const want = logged[i]!;
      return p.key === want.key && p.value === want.value && p.step === want.step && p.timestamp === want.timestamp ? [] : [`#${i}: ${JSON.stringify(p)}`];
    });
    expect(mismatches.slice(0, 5)).toEqual([]);
    expect((await history(runId, "loss")).pages).toBe(1);
  });

  it("gives every point of a 2,000-point history to `await` with pages of 500, and one page only to firstPage()", async () => {
    const runId = await newRunId();
    const base = 1_700_000_000_000;
    await client.runs.logBatch(runId, {
      metrics: Array.from({ length: 2000 }, (_, step) => ({ key: "loss", value: 1 / (step + 1), step, timestamp: base + step })),
    });

    const all = await client.metrics.getHistory(runId, "loss", { pageSize: 500 });
    expect(all).toHaveLength(2000);
    expect(all.map((p) => p.step)).toEqual(Array.from({ length: 2000 }, (_, step) => step));
    const first = await client.metrics.getHistory(runId, "loss", { pageSize: 500 }).firstPage();
    expect(first.items).toHaveLength(500);
    expect(first.nextPageToken).toEqual(expect.any(String));
    await expect(client.metrics.getHistory(runId, "loss", { pageSize: 500 }).all({ maxItems: 1999 })).rejects.toMatchObject({ name: "TooManyItemsError" });
  });

  it("keeps the same step logged twice with different values or timestamps, and drops an exact duplicate", async () => {
    const runId = await newRunId();
    const t = 1_700_000_000_000;

    await client.runs.logMetric(runId, "acc", 0.1, { step: 7, timestamp: t });
    await client.runs.logMetric(runId, "acc", 0.1, { step: 7, timestamp: t });
    await client.runs.logMetric(runId, "acc", 0.2, { step: 7, timestamp: t });
    await client.runs.logMetric(runId, "acc", 0.1, { step: 7, timestamp: t + 5 });

    expect((await history(runId, "acc")).points.map((p) => [p.value, p.timestamp])).toEqual([
      [0.1, t],
      [0.2, t],
      [0.1, t + 5],
    ]);
  });
});

describe("sampled histories of several runs (get-history-bulk-interval)", () => {
  let runIds: string[];

  beforeAll(async () => {
    runIds = [await newRunId(), await newRunId()];
    for (const [r, runId] of runIds.entries()) {
      await client.runs.logBatch(runId, {
        metrics: Array.from({ length: 100 }, (_, step) => ({ key: "score", value: r * 1000 + step, step, timestamp: 1_700_000_000_000 + step })),
      });
    }
  });

  it("returns every point of every run when max_results covers them", async () => {
    const points = await client.metrics.getHistoryBulkInterval({ run_ids: runIds, metric_key: "score", max_results: 2500 });
    for (const [r, runId] of runIds.entries()) {
      const mine = points.filter((p) => p.run_id === runId);
      expect(mine.map((p) => [p.step, p.value])).toEqual(Array.from({ length: 100 }, (_, step) => [step, r * 1000 + step]));
    }
    expect(points).toHaveLength(200);
  });

  it("samples inside [start_step, end_step], keeping both ends", async () => {
    const points = await client.metrics.getHistoryBulkInterval({ run_ids: runIds, metric_key: "score", start_step: 10, end_step: 50, max_results: 5 });
    for (const [r, runId] of runIds.entries()) {
      const mine = points.filter((p) => p.run_id === runId);
      const steps = mine.map((p) => p.step);
      expect(steps[0]).toBe(10);
      expect(steps.at(-1)).toBe(50);
      expect(steps.length).toBeGreaterThanOrEqual(2);
      expect(steps.length).toBeLessThanOrEqual(5);
      expect(steps).toEqual([...steps].sort((a, b) => a - b));
      for (const p of mine) expect(p.value).toBe(r * 1000 + p.step);
    }
  });
});
