/**
 * A set of sequence numbers kept as sorted, disjoint, half-open ranges `[from, to)`: which entries
 * of a stream are acknowledged. Acknowledgements mostly arrive in order, so the set stays a handful
 * of ranges however many entries it covers.
 * @internal
 * @module
 */

/**
 * Sorted disjoint ranges of integers.
 * @example
 * const acked = new RangeSet();
 * acked.add(0, 1000); acked.add(2000, 3000);
 * acked.covers(0, 1000) // true
 * [...acked.gaps(0, 3000)] // [[1000, 2000]]
 * @internal
 */
export class RangeSet {
  /** Flat list: from0, to0, from1, to1… sorted, disjoint, not touching. */
  readonly #bounds: number[] = [];

  /** Number of disjoint ranges. */
  get size(): number {
    return this.#bounds.length / 2;
  }

  /** Adds `[from, to)`, merging with the ranges it overlaps or touches. */
  add(from: number, to: number): void {
    if (to <= from) return;
    const bounds = this.#bounds;
    // First range whose end is ≥ from (it may touch or overlap), by binary search over the ends.
    let low = 0;
    let high = bounds.length / 2;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (bounds[mid * 2 + 1]! < from) low = mid + 1;
      else high = mid;
    }
    let last = low;
    let start = from;
    let end = to;
    while (last < bounds.length / 2 && bounds[last * 2]! <= to) {
      start = Math.min(start, bounds[last * 2]!);
      end = Math.max(end, bounds[last * 2 + 1]!);
      last++;
    }
    bounds.splice(low * 2, (last - low) * 2, start, end);
  }

  /** Removes `[from, to)`, splitting a range it falls inside. */
  delete(from: number, to: number): void {
    if (to <= from) return;
    const kept: number[] = [];
    for (const [start, end] of this.ranges()) {
      if (end <= from || start >= to) kept.push(start, end);
      else {
        if (start < from) kept.push(start, from);
        if (end > to) kept.push(to, end);
      }
    }
    this.#bounds.splice(0, this.#bounds.length, ...kept);
  }

  /** The lowest number in the set, or `Infinity` when it is empty. */
  get first(): number {
    return this.#bounds[0] ?? Number.POSITIVE_INFINITY;
  }

  /** How many numbers the set holds. */
  get count(): number {
    let total = 0;
    for (let i = 0; i < this.#bounds.length; i += 2) total += this.#bounds[i + 1]! - this.#bounds[i]!;
    return total;
  }

  /** Whether every number in `[from, to)` is in the set (true for an empty range). */
  covers(from: number, to: number): boolean {
    if (to <= from) return true;
    const bounds = this.#bounds;
    for (let i = 0; i < bounds.length; i += 2) {
      if (bounds[i]! > from) return false;
      if (bounds[i + 1]! >= to) return true;
      if (bounds[i + 1]! > from) return false;
    }
    return false;
  }

  /** Whether `seq` is in the set. */
  has(seq: number): boolean {
    return this.covers(seq, seq + 1);
  }

  /** The parts of `[from, to)` not in the set, in order. */
  *gaps(from: number, to: number): Generator<[number, number]> {
    let cursor = from;
    const bounds = this.#bounds;
    for (let i = 0; i < bounds.length && cursor < to; i += 2) {
      const start = bounds[i]!;
      const end = bounds[i + 1]!;
      if (end <= cursor) continue;
      if (start >= to) break;
      if (start > cursor) yield [cursor, start];
      cursor = Math.max(cursor, end);
    }
    if (cursor < to) yield [cursor, to];
  }

  /** How many numbers of `[from, to)` are in the set. */
  countIn(from: number, to: number): number {
    let missing = 0;
    for (const [start, end] of this.gaps(from, to)) missing += end - start;
    return to - from - missing;
  }

  /** The ranges, in order. */
  *ranges(): Generator<[number, number]> {
    for (let i = 0; i < this.#bounds.length; i += 2) yield [this.#bounds[i]!, this.#bounds[i + 1]!];
  }
}
