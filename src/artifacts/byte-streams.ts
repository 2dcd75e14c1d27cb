/** Small stream helpers for progress: count bytes as a body is consumed. */
import { PassThrough, Readable } from "node:stream";

/** Size of the slices a buffer body is sent in, and so the progress granularity: 256 KiB. */
export const PROGRESS_SLICE_BYTES = 256 * 1024;

/**
 * A stream over `bytes` in 256 KiB slices (no copy) that reports the offset reached each time the
 * consumer takes a slice, i.e. as fast as the socket accepts them.
 *
 * @example
 * const body = sliceStream(buffer, (sent) => console.log(sent));
 * @internal
 */
export function sliceStream(bytes: Uint8Array, onSent: (sentBytes: number) => void): Readable {
  let offset = 0;
  return new Readable({
    highWaterMark: PROGRESS_SLICE_BYTES,
    read() {
      if (offset >= bytes.byteLength) {
        this.push(null);
        return;
      }
      const end = Math.min(offset + PROGRESS_SLICE_BYTES, bytes.byteLength);
      this.push(bytes.subarray(offset, end));
      offset = end;
      onSent(offset);
    },
  });
}

/**
 * Passes `source` through and reports the running byte count after each chunk. Errors of the
 * source reach the returned stream; destroying the returned stream destroys the source.
 *
 * @example
 * const body = countingStream(createReadStream(file), (read) => progress(read));
 * @internal
 */
export function countingStream(source: Readable, onBytes: (totalBytes: number) => void): Readable {
  let total = 0;
  const counter = new PassThrough({
    transform(chunk: Buffer, _encoding, callback) {
      total += chunk.byteLength;
      onBytes(total);
      callback(null, chunk);
    },
  });
  source.on("error", (error) => counter.destroy(error));
  counter.on("close", () => source.destroy());
  return source.pipe(counter);
}
