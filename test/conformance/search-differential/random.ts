/**
 * A seeded random generator for the differential tests (mulberry32): the same seed gives the same
 * data set and the same cases on every machine, so a failure found in CI reproduces anywhere.
 */

/** A function returning numbers in [0, 1). */
export type Random = () => number;

/**
 * A generator seeded with `seed` (any 32-bit integer).
 * @example
 * const random = seededRandom(7); random(); // 0.0118…, always
 */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One element of `items`, chosen by `random`. */
export function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}
