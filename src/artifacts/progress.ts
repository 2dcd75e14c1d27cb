/** Progress bookkeeping: sums the bytes of several files (or parts) into one running total. */
import type { TransferProgress } from "./types.js";

/**
 * Sums the progress of several files (or of the parts of one file) into one {@link TransferProgress}
 * stream. A file whose count goes down (a retried part) takes its bytes back from the total.
 *
 * @example
 * const totals = new ProgressTotals(1000, (p) => console.log(p.loadedBytes));
 * totals.update("a.bin", 400); // 400
 * @internal
 */
export class ProgressTotals {
  #loaded = 0;
  readonly #perFile = new Map<string, number>();
  readonly #total: number | undefined;
  readonly #onProgress: ((progress: TransferProgress) => void) | undefined;

  constructor(total: number | undefined, onProgress?: (progress: TransferProgress) => void) {
    this.#total = total;
    this.#onProgress = onProgress;
  }

  /** Records that `loadedBytes` of `path` are done and reports the new total (unless nothing changed). */
  update(path: string, loadedBytes: number): void {
    const previous = this.#perFile.get(path);
    if (previous === loadedBytes) return;
    this.#loaded += loadedBytes - (previous ?? 0);
    this.#perFile.set(path, loadedBytes);
    this.#onProgress?.({ loadedBytes: this.#loaded, totalBytes: this.#total, path });
  }
}
