/**
 * Every record kind written by the journal reads back exactly: metric values bit for bit (NaN,
 * ±Infinity, -0, subnormals), timestamps and steps over the whole safe-integer range and beyond,
 * keys and values in any script, params and tags in order, the end status, artifacts; and the
 * checksum's portable fallback equals Node's built-in CRC-32.
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import * as zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import { crc32, crc32Portable } from "../../../src/journal/checksum.js";
import { MODEL_FOLDER, readInt64, writeInt64 } from "../../../src/journal/format.js";
import { Journal } from "../../../src/journal/journal.js";
import { SegmentReader } from "../../../src/journal/segment-reader.js";
import { columns, readFolder, tempDir, testOptions } from "./helpers.js";

const RUN_ID = "0123456789abcdef0123456789abcdef";

async function openJournal(): Promise<Journal> {
  const dir = await tempDir();
  return Journal.create({ runId: RUN_ID, trackingUri: "http://127.0.0.1:5000", options: testOptions(dir) });
}

function bits(value: number): string {
  return Buffer.from(new Float64Array([value]).buffer).toString("hex");
}

describe("journal records", () => {
  it("round-trips metric values bit for bit, including NaN, ±Infinity, -0 and subnormals", async () => {
    const journal = await openJournal();
    const special = [
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      -0,
      0,
      Number.MIN_VALUE,
      -Number.MIN_VALUE,
      Number.MAX_VALUE,
      -Number.MAX_VALUE,
      Number.EPSILON,
      0.1,
      -123.456,
      2 ** -1074 * 3,
    ];
    const cols = columns(special.length, 3, (i) => special[i]!);
    journal.appendMetrics(cols, 0, special.length);
    await journal.commit();
    const { records, damage } = await readFolder(journal.path);
    expect(damage).toEqual([]);
    const metrics = records.filter((r) => r.kind === "metrics");
    expect(metrics).toHaveLength(1);
    const read = metrics[0]!;
    expect([...read.values].map(bits)).toEqual(special.map(bits));
    expect(Object.is(read.values[3], -0)).toBe(true);
    expect(read.keys).toEqual(Array.from(cols.keys));
    await journal.remove();
  });

  it("round-trips timestamps and steps exactly over the safe-integer range, negative steps and int64-sized powers of two", async () => {
    const journal = await openJournal();
    const positions = [
      0,
      1,
      -1,
      2 ** 31 - 1,
      -(2 ** 31),
      2 ** 32,
      2 ** 32 + 1,
      -(2 ** 32) - 1,
      Number.MAX_SAFE_INTEGER,
      Number.MIN_SAFE_INTEGER,
      2 ** 53 - 2,
      2 ** 62,
      -(2 ** 63),
      1_700_000_000_123,
    ];
    const cols = {
      keys: positions.map(() => "loss"),
      values: new Float64Array(positions.length),
      timestamps: Float64Array.from(positions, (p) => Math.min(Math.abs(p), 2 ** 62)),
      steps: Float64Array.from(positions),
    };
    journal.appendMetrics(cols, 0, positions.length);
    await journal.commit();
    const [record] = (await readFolder(journal.path)).records;
    expect(record?.kind).toBe("metrics");
    if (record?.kind !== "metrics") return;
    expect([...record.steps]).toEqual(positions);
    expect([...record.timestamps]).toEqual(positions.map((p) => Math.min(Math.abs(p), 2 ** 62)));
    await journal.remove();
  });

  it("writes int64 as two's complement little-endian, as any other reader of the format expects", () => {
    const view = new DataView(new ArrayBuffer(8));
    for (const value of [-1, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 2 ** 62, -(2 ** 63)]) {
      writeInt64(view, 0, value);
      expect(view.getBigInt64(0, true)).toBe(BigInt(value));
      expect(readInt64(view, 0)).toBe(value);
    }
  });

  it("keeps points of one group apart, in order, with their sequence numbers, across key tables of several segments", async () => {
    const dir = await tempDir();
    const journal = await Journal.create({ runId: RUN_ID, trackingUri: "http://127.0.0.1:5000", options: testOptions(dir, { segmentBytes: 64 * 1024 }) });
    const cols = columns(10_000, 37);
    for (let start = 0; start < 10_000; start += 1000) expect(journal.appendMetrics(cols, start, start + 1000)).toBe(start);
    await journal.commit();
    const { records, damage } = await readFolder(journal.path);
    expect(damage).toEqual([]);
    expect(journal.stats().segments).toBeGreaterThan(3);
    const steps = records.flatMap((r) => (r.kind === "metrics" ? [...r.steps] : []));
    const keys = records.flatMap((r) => (r.kind === "metrics" ? r.keys : []));
    expect(steps).toEqual(Array.from({ length: 10_000 }, (_, i) => i));
    expect(keys).toEqual(Array.from(cols.keys));
    expect(records.map((r) => r.firstSeq)).toEqual(Array.from({ length: 10 }, (_, i) => i * 1000));
    await journal.remove();
  });

  it("splits one long append into records the reader accepts, numbered on", async () => {
    const dir = await tempDir();
    const journal = await Journal.create({
      runId: RUN_ID,
      trackingUri: "http://127.0.0.1:5000",
      options: testOptions(dir, { segmentBytes: 64 * 1024 * 1024 }),
    });
    const cols = columns(100_000, 11);
    expect(journal.appendMetrics(cols, 0, 100_000)).toBe(0);
    const params = Array.from({ length: 2500 }, (_, i) => ({ key: `p${i}`, value: String(i) }));
    expect(journal.appendParams(params)).toBe(0);
    expect(journal.appendMetrics(cols, 0, 1)).toBe(100_000);
    await journal.commit();
    const { records, damage } = await readFolder(journal.path);
    expect(damage).toEqual([]);
    expect(records.map((r) => [r.kind, r.firstSeq, r.count])).toEqual([
      ["metrics", 0, 32_768],
      ["metrics", 32_768, 32_768],
      ["metrics", 65_536, 32_768],
      ["metrics", 98_304, 1696],
      ["params", 0, 1000],
      ["params", 1000, 1000],
      ["params", 2000, 500],
      ["metrics", 100_000, 1],
    ]);
    expect(records.flatMap((r) => (r.kind === "metrics" ? [...r.steps] : []))).toEqual([...Array.from({ length: 100_000 }, (_, i) => i), 0]);
    await journal.remove();
  });

  it("round-trips params, tag writes in order (the same key twice), the end status and an artifact", async () => {
    const journal = await openJournal();
    const params = [
      { key: "lr", value: "0.001" },
      { key: "layers", value: "3" },
      { key: "ключ/名前 ✓", value: "x".repeat(6000) },
      { key: "empty", value: "" },
    ];
    const tags = [
      { key: "phase", value: "warmup" },
      { key: "phase", value: "train" },
      { key: "emoji", value: "🚀 done" },
    ];
    const artifact = {
      localPath: "/data/ckpt/model.onnx",
      artifactPath: "model",
      sizeBytes: 2 ** 40 + 7,
      mtimeMs: 1_700_000_000_123.456,
      sha256: "ab".repeat(32),
    };
    expect(journal.appendParams(params)).toBe(0);
    expect(journal.appendTags(tags, 0, 2)).toBe(0);
    expect(journal.appendTags(tags, 2, 3)).toBe(2);
    expect(journal.appendArtifact(artifact)).toBe(0);
    expect(journal.appendEnd("KILLED", 1_700_000_999_000)).toBe(1);
    await journal.commit({ sync: true });
    const { records, damage } = await readFolder(journal.path);
    expect(damage).toEqual([]);
    expect(records.map((r) => [r.kind, r.firstSeq, r.count])).toEqual([
      ["params", 0, 4],
      ["tags", 0, 2],
      ["tags", 2, 1],
      ["artifact", 0, 1],
      ["end", 1, 1],
    ]);
    expect(records[0]).toMatchObject({ entries: params });
    expect([...(records[1] as { entries: unknown[] }).entries, ...(records[2] as { entries: unknown[] }).entries]).toEqual(tags);
    expect(records[3]).toMatchObject({ artifact });
    expect(records[4]).toMatchObject({ status: "KILLED", endTimeMs: 1_700_000_999_000 });
    await journal.remove();
  });

  it("round-trips a model being logged, to a logged model and to the run's artifacts, in a format-4 segment", async () => {
    const journal = await openJournal();
    const folder = await journal.modelFolder();
    expect(folder?.startsWith(join(journal.path, MODEL_FOLDER, "m-"))).toBe(true);
    const files = [
      { localPath: "MLmodel", artifactPath: "", sizeBytes: 412, mtimeMs: 1_700_000_000_123.456, sha256: "cd".repeat(32) },
      { localPath: "files/weights ✓.bin", artifactPath: "files", sizeBytes: 2 ** 33, mtimeMs: 1_700_000_000_124, sha256: "ef".repeat(32) },
    ];
    const logged = { target: { kind: "logged-model", modelId: "m-0123" } as const, folder: "models/m-a", files };
    const history = {
      artifact_path: "clf",
      flavors: { files: { data: "files" } },
      model_uuid: "0f0f",
      run_id: RUN_ID,
      utc_time_created: "2026-12-07 05:00:00.000000",
    };
    const asRunArtifacts = { target: { kind: "run-artifacts", runId: RUN_ID, name: "clf", history } as const, folder: "models/m-b", files: [] };
    expect(journal.appendModel(logged, 100)).toEqual({ appended: true, seq: 0 });
    expect(journal.appendModel(asRunArtifacts, 0)).toEqual({ appended: true, seq: 1 });
    await journal.commit({ sync: true });
    const reader = await SegmentReader.open(join(journal.path, "00000000.seg"));
    expect(reader.header?.version).toBe(4);
    await reader.close();
    const { records, damage } = await readFolder(journal.path);
    expect(damage).toEqual([]);
    expect(records).toMatchObject([
      { kind: "model", stream: "control", firstSeq: 0, count: 1, model: logged },
      { kind: "model", stream: "control", firstSeq: 1, count: 1, model: asRunArtifacts },
    ]);
    await journal.remove();
  });

  it("refuses a model whose folder would take the journal's blobs (and models not yet acknowledged) above their disk bound, and one with a malformed sha256", async () => {
    const journal = await Journal.create({
      runId: RUN_ID,
      trackingUri: "http://127.0.0.1:5000",
      options: testOptions(await tempDir()),
      blobLimits: { maxBlobBytes: 100, maxJournalBlobBytes: 150 },
    });
    expect(await journal.appendBlob(Buffer.alloc(100), "a.bin")).toMatchObject({ appended: true });
    const model = { target: { kind: "logged-model", modelId: "m-1" } as const, folder: "models/m-x", files: [] };
    expect(journal.appendModel(model, 51)).toEqual({ appended: false, reason: "disk-cap" });
    const first = journal.appendModel(model, 50);
    expect(first).toMatchObject({ appended: true });
    // The first model's folder counts until it is acknowledged: a second one does not fit beside it.
    expect(journal.appendModel(model, 1)).toEqual({ appended: false, reason: "disk-cap" });
    if (first.appended) journal.acknowledge("control", first.seq, first.seq + 1);
    expect(journal.appendModel(model, 50)).toMatchObject({ appended: true });
    const bad = { ...model, files: [{ localPath: "MLmodel", artifactPath: "", sizeBytes: 1, mtimeMs: 1, sha256: "abc" }] };
    expect(() => journal.appendModel(bad, 1)).toThrow(/64 lowercase hex digits.*Fix: use describeArtifact/);
    await journal.remove();
  });

  it("refuses an artifact whose sha256 is not 64 hex digits, naming the fix", async () => {
    const journal = await openJournal();
    expect(() => journal.appendArtifact({ localPath: "/x", artifactPath: "", sizeBytes: 1, mtimeMs: 1, sha256: "abc" })).toThrow(
      /64 lowercase hex digits.*Fix: use describeArtifact/,
    );
    await journal.remove();
  });

  it("computes the same CRC-32 with the portable fallback as with zlib's built-in", () => {
    expect(crc32(Buffer.from("123456789"))).toBe(0xcbf43926);
    expect(crc32Portable(Buffer.from("123456789"))).toBe(0xcbf43926);
    for (const size of [0, 1, 7, 64, 1000, 65_537]) {
      const data = randomBytes(size);
      expect(crc32Portable(data)).toBe(crc32(data));
      expect(crc32Portable(data.subarray(size >> 1), crc32Portable(data.subarray(0, size >> 1)))).toBe(crc32(data));
    }
    expect(typeof (zlib as { crc32?: unknown }).crc32).toBe("function");
  });
});
