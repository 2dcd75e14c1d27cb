/** Plain-text tables for list output: columns padded to their widest cell. */

/**
 * Formats rows (the first is the header) as aligned columns separated by two spaces.
 *
 * @example
 * formatTable([["ID", "NAME"], ["1", "mnist"]]); // "ID  NAME\n1   mnist"
 * @internal
 */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    for (const [column, cell] of row.entries()) widths[column] = Math.max(widths[column] ?? 0, cell.length);
  }
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join("  ")).join("\n");
}

/**
 * A time in ms since the epoch as ISO 8601 (UTC, seconds), or `-` when absent.
 * @internal
 */
export function formatTime(ms: number | string | undefined | null): string {
  if (ms === undefined || ms === null || ms === "") return "-";
  return new Date(Number(ms)).toISOString().replace(/\.\d{3}Z$/, "Z");
}
