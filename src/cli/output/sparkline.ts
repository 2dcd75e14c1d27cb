/**
 * A metric's history as one line of block characters (▁▂▃▄▅▆▇█), for `runs describe` on a
 * terminal: a long history is cut into `widthChars` equal runs of points and each run is drawn at
 * its mean, scaled between the history's finite minimum and maximum. NaN and ±Infinity cannot be
 * placed on that scale: a run with no finite point is drawn as a space.
 */

const BLOCKS = "▁▂▃▄▅▆▇█";

/** Width of a sparkline, characters, unless told otherwise. */
export const DEFAULT_SPARKLINE_WIDTH_CHARS = 40;

/**
 * Draws `values` (in step order) in at most `widthChars` characters; one character per value when
 * there are fewer. A flat history is drawn at the lowest block.
 *
 * @example
 * sparkline([1, 2, 3, 4, 5, 6, 7, 8]) // "▁▂▃▄▅▆▇█"
 * sparkline([3, NaN, 3])              // "▁ ▁"
 * @internal
 */
export function sparkline(values: readonly number[], widthChars = DEFAULT_SPARKLINE_WIDTH_CHARS): string {
  const width = Math.max(1, Math.min(widthChars, values.length));
  const means: number[] = [];
  for (let column = 0; column < width; column++) {
    const from = Math.floor((column * values.length) / width);
    const to = Math.floor(((column + 1) * values.length) / width);
    let sum = 0;
    let count = 0;
    for (let index = from; index < to; index++) {
      if (Number.isFinite(values[index])) {
        sum += values[index]!;
        count += 1;
      }
    }
    means.push(count === 0 ? Number.NaN : sum / count);
  }
  const finite = means.filter(Number.isFinite);
  if (finite.length === 0) return " ".repeat(values.length === 0 ? 0 : width);
  const low = Math.min(...finite);
  const span = Math.max(...finite) - low;
  return means
    .map((mean) => {
      if (!Number.isFinite(mean)) return " ";
      const level = span === 0 ? 0 : Math.round(((mean - low) / span) * (BLOCKS.length - 1));
      return BLOCKS[level];
    })
    .join("");
}
