/** Shared pieces of the journal tests: temporary folders, policies, metric columns, and reading a journal folder back whole. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onTestFinished } from "vitest";
import type { JournalRecord, MetricColumns } from "../../../src/journal/entries.js";
import type { ResolvedJournalOptions } from "../../../src/journal/options.js";
import { listSegmentFiles } from "../../../src/journal/scan.js";
import { type JournalDamage, SegmentReader } from "../../../src/journal/segment-reader.js";

/** A fresh temporary folder, removed after the test. */
export async function tempDir(prefix = "mlflow-ts-journal-"): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Journal options for tests: a slow timer (tests commit explicitly), small segments. */
export function testOptions(dir: string, overrides: Partial<ResolvedJournalOptions> = {}): ResolvedJournalOptions {
  return {
    enabled: true,
    dir,
    commitIntervalMs: 60_000,
    commitBytes: 64 * 1024 * 1024,
    syncIntervalMs: 0,
    segmentBytes: 64 * 1024,
    recover: true,
    quietRecovery: false,
    ...overrides,
  };
}

/** Metric columns of `count` points; point `i` is key `k<i % keys>`, value `valueAt(i)`, timestamp 1.7e12 + i, step i. */
export function columns(count: number, keys = 5, valueAt: (i: number) => number = (i) => i / 8): MetricColumns {
  return {
    keys: Array.from({ length: count }, (_, i) => `k${i % keys}`),
    values: Float64Array.from({ length: count }, (_, i) => valueAt(i)),
    timestamps: Float64Array.from({ length: count }, (_, i) => 1_700_000_000_000 + i),
    steps: Float64Array.from({ length: count }, (_, i) => i),
  };
}

/** Every whole record of every segment in a journal folder, in order, and the damage met. */
export async function readFolder(dir: string): Promise<{ records: JournalRecord[]; damage: JournalDamage[] }> {
  const records: JournalRecord[] = [];
  const damage: JournalDamage[] = [];
  for (const file of await listSegmentFiles(dir)) {
    const reader = await SegmentReader.open(file.path);
    for (let record = await reader.next(); record !== undefined; record = await reader.next()) records.push(record);
    await reader.close();
    if (reader.damage) damage.push(reader.damage);
  }
  return { records, damage };
}

/** Every record of one segment file, and its damage. */
export async function readSegment(path: string): Promise<{ records: JournalRecord[]; damage?: JournalDamage; offset: number }> {
  const reader = await SegmentReader.open(path);
  const records: JournalRecord[] = [];
  for (let record = await reader.next(); record !== undefined; record = await reader.next()) records.push(record);
  await reader.close();
  return reader.damage ? { records, damage: reader.damage, offset: reader.offset } : { records, offset: reader.offset };
}

export { seeded } from "./seeded.js";
