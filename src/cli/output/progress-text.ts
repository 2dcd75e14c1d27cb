/**
 * The words of a transfer's progress, shared by the bar and the plain lines so both say the same
 * thing: `12.0 MiB of 40.0 MiB (30%), 14 of 50 files, 8.1 MiB/s, ETA 4 s`, and the summary
 * `50 files, 40.0 MiB in 4.9 s (8.2 MiB/s)`.
 */
import { formatBytes, formatCount, formatDuration } from "../../core/units.js";
import type { MeterReading } from "./transfer-meter.js";

/**
 * Whole percent done (rounded down, so 100 % means everything); `undefined` when the total is unknown.
 * @example
 * percentDone({ loadedBytes: 1, totalBytes: 3 }) // 33
 * @internal
 */
export function percentDone(reading: Pick<MeterReading, "loadedBytes" | "totalBytes">): number | undefined {
  const { loadedBytes, totalBytes } = reading;
  if (totalBytes === undefined) return undefined;
  return totalBytes === 0 ? 100 : Math.floor((loadedBytes * 100) / totalBytes);
}

/**
 * Bytes per second as `8.1 MiB/s`; `-` before the rate is known.
 * @example
 * formatRate(1536) // "1.5 KiB/s"
 * @internal
 */
export function formatRate(bytesPerSecond: number | undefined): string {
  return bytesPerSecond === undefined ? "-" : `${formatBytes(Math.round(bytesPerSecond))}/s`;
}

/**
 * One progress line (without the label): bytes and share, files when there are several, the
 * smoothed rate and the ETA once they are known.
 * @example
 * describeProgress(reading) // "12.0 MiB of 40.0 MiB (30%), 14 of 50 files, 8.1 MiB/s, ETA 4 s"
 * @internal
 */
export function describeProgress(reading: MeterReading): string {
  const percent = percentDone(reading);
  const parts = [
    reading.totalBytes === undefined
      ? formatBytes(reading.loadedBytes)
      : `${formatBytes(reading.loadedBytes)} of ${formatBytes(reading.totalBytes)} (${percent}%)`,
  ];
  if (reading.totalFiles > 1) parts.push(`${reading.completedFiles} of ${formatCount(reading.totalFiles, "file")}`);
  if (reading.bytesPerSecond !== undefined && percent !== 100) parts.push(formatRate(reading.bytesPerSecond));
  if (reading.etaMs !== undefined && percent !== 100) parts.push(`ETA ${formatDuration(reading.etaMs)}`);
  return parts.join(", ");
}

/**
 * The summary once a transfer is done: files, bytes, elapsed time and average rate.
 * @example
 * describeSummary(reading) // "50 files, 40.0 MiB in 4.9 s (8.2 MiB/s)"
 * @internal
 */
export function describeSummary(reading: MeterReading): string {
  const seconds = reading.elapsedMs / 1000;
  const average = seconds > 0 ? ` (${formatRate(reading.loadedBytes / seconds)})` : "";
  return `${formatCount(reading.completedFiles, "file")}, ${formatBytes(reading.loadedBytes)} in ${formatDuration(reading.elapsedMs)}${average}`;
}
