/**
 * Reads a journal that no process is writing (a dead owner's, or one just claimed): which segments
 * it has, the entries of each stream in each segment, what is still unacknowledged, the end status
 * it journaled, and any damage. Recovery and `recover --list` both start from this.
 * @internal
 * @module
 */
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import type { JournalEndStatus, Stream, StreamCounts } from "./format.js";
import { STREAMS, segmentIndexOf, zeroCounts } from "./format.js";
import type { RangeSet } from "./range-set.js";
import { type JournalDamage, SegmentReader } from "./segment-reader.js";

/** One segment of a journal, as read from disk. */
export interface ScannedSegment {
  index: number;
  path: string;
  /** First sequence number per stream (equal to `end` for a stream it has no entry of). */
  first: StreamCounts;
  /** Sequence number after its last whole entry, per stream. */
  end: StreamCounts;
  /** Bytes of whole records (where reading stopped). */
  committedBytes: number;
  /** Always true: nothing writes a scanned journal. */
  closed: boolean;
  /** SHA-256 of the blobs its records name (artifacts built in memory). */
  blobs: Set<string>;
}

/** What a scan found. */
export interface JournalScan {
  segments: ScannedSegment[];
  /** Entries not acknowledged, per stream. */
  pending: StreamCounts;
  /** Entries read, per stream. */
  entries: StreamCounts;
  /** When the oldest unacknowledged entry was appended, ms since the epoch. */
  oldestPendingMs?: number;
  /** The end status journaled last, if any. */
  endStatus?: JournalEndStatus;
  /** When the newest record (or, with none, the newest segment) was written, ms since the epoch: when the owner was last seen logging. */
  lastAppendedMs?: number;
  /**
   * The sequence number of the latest write of each tag key among the records read, acknowledged or
   * not: recovery sends a key's last unacknowledged write only when it is this one (a later write
   * already acknowledged supersedes it).
   */
  lastTagWrites: Map<string, number>;
  /** Bytes of all segment files. */
  bytes: number;
  /** Where segments could not be read to their end. */
  damage: JournalDamage[];
}

/**
 * The segment files in `dir`, by index.
 * @example
 * (await listSegmentFiles(dir)).at(-1)?.path // the segment being written
 */
export async function listSegmentFiles(dir: string): Promise<{ index: number; path: string }[]> {
  const files: { index: number; path: string }[] = [];
  for (const name of await readdir(dir)) {
    const index = segmentIndexOf(name);
    if (index !== undefined) files.push({ index, path: join(dir, name) });
  }
  return files.sort((a, b) => a.index - b.index);
}

/**
 * Reads every segment of the journal in `dir`, counting what `acked` does not cover.
 * @throws the file system's error when the folder cannot be listed.
 * @example
 * const { pending, damage } = await scanJournal(dir, ackLog.acked);
 */
export async function scanJournal(dir: string, acked: Readonly<Record<Stream, RangeSet>>): Promise<JournalScan> {
  const scan: JournalScan = { segments: [], pending: zeroCounts(), entries: zeroCounts(), bytes: 0, damage: [], lastTagWrites: new Map() };
  for (const file of await listSegmentFiles(dir)) {
    const reader = await SegmentReader.open(file.path);
    if (reader.header !== undefined) scan.lastAppendedMs = Math.max(scan.lastAppendedMs ?? 0, reader.header.createdMs);
    const first: Partial<StreamCounts> = {};
    const end = zeroCounts();
    const blobs = new Set<string>();
    try {
      for (let record = await reader.next(); record !== undefined; record = await reader.next()) {
        const stream = record.stream;
        first[stream] ??= record.firstSeq;
        end[stream] = record.firstSeq + record.count;
        scan.entries[stream] += record.count;
        const unacked = record.count - acked[stream].countIn(record.firstSeq, record.firstSeq + record.count);
        scan.pending[stream] += unacked;
        if (unacked > 0 && (scan.oldestPendingMs === undefined || record.appendedMs < scan.oldestPendingMs)) scan.oldestPendingMs = record.appendedMs;
        if (record.kind === "end") scan.endStatus = record.status;
        if (record.kind === "blob") blobs.add(record.blob.sha256);
        if (record.kind === "tags") for (const [i, entry] of record.entries.entries()) scan.lastTagWrites.set(entry.key, record.firstSeq + i);
        scan.lastAppendedMs = Math.max(scan.lastAppendedMs ?? 0, record.appendedMs);
      }
    } finally {
      await reader.close();
    }
    if (reader.damage !== undefined) scan.damage.push(reader.damage);
    const starts = zeroCounts();
    for (const stream of STREAMS) starts[stream] = first[stream] ?? end[stream];
    scan.segments.push({ index: file.index, path: file.path, first: starts, end, committedBytes: reader.offset, closed: true, blobs });
    scan.bytes += await stat(file.path).then(
      (s) => s.size,
      () => 0,
    );
  }
  return scan;
}
