/** The acknowledged-ranges set agrees with a plain set of numbers over seeded random adds, in any order. */
import { describe, expect, it } from "vitest";
import { RangeSet } from "../../../src/journal/range-set.js";
import { seeded } from "./helpers.js";

describe("RangeSet", () => {
  it("matches a plain set over 200 seeded sequences of random adds", () => {
    for (let trial = 0; trial < 200; trial++) {
      const random = seeded(trial);
      const set = new RangeSet();
      const plain = new Set<number>();
      for (let op = 0; op < 30; op++) {
        const from = Math.floor(random() * 200);
        const to = from + Math.floor(random() * 20);
        set.add(from, to);
        for (let n = from; n < to; n++) plain.add(n);
      }
      const ranges = [...set.ranges()];
      for (let i = 1; i < ranges.length; i++) expect(ranges[i]![0]).toBeGreaterThan(ranges[i - 1]![1]); // disjoint, not touching
      for (let n = -1; n < 230; n++) expect(set.has(n)).toBe(plain.has(n));
      for (let probe = 0; probe < 50; probe++) {
        const from = Math.floor(random() * 230);
        const to = from + Math.floor(random() * 40);
        const members = Array.from({ length: to - from }, (_, i) => from + i).filter((n) => plain.has(n));
        expect(set.countIn(from, to)).toBe(members.length);
        expect(set.covers(from, to)).toBe(members.length === to - from);
        const gaps = [...set.gaps(from, to)].flatMap(([a, b]) => Array.from({ length: b - a }, (_, i) => a + i));
        expect(gaps).toEqual(Array.from({ length: to - from }, (_, i) => from + i).filter((n) => !plain.has(n)));
      }
    }
  });

  it("stays one range when acknowledgements arrive in order or touch", () => {
    const set = new RangeSet();
    for (let i = 0; i < 10_000; i++) set.add(i * 1000, (i + 1) * 1000);
    expect([...set.ranges()]).toEqual([[0, 10_000_000]]);
    set.add(10_000_005, 10_000_010);
    set.add(10_000_000, 10_000_005);
    expect(set.size).toBe(1);
  });

  it("deletes a range: removing whole ranges, trimming their ends, splitting one it falls inside; first and count follow", () => {
    const set = new RangeSet();
    set.add(0, 100);
    set.add(200, 300);
    set.add(400, 500);
    set.delete(50, 60); // splits [0, 100)
    set.delete(190, 250); // trims [200, 300) at its start
    set.delete(450, 1000); // trims [400, 500) at its end
    expect([...set.ranges()]).toEqual([
      [0, 50],
      [60, 100],
      [250, 300],
      [400, 450],
    ]);
    expect(set.count).toBe(50 + 40 + 50 + 50);
    set.delete(0, 260);
    expect(set.first).toBe(260);
    set.delete(0, Number.POSITIVE_INFINITY);
    expect(set.size).toBe(0);
    expect(set.first).toBe(Number.POSITIVE_INFINITY);
  });
});
