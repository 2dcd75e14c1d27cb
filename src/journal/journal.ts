/**
 * A run's write-ahead journal: one folder per run and process, holding segments of checksummed
 * records, an acknowledgement file and meta.json. This class is what the logger uses: it creates the
 * journal (or claims a dead process's), appends by group commit, reads unacknowledged entries back,
 * records acknowledgements, and deletes each segment once all its entries are acknowledged. Disk
 * trouble never throws: the journal turns degraded, says so once, and stops writing.
 *
 * Entry lifecycle (design.md §8): accepted by the logging call → appended here (in memory) →
 * durable when its group commit's write returned → synced when fdatasynced → acknowledged when
 * the server answered for it (or it was superseded, or refused for good) → gone with its segment.
 * @internal
 * @module
 */
import { mkdir, mkdtemp, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { AckLog } from "./ack-log.js";
import { blobPath, MAX_BLOB_BYTES, MAX_JOURNAL_BLOB_BYTES, sha256Hex, writeBlob } from "./blob.js";
import type { CursorSegment } from "./cursor.js";
import { JournalCursor } from "./cursor.js";
import { degradedFrom, type JournalDegraded } from "./degraded.js";
import type { ArtifactEntry, KeyValueEntry, MetricColumns, ModelEntry } from "./entries.js";
import { type JournalEndStatus, MODEL_FOLDER, STREAMS, type Stream, type StreamCounts, zeroCounts } from "./format.js";
import { type JournalMeta, publicTrackingUri, readMeta, writeMeta } from "./meta.js";
import type { ResolvedJournalOptions } from "./options.js";
import { currentOwner, describeMachine, formatJournalName, type OwnerState, ownerState, parseJournalName, runKeyOf } from "./owner.js";
import { RangeSet } from "./range-set.js";
import { type JournalScan, scanJournal } from "./scan.js";
import type { JournalDamage } from "./segment-reader.js";
import { type CommitResult, JournalWriter, type WrittenSegment } from "./writer.js";

/** What {@link Journal.create} needs. */
export interface JournalInit {
  /** The run whose entries it journals. */
  runId: string;
  /** Where the run is logged; stored without credentials. */
  trackingUri: string;
  /** Folder and policies (see `resolveJournalOptions`). */
  options: Pick<ResolvedJournalOptions, "dir" | "commitIntervalMs" | "commitBytes" | "syncIntervalMs" | "segmentBytes">;
  /** Called once if the journal turns degraded; the logger turns it into one warning. */
  onDegraded?: (state: JournalDegraded) => void;
  /** Limits of the blobs of artifacts built in memory, bytes. @defaultValue `MAX_BLOB_BYTES`, `MAX_JOURNAL_BLOB_BYTES` (64 and 256 MiB) */
  blobLimits?: { maxBlobBytes: number; maxJournalBlobBytes: number } | undefined;
}

/** Counters of a journal, per stream. */
export interface JournalStats {
  appended: StreamCounts;
  durable: StreamCounts;
  synced: StreamCounts;
  acknowledged: StreamCounts;
  /** Appended and not acknowledged. */
  pending: StreamCounts;
  /** Segment files on disk. */
  segments: number;
  /** Bytes of the segment files on disk (committed). */
  bytes: number;
  /** Bytes appended and not yet written. */
  pendingBytes: number;
}

/**
 * What {@link Journal.appendBlob} did: appended (its sequence number in the control stream), or not,
 * and why: the journal does not write (`inactive`: degraded, closed, or a claimed journal), the
 * bytes are above `MAX_BLOB_BYTES` (`too-large`), or they would take the journal's blobs above
 * `MAX_JOURNAL_BLOB_BYTES` (`disk-cap`).
 */
export type BlobAppend = { appended: true; seq: number } | { appended: false; reason: "inactive" | "too-large" | "disk-cap" };

/**
 * What {@link Journal.appendModel} did: appended (its sequence number in the control stream), or
 * not, and why: the journal does not write (`inactive`), or the model's folder would take the
 * journal's blobs and it above `MAX_JOURNAL_BLOB_BYTES` (`disk-cap`).
 */
export type ModelAppend = { appended: true; seq: number } | { appended: false; reason: "inactive" | "disk-cap" };

/** The outcome of {@link Journal.claim}. */
export type ClaimResult =
  | { claimed: true; journal: Journal; scan: JournalScan }
  | { claimed: false; reason: "live" | "foreign" | "taken" | "not-a-journal"; detail: string };

let nextSerial = 0;

/**
 * One run's journal, owned by this process.
 * @example
 * const journal = await Journal.create({ runId, trackingUri, options: resolveJournalOptions({}, client.config.journal) });
 * const first = journal.appendMetrics(chunk, 0, chunk.end);
 * await journal.commit();                         // durable
 * journal.acknowledge("metric", first, first + 1000); // the server took them
 * await journal.close();                          // removes the folder once everything is acknowledged
 * @internal
 */
export class Journal {
  /** The journal's folder. */
  path: string;
  readonly runId: string;
  readonly #writer: JournalWriter | undefined;
  readonly #acks: AckLog | undefined;
  /** Segments of a claimed journal (a live journal's are the writer's). */
  readonly #scanned: CursorSegment[];
  readonly #onDegraded: ((state: JournalDegraded) => void) | undefined;
  #degraded: JournalDegraded | undefined;
  /** Acknowledgements added since the acknowledgement file was last fsynced. */
  #acksUnsynced = false;
  #chain: Promise<unknown> = Promise.resolve();
  #closed = false;
  /** Size of the folder of each model journaled and not yet acknowledged, by control sequence number (for the disk bound). */
  readonly #modelSizes = new Map<number, number>();
  /** Size of each blob on disk written by this process, by SHA-256 (for the disk bound). */
  readonly #blobSizes = new Map<string, number>();
  #blobBytes = 0;
  readonly #blobLimits: { maxBlobBytes: number; maxJournalBlobBytes: number };

  private constructor(init: {
    path: string;
    runId: string;
    writer?: JournalWriter;
    acks?: AckLog;
    scanned?: CursorSegment[];
    degraded?: JournalDegraded;
    onDegraded?: (state: JournalDegraded) => void;
    blobLimits?: { maxBlobBytes: number; maxJournalBlobBytes: number } | undefined;
  }) {
    this.#blobLimits = init.blobLimits ?? { maxBlobBytes: MAX_BLOB_BYTES, maxJournalBlobBytes: MAX_JOURNAL_BLOB_BYTES };
    this.path = init.path;
    this.runId = init.runId;
    this.#writer = init.writer;
    this.#acks = init.acks;
    this.#scanned = init.scanned ?? [];
    this.#degraded = init.degraded;
    this.#onDegraded = init.onDegraded;
  }

  /**
   * Creates a new journal for `runId` in the options' folder, owned by this process. Never throws
   * for disk trouble: the journal is then degraded from the start (`degraded` says why, and
   * `onDegraded` was called), its appends do nothing, and delivery stays in memory.
   */
  static async create(init: JournalInit): Promise<Journal> {
    const owner = currentOwner();
    let path = init.options.dir;
    try {
      await ensureFolder(init.options.dir);
      for (let attempt = 0; ; attempt++) {
        path = join(init.options.dir, formatJournalName({ runKey: runKeyOf(init.runId), owner, serial: nextSerial++ }));
        try {
          await mkdir(path, { mode: 0o700 });
          break;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== "EEXIST" || attempt >= 100) throw error;
        }
      }
      const token = basename(path).slice(basename(path).indexOf(".") + 1);
      await writeMeta(path, {
        format: 0,
        runId: init.runId,
        trackingUri: publicTrackingUri(init.trackingUri),
        createdMs: Date.now(),
        owner: token,
        machine: describeMachine(),
      });
    } catch (error) {
      const degraded = degradedFrom(error, path, "be created");
      init.onDegraded?.(degraded);
      const writer = new JournalWriter({ dir: path, runId: init.runId, policy: init.options, onDegraded: () => undefined, degraded });
      return new Journal({ path, runId: init.runId, writer, degraded });
    }
    const journal: Journal = new Journal({
      path,
      runId: init.runId,
      writer: new JournalWriter({ dir: path, runId: init.runId, policy: init.options, onDegraded: (state) => journal.#degrade(state) }),
      acks: (await AckLog.load(path)).log,
      blobLimits: init.blobLimits,
      ...(init.onDegraded === undefined ? {} : { onDegraded: init.onDegraded }),
    });
    return journal;
  }

  /**
   * Takes over the journal in folder `path` when its owner is dead, by renaming the folder to a name
   * that names this process (atomic: of two processes claiming at once, one gets it and the other
   * `taken`). A live owner's journal is never touched, nor a foreign one unless `force`.
   * @throws the file system's error when the folder cannot be renamed or read (other than being gone).
   */
  static async claim(path: string, options: { force?: boolean } = {}): Promise<ClaimResult> {
    const name = parseJournalName(basename(path));
    if (name === undefined) return { claimed: false, reason: "not-a-journal", detail: `${path} is not named like a journal folder` };
    const meta = await readMeta(path);
    const recorded = meta !== undefined && basename(path).endsWith(`.${meta.owner}`) ? meta.machine : undefined;
    const state: OwnerState = ownerState(name.owner, recorded);
    if (state === "live") return { claimed: false, reason: "live", detail: `process ${name.owner.pid} still owns ${path}` };
    if (state === "foreign" && !options.force)
      return { claimed: false, reason: "foreign", detail: `${path} was written on another machine or container; its owner cannot be checked from here` };
    const target = join(dirname(path), formatJournalName({ runKey: name.runKey, owner: currentOwner(), serial: nextSerial++ }));
    try {
      await rename(path, target);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT") return { claimed: false, reason: "taken", detail: `${path} was claimed by another process` };
      throw error;
    }
    const token = basename(target).slice(basename(target).indexOf(".") + 1);
    const updated: JournalMeta = {
      ...(meta ?? { format: 0, runId: name.runKey, trackingUri: "", createdMs: 0 }),
      owner: token,
      machine: describeMachine(),
      claimedFrom: basename(path),
    };
    await writeMeta(target, updated);
    const { log, damage } = await AckLog.load(target);
    const scan = await scanJournal(target, log.acked);
    if (damage !== undefined) scan.damage.push(damage);
    const journal = new Journal({ path: target, runId: updated.runId, acks: log, scanned: scan.segments });
    return { claimed: true, journal, scan };
  }

  /** Limits of the blobs of artifacts built in memory, bytes (see {@link JournalInit.blobLimits}). */
  get blobLimits(): { readonly maxBlobBytes: number; readonly maxJournalBlobBytes: number } {
    return this.#blobLimits;
  }

  /** Set once the journal stopped writing (disk full, unwritable…); delivery then relies on memory. */
  get degraded(): JournalDegraded | undefined {
    return this.#degraded;
  }

  /** Appends metric points `[start, end)` of `columns`; returns the first one's sequence number. O(points), no disk. */
  appendMetrics(columns: MetricColumns, start: number, end: number): number {
    return this.#live().appendMetrics(columns, start, end);
  }

  /** Appends params; returns the first one's sequence number. */
  appendParams(entries: ArrayLike<KeyValueEntry>, start?: number, end?: number): number {
    return this.#live().appendParams(entries, start, end);
  }

  /** Appends tag writes in the order they were made; returns the first one's sequence number. */
  appendTags(entries: ArrayLike<KeyValueEntry>, start?: number, end?: number): number {
    return this.#live().appendTags(entries, start, end);
  }

  /** Appends the run's end status; returns its sequence number in the control stream. Follow with `commit({ sync: true })`. */
  appendEnd(status: JournalEndStatus, endTimeMs: number): number {
    return this.#live().appendEnd(status, endTimeMs);
  }

  /** Appends a file to upload later (see `describeArtifact`); returns its sequence number in the control stream. */
  appendArtifact(artifact: ArtifactEntry): number {
    if (!/^[0-9a-f]{64}$/.test(artifact.sha256))
      throw new TypeError(`artifact sha256 must be 64 lowercase hex digits, got "${artifact.sha256}". Fix: use describeArtifact().`);
    return this.#live().appendArtifact(artifact);
  }

  /**
   * Copies an artifact built in memory into the journal (the blob `blobs/<sha256>`, written durably:
   * temporary name, fdatasync, rename) and appends its entry; follow with `commit({ sync: true })`.
   * Serialized with commits, so a blob is never removed between being written and being named. A
   * disk failure turns the journal degraded (the one warning), as any other. Never rejects.
   * @example
   * const added = await journal.appendBlob(Buffer.from("hello"), "notes/readme.txt");
   * if (added.appended) await journal.commit({ sync: true });
   */
  appendBlob(bytes: Uint8Array, artifactFile: string): Promise<BlobAppend> {
    const run = this.#chain.then(() => this.#appendBlob(bytes, artifactFile));
    this.#chain = run;
    return run;
  }

  /**
   * A fresh, empty folder under the journal's `models/` for a model `logModel` writes, so that a
   * killed process leaves it with the journal (and it goes with the journal's folder); `undefined`
   * when the journal does not write or the folder cannot be made (the model is then written
   * elsewhere and not journaled). Never rejects.
   * @example
   * const dir = await journal.modelFolder(); // ".../<journal>/models/m-Xa3k"
   */
  async modelFolder(): Promise<string | undefined> {
    if (this.#writer === undefined || this.#degraded !== undefined || this.#writer.degraded !== undefined || this.#closed) return undefined;
    try {
      await mkdir(join(this.path, MODEL_FOLDER), { recursive: true, mode: 0o700 });
      return await mkdtemp(join(this.path, MODEL_FOLDER, "m-"));
    } catch {
      return undefined;
    }
  }

  /**
   * Appends a model being logged, whose folder (`model.folder`, relative to the journal's folder)
   * holds `sizeBytes` of files; follow with `commit({ sync: true })`. Refused (`disk-cap`) when
   * the folder and the journal's blobs would pass `MAX_JOURNAL_BLOB_BYTES`: the blobs' disk bound
   * holds for models too.
   * @throws {TypeError} when a file's sha256 is not 64 lowercase hex digits.
   * @example
   * const added = journal.appendModel({ target: { kind: "logged-model", modelId }, folder: "models/m-Xa3k", files }, 5120);
   */
  appendModel(model: ModelEntry, sizeBytes: number): ModelAppend {
    if (this.#writer === undefined || this.#degraded !== undefined || this.#writer.degraded !== undefined || this.#closed)
      return { appended: false, reason: "inactive" };
    for (const file of model.files)
      if (!/^[0-9a-f]{64}$/.test(file.sha256))
        throw new TypeError(`model file sha256 must be 64 lowercase hex digits, got "${file.sha256}". Fix: use describeArtifact().`);
    if (this.#blobBytes + sizeBytes > this.#blobLimits.maxJournalBlobBytes) return { appended: false, reason: "disk-cap" };
    const seq = this.#writer.appendModel(model);
    // Counted until the model is acknowledged (finished or failed: its folder is then removed).
    this.#modelSizes.set(seq, sizeBytes);
    this.#blobBytes += sizeBytes;
    return { appended: true, seq };
  }

  /**
   * Records that the server acknowledged entries `[from, to)` of `stream` (or that they need no
   * delivery any more: superseded, or refused for good and reported). In memory at once; written
   * by the next commit. Acknowledging entries twice, or not yet appended, is harmless.
   */
  acknowledge(stream: Stream, from: number, to: number): void {
    if (this.#acks === undefined || to <= from) return;
    if (stream === "control")
      for (const [seq, sizeBytes] of this.#modelSizes)
        if (seq >= from && seq < to) {
          this.#blobBytes -= sizeBytes;
          this.#modelSizes.delete(seq);
        }
    this.#acks.add(stream, from, to);
    this.#acksUnsynced = true;
  }

  /**
   * Writes what was appended and acknowledged, then deletes the oldest segments whose entries are
   * all acknowledged. Resolves once the appended entries are durable (synced when `sync`). Never rejects.
   */
  commit(options: { sync?: boolean } = {}): Promise<CommitResult> {
    const run = this.#chain.then(() => this.#commit(options.sync ?? false));
    this.#chain = run;
    return run;
  }

  /** A reader of the unacknowledged entries, in journal order, from the oldest segment on. */
  cursor(): JournalCursor {
    return new JournalCursor({ segments: () => this.#segments(), acked: this.#ackedSets() });
  }

  /** Whether every appended entry is acknowledged. */
  get settled(): boolean {
    const { pending } = this.stats();
    return STREAMS.every((stream) => pending[stream] === 0);
  }

  /** A snapshot of the counters. */
  stats(): JournalStats {
    const appended = { ...(this.#writer?.appended ?? this.#scannedEnd()) };
    const acknowledged = zeroCounts();
    const pending = zeroCounts();
    const acked = this.#ackedSets();
    for (const stream of STREAMS) {
      // Before the oldest segment on disk everything was acknowledged (its segments are gone);
      // with no segment at all, a writer has written nothing and a claimed journal has nothing left.
      const first = this.#segments()[0]?.first[stream] ?? (this.#writer === undefined ? appended[stream] : 0);
      acknowledged[stream] = first + acked[stream].countIn(first, appended[stream]);
      pending[stream] = appended[stream] - acknowledged[stream];
    }
    const segments = this.#segments().filter((s) => s.committedBytes > 0);
    return {
      appended,
      durable: { ...(this.#writer?.durable ?? appended) },
      synced: { ...(this.#writer?.synced ?? appended) },
      acknowledged,
      pending,
      segments: segments.length,
      bytes: segments.reduce((sum, s) => sum + s.committedBytes, 0),
      pendingBytes: this.#writer?.pendingBytes ?? 0,
    };
  }

  /**
   * Commits and syncs, closes the files, and removes the folder when every entry is acknowledged
   * (nothing left to recover; also when degraded, since delivery then went on from memory);
   * otherwise leaves it for recovery. With `keep`, the folder stays even when settled (a recovery
   * that delivered every entry but could not set the run's status yet). Never rejects.
   * @returns whether the folder was removed.
   */
  async close(options: { keep?: boolean } = {}): Promise<boolean> {
    if (this.#closed) return false;
    await this.commit({ sync: true });
    this.#closed = true;
    await this.#writer?.close();
    await this.#acks?.close();
    if (this.settled && !options.keep) return this.remove();
    return false;
  }

  /** Deletes the journal folder and everything in it (after recovery, or to abandon it). Never rejects. */
  async remove(): Promise<boolean> {
    this.#closed = true;
    await this.#writer?.close();
    await this.#acks?.close();
    try {
      await rm(this.path, { recursive: true, force: true });
      return true;
    } catch {
      return false;
    }
  }

  async #appendBlob(bytes: Uint8Array, artifactFile: string): Promise<BlobAppend> {
    if (this.#writer === undefined || this.#degraded !== undefined || this.#writer.degraded !== undefined || this.#closed)
      return { appended: false, reason: "inactive" };
    if (bytes.byteLength > this.#blobLimits.maxBlobBytes) return { appended: false, reason: "too-large" };
    const sha256 = sha256Hex(bytes);
    if (!this.#blobSizes.has(sha256)) {
      if (this.#blobBytes + bytes.byteLength > this.#blobLimits.maxJournalBlobBytes) return { appended: false, reason: "disk-cap" };
      try {
        await writeBlob(this.path, sha256, bytes);
      } catch (error) {
        this.#degrade(degradedFrom(error, blobPath(this.path, sha256), "keep an artifact's bytes"));
        return { appended: false, reason: "inactive" };
      }
      this.#blobSizes.set(sha256, bytes.byteLength);
      this.#blobBytes += bytes.byteLength;
    }
    return { appended: true, seq: this.#writer.appendBlob({ artifactFile, sizeBytes: bytes.byteLength, sha256 }) };
  }

  /** Removes the blobs `removed` named that no remaining segment names. */
  async #removeBlobs(removed: CursorSegment): Promise<void> {
    for (const sha256 of removed.blobs ?? []) {
      if (this.#segments().some((segment) => segment.blobs?.has(sha256))) continue;
      await rm(blobPath(this.path, sha256), { force: true });
      this.#blobBytes -= this.#blobSizes.get(sha256) ?? 0;
      this.#blobSizes.delete(sha256);
    }
  }

  #live(): JournalWriter {
    if (this.#writer === undefined) throw new Error("a claimed journal is read for recovery; it takes no appends");
    return this.#writer;
  }

  async #commit(sync: boolean): Promise<CommitResult> {
    const result = (await this.#writer?.commit({ sync })) ?? {
      durable: zeroCounts(),
      synced: zeroCounts(),
      ...(this.#degraded ? { degraded: this.#degraded } : {}),
    };
    if (this.#acks === undefined || this.#degraded !== undefined) return result;
    try {
      const removable = this.#removableSegments();
      const syncAcks = this.#acksUnsynced && (sync || removable.length > 0);
      await this.#acks.flush({ sync: syncAcks });
      if (syncAcks) this.#acksUnsynced = false;
      for (const segment of removable) {
        await rm(segment.path, { force: true });
        const list = this.#writer?.segments ?? this.#scanned;
        list.splice(list.indexOf(segment as WrittenSegment), 1);
        await this.#removeBlobs(segment);
      }
    } catch (error) {
      this.#degrade(degradedFrom(error, this.path, "record acknowledgements"));
    }
    return this.#result(result);
  }

  /** The oldest segments, in order, that are complete and whose every entry is acknowledged. */
  #removableSegments(): CursorSegment[] {
    const acked = this.#ackedSets();
    const removable: CursorSegment[] = [];
    for (const segment of this.#segments()) {
      if (!segment.closed || !STREAMS.every((stream) => acked[stream].covers(segment.first[stream], segment.end[stream]))) break;
      removable.push(segment);
    }
    return removable;
  }

  #result(result: CommitResult): CommitResult {
    return this.#degraded === undefined || result.degraded !== undefined ? result : { ...result, degraded: this.#degraded };
  }

  #segments(): CursorSegment[] {
    return this.#writer?.segments ?? this.#scanned;
  }

  #scannedEnd(): StreamCounts {
    const end = zeroCounts();
    for (const segment of this.#scanned) for (const stream of STREAMS) end[stream] = Math.max(end[stream], segment.end[stream]);
    return end;
  }

  #ackedSets(): AckLog["acked"] {
    return this.#acks?.acked ?? EMPTY_ACKS;
  }

  #degrade(state: JournalDegraded): void {
    if (this.#degraded !== undefined) return;
    this.#degraded = state;
    this.#onDegraded?.(state);
  }
}

/**
 * Creates `dir` and its parents. Node's recursive mkdir reports ENOENT when the real cause is a
 * read-only file system or a permission; one plain mkdir then tells the real code.
 */
async function ensureFolder(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    const plain = await mkdir(dir, { mode: 0o700 }).then(
      () => undefined,
      (cause: NodeJS.ErrnoException) => cause,
    );
    if (plain === undefined || plain.code === "EEXIST") return;
    throw plain.code === "ENOENT" ? error : plain;
  }
}

const EMPTY_ACKS: AckLog["acked"] = { metric: new RangeSet(), param: new RangeSet(), tag: new RangeSet(), control: new RangeSet() };

export type { JournalDamage };
