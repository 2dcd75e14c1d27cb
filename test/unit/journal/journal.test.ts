/**
 * The journal as the batcher will drive it: group commits on their own (interval and size), counters
 * of appended / durable / synced / acknowledged entries, acknowledgements by sequence range in any
 * order, segments deleted once all their entries are acknowledged (oldest first), the cursor reading
 * unacknowledged entries back and resuming as the writer commits more, and close() keeping the
 * folder only while something is unacknowledged.
 */
import { readdir, rename, stat } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AckLog } from "../../../src/journal/ack-log.js";
import { Journal } from "../../../src/journal/journal.js";
import { listSegmentFiles } from "../../../src/journal/scan.js";
import { columns, tempDir, testOptions } from "./helpers.js";

const RUN_ID = "a11ce0000000000000000000000000aa";

async function create(overrides: Parameters<typeof testOptions>[1] = {}): Promise<Journal> {
  const dir = await tempDir();
  return Journal.create({ runId: RUN_ID, trackingUri: "http://127.0.0.1:5000", options: testOptions(dir, overrides) });
}

/** Polls `condition` every 10 ms, up to 500 times. */
async function eventually(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(condition()).toBe(true);
}

async function readAllSteps(journal: Journal): Promise<number[]> {
  const cursor = journal.cursor();
  const steps: number[] = [];
  for (let r = await cursor.next(); r !== undefined; r = await cursor.next()) if (r.kind === "metrics") steps.push(...r.steps);
  await cursor.close();
  return steps;
}

describe("journal", () => {
  it("commits on its own on the interval, without a commit() call", async () => {
    const journal = await create({ commitIntervalMs: 20 });
    journal.appendMetrics(columns(100), 0, 100);
    expect(journal.stats().durable.metric).toBe(0);
    await eventually(() => journal.stats().synced.metric === 100); // syncIntervalMs 0: every commit is synced
    expect(journal.stats().durable.metric).toBe(100);
    await journal.remove();
  });

  it("commits as soon as the pending group reaches commitBytes", async () => {
    const journal = await create({ commitIntervalMs: 60_000, commitBytes: 64 * 1024, segmentBytes: 1024 * 1024 });
    journal.appendMetrics(columns(1000), 0, 1000); // 28 kB: below the threshold
    await new Promise((resolve) => setImmediate(resolve));
    expect(journal.stats().pendingBytes).toBeGreaterThan(28_000);
    journal.appendMetrics(columns(3000), 1000, 3000); // 84 kB: past 64 kB
    await eventually(() => journal.stats().durable.metric === 3000);
    await journal.remove();
  });

  it("syncs at most every syncIntervalMs when set, and always on commit({ sync: true })", async () => {
    const journal = await create({ syncIntervalMs: 600_000 });
    journal.appendMetrics(columns(10), 0, 10);
    await journal.commit(); // the first commit after creation is within the interval: written, not synced
    expect(journal.stats()).toMatchObject({ durable: { metric: 10 }, synced: { metric: 0 } });
    await journal.commit({ sync: true });
    expect(journal.stats().synced.metric).toBe(10);
    await journal.remove();
  });

  it("numbers entries per stream from 0, as the logger's buffers do", async () => {
    const journal = await create();
    expect(journal.appendMetrics(columns(5), 0, 5)).toBe(0);
    expect(journal.appendMetrics(columns(5), 0, 3)).toBe(5);
    expect(
      journal.appendParams([
        { key: "a", value: "1" },
        { key: "b", value: "2" },
      ]),
    ).toBe(0);
    expect(journal.appendParams([{ key: "c", value: "3" }])).toBe(2);
    expect(journal.appendTags([{ key: "t", value: "1" }])).toBe(0);
    expect(journal.appendEnd("FINISHED", 1)).toBe(0);
    expect(journal.stats().appended).toEqual({ metric: 8, param: 3, tag: 1, control: 1 });
    await journal.remove();
  });

  it("deletes each segment once every entry in it is acknowledged, oldest first, whatever order acknowledgements come in", async () => {
    const journal = await create({ segmentBytes: 64 * 1024 });
    const cols = columns(12_000, 7);
    for (let start = 0; start < 12_000; start += 1000) journal.appendMetrics(cols, start, start + 1000);
    journal.appendParams([{ key: "lr", value: "0.1" }]);
    await journal.commit();
    const segments = (await listSegmentFiles(journal.path)).length;
    expect(segments).toBeGreaterThanOrEqual(5);

    journal.acknowledge("metric", 3000, 6000); // out of order: the first segment still has unacknowledged points
    await journal.commit();
    expect((await listSegmentFiles(journal.path)).length).toBe(segments);
    expect(journal.stats()).toMatchObject({ acknowledged: { metric: 3000 }, pending: { metric: 9000, param: 1 } });

    journal.acknowledge("metric", 0, 3000);
    await journal.commit();
    const left = (await listSegmentFiles(journal.path)).length;
    expect(left).toBeLessThan(segments);
    expect(journal.stats()).toMatchObject({ acknowledged: { metric: 6000 }, pending: { metric: 6000 } });
    expect(await readAllSteps(journal)).toEqual(Array.from({ length: 6000 }, (_, i) => 6000 + i));

    journal.acknowledge("metric", 6000, 12_000);
    await journal.commit();
    // The segment being written is kept (the param in it is unacknowledged, and it is still open).
    expect((await listSegmentFiles(journal.path)).length).toBe(1);
    expect(journal.settled).toBe(false);
    journal.acknowledge("param", 0, 1);
    expect(journal.settled).toBe(true);
    expect(await journal.close()).toBe(true);
    await expect(readdir(journal.path)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("reads unacknowledged entries back in journal order, skipping acknowledged runs inside a record", async () => {
    const journal = await create({ segmentBytes: 1024 * 1024 });
    journal.appendMetrics(columns(1000), 0, 1000);
    journal.appendTags([
      { key: "phase", value: "a" },
      { key: "phase", value: "b" },
      { key: "phase", value: "c" },
    ]);
    await journal.commit();
    journal.acknowledge("metric", 100, 200);
    journal.acknowledge("metric", 500, 1000);
    journal.acknowledge("tag", 1, 2);
    const cursor = journal.cursor();
    const read = [];
    for (let r = await cursor.next(); r !== undefined; r = await cursor.next()) read.push(r);
    expect(read.map((r) => [r.kind, r.firstSeq, r.count])).toEqual([
      ["metrics", 0, 100],
      ["metrics", 200, 300],
      ["tags", 0, 1],
      ["tags", 2, 1],
    ]);
    expect(read[1]).toMatchObject({ keys: Array.from({ length: 300 }, (_, i) => `k${(200 + i) % 5}`) });
    expect([...(read[1] as { steps: Float64Array }).steps]).toEqual(Array.from({ length: 300 }, (_, i) => 200 + i));
    expect(read.slice(2).map((r) => (r as { entries: unknown[] }).entries)).toEqual([[{ key: "phase", value: "a" }], [{ key: "phase", value: "c" }]]);
    await journal.remove();
  });

  it("resumes reading where it stopped once the writer has committed more, across segments", async () => {
    const journal = await create({ segmentBytes: 64 * 1024 });
    const cols = columns(20_000, 3);
    const cursor = journal.cursor();
    expect(await cursor.next()).toBeUndefined(); // nothing committed yet
    const steps: number[] = [];
    for (let start = 0; start < 20_000; start += 2000) {
      journal.appendMetrics(cols, start, start + 1000);
      await journal.commit();
      journal.appendMetrics(cols, start + 1000, start + 2000); // appended, not committed: not read yet
      for (let r = await cursor.next(); r !== undefined; r = await cursor.next()) if (r.kind === "metrics") steps.push(...r.steps);
      expect(steps.length).toBe(start + 1000);
      await journal.commit();
      for (let r = await cursor.next(); r !== undefined; r = await cursor.next()) if (r.kind === "metrics") steps.push(...r.steps);
      expect(steps.length).toBe(start + 2000);
    }
    expect(steps).toEqual(Array.from({ length: 20_000 }, (_, i) => i));
    expect(cursor.damage).toEqual([]);
    await cursor.close();
    await journal.remove();
  });

  it("keeps the folder at close while entries are unacknowledged, for recovery", async () => {
    const journal = await create();
    journal.appendMetrics(columns(10), 0, 10);
    expect(await journal.close()).toBe(false);
    expect((await listSegmentFiles(journal.path)).length).toBe(1);
    expect(journal.stats()).toMatchObject({ durable: { metric: 10 }, synced: { metric: 10 }, pending: { metric: 10 } });
  });

  it("refuses appends on a claimed journal: it is read for recovery only", async () => {
    const dir = await tempDir();
    const journal = await Journal.create({ runId: RUN_ID, trackingUri: "http://127.0.0.1:5000", options: testOptions(dir) });
    journal.appendMetrics(columns(10), 0, 10);
    await journal.close();
    const dead = journal.path.replace(/\.(\d+)-(\d+)-/, ".$1-1-"); // same pid, another start time: a dead owner
    await rename(journal.path, dead);
    const claim = await Journal.claim(dead);
    expect(claim.claimed).toBe(true);
    if (!claim.claimed) return;
    expect(() => claim.journal.appendMetrics(columns(1), 0, 1)).toThrow(/claimed journal is read for recovery/);
    expect(claim.journal.stats()).toMatchObject({ appended: { metric: 10 }, pending: { metric: 10 } });
    claim.journal.acknowledge("metric", 0, 10);
    await claim.journal.commit();
    expect(claim.journal.stats()).toMatchObject({ pending: { metric: 0 }, segments: 0 });
    expect(await claim.journal.close()).toBe(true);
  });
});

describe("acknowledgement file", () => {
  it("rewrites itself with merged ranges once it passes 1 MiB, and reads back the same acknowledgements", async () => {
    const dir = await tempDir();
    const { log } = await AckLog.load(dir);
    for (let i = 0; i < 50_000; i++) log.add("metric", i * 2, i * 2 + 1); // 50,000 separate ranges: 1.2 MB of records
    log.add("tag", 0, 10);
    await log.flush({ sync: false });
    const first = (await stat(join(dir, "acks"))).size;
    expect(first).toBeLessThan(1.3e6);
    for (let i = 0; i < 50_000; i++) log.add("metric", i * 2 + 1, i * 2 + 2); // fills every gap: one range
    await log.flush({ sync: true });
    await log.close();
    const compacted = (await stat(join(dir, "acks"))).size;
    expect(compacted).toBeLessThan(100);
    const { log: reread, damage } = await AckLog.load(dir);
    expect(damage).toBeUndefined();
    expect([...reread.acked.metric.ranges()]).toEqual([[0, 100_000]]);
    expect([...reread.acked.tag.ranges()]).toEqual([[0, 10]]);
  });
});
