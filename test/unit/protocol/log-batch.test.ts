/**
 * log-batch splitting: every server limit (1000 metrics, 100 params, 100 tags, 1000 entities, about
 * 1 MB of JSON) is respected, order is kept within each kind, and logBatch sends the chunks in order.
 */
import { describe, expect, it } from "vitest";
import { toWireJson } from "../../../src/core/wire.js";
import {
  type BatchEntities,
  keyValueBytes,
  MAX_BATCH_BYTES,
  MAX_ENTITIES_PER_BATCH,
  MAX_METRICS_PER_BATCH,
  MAX_PARAMS_PER_BATCH,
  MAX_TAGS_PER_BATCH,
  metricBytes,
  splitBatch,
} from "../../../src/protocol/log-batch.js";
import { API, RUN_ID, record, testClient, useMockServer } from "../helpers/mock-server.js";

const server = useMockServer();

const metrics = (n: number, key = "m") => Array.from({ length: n }, (_, i) => ({ key, value: i, timestamp: 1_700_000_000_000 + i, step: i }));
const keyValues = (n: number, prefix: string, value = "v") => Array.from({ length: n }, (_, i) => ({ key: `${prefix}${i}`, value }));

function sizes(batches: BatchEntities[]): [number, number, number][] {
  return batches.map((b) => [b.metrics.length, b.params.length, b.tags.length]);
}

/** Every batch within every limit, and nothing lost or reordered. */
function expectWithinLimits(input: BatchEntities, batches: BatchEntities[]): void {
  for (const batch of batches) {
    expect(batch.metrics.length).toBeLessThanOrEqual(MAX_METRICS_PER_BATCH);
    expect(batch.params.length).toBeLessThanOrEqual(MAX_PARAMS_PER_BATCH);
    expect(batch.tags.length).toBeLessThanOrEqual(MAX_TAGS_PER_BATCH);
    expect(batch.metrics.length + batch.params.length + batch.tags.length).toBeLessThanOrEqual(MAX_ENTITIES_PER_BATCH);
    expect(Buffer.byteLength(toWireJson({ run_id: RUN_ID, ...batch }))).toBeLessThanOrEqual(MAX_BATCH_BYTES + 100);
  }
  expect(batches.flatMap((b) => b.metrics)).toEqual(input.metrics);
  expect(batches.flatMap((b) => b.params)).toEqual(input.params);
  expect(batches.flatMap((b) => b.tags)).toEqual(input.tags);
}

describe("splitBatch", () => {
  it("splits metrics at 1000", () => {
    const input = { metrics: metrics(2500), params: [], tags: [] };
    const batches = splitBatch(input);
    expect(sizes(batches)).toEqual([
      [1000, 0, 0],
      [1000, 0, 0],
      [500, 0, 0],
    ]);
    expectWithinLimits(input, batches);
  });

  it("splits params at 100 and tags at 100", () => {
    const input = { metrics: [], params: keyValues(250, "p"), tags: keyValues(150, "t") };
    const batches = splitBatch(input);
    expect(sizes(batches)).toEqual([
      [0, 100, 0],
      [0, 100, 0],
      [0, 50, 100],
      [0, 0, 50],
    ]);
    expectWithinLimits(input, batches);
  });

  it("keeps at most 1000 entities per batch, topping params and tags up with metrics", () => {
    const input = { metrics: metrics(1000), params: keyValues(100, "p"), tags: keyValues(100, "t") };
    const batches = splitBatch(input);
    expect(sizes(batches)).toEqual([
      [800, 100, 100],
      [200, 0, 0],
    ]);
    expectWithinLimits(input, batches);
  });

  it("splits on bytes when values are long (escapes counted)", () => {
    const input = { metrics: [], params: keyValues(100, "p", '"'.repeat(6000)), tags: [] };
    const batches = splitBatch(input);
    expect(batches.length).toBe(2);
    expectWithinLimits(input, batches);
    expect(keyValueBytes({ key: "k", value: '"' })).toBe(32 + 3 + 4);
  });

  it("counts the optional metric fields in its size estimate", () => {
    const plain = { key: "m", value: 1, timestamp: 1, step: 0 };
    expect(metricBytes({ ...plain, model_id: "m-1", dataset_name: "d", dataset_digest: "x" })).toBeGreaterThan(metricBytes(plain) + 3 * 20);
    const heavy = Array.from({ length: 2000 }, (_, i) => ({
      ...plain,
      key: "k".repeat(250),
      step: i,
      dataset_name: "d".repeat(500),
      dataset_digest: "x".repeat(36),
      model_id: `m-${"0".repeat(32)}`,
    }));
    const input = { metrics: heavy, params: [], tags: [] };
    const batches = splitBatch(input);
    expect(batches.length).toBeGreaterThan(2);
    expectWithinLimits(input, batches);
  });

  it("returns no batch for nothing", () => {
    expect(splitBatch({ metrics: [], params: [], tags: [] })).toEqual([]);
  });
});

describe("runs.logBatch", () => {
  it("sends the chunks one after another, in order", async () => {
    const seen = record(server, "post", `${API}/runs/log-batch`);
    const input = { metrics: metrics(2300), params: keyValues(120, "p"), tags: keyValues(30, "t") };
    await testClient().runs.logBatch(RUN_ID, input);

    const bodies = seen.map((r) => r.body as { run_id: string } & BatchEntities);
    expect(bodies.map((b) => [b.metrics.length, b.params.length, b.tags.length])).toEqual([
      [0, 100, 0],
      [950, 20, 30],
      [1000, 0, 0],
      [350, 0, 0],
    ]);
    expect(bodies.every((b) => b.run_id === RUN_ID)).toBe(true);
    expect(bodies.flatMap((b) => b.metrics)).toEqual(input.metrics);
    expect(bodies.flatMap((b) => b.params)).toEqual(input.params);
    expect(bodies.flatMap((b) => b.tags)).toEqual(input.tags);
  });

  it("sends nothing for an empty batch", async () => {
    const seen = record(server, "post", `${API}/runs/log-batch`);
    await testClient().runs.logBatch(RUN_ID, {});
    expect(seen).toHaveLength(0);
  });

  it("stops at the first failed chunk and reports it", async () => {
    const seen = record(server, "post", `${API}/runs/log-batch`, (_req, n) =>
      n === 2 ? new Response('{"error_code":"INVALID_PARAMETER_VALUE","message":"bad"}', { status: 400 }) : {},
    );
    await expect(testClient().runs.logBatch(RUN_ID, { metrics: metrics(3000) })).rejects.toMatchObject({ name: "InvalidParameterError" });
    expect(seen).toHaveLength(2);
  });
});
