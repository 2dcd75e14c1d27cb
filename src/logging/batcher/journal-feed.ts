/**
 * What a run's batcher writes to its journal (issue #14, docs/journal.md "The logger's journal") and
 * what it acknowledges there. One place for the wiring, so the buffers and the delivery only call
 * it at their seams:
 *
 * - metric chunks are appended in place, as columns, when a chunk is sealed (metric-buffer.ts) and,
 *   for the open chunk, on this feed's tick: nothing is added to `logMetric`;
 * - params and every tag write (coalesced ones too, in the order made) wait in small lists and are
 *   appended on the tick, on `flush()` and at the end; a tag write replaced in the buffer is
 *   acknowledged as superseded only once the write that replaced it is appended, so a kill can never
 *   leave the older value acknowledged and the newer one missing;
 * - the tick runs every `commitIntervalMs` and commits what it appended: on a process kill, at most
 *   the entries accepted in the last `commitIntervalMs` (plus a commit being written) are lost;
 * - acknowledgements: a request answered 200, or refused for good and reported, is acknowledged
 *   (metric range, params, each tag's latest write); a request still failing at the delivery deadline
 *   is not: it stays journaled and is reported as pending;
 * - artifacts: the files of a `logArtifact(s)` call (path, size, mtime, SHA-256) are appended and
 *   synced before the upload starts, and acknowledged once it succeeded (or failed for good), so a
 *   kill mid-upload leaves them for recovery, which uploads each one only if it is unchanged;
 * - artifacts built in memory (`logText`, `logDict`, `logTable`, `logImage`…): their bytes are
 *   copied into the journal's folder as a blob and their entry synced before the upload starts,
 *   acknowledged as files are; above the blob limits they are uploaded from memory only, with one
 *   warning per run.
 *
 * When the journal turns degraded (disk full, unwritable) it stops writing and delivery goes on from
 * memory with the old guarantees (`active` is then false).
 */
import type {
  ArtifactEntry,
  CommitResult,
  Journal,
  JournalEndStatus,
  JournalStats,
  KeyValueEntry,
  MetricColumns,
  ModelEntry,
  StreamCounts,
} from "../../journal/index.js";
import type { PendingKeyValue } from "./batch.js";

/** The entries of a request (or of a drained buffer) to acknowledge. @internal */
export interface AcknowledgedEntries {
  /** Sequence number of the first metric point; the points are a contiguous range. */
  firstMetric: number;
  /** Number of metric points. */
  metricCount: number;
  params: readonly PendingKeyValue[];
  tags: readonly PendingKeyValue[];
}

/** The journal counters `run.stats()` shows, all streams together. @internal */
export interface JournalCounts {
  /** Entries appended to the journal. */
  journaled: number;
  /** Entries on disk (their group commit's write returned). */
  durable: number;
  /** Entries the server acknowledged (or that need no delivery: superseded, refused for good). */
  acknowledged: number;
  /** Journaled entries not acknowledged yet. */
  pending: number;
}

/**
 * Feeds one run's journal from its batcher.
 *
 * @example
 * const feed = new JournalFeed(journal, 100, () => metrics.journalOpen());
 * feed.param("lr", "0.1");
 * feed.sync();                // appended; the journal's next commit makes it durable
 * feed.acknowledge({ firstMetric: 0, metricCount: 1000, params, tags });
 * @internal
 */
export class JournalFeed {
  readonly journal: Journal;
  readonly #appendOpenMetrics: () => void;
  readonly #onCommitted: (result: CommitResult) => void;
  #params: KeyValueEntry[] = [];
  #tags: KeyValueEntry[] = [];
  #superseded: number[] = [];
  readonly #timer: NodeJS.Timeout;
  #closed = false;
  /** The warning that an artifact built in memory was not journaled was given (once per run). */
  #blobWarned = false;

  /**
   * @param commitIntervalMs - Tick of the feed: append what waits, then commit, ms.
   * @param appendOpenMetrics - Appends the open metric chunk's new points (`MetricBuffer.journalOpen`).
   * @param onCommitted - After each tick's commit: what is durable now (spilled chunks are released then).
   */
  constructor(journal: Journal, commitIntervalMs: number, appendOpenMetrics: () => void, onCommitted: (result: CommitResult) => void = () => undefined) {
    this.journal = journal;
    this.#appendOpenMetrics = appendOpenMetrics;
    this.#onCommitted = onCommitted;
    this.#timer = setInterval(() => this.#onTick(), commitIntervalMs);
    this.#timer.unref();
  }

  /** Whether the journal still writes: entries failing transiently are then kept there, not failed. */
  get active(): boolean {
    return !this.#closed && this.journal.degraded === undefined;
  }

  /** The journal's folder (where pending entries are kept). */
  get path(): string {
    return this.journal.path;
  }

  /** Appends metric points `[start, end)` of a chunk (the metric buffer's sink). */
  readonly appendMetrics = (columns: MetricColumns, start: number, end: number): void => {
    if (!this.#closed) this.journal.appendMetrics(columns, start, end);
  };

  /** A param pushed to the batcher, appended on the next tick. */
  param(key: string, value: string): void {
    this.#params.push({ key, value });
  }

  /** A tag write made, appended on the next tick (every write, in order). */
  tag(key: string, value: string): void {
    this.#tags.push({ key, value });
  }

  /** A tag write replaced in the buffer by a later write of its key: acknowledged once that one is appended. */
  supersede(seq: number): void {
    this.#superseded.push(seq);
  }

  /** Appends everything accepted and not yet journaled (open metric chunk, params, tag writes). */
  sync(): void {
    if (this.#closed) return;
    this.#appendOpenMetrics();
    if (this.#params.length > 0) {
      this.journal.appendParams(this.#params);
      this.#params = [];
    }
    if (this.#tags.length > 0) {
      this.journal.appendTags(this.#tags);
      this.#tags = [];
    }
    for (const seq of this.#superseded) this.journal.acknowledge("tag", seq, seq + 1);
    this.#superseded = [];
  }

  /** Appends what waits and commits it; resolves once it is durable (synced with `sync`). Never rejects. */
  async commit(options: { sync?: boolean } = {}): Promise<void> {
    this.sync();
    await this.journal.commit(options);
  }

  /** Records that the server has `entries` (or they were refused for good and reported). */
  acknowledge(entries: AcknowledgedEntries): void {
    const { journal } = this;
    journal.acknowledge("metric", entries.firstMetric, entries.firstMetric + entries.metricCount);
    for (const param of entries.params) journal.acknowledge("param", param.last, param.last + 1);
    for (const tag of entries.tags) journal.acknowledge("tag", tag.last, tag.last + 1);
  }

  /**
   * Appends the run's end status and syncs it to disk before the status update is sent.
   * @returns its sequence number in the control stream, for {@link JournalFeed.acknowledgeEnd}.
   */
  async appendEnd(status: JournalEndStatus, endTimeMs: number): Promise<number> {
    this.sync();
    const seq = this.journal.appendEnd(status, endTimeMs);
    await this.journal.commit({ sync: true });
    return seq;
  }

  /**
   * Appends files to upload (after everything accepted before them) and syncs them to disk, before
   * the upload starts.
   * @returns their sequence numbers in the control stream, for {@link JournalFeed.acknowledgeArtifacts}
   *   (none once the journal is closed).
   */
  async appendArtifacts(artifacts: readonly ArtifactEntry[]): Promise<number[]> {
    // The run ended while the files were being hashed: the journal is closed, the upload goes on without it.
    if (this.#closed) return [];
    this.sync();
    const seqs = artifacts.map((artifact) => this.journal.appendArtifact(artifact));
    await this.journal.commit({ sync: true });
    return seqs;
  }

  /**
   * Copies an artifact built in memory into the journal (a blob) and syncs its entry, after
   * everything accepted before it, before the upload starts. Above the blob limits it is not
   * journaled and one warning per run says so (code `MLFLOW_TS_JOURNAL_BLOB_SKIPPED`).
   * @returns its sequence number in the control stream, for {@link JournalFeed.acknowledgeArtifacts};
   *   `undefined` when it is not journaled (limits, closed or degraded journal). Never rejects.
   */
  async appendBlob(bytes: Uint8Array, artifactFile: string): Promise<number | undefined> {
    if (this.#closed) return undefined;
    this.sync();
    const added = await this.journal.appendBlob(bytes, artifactFile);
    if (!added.appended) {
      if (added.reason !== "inactive") this.#warnBlobSkipped(artifactFile, bytes.byteLength, added.reason);
      return undefined;
    }
    await this.journal.commit({ sync: true });
    return added.seq;
  }

  #warnBlobSkipped(artifactFile: string, sizeBytes: number, reason: "too-large" | "disk-cap"): void {
    if (this.#blobWarned) return;
    this.#blobWarned = true;
    const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
    const { maxBlobBytes, maxJournalBlobBytes } = this.journal.blobLimits;
    const why =
      reason === "too-large"
        ? `is ${mib(sizeBytes)}, above the ${mib(maxBlobBytes)} an artifact built in memory may take in the journal`
        : `would take the run's journal above the ${mib(maxJournalBlobBytes)} of artifacts it keeps until they are uploaded`;
    process.emitWarning(
      `mlflow-ts: the artifact "${artifactFile}" ${why}; it is uploaded from memory only, so a kill before its upload ends loses it (said once per run). Fix: write it to a file and log it with logArtifact (journaled by path and SHA-256), or wait for earlier uploads to finish.`,
      { code: "MLFLOW_TS_JOURNAL_BLOB_SKIPPED" },
    );
  }

  /** A fresh folder for a model inside the journal (see `Journal.modelFolder`); `undefined` once closed or degraded. Never rejects. */
  async modelFolder(): Promise<string | undefined> {
    return this.#closed ? undefined : this.journal.modelFolder();
  }

  /**
   * Appends a model being logged and syncs it, after everything accepted before it, before its
   * upload starts. Above the journal's disk bound it is not journaled and one warning per run says
   * so (code `MLFLOW_TS_JOURNAL_BLOB_SKIPPED`, shared with the blobs).
   * @returns its sequence number in the control stream, for {@link JournalFeed.acknowledgeArtifacts};
   *   `undefined` when it is not journaled. Never rejects.
   */
  async appendModel(model: ModelEntry, sizeBytes: number): Promise<number | undefined> {
    if (this.#closed) return undefined;
    this.sync();
    const added = this.journal.appendModel(model, sizeBytes);
    if (!added.appended) {
      if (added.reason === "disk-cap") this.#warnModelSkipped(model, sizeBytes);
      return undefined;
    }
    await this.journal.commit({ sync: true });
    return added.seq;
  }

  #warnModelSkipped(model: ModelEntry, sizeBytes: number): void {
    if (this.#blobWarned) return;
    this.#blobWarned = true;
    const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
    const name = model.target.kind === "logged-model" ? model.target.modelId : model.target.name;
    process.emitWarning(
      `mlflow-ts: the model "${name}" (${mib(sizeBytes)}) would take the run's journal above the ${mib(this.journal.blobLimits.maxJournalBlobBytes)} it keeps until uploaded; it is uploaded without the journal, so a kill before its upload ends leaves it UPLOAD_FAILED (said once per run). Fix: log it again after a kill, or wait for earlier uploads to finish.`,
      { code: "MLFLOW_TS_JOURNAL_BLOB_SKIPPED" },
    );
  }

  /** The upload of these artifacts succeeded (or failed for good and was reported): nothing to recover. */
  acknowledgeArtifacts(seqs: readonly number[]): void {
    for (const seq of seqs) this.journal.acknowledge("control", seq, seq + 1);
  }

  /** The status update succeeded: the end entry needs no recovery. */
  acknowledgeEnd(seq: number): void {
    this.journal.acknowledge("control", seq, seq + 1);
  }

  /** The journal's counters, all streams together. */
  counts(): JournalCounts {
    const stats: JournalStats = this.journal.stats();
    return { journaled: total(stats.appended), durable: total(stats.durable), acknowledged: total(stats.acknowledged), pending: total(stats.pending) };
  }

  /**
   * Stops the tick, commits, syncs and closes the journal: its folder is removed when every entry
   * is acknowledged, kept for recovery otherwise. Never rejects.
   * @returns whether the folder was removed.
   */
  async close(): Promise<boolean> {
    if (this.#closed) return false;
    clearInterval(this.#timer);
    this.sync();
    this.#closed = true;
    return this.journal.close();
  }

  #onTick(): void {
    if (this.#closed) return;
    this.sync();
    void this.journal.commit().then((result) => {
      if (!this.#closed) this.#onCommitted(result);
    });
  }
}

function total(counts: Readonly<StreamCounts>): number {
  return counts.metric + counts.param + counts.tag + counts.control;
}
