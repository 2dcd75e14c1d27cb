/**
 * Sizes, durations and counts as people read them, in one place for the command line, the doctor,
 * the sync report and the logger's messages: `12.0 MiB`, `1.5 s`, `4,000 metric points`.
 */

/**
 * Bytes in binary units: `512 B`, `1.5 KiB`, `12.0 MiB`.
 * @internal
 */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** `5000` → `5 s`, `1500` → `1.5 s`. @internal */
export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

/**
 * A count and its noun, with thousands separators: `1 param`, `4,000 metric points` (`many` when
 * the plural is not the noun plus "s").
 * @example
 * formatCount(4000, "metric point") // "4,000 metric points"; formatCount(2, "entry", "entries") // "2 entries"
 * @internal
 */
export function formatCount(n: number, noun: string, many = `${noun}s`): string {
  return `${n.toLocaleString("en-US")} ${n === 1 ? noun : many}`;
}

/**
 * A duration rounded to what a person reads at a glance: `42 s`, `3 min 05 s`, `1 h 02 min`
 * (an ETA, an elapsed time); under 10 s with one decimal (`1.5 s`).
 * @example
 * formatDuration(185_000) // "3 min 05 s"
 * @internal
 */
export function formatDuration(ms: number): string {
  if (ms < 10_000) return formatSeconds(ms);
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, "0")} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}
