/**
 * What a kill or a bad disk can leave, and how reading copes: a segment cut at every byte of its last
 * record reads every whole record and reports the torn one; a flipped byte anywhere in a record stops
 * the segment at that record, reported, never misread; a damaged header yields nothing; the cursor
 * goes on with the next segment; a torn or damaged acknowledgement file keeps the acknowledgements
 * before the damage.
 */
import { readFile, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AckLog } from "../../../src/journal/ack-log.js";
import { ACK_FILE, ACK_HEADER_BYTES, ACK_RECORD_BYTES } from "../../../src/journal/format.js";
import { Journal } from "../../../src/journal/journal.js";
import { listSegmentFiles, scanJournal } from "../../../src/journal/scan.js";
import { SegmentReader } from "../../../src/journal/segment-reader.js";
import { columns, readSegment, tempDir, testOptions } from "./helpers.js";

const RUN_ID = "fedcba9876543210fedcba9876543210";

/** A one-segment journal: params, 300 metrics, tags, then 20 metrics last. Returns its file and record boundaries. */
async function sampleSegment(): Promise<{ file: string; bytes: Buffer; starts: number[]; end: number; journal: Journal }> {
  const dir = await tempDir();
  const journal = await Journal.create({ runId: RUN_ID, trackingUri: "http://127.0.0.1:5000", options: testOptions(dir, { segmentBytes: 1024 * 1024 }) });
  journal.appendParams([
    { key: "lr", value: "0.01" },
    { key: "batch", value: "64" },
  ]);
  journal.appendMetrics(columns(300, 4), 0, 300);
  journal.appendTags([{ key: "phase", value: "train" }]);
  journal.appendMetrics(columns(320, 4), 300, 320);
  await journal.commit({ sync: true });
  const [segment] = await listSegmentFiles(journal.path);
  const reader = await SegmentReader.open(segment!.path);
  const starts: number[] = [];
  for (let at = reader.offset, record = await reader.next(); record !== undefined; at = reader.offset, record = await reader.next()) starts.push(at);
  await reader.close();
  return { file: segment!.path, bytes: await readFile(segment!.path), starts, end: reader.offset, journal };
}

/** How many yielded records end before `frameStart`: record i spans from starts[i] to the next start (its keys record, if any, comes first). */
function wholeRecordsBefore(starts: number[], frames: [number, number][], frameStart: number): number {
  let count = 0;
  for (let i = 0; i < starts.length; i++) {
    const recordEnd = i + 1 < starts.length ? starts[i + 1]! : frames.at(-1)![1];
    if (recordEnd <= frameStart) count++;
  }
  return count;
}

describe("torn and corrupt segments", () => {
  it("reads every whole record and reports the torn one, wherever the last record is cut", async () => {
    const { file, bytes, starts, end } = await sampleSegment();
    const last = starts.at(-1)!;
    expect(starts).toHaveLength(4);
    expect(end).toBe(bytes.length);
    for (let cut = last; cut < end; cut++) {
      await writeFile(file, bytes.subarray(0, cut));
      const { records, damage, offset } = await readSegment(file);
      expect(records.map((r) => r.kind)).toEqual(["params", "metrics", "tags"]);
      expect(offset).toBe(last);
      if (cut === last) {
        expect(damage).toBeUndefined(); // the file ends exactly between two records
      } else {
        expect(damage).toMatchObject({ file, offset: last, reason: "truncated" });
      }
    }
  }, 60_000);

  it("reads nothing, and says so, when the cut is inside the segment header", async () => {
    const { file, bytes, starts } = await sampleSegment();
    for (let cut = 0; cut < starts[0]!; cut++) {
      await writeFile(file, bytes.subarray(0, cut));
      const { records, damage } = await readSegment(file);
      expect(records).toEqual([]);
      expect(damage).toMatchObject({ offset: 0, reason: "truncated" });
    }
  });

  it("stops at the record holding a flipped byte, reports its offset, and returns nothing misread", async () => {
    const { file, bytes, starts, end } = await sampleSegment();
    // Every frame, keys records included: [start, end) from the lengths on disk.
    const frames: [number, number][] = [];
    for (let at = starts[0]!; at < end; at += 8 + bytes.readUInt32LE(at + 4)) frames.push([at, at + 8 + bytes.readUInt32LE(at + 4)]);
    expect(frames.length).toBeGreaterThan(starts.length); // a keys record precedes the first metrics
    const kinds = ["params", "metrics", "tags", "metrics"];
    // Every byte of the small frames, every 11th of the large ones (bounded: ~1,600 reads).
    for (const [from, to] of frames) {
      const step = to - from > 1000 ? 11 : 1;
      for (let at = from; at < to; at += step) {
        const damaged = Buffer.from(bytes);
        damaged[at] = damaged[at]! ^ 0x10;
        await writeFile(file, damaged);
        const { records, damage } = await readSegment(file);
        expect(damage?.offset).toBe(from);
        expect(["checksum", "truncated", "bad-record"]).toContain(damage?.reason);
        expect(records.map((r) => r.kind)).toEqual(kinds.slice(0, wholeRecordsBefore(starts, frames, from)));
      }
    }
  }, 60_000);

  it("reads no record from a segment whose header is damaged, and reports bad-header", async () => {
    const { file, bytes, starts } = await sampleSegment();
    for (const at of [0, 8, 12, 20, starts[0]! - 1]) {
      const damaged = Buffer.from(bytes);
      damaged[at] = damaged[at]! ^ 0x01;
      await writeFile(file, damaged);
      const { records, damage } = await readSegment(file);
      expect(records).toEqual([]);
      expect(damage).toMatchObject({ offset: 0 });
      expect(["bad-header", "truncated"]).toContain(damage?.reason);
    }
  });

  it("goes on with the next segment after a damaged one, reporting the damage, in the cursor and the scan", async () => {
    const dir = await tempDir();
    const journal = await Journal.create({ runId: RUN_ID, trackingUri: "http://127.0.0.1:5000", options: testOptions(dir, { segmentBytes: 64 * 1024 }) });
    const cols = columns(9000, 3);
    for (let start = 0; start < 9000; start += 500) journal.appendMetrics(cols, start, start + 500);
    await journal.commit({ sync: true });
    const files = await listSegmentFiles(journal.path);
    expect(files.length).toBeGreaterThanOrEqual(3);
    const victim = files[1]!.path;
    const bytes = await readFile(victim);
    bytes[bytes.length - 100] = bytes[bytes.length - 100]! ^ 0xff; // inside its last record
    await writeFile(victim, bytes);

    const cursor = journal.cursor();
    const steps: number[] = [];
    for (let record = await cursor.next(); record !== undefined; record = await cursor.next()) if (record.kind === "metrics") steps.push(...record.steps);
    await cursor.close();
    expect(cursor.damage).toEqual([expect.objectContaining({ file: victim, reason: "checksum" })]);
    const lost = 9000 - steps.length;
    expect(lost).toBe(500); // exactly the damaged record
    expect(new Set(steps).size).toBe(steps.length);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));

    const { log } = await AckLog.load(journal.path);
    const scan = await scanJournal(journal.path, log.acked);
    expect(scan.damage).toEqual([expect.objectContaining({ file: victim, reason: "checksum" })]);
    expect(scan.pending.metric).toBe(8500);
    await journal.remove();
  });

  it("keeps the acknowledgements before a torn or damaged acknowledgement record, and reports it", async () => {
    const { journal } = await sampleSegment();
    for (let i = 0; i < 10; i++) journal.acknowledge("metric", i * 10, i * 10 + 5);
    await journal.commit({ sync: true });
    const file = join(journal.path, ACK_FILE);
    const bytes = await readFile(file);
    expect(bytes.length).toBe(ACK_HEADER_BYTES + 10 * ACK_RECORD_BYTES);

    await truncate(file, bytes.length - 3);
    const torn = await AckLog.load(journal.path);
    expect([...torn.log.acked.metric.ranges()]).toHaveLength(9);
    expect(torn.damage).toMatchObject({ reason: "truncated", offset: ACK_HEADER_BYTES + 9 * ACK_RECORD_BYTES });

    const flipped = Buffer.from(bytes);
    const at = ACK_HEADER_BYTES + 4 * ACK_RECORD_BYTES + 10;
    flipped[at] = flipped[at]! ^ 0x04;
    await writeFile(file, flipped);
    const damaged = await AckLog.load(journal.path);
    expect([...damaged.log.acked.metric.ranges()]).toEqual([
      [0, 5],
      [10, 15],
      [20, 25],
      [30, 35],
    ]);
    expect(damaged.damage).toMatchObject({ reason: "checksum", offset: ACK_HEADER_BYTES + 4 * ACK_RECORD_BYTES });

    // Appending after damage overwrites it: the file reads back whole.
    damaged.log.add("metric", 100, 200);
    await damaged.log.flush({ sync: true });
    await damaged.log.close();
    const repaired = await AckLog.load(journal.path);
    expect(repaired.damage).toBeUndefined();
    expect([...repaired.log.acked.metric.ranges()]).toEqual([
      [0, 5],
      [10, 15],
      [20, 25],
      [30, 35],
      [100, 200],
    ]);
    await journal.remove();
  });
});
