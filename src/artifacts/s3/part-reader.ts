/**
 * Cuts an upload source into parts of a fixed size, reusing part buffers: a file is read with
 * positional reads straight into a part buffer, a stream's chunks are copied into it, and a buffer
 * in memory is only sliced. A part buffer returns to the pool when its part is released, so the
 * buffers in use never exceed the parts held by the caller plus one.
 */
import { type FileHandle, open } from "node:fs/promises";
import type { Readable } from "node:stream";

/** Something that can fill a part buffer from its start. */
export interface FillSource {
  /** Fills `buffer`; returns the bytes written, fewer than `buffer.length` only at the end. */
  fill(buffer: Buffer): Promise<number>;
  /** Releases the file handle or stops reading the stream. Idempotent. */
  close(): Promise<void>;
}

/** What a {@link PartReader} reads: bytes in memory (sliced, never copied) or a {@link FillSource}. */
export type PartSource = Buffer | FillSource;

/** One part: its number (from 1), its bytes, and `release()` to give its buffer back. */
export interface Part {
  number: number;
  data: Buffer;
  release: () => void;
}

/**
 * Hands out the parts of a source in order; safe to call from several workers at once.
 *
 * @example
 * const reader = new PartReader(fileSource("big.bin"), 8 << 20);
 * for (let part = await reader.next(); part; part = await reader.next()) { await send(part.data); part.release(); }
 * @internal
 */
export class PartReader {
  /** Bytes handed out so far. */
  bytesRead = 0;
  readonly #source: PartSource;
  readonly #partSize: number;
  readonly #bufferSize: number;
  readonly #free: Buffer[] = [];
  #count = 0;
  #done = false;
  #turn: Promise<unknown> = Promise.resolve();

  /**
   * @param source - What to read.
   * @param partSize - Bytes per part (the last part may be shorter).
   * @param size - Total bytes when known: a smaller source gets a buffer of its own size, not a
   *   whole part.
   */
  constructor(source: PartSource, partSize: number, size?: number) {
    this.#source = source;
    this.#partSize = partSize;
    this.#bufferSize = size === undefined ? partSize : Math.max(1, Math.min(partSize, size));
  }

  /** The next part, or `undefined` after the last one. Calls are served one at a time, in order. */
  next(): Promise<Part | undefined> {
    const part = this.#turn.then(() => this.#read());
    this.#turn = part.catch(() => undefined);
    return part;
  }

  /** Closes the source. */
  async close(): Promise<void> {
    this.#done = true;
    if (!Buffer.isBuffer(this.#source)) await this.#source.close();
  }

  async #read(): Promise<Part | undefined> {
    if (this.#done) return undefined;
    if (Buffer.isBuffer(this.#source)) return this.#slice(this.#source);
    const buffer = this.#free.pop() ?? Buffer.allocUnsafe(this.#bufferSize);
    const filled = await this.#source.fill(buffer);
    if (filled < this.#partSize) this.#done = true;
    if (filled === 0) {
      this.#free.push(buffer);
      return undefined;
    }
    this.bytesRead += filled;
    return { number: ++this.#count, data: buffer.subarray(0, filled), release: once(() => this.#free.push(buffer)) };
  }

  #slice(data: Buffer): Part | undefined {
    const start = this.bytesRead;
    if (start >= data.byteLength) {
      this.#done = true;
      return undefined;
    }
    const end = Math.min(data.byteLength, start + this.#partSize);
    this.bytesRead = end;
    return { number: ++this.#count, data: data.subarray(start, end), release: () => undefined };
  }
}

/**
 * A file read part by part with positional reads (no stream, no intermediate chunks).
 * @internal
 */
export function fileSource(path: string): FillSource {
  let handle: Promise<FileHandle> | undefined;
  let position = 0;
  return {
    async fill(buffer) {
      handle ??= open(path, "r");
      const file = await handle;
      let filled = 0;
      while (filled < buffer.length) {
        const { bytesRead } = await file.read(buffer, filled, buffer.length - filled, position);
        if (bytesRead === 0) break;
        filled += bytesRead;
        position += bytesRead;
      }
      return filled;
    },
    async close() {
      const opened = handle;
      handle = undefined;
      if (opened) await (await opened).close().catch(() => undefined);
    },
  };
}

/**
 * A stream whose chunks are copied into part buffers; a chunk that crosses a part boundary is
 * split. The stream is read only as parts are asked for (back-pressure).
 * @internal
 */
export function streamSource(stream: Readable): FillSource {
  const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  let leftover: Buffer | undefined;
  let ended = false;
  return {
    async fill(buffer) {
      let filled = 0;
      while (filled < buffer.length) {
        if (!leftover || leftover.byteLength === 0) {
          if (ended) break;
          const next = await chunks.next();
          if (next.done) {
            ended = true;
            break;
          }
          leftover = typeof next.value === "string" ? Buffer.from(next.value) : Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
        }
        const take = Math.min(leftover.byteLength, buffer.length - filled);
        leftover.copy(buffer, filled, 0, take);
        leftover = leftover.subarray(take);
        filled += take;
      }
      return filled;
    },
    async close() {
      if (!ended) await chunks.return?.();
      ended = true;
    },
  };
}

function once(fn: () => void): () => void {
  let called = false;
  return () => {
    if (called) return;
    called = true;
    fn();
  };
}
