/** What every transfer display (the bar, the plain lines) does, so the commands need not know which one they got. */
import type { TransferProgress } from "../../artifacts/types.js";

/**
 * Shows one transfer's progress.
 * @example
 * try { await client.artifacts.upload(runId, dir, { onProgress: (p) => display.update(p) }); display.finish(); } finally { display.stop(); }
 * @internal
 */
export interface TransferDisplay {
  /** Takes the library's aggregated progress event (`onProgress`). */
  update(progress: TransferProgress): void;
  /** The transfer succeeded: shows its last state and the summary (files, bytes, elapsed time, average rate). */
  finish(): void;
  /** The transfer ended otherwise (an error): shows where it stopped, without a summary; after `finish`, nothing. */
  stop(): void;
}
