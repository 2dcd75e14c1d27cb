/**
 * What the code under test writes to `process.stderr`, captured instead of printed (for the lines
 * the logger, the recovery and offline mode print). Restore with `vi.restoreAllMocks()`.
 *
 * @example
 * const stderr = captureStderr();
 * await startRun(options);
 * vi.restoreAllMocks();
 * expect(stderr).toEqual([]);
 */
import { vi } from "vitest";

/** Starts capturing; returns the array the chunks are pushed to, as strings. */
export function captureStderr(): string[] {
  const lines: string[] = [];
  vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  return lines;
}
