/**
 * What a transfer display shows beyond the library's byte counts: the elapsed time, a smoothed
 * rate and the ETA, measured on an injected clock so that tests drive time instead of waiting.
 */
import type { TransferProgress } from "../../artifacts/types.js";

/** Time constant of the rate's smoothing, 3000 ms: a change of pace shows within a few seconds. */
export const RATE_SMOOTHING_MS = 3000;
/** Shortest interval between two rate samples, 250 ms (updates closer together are summed). */
export const RATE_SAMPLE_MS = 250;

/**
 * A transfer at one moment.
 * @example
 * { loadedBytes: 1048576, totalBytes: 10485760, completedFiles: 5, totalFiles: 50, elapsedMs: 1200, bytesPerSecond: 1048576, etaMs: 9000 }
 */
export interface MeterReading {
  loadedBytes: number;
  totalBytes: number | undefined;
  completedFiles: number;
  totalFiles: number;
  /** Since the meter was made (the command started the transfer). */
  elapsedMs: number;
  /** Smoothed bytes per second, counted from the first event; `undefined` until a sample spans {@link RATE_SAMPLE_MS}. */
  bytesPerSecond: number | undefined;
  /** Time left at the smoothed rate; `undefined` when the total or the rate is unknown. */
  etaMs: number | undefined;
}

/**
 * Turns the library's {@link TransferProgress} events into readings with a rate and an ETA. The
 * rate is an exponentially weighted moving average over time (time constant
 * {@link RATE_SMOOTHING_MS}), so bursts of small events and pauses between files do not make it
 * jump.
 *
 * @example
 * const meter = new TransferMeter(() => performance.now());
 * client.artifacts.upload(runId, "out", { onProgress: (p) => render(meter.update(p)) });
 * @internal
 */
export class TransferMeter {
  readonly #now: () => number;
  readonly #startedAt: number;
  #last: TransferProgress = { loadedBytes: 0, totalBytes: undefined, completedFiles: 0, totalFiles: 0, path: "" };
  #sampleAt: number | undefined;
  #sampleBytes = 0;
  #bytesPerSecond: number | undefined;

  /** @param now - The clock in milliseconds. @defaultValue `performance.now()` */
  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
    this.#startedAt = now();
  }

  /** Records an event and returns the reading after it. */
  update(progress: TransferProgress): MeterReading {
    this.#last = progress;
    const at = this.#now();
    if (this.#sampleAt === undefined) {
      // The rate counts from the first event: the time spent listing files before it moved no bytes.
      this.#sampleAt = at;
      this.#sampleBytes = progress.loadedBytes;
      return this.reading();
    }
    const spanMs = at - this.#sampleAt;
    if (spanMs >= RATE_SAMPLE_MS) {
      const instant = ((progress.loadedBytes - this.#sampleBytes) * 1000) / spanMs;
      const weight = 1 - Math.exp(-spanMs / RATE_SMOOTHING_MS);
      this.#bytesPerSecond = this.#bytesPerSecond === undefined ? instant : this.#bytesPerSecond + weight * (instant - this.#bytesPerSecond);
      this.#sampleAt = at;
      this.#sampleBytes = progress.loadedBytes;
    }
    return this.reading();
  }

  /** The reading now (the last event's counts, the elapsed time up to now). */
  reading(): MeterReading {
    const { loadedBytes, totalBytes, completedFiles, totalFiles } = this.#last;
    const rate = this.#bytesPerSecond;
    const etaMs = totalBytes === undefined || rate === undefined || rate <= 0 ? undefined : (Math.max(0, totalBytes - loadedBytes) * 1000) / rate;
    return { loadedBytes, totalBytes, completedFiles, totalFiles, elapsedMs: this.#now() - this.#startedAt, bytesPerSecond: rate, etaMs };
  }

  /** Whether any event arrived. */
  get started(): boolean {
    return this.#last.path !== "" || this.#last.totalFiles > 0;
  }
}
