/**
 * Multipart part size: large enough that any object up to the S3 limit fits in 10,000 parts, small
 * enough that memory stays at (parts in flight + 1) × part size.
 */

const MiB = 1024 * 1024;

/** S3's smallest part (except the last): 5 MiB. */
export const MIN_PART_SIZE = 5 * MiB;
/** S3's largest part: 5 GiB. */
export const MAX_PART_SIZE = 5 * 1024 * MiB;
/** Smallest part size chosen for a known size: 8 MiB, as boto3's `multipart_chunksize`. */
export const DEFAULT_PART_SIZE = 8 * MiB;
/** Part size for streams of unknown length: 64 MiB, which caps such a stream at 625 GiB (10,000 parts). */
export const DEFAULT_STREAM_PART_SIZE = 64 * MiB;
/** Parts aimed at for a known size (S3 allows 10,000), leaving room for rounding. */
export const TARGET_PARTS = 9_000;
/** S3's part-count limit. */
export const MAX_PARTS = 10_000;

/**
 * Chooses the part size of a multipart upload.
 *
 * - Known size: `max(8 MiB, ceil(size / 9,000))` rounded up to a whole MiB, so a 5 TiB object
 *   takes 583 MiB parts (8,993 of them); a configured size is used when it still fits in 10,000 parts.
 * - Unknown size (a stream): the configured size, else 64 MiB.
 *
 * @param size - Bytes to upload, `undefined` for a stream of unknown length.
 * @param configured - `s3.partSizeBytes`, if set.
 * @returns The part size in bytes, between 5 MiB and 5 GiB.
 * @throws {RangeError} when `size` cannot fit in 10,000 parts of 5 GiB (about 48.8 TiB).
 * @example
 * choosePartSize(1024 ** 3);       // 8388608 (8 MiB)
 * choosePartSize(5 * 1024 ** 4);   // 611319808 (583 MiB)
 * choosePartSize(undefined);       // 67108864 (64 MiB)
 */
export function choosePartSize(size: number | undefined, configured?: number): number {
  if (size === undefined) return clamp(configured ?? DEFAULT_STREAM_PART_SIZE);
  if (size > MAX_PARTS * MAX_PART_SIZE) {
    throw new RangeError(`An object of ${size} bytes cannot be uploaded: S3 allows at most ${MAX_PARTS} parts of 5 GiB.`);
  }
  if (configured !== undefined && Math.ceil(size / clamp(configured)) <= MAX_PARTS) return clamp(configured);
  const needed = Math.ceil(Math.ceil(size / TARGET_PARTS) / MiB) * MiB;
  return clamp(Math.max(DEFAULT_PART_SIZE, needed));
}

function clamp(partSize: number): number {
  return Math.min(MAX_PART_SIZE, Math.max(MIN_PART_SIZE, Math.ceil(partSize)));
}
