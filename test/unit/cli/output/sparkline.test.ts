/** The sparkline of `runs describe`: scaled between the finite min and max, long histories averaged into the width, non-finite points as gaps. */
import { describe, expect, it } from "vitest";
import { sparkline } from "../../../../src/cli/output/sparkline.js";

describe("sparkline", () => {
  it("draws one block per point, lowest to highest", () => {
    expect(sparkline([1, 2, 3, 4, 5, 6, 7, 8])).toBe("▁▂▃▄▅▆▇█");
    expect(sparkline([8, 1])).toBe("█▁");
  });

  it("draws a flat history at the lowest block, and a single point too", () => {
    expect(sparkline([0.5, 0.5, 0.5])).toBe("▁▁▁");
    expect(sparkline([42])).toBe("▁");
  });

  it("draws nothing for an empty history", () => {
    expect(sparkline([])).toBe("");
  });

  it("leaves a gap for NaN and ±Infinity, scaling the rest on the finite values", () => {
    expect(sparkline([0, Number.NaN, 1, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])).toBe("▁ █  ");
    expect(sparkline([Number.NaN, Number.NaN])).toBe("  ");
  });

  it("averages a long history into the width", () => {
    const rising = Array.from({ length: 1000 }, (_, index) => index);
    const line = sparkline(rising, 10);
    expect([...line]).toHaveLength(10);
    expect(line.startsWith("▁")).toBe(true);
    expect(line.endsWith("█")).toBe(true);
    // Averages of equal buckets of a straight line rise evenly.
    expect(sparkline([0, 0, 10, 10, 0, 0], 3)).toBe("▁█▁");
  });

  it("scales on the bucket means, so a single spike inside a bucket is smoothed", () => {
    expect(sparkline([0, 0, 0, 0, 0, 100, 0, 0], 2)).toBe("▁█");
  });
});
