/**
 * Metric links in the journal (segment format 2, docs/journal.md "Record format"): a point's logged
 * model and dataset survive a round trip, interned per segment (re-declared after a rotation), a
 * record without links keeps format 1's layout, and a segment written by format 1 (a fixture made
 * with the writer before links existed) still reads back exactly.
 */
import { copyFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { MetricColumns, MetricLinkEntry } from "../../../src/journal/entries.js";
import { Journal } from "../../../src/journal/index.js";
import { columns, readFolder, readSegment, tempDir, testOptions } from "./helpers.js";

const RUN = "0123456789abcdef0123456789abcdef";
const MODEL: MetricLinkEntry = { model_id: "m-1" };
const EVAL: MetricLinkEntry = { model_id: "m-1", dataset_name: "eval", dataset_digest: "abc123" };
const DATASET_ONLY: MetricLinkEntry = { dataset_name: "train", dataset_digest: "d0" };

/** `count` points whose link cycles through none, MODEL, EVAL, DATASET_ONLY (as the logger's chunks hold them: indexes into a table). */
function linkedColumns(count: number): MetricColumns {
  return { ...columns(count), links: Uint32Array.from({ length: count }, (_, i) => i % 4), linkTable: [{}, MODEL, EVAL, DATASET_ONLY] };
}

function expectedLink(i: number): MetricLinkEntry | undefined {
  return [undefined, MODEL, EVAL, DATASET_ONLY][i % 4];
}

describe("metric links in the journal", () => {
  it("round-trip per point (model, model and dataset, dataset alone, none), also across segments", async () => {
    const dir = await tempDir();
    // Small segments: the links are declared again in each new segment.
    const journal = await Journal.create({ runId: RUN, trackingUri: "http://mlflow.test:5000", options: testOptions(dir, { segmentBytes: 64 * 1024 }) });
    const points = linkedColumns(6000);
    for (let from = 0; from < 6000; from += 1000) journal.appendMetrics(points, from, from + 1000);
    await journal.commit();
    expect(journal.stats().segments).toBeGreaterThan(1);

    const { records, damage } = await readFolder(journal.path);
    expect(damage).toEqual([]);
    const links = records.flatMap((record) => (record.kind === "metrics" ? (record.links ?? []) : []));
    expect(links).toHaveLength(6000);
    links.forEach((link, i) => {
      if (expectedLink(i) === undefined) expect(link).toBeUndefined();
      else expect(link).toMatchObject({ ...expectedLink(i) });
    });
    await journal.close();
  });

  it("leave a record without links in format 1's layout (no link column, no links field)", async () => {
    const dir = await tempDir();
    const journal = await Journal.create({ runId: RUN, trackingUri: "http://mlflow.test:5000", options: testOptions(dir) });
    const unlinked = { ...columns(100), links: new Uint32Array(100), linkTable: [{}] };
    journal.appendMetrics(unlinked, 0, 100);
    const plain = await journal.commit();
    expect(plain.durable.metric).toBe(100);
    const { records } = await readFolder(journal.path);
    expect(records).toHaveLength(1);
    expect(records[0]).not.toHaveProperty("links");
    // 28 bytes a point, as in format 1: header, frame and one keys record aside.
    expect(journal.stats().bytes).toBeLessThan(100 * 28 + 400);
    await journal.close();
  });

  it("read a segment written by format 1 (before links) exactly: values, steps, timestamps, params, tags, end", async () => {
    const dir = await tempDir();
    await mkdir(join(dir, "old"));
    const segment = join(dir, "old", "00000000.seg");
    await copyFile(join(import.meta.dirname, "fixtures", "format-v1.seg"), segment);
    const { records, damage } = await readSegment(segment);
    expect(damage).toBeUndefined();
    expect(records.map((record) => record.kind)).toEqual(["metrics", "params", "tags", "end"]);
    const metrics = records[0]!;
    if (metrics.kind !== "metrics") throw new Error("expected metrics");
    expect(metrics.keys).toEqual(["loss", "acc", "loss"]);
    expect([...metrics.values]).toEqual([0.5, Number.NaN, -0]);
    expect(Object.is(metrics.values[2], -0)).toBe(true);
    expect([...metrics.timestamps]).toEqual([1_700_000_000_000, 1_700_000_000_001, 1_700_000_000_002]);
    expect([...metrics.steps]).toEqual([0, 1, 2]);
    expect(metrics.links).toBeUndefined();
    expect(records.slice(1)).toMatchObject([
      { kind: "params", entries: [{ key: "lr", value: "0.01" }] },
      { kind: "tags", entries: [{ key: "phase", value: "train" }] },
      { kind: "end", status: "FINISHED", endTimeMs: 1_700_000_000_100 },
    ]);
  });
});
