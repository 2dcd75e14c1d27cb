/**
 * The read-back (read-back.ts) against a real journal: it hands out owed points in windows that
 * span records up to a full request, because a slow run journals small records (one per 100 ms
 * tick) and a window of one record made the drain after an outage send requests of ~50 points; it
 * reads the next window as soon as one is taken; a window stops where its owed range stops, and a
 * range owed behind the cursor (a kept request) is read again.
 */
import { describe, expect, it } from "vitest";
import { Journal } from "../../../../src/journal/journal.js";
import { ReadBack } from "../../../../src/logging/batcher/read-back.js";
import type { MetricInput } from "../../../../src/protocol/endpoints.js";
import { columns, tempDir, testOptions } from "../../journal/helpers.js";

const RUN_ID = "a11ce0000000000000000000000000bb";
const NO_BYTE_LIMIT = Number.MAX_SAFE_INTEGER;

/** A journal holding `total` points (step = sequence number) in records of `perRecord`, all committed. */
async function journalOf(total: number, perRecord: number): Promise<Journal> {
  const journal = await Journal.create({
    runId: RUN_ID,
    trackingUri: "http://127.0.0.1:5000",
    options: testOptions(await tempDir(), { segmentBytes: 1024 * 1024 }),
  });
  const points = columns(total);
  for (let start = 0; start < total; start += perRecord) journal.appendMetrics(points, start, Math.min(total, start + perRecord));
  await journal.commit();
  return journal;
}

/** Polls every 5 ms, up to 400 times. */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(condition()).toBe(true);
}

const stepsOf = (metrics: MetricInput[]): number[] => metrics.map((metric) => Number(metric.step));
const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

describe("the read-back's windows", () => {
  it("spans records of 50 points up to a full request of 1000, in order", async () => {
    const journal = await journalOf(3000, 50);
    const readBack = new ReadBack(journal, { onReady: () => undefined, mayRedeliver: () => true });
    readBack.addSpilled(0, 3000);
    await until(() => readBack.ready >= 1000);
    expect(readBack.nextSeq).toBe(0);
    expect(stepsOf(readBack.take(1000, NO_BYTE_LIMIT))).toEqual(range(0, 1000));
    await until(() => readBack.ready >= 1000);
    expect(stepsOf(readBack.take(1000, NO_BYTE_LIMIT))).toEqual(range(1000, 2000));
    readBack.close();
    await journal.remove();
  });

  it("reads the next window as soon as one is taken, with no other call (a send loop that takes each window whole in the microtask onReady schedules)", async () => {
    const journal = await journalOf(5000, 50);
    const taken: number[] = [];
    const readBack: ReadBack = new ReadBack(journal, {
      onReady: () => queueMicrotask(() => taken.push(...stepsOf(readBack.take(100_000, NO_BYTE_LIMIT)))),
      mayRedeliver: () => true,
    });
    readBack.addSpilled(0, 5000);
    await until(() => taken.length === 5000);
    expect(taken).toEqual(range(0, 5000));
    expect(readBack.owedSpilled).toBe(0);
    readBack.close();
    await journal.remove();
  });

  it("stops a window where its owed range stops, finds the next range in the same record, and reads a kept range behind the cursor again", async () => {
    const journal = await journalOf(2000, 50);
    const readBack = new ReadBack(journal, { onReady: () => undefined, mayRedeliver: () => true });
    readBack.addSpilled(1000, 1125);
    readBack.addSpilled(1130, 1200);
    await until(() => readBack.ready > 0);
    expect(stepsOf(readBack.take(1000, NO_BYTE_LIMIT))).toEqual(range(1000, 1125));
    await until(() => readBack.ready > 0);
    expect(stepsOf(readBack.take(1000, NO_BYTE_LIMIT))).toEqual(range(1130, 1200));
    // A request of points 100…399 was kept at its deadline: behind the cursor, read again as a re-delivery.
    readBack.addKept(100, 300);
    await until(() => readBack.ready > 0);
    expect(readBack.redelivery).toBe(true);
    expect(stepsOf(readBack.take(1000, NO_BYTE_LIMIT))).toEqual(range(100, 400));
    expect(readBack.owedKept).toBe(0);
    readBack.close();
    await journal.remove();
  });

  it("a re-delivery waits while the server is not known to answer", async () => {
    const journal = await journalOf(500, 50);
    let answering = false;
    const readBack = new ReadBack(journal, { onReady: () => undefined, mayRedeliver: () => answering });
    readBack.addKept(0, 500);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(readBack.ready).toBe(0);
    answering = true;
    expect(readBack.ready).toBe(500);
    expect(stepsOf(readBack.take(1000, NO_BYTE_LIMIT))).toEqual(range(0, 500));
    readBack.close();
    await journal.remove();
  });
});
