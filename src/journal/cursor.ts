/**
 * Reads a journal's unacknowledged entries back from disk, in journal order, and can be resumed:
 * at the end of what is committed it returns `undefined`, and a later call continues from the same
 * place once the writer has committed more. This is how delivery catches up from disk during a long
 * outage (entries beyond the memory cap live only in the journal) and how recovery replays a dead
 * process's journal. Entries acknowledged before they are read are skipped.
 * @internal
 * @module
 */
import { type JournalRecord, sliceRecord } from "./entries.js";
import type { Stream, StreamCounts } from "./format.js";
import type { RangeSet } from "./range-set.js";
import { type JournalDamage, SegmentReader } from "./segment-reader.js";

/** A segment as a cursor needs to see it. */
export interface CursorSegment {
  readonly index: number;
  readonly path: string;
  readonly committedBytes: number;
  readonly closed: boolean;
  readonly first: StreamCounts;
  readonly end: StreamCounts;
  /** SHA-256 of the blobs its records name (artifacts built in memory). */
  readonly blobs?: ReadonlySet<string> | undefined;
}

/** What a cursor reads from: the journal's live list of segments and its acknowledgements. */
export interface CursorSource {
  segments(): readonly CursorSegment[];
  readonly acked: Readonly<Record<Stream, RangeSet>>;
}

/**
 * A resumable reader of unacknowledged entries.
 * @example
 * const cursor = journal.cursor();
 * for (let r = await cursor.next(); r; r = await cursor.next()) await deliver(r);
 * @internal
 */
export class JournalCursor {
  /** Damage met so far (reading skips to the next segment after each). */
  readonly damage: JournalDamage[] = [];
  readonly #source: CursorSource;
  #segmentIndex: number;
  #reader: SegmentReader | undefined;
  readonly #queue: JournalRecord[] = [];

  constructor(source: CursorSource) {
    this.#source = source;
    this.#segmentIndex = source.segments()[0]?.index ?? 0;
  }

  /**
   * The next unacknowledged entries (a record, or the unacknowledged runs of one), or `undefined`
   * when everything committed so far has been read.
   */
  async next(): Promise<JournalRecord | undefined> {
    for (;;) {
      const queued = this.#queue.shift();
      if (queued !== undefined) return queued;
      const segment = this.#source.segments().find((s) => s.index >= this.#segmentIndex);
      if (this.#reader === undefined) {
        if (segment === undefined || segment.committedBytes === 0) return undefined;
        this.#segmentIndex = segment.index;
        this.#reader = await SegmentReader.open(segment.path, { endOffset: segment.committedBytes });
      }
      const record = await this.#reader.next();
      if (record !== undefined) {
        const acked = this.#source.acked[record.stream];
        for (const [from, to] of acked.gaps(record.firstSeq, record.firstSeq + record.count)) this.#queue.push(sliceRecord(record, from, to));
        continue;
      }
      const current = segment?.index === this.#segmentIndex ? segment : undefined;
      if (this.#reader.damage === undefined && current !== undefined) {
        if (current.committedBytes > this.#reader.endOffset) {
          this.#reader.extend(current.committedBytes);
          continue;
        }
        if (!current.closed) return undefined; // caught up with the writer
      }
      if (this.#reader.damage !== undefined && !isDeletedSegment(this.#reader.damage, current)) this.damage.push(this.#reader.damage);
      await this.#reader.close();
      this.#reader = undefined;
      this.#segmentIndex++;
    }
  }

  /** Releases the open segment file. */
  async close(): Promise<void> {
    await this.#reader?.close();
    this.#reader = undefined;
  }
}

/** A segment deleted (fully acknowledged) between listing and opening it is not damage. */
function isDeletedSegment(damage: JournalDamage, current: CursorSegment | undefined): boolean {
  return current === undefined && damage.reason === "unreadable" && damage.offset === 0;
}
