/** A titled list of key/value lines, sorted by key and aligned, for the `describe` commands. */

/**
 * `Title:` then one `  key  value` line per pair (sorted by key, keys padded to the widest), or
 * `Title: none` when there are no pairs.
 *
 * @example
 * formatPairs("Tags", [["team", "vision"]]); // ["Tags:", "  team  vision"]
 * @internal
 */
export function formatPairs(title: string, pairs: readonly (readonly [string, string])[]): string[] {
  if (pairs.length === 0) return [`${title}: none`];
  const sorted = [...pairs].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const width = Math.max(...sorted.map(([key]) => key.length));
  return [`${title}:`, ...sorted.map(([key, value]) => `  ${key.padEnd(width)}  ${value}`)];
}
