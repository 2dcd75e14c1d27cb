/**
 * The journal's writer: group commit off the hot path. Appends encode entries into an in-memory
 * group (no disk, no promise, no allocation per metric); a commit writes the whole group with one
 * `write(2)` per segment it touches, then `fdatasync`s it as the sync policy says. Commits run every
 * `commitIntervalMs`, as soon as the group reaches `commitBytes`, and on {@link JournalWriter.commit}.
 * Segments are closed (synced) and the next started at `segmentBytes`.
 *
 * Durability: an entry is *durable* once the `write(2)` of its group returned: it survives the
 * process being killed (the data is in the kernel). It is *synced* once `fdatasync` returned: it
 * survives a power cut. Any file-system error puts the writer in the degraded state: it stops
 * writing, reports once through `onDegraded`, and never throws.
 * @internal
 * @module
 */

import type { FileHandle } from "node:fs/promises";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { degradedFrom, type JournalDegraded } from "./degraded.js";
import { syncDirectory, writeFully } from "./durable-fs.js";
import { KeyTable, RecordBuffer } from "./encoder.js";
import type { ArtifactEntry, BlobEntry, KeyValueEntry, MetricColumns, ModelEntry } from "./entries.js";
import { type JournalEndStatus, type Stream, type StreamCounts, segmentFileName, zeroCounts } from "./format.js";

/** Points per metrics record at most: 32,768 × 28 bytes = 0.9 MB, far below the 64 MiB record limit. */
const MAX_POINTS_PER_RECORD = 32_768;
/** Params or tag writes per record at most: 1000 of MLflow's longest (250-character key, 8000-character value) stay below 26 MB. */
const MAX_KEY_VALUES_PER_RECORD = 1000;

/** Timing and size policy of a writer. */
export interface WriterPolicy {
  /** Interval of group commits, ms. */
  commitIntervalMs: number;
  /** Pending size that starts a commit at once, bytes. */
  commitBytes: number;
  /** Longest time between a commit and its fdatasync, ms; 0 syncs every commit. */
  syncIntervalMs: number;
  /** Size at which the next segment starts, bytes. */
  segmentBytes: number;
}

/** One segment as the writer knows it. */
export interface WrittenSegment {
  index: number;
  path: string;
  /** Sequence number of its first entry, per stream. */
  readonly first: StreamCounts;
  /** Sequence number after its last appended entry, per stream. */
  readonly end: StreamCounts;
  /** Bytes written to the file (commits completed). */
  committedBytes: number;
  /** No more appends go to it, and it is fully written and synced. */
  closed: boolean;
  /** SHA-256 of the blobs its records name: removed with it unless a later segment names them too. */
  readonly blobs: Set<string>;
}

/** What {@link JournalWriter.commit} resolves with. */
export interface CommitResult {
  /** Entries durable per stream: every sequence number below is on disk. */
  durable: Readonly<StreamCounts>;
  /** Entries synced per stream (survive a power cut). */
  synced: Readonly<StreamCounts>;
  /** Set when the journal is degraded (nothing more is written). */
  degraded?: JournalDegraded;
}

/** A part of the pending group: bytes for one segment. */
interface Part {
  segment: WrittenSegment;
  buffer: RecordBuffer;
}

/**
 * Appends entries to a journal's segments by group commit.
 * @example
 * const writer = new JournalWriter({ dir, runId, policy, onDegraded: (d) => console.warn(d.message) });
 * const first = writer.appendMetrics(chunk, 0, chunk.end);
 * const { durable } = await writer.commit();
 * @internal
 */
export class JournalWriter {
  readonly #dir: string;
  readonly #runId: string;
  readonly #policy: WriterPolicy;
  readonly #onDegraded: (state: JournalDegraded) => void;
  readonly #appended = zeroCounts();
  #durable: StreamCounts = zeroCounts();
  #synced: StreamCounts = zeroCounts();
  readonly #segments: WrittenSegment[] = [];
  #parts: Part[] = [];
  readonly #spare: RecordBuffer[] = [];
  #keys = new KeyTable();
  /** Bytes of the segment being appended to: committed plus pending. */
  #segmentBytes = 0;
  #pendingBytes = 0;
  #handle: FileHandle | undefined;
  #handleSegment: WrittenSegment | undefined;
  #unsynced = false;
  #lastSyncMs = Date.now();
  #chain: Promise<unknown> = Promise.resolve();
  #commitScheduled = false;
  #degraded: JournalDegraded | undefined;
  #closed = false;
  readonly #timer: NodeJS.Timeout | undefined;

  /**
   * @param init.degraded - Start degraded (the journal's folder could not be created): appends only
   *   count, nothing is written.
   */
  constructor(init: {
    dir: string;
    runId: string;
    policy: WriterPolicy;
    onDegraded: (state: JournalDegraded) => void;
    firstSegment?: number;
    degraded?: JournalDegraded;
  }) {
    this.#dir = init.dir;
    this.#runId = init.runId;
    this.#policy = init.policy;
    this.#onDegraded = init.onDegraded;
    this.#degraded = init.degraded;
    if (init.degraded !== undefined) return;
    this.#startSegment(init.firstSegment ?? 0);
    this.#timer = setInterval(() => this.#onTick(), init.policy.commitIntervalMs);
    this.#timer.unref();
  }

  /** Entries appended per stream: the sequence number the next one gets. */
  get appended(): Readonly<StreamCounts> {
    return this.#appended;
  }

  /** Entries durable per stream (their group's write returned). */
  get durable(): Readonly<StreamCounts> {
    return this.#durable;
  }

  /** Entries synced per stream (their group was fdatasynced). */
  get synced(): Readonly<StreamCounts> {
    return this.#synced;
  }

  /** Bytes appended and not yet written. */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  /** The segments written so far, oldest first (the journal removes acknowledged ones). */
  get segments(): WrittenSegment[] {
    return this.#segments;
  }

  /** Set once a file-system error stopped the writer. */
  get degraded(): JournalDegraded | undefined {
    return this.#degraded;
  }

  /**
   * Appends points `[start, end)` of metric columns (e.g. a chunk of the logger's metric buffer).
   * Encodes them at once, so the columns may be reused as soon as it returns.
   * @returns the sequence number of the first point; the others follow.
   */
  appendMetrics(columns: MetricColumns, start: number, end: number): number {
    const first = this.#appended.metric;
    // A long range becomes several records, each far below the reader's record size limit.
    for (let from = start; from < end; from += MAX_POINTS_PER_RECORD) {
      const to = Math.min(end, from + MAX_POINTS_PER_RECORD);
      const part = this.#target();
      if (part !== undefined) {
        const before = part.buffer.length;
        part.buffer.writeMetrics(columns, from, to, this.#appended.metric, Date.now(), this.#keys);
        this.#grew(part.buffer.length - before);
      }
      this.#advance("metric", to - from);
    }
    return first;
  }

  /** Appends params `[start, end)` of `entries`; returns the sequence number of the first. */
  appendParams(entries: ArrayLike<KeyValueEntry>, start = 0, end = entries.length): number {
    return this.#appendKeyValues("params", "param", entries, start, end);
  }

  /** Appends tag writes `[start, end)` of `entries`, in the order they were made; returns the sequence number of the first. */
  appendTags(entries: ArrayLike<KeyValueEntry>, start = 0, end = entries.length): number {
    return this.#appendKeyValues("tags", "tag", entries, start, end);
  }

  /** Appends the run's end status; returns its sequence number in the control stream. */
  appendEnd(status: JournalEndStatus, endTimeMs: number): number {
    return this.#appendControl((part, seq, atMs) => part.buffer.writeEnd(status, endTimeMs, seq, atMs));
  }

  /** Appends a file to upload later; returns its sequence number in the control stream. */
  appendArtifact(artifact: ArtifactEntry): number {
    return this.#appendControl((part, seq, atMs) => part.buffer.writeArtifact(artifact, seq, atMs));
  }

  /**
   * Appends an artifact built in memory whose bytes were written to the blob `blobs/<sha256>`;
   * returns its sequence number in the control stream.
   */
  appendBlob(blob: BlobEntry): number {
    return this.#appendControl((part, seq, atMs) => {
      part.buffer.writeBlob(blob, seq, atMs);
      part.segment.blobs.add(blob.sha256);
    });
  }

  /** Appends a model being logged (its folder is inside the journal's); returns its sequence number in the control stream. */
  appendModel(model: ModelEntry): number {
    return this.#appendControl((part, seq, atMs) => part.buffer.writeModel(model, seq, atMs));
  }

  /**
   * One record of the control stream (end status, artifact, blob, model; rare, off the hot path): written
   * by `write` into the current part unless the journal is degraded or closed, counted either way.
   */
  #appendControl(write: (part: Part, seq: number, atMs: number) => void): number {
    const seq = this.#appended.control;
    const part = this.#target();
    if (part !== undefined) {
      const before = part.buffer.length;
      write(part, seq, Date.now());
      this.#grew(part.buffer.length - before);
    }
    return this.#advance("control", 1);
  }

  /**
   * Writes everything appended so far, and fdatasyncs it when `sync` is set or the sync policy
   * says so. Resolves once it is durable, or at once when the writer is degraded. Never rejects.
   */
  commit(options: { sync?: boolean } = {}): Promise<CommitResult> {
    const run = this.#chain.then(() => this.#commitNow(options.sync ?? false));
    this.#chain = run;
    return run;
  }

  /** Commits and syncs what is pending, then closes the file. Never rejects. */
  async close(): Promise<CommitResult> {
    clearInterval(this.#timer);
    const result = await this.commit({ sync: true });
    this.#closed = true;
    await this.#chain;
    await this.#closeHandle(false);
    return result;
  }

  #appendKeyValues(kind: "params" | "tags", stream: "param" | "tag", entries: ArrayLike<KeyValueEntry>, start: number, end: number): number {
    const first = this.#appended[stream];
    for (let from = start; from < end; from += MAX_KEY_VALUES_PER_RECORD) {
      const to = Math.min(end, from + MAX_KEY_VALUES_PER_RECORD);
      const part = this.#target();
      if (part !== undefined) {
        const before = part.buffer.length;
        part.buffer.writeKeyValues(kind, entries, from, to, this.#appended[stream], Date.now());
        this.#grew(part.buffer.length - before);
      }
      this.#advance(stream, to - from);
    }
    return first;
  }

  /** The part appends go to (starting the next segment when this one is full); undefined when nothing is written any more. */
  #target(): Part | undefined {
    if (this.#degraded !== undefined || this.#closed) return undefined;
    const current = this.#parts.at(-1)!;
    if (this.#segmentBytes >= this.#policy.segmentBytes) this.#startSegment(current.segment.index + 1);
    return this.#parts.at(-1)!;
  }

  #advance(stream: Stream, count: number): number {
    const first = this.#appended[stream];
    this.#appended[stream] = first + count;
    const segment = this.#parts.at(-1)?.segment;
    if (segment !== undefined && this.#degraded === undefined) segment.end[stream] = first + count;
    return first;
  }

  #grew(bytes: number): void {
    this.#segmentBytes += bytes;
    this.#pendingBytes += bytes;
    if (this.#pendingBytes >= this.#policy.commitBytes && !this.#commitScheduled) {
      this.#commitScheduled = true;
      setImmediate(() => {
        this.#commitScheduled = false;
        void this.commit();
      });
    }
  }

  #startSegment(index: number): void {
    const segment: WrittenSegment = {
      index,
      path: join(this.#dir, segmentFileName(index)),
      first: { ...this.#appended },
      end: { ...this.#appended },
      committedBytes: 0,
      closed: false,
      blobs: new Set(),
    };
    this.#segments.push(segment);
    const buffer = this.#spare.pop() ?? new RecordBuffer();
    buffer.writeSegmentHeader({ runId: this.#runId, pid: process.pid, segment: index, createdMs: Date.now() });
    this.#parts.push({ segment, buffer });
    this.#keys = new KeyTable();
    this.#segmentBytes = buffer.length;
    this.#pendingBytes += buffer.length;
  }

  #onTick(): void {
    const syncDue = this.#unsynced && this.#policy.syncIntervalMs > 0 && Date.now() - this.#lastSyncMs >= this.#policy.syncIntervalMs;
    if (this.#pendingBytes > 0 || syncDue) void this.commit();
  }

  async #commitNow(sync: boolean): Promise<CommitResult> {
    if (this.#degraded !== undefined || this.#closed) return this.#result();
    const syncDue = (): boolean => sync || this.#policy.syncIntervalMs === 0 || Date.now() - this.#lastSyncMs >= this.#policy.syncIntervalMs;
    if (this.#pendingBytes === 0 && !(this.#unsynced && syncDue())) return this.#result();
    const parts = this.#parts;
    const appended = { ...this.#appended };
    const last = parts.at(-1)!;
    this.#parts = [{ segment: last.segment, buffer: this.#spare.pop() ?? new RecordBuffer() }];
    this.#pendingBytes = 0;
    let path = this.#dir;
    try {
      for (const part of parts) {
        if (part.buffer.length === 0) continue;
        path = part.segment.path;
        if (this.#handleSegment !== part.segment) await this.#openSegment(part.segment);
        await writeFully(this.#handle!, part.buffer.bytes, part.buffer.length, part.segment.committedBytes);
        part.segment.committedBytes += part.buffer.length;
        this.#unsynced = true;
      }
      this.#durable = appended;
      if (this.#unsynced && syncDue()) {
        await this.#handle!.datasync();
        this.#unsynced = false;
        this.#lastSyncMs = Date.now();
        this.#synced = appended;
      }
    } catch (error) {
      this.#degrade(degradedFrom(error, path, "write a group commit"));
    } finally {
      for (const part of parts) {
        part.buffer.reset();
        if (part !== last && this.#spare.length < 2) this.#spare.push(part.buffer);
      }
      if (this.#spare.length < 2) this.#spare.push(last.buffer);
    }
    return this.#result();
  }

  /** Closes (after syncing) the segment being written, opens `segment`'s file and makes its name durable. */
  async #openSegment(segment: WrittenSegment): Promise<void> {
    await this.#closeHandle(true);
    this.#handle = await open(segment.path, "wx");
    this.#handleSegment = segment;
    await syncDirectory(this.#dir);
  }

  async #closeHandle(sync: boolean): Promise<void> {
    const handle = this.#handle;
    const segment = this.#handleSegment;
    this.#handle = undefined;
    this.#handleSegment = undefined;
    if (handle === undefined || segment === undefined) return;
    try {
      if (sync && this.#unsynced) await handle.datasync();
      this.#unsynced = false;
      this.#synced = { ...this.#durable };
      segment.closed = true;
    } finally {
      await handle.close().catch(() => undefined);
    }
  }

  #degrade(state: JournalDegraded): void {
    if (this.#degraded !== undefined) return;
    this.#degraded = state;
    clearInterval(this.#timer);
    for (const part of this.#parts) part.buffer.reset();
    this.#pendingBytes = 0;
    const handle = this.#handle;
    this.#handle = undefined;
    this.#handleSegment = undefined;
    void handle?.close().catch(() => undefined);
    this.#onDegraded(state);
  }

  #result(): CommitResult {
    const result: CommitResult = { durable: this.#durable, synced: this.#synced };
    if (this.#degraded !== undefined) result.degraded = this.#degraded;
    return result;
  }
}
