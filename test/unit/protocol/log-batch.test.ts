/**
 * log-batch packing: every server limit (1000 metrics, 100 params, 100 tags, 1000 entities, about
 * 1 MB of JSON) is respected, exactly at the limits too; the byte estimate is never below the real
 * JSON; order is kept within each kind; and logBatch sends the chunks in order.
 */
import { describe, expect, it } from "vitest";
import { toWireJson } from "../../../src/core/wire.js";
import {
  type BatchEntities,
  keyValueBytes,
  LOG_BATCH_ENVELOPE_BYTES,
  MAX_BATCH_BYTES,
  MAX_ENTITIES_PER_BATCH,
  MAX_METRICS_PER_BATCH,
  MAX_PARAMS_PER_BATCH,
  MAX_TAGS_PER_BATCH,
  metricBytes,
  metricLinkBytes,
  splitBatch,
} from "../../../src/protocol/log-batch.js";
import { MAX_PARAM_VALUE_LENGTH } from "../../../src/protocol/validation.js";
import { API, RUN_ID, record, testClient, useMockServer } from "../helpers/mock-server.js";

const server = useMockServer();

const metrics = (n: number, key = "m") => Array.from({ length: n }, (_, i) => ({ key, value: i, timestamp: 1_700_000_000_000 + i, step: i }));
const keyValues = (n: number, prefix: string, value = "v") => Array.from({ length: n }, (_, i) => ({ key: `${prefix}${i}`, value }));

/** What the packer counted for a batch: the envelope and every entity's estimate. */
function estimatedBytes(batch: BatchEntities): number {
  const metrics = batch.metrics.reduce((sum, m) => sum + metricBytes(m.key, metricLinkBytes(m)), 0);
  const keyValues = [...batch.params, ...batch.tags].reduce((sum, kv) => sum + keyValueBytes(kv), 0);
  return LOG_BATCH_ENVELOPE_BYTES + metrics + keyValues;
}

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
    const entities = batch.metrics.length + batch.params.length + batch.tags.length;
    const actualBytes = Buffer.byteLength(toWireJson({ run_id: RUN_ID, ...batch }));
    if (entities > 1) expect(actualBytes).toBeLessThanOrEqual(MAX_BATCH_BYTES);
    expect(actualBytes).toBeLessThanOrEqual(estimatedBytes(batch));
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

  it("puts exactly 1000 metrics in one request and the 1001st in a second", () => {
    expect(sizes(splitBatch({ metrics: metrics(1000), params: [], tags: [] }))).toEqual([[1000, 0, 0]]);
    const input = { metrics: metrics(1001), params: [], tags: [] };
    const batches = splitBatch(input);
    expect(sizes(batches)).toEqual([
      [1000, 0, 0],
      [1, 0, 0],
    ]);
    expectWithinLimits(input, batches);
  });

  it("puts exactly 100 params or 100 tags in one request and the 101st in a second", () => {
    expect(sizes(splitBatch({ metrics: [], params: keyValues(100, "p"), tags: keyValues(100, "t") }))).toEqual([[0, 100, 100]]);
    expect(sizes(splitBatch({ metrics: [], params: keyValues(101, "p"), tags: [] }))).toEqual([
      [0, 100, 0],
      [0, 1, 0],
    ]);
    expect(sizes(splitBatch({ metrics: [], params: [], tags: keyValues(101, "t") }))).toEqual([
      [0, 0, 100],
      [0, 0, 1],
    ]);
  });

  it("splits params at 100 and tags at 100, pairing them request by request as the Python client does", () => {
    const input = { metrics: [], params: keyValues(250, "p"), tags: keyValues(150, "t") };
    const batches = splitBatch(input);
    expect(sizes(batches)).toEqual([
      [0, 100, 100],
      [0, 100, 50],
      [0, 50, 0],
    ]);
    expectWithinLimits(input, batches);
  });

  it("keeps 100 params at the maximum value length in one request", () => {
    const input = { metrics: [], params: keyValues(100, "p", "v".repeat(MAX_PARAM_VALUE_LENGTH)), tags: [] };
    const batches = splitBatch(input);
    expect(sizes(batches)).toEqual([[0, 100, 0]]);
    expectWithinLimits(input, batches);
  });

  it("fills a request up to the byte limit exactly, and moves one byte more to the next", () => {
    // 100 params of 6000 characters and 100 tags sized so that the estimate is exactly MAX_BATCH_BYTES.
    const params = keyValues(100, "p", "v".repeat(MAX_PARAM_VALUE_LENGTH));
    const tags = keyValues(100, "t", "");
    const fixed = LOG_BATCH_ENVELOPE_BYTES + [...params, ...tags].reduce((sum, kv) => sum + keyValueBytes(kv), 0);
    const perTag = Math.floor((MAX_BATCH_BYTES - fixed) / 100);
    for (const tag of tags) tag.value = "w".repeat(perTag);
    tags[99]!.value = "w".repeat(perTag + (MAX_BATCH_BYTES - fixed - perTag * 100));
    const atLimit = { metrics: [], params, tags };
    expect(estimatedBytes(atLimit)).toBe(MAX_BATCH_BYTES);
    expect(sizes(splitBatch(atLimit))).toEqual([[0, 100, 100]]);
    expectWithinLimits(atLimit, splitBatch(atLimit));

    const overLimit = { metrics: [], params, tags: tags.map((tag, i) => (i === 99 ? { ...tag, value: `${tag.value}w` } : tag)) };
    const batches = splitBatch(overLimit);
    expect(sizes(batches)).toEqual([
      [0, 100, 99],
      [0, 0, 1],
    ]);
    expectWithinLimits(overLimit, batches);
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
    expect(keyValueBytes({ key: "k", value: '"' })).toBe(18 + 5 + 4);
  });

  it("counts the optional metric fields in its size estimate", () => {
    const plain = { key: "m", value: 1, timestamp: 1, step: 0 };
    const linked = { ...plain, model_id: "m-1", dataset_name: "d", dataset_digest: "x" };
    expect(metricLinkBytes(linked)).toBe(Buffer.byteLength(',"model_id":"m-1","dataset_name":"d","dataset_digest":"x"'));
    expect(metricBytes(linked.key, metricLinkBytes(linked))).toBe(metricBytes(plain.key) + metricLinkBytes(linked));
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

  it("never estimates a metric below its real JSON, whatever its value, timestamp and step", () => {
    const extremes = [-0.0000012345678901234567, -1.7976931348623157e308, Number.NaN, Number.NEGATIVE_INFINITY, -5e-324];
    for (const value of extremes) {
      const metric = { key: "k".repeat(250), value, timestamp: -Number.MAX_SAFE_INTEGER, step: -Number.MAX_SAFE_INTEGER };
      expect(Buffer.byteLength(`${toWireJson(metric)},`)).toBeLessThanOrEqual(metricBytes(metric.key));
    }
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
      [870, 100, 30],
      [980, 20, 0],
      [450, 0, 0],
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
