import { describe, expect, it } from "vitest";
import { choosePartSize, DEFAULT_STREAM_PART_SIZE, MAX_PART_SIZE, MAX_PARTS, MIN_PART_SIZE } from "../../../../src/artifacts/s3/part-size.js";

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const TiB = 1024 ** 4;

describe("choosePartSize", () => {
  it.each([
    [0, 8 * MiB],
    [1, 8 * MiB],
    [5 * MiB, 8 * MiB],
    [GiB, 8 * MiB],
    [10 * GiB, 8 * MiB],
    [100 * GiB, 12 * MiB],
    [5 * TiB, 583 * MiB],
  ])("chooses %d bytes → %d-byte parts", (size, expected) => {
    expect(choosePartSize(size)).toBe(expected);
  });

  it.each([0, 1, 5 * MiB + 1, 70 * GiB, 75 * GiB, 640 * GiB, TiB, 5 * TiB, 40 * TiB])("fits %d bytes in 10,000 whole-MiB parts of 5 MiB–5 GiB", (size) => {
    const part = choosePartSize(size);
    expect(Math.ceil(size / part)).toBeLessThanOrEqual(MAX_PARTS);
    expect(part % MiB).toBe(0);
    expect(part).toBeGreaterThanOrEqual(MIN_PART_SIZE);
    expect(part).toBeLessThanOrEqual(MAX_PART_SIZE);
  });

  it("uses 64 MiB for streams of unknown length, or the configured size", () => {
    expect(choosePartSize(undefined)).toBe(DEFAULT_STREAM_PART_SIZE);
    expect(DEFAULT_STREAM_PART_SIZE).toBe(64 * MiB);
    expect(choosePartSize(undefined, 16 * MiB)).toBe(16 * MiB);
  });

  it("uses the configured size when it still fits in 10,000 parts, else grows it", () => {
    expect(choosePartSize(GiB, 32 * MiB)).toBe(32 * MiB);
    expect(choosePartSize(TiB, 16 * MiB)).toBe(choosePartSize(TiB));
  });

  it("raises a configured size below S3's 5 MiB minimum", () => {
    expect(choosePartSize(GiB, 1024)).toBe(MIN_PART_SIZE);
  });

  it("refuses sizes no 10,000 × 5 GiB upload can hold", () => {
    expect(() => choosePartSize(MAX_PARTS * MAX_PART_SIZE + 1)).toThrow(RangeError);
  });
});
