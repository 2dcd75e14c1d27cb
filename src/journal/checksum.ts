/**
 * The journal's record checksum: CRC-32 (IEEE, the zlib/PNG/gzip polynomial). Node's built-in
 * `zlib.crc32` computes it (Node ≥ 20.15 and ≥ 22.2; about 1.9 GB/s here, so checksumming a
 * 28-byte metric costs ~15 ns) with no dependency and no native add-on to build. On the older Node 20
 * releases the package still accepts, a table-driven fallback computes the same value, so journals
 * written by either read back under the other. CRC-32C would detect the same torn and flipped bytes;
 * it is not built into Node, and the well-kept packages that compute it fast are native add-ons.
 * @internal
 * @module
 */
import * as zlib from "node:zlib";

type Crc32 = (data: Uint8Array, initial?: number) => number;

const builtIn = (zlib as { crc32?: Crc32 }).crc32;

let table: Uint32Array | undefined;

/** The same CRC-32 as `zlib.crc32`, byte at a time. */
function crc32Fallback(data: Uint8Array, initial = 0): number {
  if (table === undefined) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = ~initial >>> 0;
  for (let i = 0; i < data.length; i++) crc = table[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

/**
 * CRC-32 of `data`, continuing from `initial` (the CRC of what came before).
 * @example
 * crc32(Buffer.from("123456789")) // 0xcbf43926
 */
export const crc32: Crc32 = builtIn ?? crc32Fallback;

/** The fallback itself, exported so that a test proves it equals the built-in. */
export const crc32Portable: Crc32 = crc32Fallback;
