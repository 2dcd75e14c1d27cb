/**
 * Progress bookkeeping in one place: sums the bytes of several files (or of the parts of one file)
 * into one running total that never goes backwards, and counts the files finished, so that a
 * directory transfer reports one aggregated {@link TransferProgress}.
 */
import type { TransferProgress } from "./types.js";

/**
 * Sums the progress of several keys (files, or the parts of one file) into one
 * {@link TransferProgress} stream. Each key counts with the most bytes it ever reported: a part
 * that is re-sent after a failed attempt starts again from 0, and its bytes are neither taken back
 * nor counted twice, so `loadedBytes` only grows and never exceeds what the keys hold.
 *
 * @example
 * const totals = new ProgressTotals(30, (p) => console.log(p.loadedBytes, p.completedFiles), 2);
 * totals.update("a.bin", 10); // 10 0
 * totals.update("a.bin", 0);  // (a retry: nothing reported)
 * totals.complete("a.bin", 20); // 20 1
 * @internal
 */
export class ProgressTotals {
  #loadedBytes = 0;
  #completedFiles = 0;
  readonly #perKey = new Map<string, number>();
  readonly #totalBytes: number | undefined;
  readonly #totalFiles: number;
  readonly #onProgress: ((progress: TransferProgress) => void) | undefined;

  /**
   * @param totalBytes - Bytes of the whole operation; `undefined` when unknown (a stream).
   * @param onProgress - Called on every change.
   * @param totalFiles - Files of the whole operation. @defaultValue 1
   */
  constructor(totalBytes: number | undefined, onProgress?: (progress: TransferProgress) => void, totalFiles = 1) {
    this.#totalBytes = totalBytes;
    this.#onProgress = onProgress;
    this.#totalFiles = totalFiles;
  }

  /**
   * Records that `loadedBytes` of `key` are done and reports the new total: on the first report of
   * a key, and whenever a key passes its own highest count (a retry's recount is not reported).
   */
  update(key: string, loadedBytes: number): void {
    const previous = this.#perKey.get(key);
    if (previous !== undefined && loadedBytes <= previous) return;
    this.#raise(key, previous ?? 0, loadedBytes);
    this.#report(key);
  }

  /** Records that `key` is finished with `bytes` bytes (at least its highest count) and reports it. */
  complete(key: string, bytes: number): void {
    const previous = this.#perKey.get(key) ?? 0;
    if (bytes > previous) this.#raise(key, previous, bytes);
    this.#completedFiles += 1;
    this.#report(key);
  }

  #raise(key: string, previous: number, loadedBytes: number): void {
    this.#loadedBytes += loadedBytes - previous;
    this.#perKey.set(key, loadedBytes);
  }

  #report(path: string): void {
    this.#onProgress?.({
      loadedBytes: this.#loadedBytes,
      totalBytes: this.#totalBytes,
      completedFiles: this.#completedFiles,
      totalFiles: this.#totalFiles,
      path,
    });
  }
}
