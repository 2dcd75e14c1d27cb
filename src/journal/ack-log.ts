/**
 * Which entries the server has acknowledged, per stream, and the file that remembers it across a
 * crash. Acknowledgements are kept apart from the segments: they arrive out of order and often
 * (one per `log-batch` answer), a segment can then be deleted as a whole once its entries are all
 * acknowledged, and an append-only file of fixed 24-byte checksummed records survives a kill at any
 * byte (a torn last record is ignored). Losing an acknowledgement only means its entries are sent
 * again, which replay makes harmless (docs/journal.md, "Recovery").
 * @internal
 * @module
 */
import { constants } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { crc32 } from "./checksum.js";
import { writeFileAtomically, writeFully } from "./durable-fs.js";
import {
  ACK_FILE,
  ACK_HEADER_BYTES,
  ACK_MAGIC,
  ACK_RECORD_BYTES,
  FORMAT_VERSION,
  readInt64,
  STREAM_CODE,
  STREAM_OF_CODE,
  STREAMS,
  type Stream,
  writeInt64,
} from "./format.js";
import { RangeSet } from "./range-set.js";
import type { JournalDamage } from "./segment-reader.js";

/** The acknowledgement file grows to this size before it is rewritten with its ranges merged. */
const COMPACT_AT_BYTES = 1024 * 1024;

/**
 * The acknowledged entries of one journal.
 * @example
 * const { log } = await AckLog.load(dir);
 * log.add("metric", 0, 1000);
 * await log.flush({ sync: true });
 * @internal
 */
export class AckLog {
  /** Acknowledged sequence numbers of each stream. */
  readonly acked: Readonly<Record<Stream, RangeSet>>;
  readonly #dir: string;
  #handle: FileHandle | undefined;
  /** Size of the file's valid part: where the next record goes. */
  #size: number;
  #pending = Buffer.allocUnsafe(ACK_RECORD_BYTES * 64);
  #pendingBytes = 0;

  private constructor(dir: string, acked: Record<Stream, RangeSet>, size: number) {
    this.#dir = dir;
    this.acked = acked;
    this.#size = size;
  }

  /**
   * Reads the acknowledgement file of the journal in `dir` (none yet is an empty log). Reading stops
   * at the first damaged record, which is reported; later appends overwrite it.
   * @throws the file system's error when the file exists but cannot be read.
   */
  static async load(dir: string): Promise<{ log: AckLog; damage?: JournalDamage }> {
    const acked = { metric: new RangeSet(), param: new RangeSet(), tag: new RangeSet(), control: new RangeSet() };
    const file = join(dir, ACK_FILE);
    let bytes: Buffer;
    try {
      const handle = await open(file, "r");
      try {
        bytes = await handle.readFile();
      } finally {
        await handle.close();
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return { log: new AckLog(dir, acked, 0) };
      throw error;
    }
    if (bytes.length < ACK_HEADER_BYTES || !bytes.subarray(0, 8).equals(ACK_MAGIC) || crc32(bytes.subarray(0, 12)) !== bytes.readUInt32LE(12)) {
      return {
        log: new AckLog(dir, acked, 0),
        damage: { file, offset: 0, reason: bytes.length < ACK_HEADER_BYTES ? "truncated" : "bad-header", detail: "acknowledgement file header" },
      };
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let offset = ACK_HEADER_BYTES;
    let damage: JournalDamage | undefined;
    for (; offset + ACK_RECORD_BYTES <= bytes.length; offset += ACK_RECORD_BYTES) {
      const stream = STREAM_OF_CODE[bytes[offset + 4]!];
      if (crc32(bytes.subarray(offset + 4, offset + ACK_RECORD_BYTES)) !== view.getUint32(offset, true) || stream === undefined) {
        damage = { file, offset, reason: "checksum", detail: "acknowledgement record checksum mismatch" };
        break;
      }
      acked[stream].add(readInt64(view, offset + 8), readInt64(view, offset + 16));
    }
    if (damage === undefined && offset < bytes.length)
      damage = { file, offset, reason: "truncated", detail: `${bytes.length - offset} bytes of a torn acknowledgement record` };
    return damage === undefined ? { log: new AckLog(dir, acked, offset) } : { log: new AckLog(dir, acked, offset), damage };
  }

  /** Records that entries `[from, to)` of `stream` are acknowledged; written by the next {@link flush}. */
  add(stream: Stream, from: number, to: number): void {
    if (to <= from) return;
    this.acked[stream].add(from, to);
    if (this.#pendingBytes + ACK_RECORD_BYTES > this.#pending.length) {
      const grown = Buffer.allocUnsafe(this.#pending.length * 2);
      this.#pending.copy(grown, 0, 0, this.#pendingBytes);
      this.#pending = grown;
    }
    encodeAck(this.#pending, this.#pendingBytes, stream, from, to);
    this.#pendingBytes += ACK_RECORD_BYTES;
  }

  /** Whether acknowledgements are waiting to be written. */
  get dirty(): boolean {
    return this.#pendingBytes > 0;
  }

  /**
   * Appends the pending acknowledgements to the file (creating it), and fsyncs it when `sync`.
   * Rewrites the file with merged ranges once it passes 1 MiB.
   * @throws the file system's error; the acknowledgements stay in memory.
   */
  async flush(options: { sync: boolean }): Promise<void> {
    if (this.#pendingBytes === 0 && !options.sync) return;
    if (this.#size + this.#pendingBytes > COMPACT_AT_BYTES) {
      this.#pendingBytes = 0;
      await this.#rewrite();
      return;
    }
    const handle = await this.#open();
    if (this.#pendingBytes > 0) {
      const bytes = this.#pendingBytes;
      await writeFully(handle, this.#pending, bytes, this.#size);
      this.#size += bytes;
      this.#pendingBytes = 0;
    }
    if (options.sync) await handle.datasync();
  }

  /** Closes the file. */
  async close(): Promise<void> {
    const handle = this.#handle;
    this.#handle = undefined;
    await handle?.close().catch(() => undefined);
  }

  async #open(): Promise<FileHandle> {
    if (this.#handle !== undefined) return this.#handle;
    const handle = await open(join(this.#dir, ACK_FILE), constants.O_RDWR | constants.O_CREAT, 0o644);
    if (this.#size === 0) {
      await writeFully(handle, ackHeader(), ACK_HEADER_BYTES, 0);
      this.#size = ACK_HEADER_BYTES;
    }
    // Whatever lies past the valid part (a torn or damaged record) is overwritten, then cut off.
    await handle.truncate(this.#size);
    this.#handle = handle;
    return handle;
  }

  /** Replaces the file by one holding the merged ranges: a new file, fsynced, renamed over the old one. */
  async #rewrite(): Promise<void> {
    const records: Buffer[] = [ackHeader()];
    for (const stream of STREAMS) {
      for (const [from, to] of this.acked[stream].ranges()) {
        const record = Buffer.allocUnsafe(ACK_RECORD_BYTES);
        encodeAck(record, 0, stream, from, to);
        records.push(record);
      }
    }
    const bytes = Buffer.concat(records);
    await this.close();
    await writeFileAtomically(join(this.#dir, ACK_FILE), bytes);
    this.#size = bytes.length;
  }
}

function ackHeader(): Buffer {
  const header = Buffer.alloc(ACK_HEADER_BYTES);
  ACK_MAGIC.copy(header, 0);
  header.writeUInt16LE(FORMAT_VERSION, 8);
  header.writeUInt32LE(crc32(header.subarray(0, 12)), 12);
  return header;
}

function encodeAck(buffer: Buffer, offset: number, stream: Stream, from: number, to: number): void {
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  buffer.fill(0, offset + 4, offset + 8);
  buffer[offset + 4] = STREAM_CODE[stream];
  writeInt64(view, offset + 8, from);
  writeInt64(view, offset + 16, to);
  view.setUint32(offset, crc32(buffer.subarray(offset + 4, offset + ACK_RECORD_BYTES)), true);
}
