/**
 * Seeded test data for the artifact benchmark and integration tests: AES-128-CTR over zeros, so
 * any size is produced at memory speed, the same seed always gives the same bytes, and a file and
 * a stream of the same seed and size are byte-identical.
 */
import { createCipheriv, createHash } from "node:crypto";
import { createWriteStream, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

const ZEROS = Buffer.alloc(1024 * 1024);

function cipherFor(seed: string) {
  const key = createHash("sha256").update(`mlflow-ts:${seed}`).digest().subarray(0, 16);
  return createCipheriv("aes-128-ctr", key, Buffer.alloc(16));
}

/**
 * A stream of `size` seeded bytes in chunks of `chunkBytes` (64 KiB by default, the chunk size of
 * the memory goal G9).
 *
 * @example
 * await client.artifacts.uploadData(runId, seededStream(1 << 30, "a"), "big.bin");
 */
export function seededStream(size: number, seed: string, chunkBytes = 64 * 1024): Readable {
  const cipher = cipherFor(seed);
  let left = size;
  return new Readable({
    read() {
      if (left <= 0) {
        this.push(null);
        return;
      }
      const n = Math.min(chunkBytes, left, ZEROS.length);
      left -= n;
      this.push(cipher.update(ZEROS.subarray(0, n)));
    },
  });
}

/**
 * Writes `size` seeded bytes to `path` and returns their sha256 (hex).
 * @example
 * const sha = await writeSeededFile("/tmp/x.bin", 64 << 20, "x");
 */
export async function writeSeededFile(path: string, size: number, seed: string): Promise<string> {
  mkdirSync(dirname(path), { recursive: true });
  const hash = createHash("sha256");
  const source = seededStream(size, seed, ZEROS.length);
  source.on("data", (chunk: Buffer) => hash.update(chunk));
  await pipeline(source, createWriteStream(path));
  return hash.digest("hex");
}

/** The sha256 (hex) of `size` seeded bytes, without writing them. */
export async function seededSha256(size: number, seed: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of seededStream(size, seed, ZEROS.length)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}
