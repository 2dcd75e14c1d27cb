/**
 * Reads one segment file record by record, in bounded memory (a 1 MiB window, grown only for a
 * larger record). It trusts nothing: a record cut short at the end of the file (a torn tail, what a
 * kill during a write leaves) and a record whose checksum, length or content is wrong both end the
 * segment there, and the reader reports the damage with its offset instead of guessing past it.
 * @internal
 * @module
 */

import type { FileHandle } from "node:fs/promises";
import { open } from "node:fs/promises";
import { crc32 } from "./checksum.js";
import { DecodeError, decodeRecord, decodeSegmentHeader } from "./decoder.js";
import type { JournalRecord, MetricLinkEntry } from "./entries.js";
import { FRAME_BYTES, MAX_RECORD_BYTES, RECORD_HEADER_BYTES, type SegmentHeader } from "./format.js";

const WINDOW_BYTES = 1024 * 1024;

/**
 * Why a segment could not be read to its end.
 * - `truncated`: the file ends inside a record (a torn tail; expected after a kill mid-write);
 * - `checksum`: a record's checksum does not match (a flipped byte, a partial overwrite);
 * - `bad-record`: a record passed its checksum but does not parse, or its length is impossible;
 * - `bad-header`: the segment header is missing, damaged or from a newer format;
 * - `unreadable`: the file could not be opened or read (the `detail` says why).
 */
export type DamageReason = "truncated" | "checksum" | "bad-record" | "bad-header" | "unreadable";

/** Where and why reading a segment stopped early. Entries before `offset` were read. */
export interface JournalDamage {
  /** Path of the segment file. */
  file: string;
  /** Byte offset of the first record that could not be read. */
  offset: number;
  reason: DamageReason;
  /** What exactly was wrong. */
  detail: string;
}

/** Options of {@link SegmentReader.open}. */
export interface SegmentReadOptions {
  /** Read only up to this byte offset (the committed size of a segment still being written). @defaultValue the file's size */
  endOffset?: number;
}

/**
 * Reads the records of one segment in order.
 * @example
 * const reader = await SegmentReader.open("/cache/run/00000000.seg");
 * for (let r = await reader.next(); r; r = await reader.next()) console.log(r.kind, r.firstSeq, r.count);
 * if (reader.damage) console.warn(reader.damage);
 * await reader.close();
 * @internal
 */
export class SegmentReader {
  /** The segment's header, once read (undefined when it is damaged). */
  header: SegmentHeader | undefined;
  /** Set when reading stopped before the end of the file. */
  damage: JournalDamage | undefined;
  readonly #file: string;
  readonly #handle: FileHandle | undefined;
  #endOffset: number;
  readonly #keys: string[] = [];
  /** The segment's metric links (index 0: no link), declared by its links records. */
  readonly #links: MetricLinkEntry[] = [{}];
  #window: Buffer;
  /** File offset of `#window[0]`. */
  #windowAt = 0;
  /** Valid bytes in the window. */
  #windowBytes = 0;
  /** File offset of the next record. */
  #offset = 0;
  #done = false;

  private constructor(file: string, handle: FileHandle | undefined, endOffset: number) {
    this.#file = file;
    this.#handle = handle;
    this.#endOffset = endOffset;
    this.#window = Buffer.allocUnsafe(Math.min(WINDOW_BYTES, Math.max(4096, endOffset)));
  }

  /** Opens a segment and reads its header. Never throws: an unreadable file is reported as damage. */
  static async open(file: string, options: SegmentReadOptions = {}): Promise<SegmentReader> {
    let handle: FileHandle;
    let size: number;
    try {
      handle = await open(file, "r");
      size = (await handle.stat()).size;
    } catch (error) {
      const reader = new SegmentReader(file, undefined, 0);
      reader.#stop(0, "unreadable", (error as Error).message);
      return reader;
    }
    const reader = new SegmentReader(file, handle, Math.min(size, options.endOffset ?? size));
    await reader.#readHeader();
    return reader;
  }

  /** Offset just past the last record read: where whole records end. */
  get offset(): number {
    return this.#offset;
  }

  /** The next record, or `undefined` at the end of the segment or at the first damage. */
  async next(): Promise<JournalRecord | undefined> {
    while (!this.#done) {
      const at = this.#offset;
      if (at === this.#endOffset) {
        this.#done = true;
        return undefined;
      }
      if (!(await this.#fill(at, FRAME_BYTES))) return this.#stop(at, "truncated", `${this.#endOffset - at} bytes at the end are less than a record frame`);
      const base = at - this.#windowAt;
      const checksum = this.#window.readUInt32LE(base);
      const bodyBytes = this.#window.readUInt32LE(base + 4);
      if (bodyBytes < RECORD_HEADER_BYTES || bodyBytes > MAX_RECORD_BYTES) return this.#stop(at, "bad-record", `record length ${bodyBytes} is impossible`);
      if (!(await this.#fill(at, FRAME_BYTES + bodyBytes))) {
        return this.#stop(at, "truncated", `record of ${FRAME_BYTES + bodyBytes} bytes, but the file ends ${this.#endOffset - at} bytes after its start`);
      }
      const start = at - this.#windowAt;
      if (crc32(this.#window.subarray(start + 4, start + FRAME_BYTES + bodyBytes)) !== checksum) return this.#stop(at, "checksum", "checksum mismatch");
      let record: JournalRecord | undefined;
      try {
        record = decodeRecord(this.#window, start + FRAME_BYTES, start + FRAME_BYTES + bodyBytes, this.#keys, this.#links);
      } catch (error) {
        if (!(error instanceof DecodeError)) throw error;
        return this.#stop(at, "bad-record", error.message);
      }
      this.#offset = at + FRAME_BYTES + bodyBytes;
      if (record !== undefined) return record;
    }
    return undefined;
  }

  /** The byte offset reading stops at. */
  get endOffset(): number {
    return this.#endOffset;
  }

  /**
   * Lets reading go on to `endOffset` after the end was reached (a live segment grew by a commit).
   * Does nothing after damage, or when `endOffset` is not further.
   */
  extend(endOffset: number): void {
    if (this.damage !== undefined || this.#handle === undefined || endOffset <= this.#endOffset) return;
    this.#endOffset = endOffset;
    this.#done = false;
  }

  /** Releases the file. */
  async close(): Promise<void> {
    this.#done = true;
    await this.#handle?.close().catch(() => undefined);
  }

  async #readHeader(): Promise<void> {
    await this.#fill(0, Math.min(WINDOW_BYTES, this.#endOffset));
    try {
      const parsed = decodeSegmentHeader(this.#window.subarray(0, this.#windowBytes));
      if (parsed === undefined) {
        this.#stop(0, "truncated", `the file ends inside the segment header (${this.#endOffset} bytes)`);
        return;
      }
      this.header = parsed.header;
      this.#offset = parsed.size;
    } catch (error) {
      if (!(error instanceof DecodeError) && !(error instanceof SyntaxError)) throw error;
      this.#stop(0, "bad-header", error.message);
    }
  }

  /** Makes file bytes `[at, at + bytes)` available in the window; `false` when the readable part of the file ends first. */
  async #fill(at: number, bytes: number): Promise<boolean> {
    if (at + bytes > this.#endOffset) return false;
    if (at >= this.#windowAt && at + bytes <= this.#windowAt + this.#windowBytes) return true;
    if (bytes > this.#window.length) this.#window = Buffer.allocUnsafe(Math.max(bytes, this.#window.length * 2));
    this.#windowAt = at;
    this.#windowBytes = 0;
    const want = Math.min(this.#window.length, this.#endOffset - at);
    while (this.#windowBytes < want) {
      const { bytesRead } = await this.#handle!.read(this.#window, this.#windowBytes, want - this.#windowBytes, at + this.#windowBytes);
      if (bytesRead === 0) break;
      this.#windowBytes += bytesRead;
    }
    return this.#windowBytes >= bytes;
  }

  #stop(offset: number, reason: DamageReason, detail: string): undefined {
    this.#done = true;
    this.damage = { file: this.#file, offset, reason, detail };
    return undefined;
  }
}
