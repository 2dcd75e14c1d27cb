/**
 * Transfer progress as plain lines, for CI logs and pipes: a bounded number of lines however long
 * the transfer and however many events it sends — one at the start, then one per tenth of the
 * total at most every {@link MIN_LINE_INTERVAL_MS} (whichever is rarer), the last state, and a
 * summary.
 */
import type { TransferProgress } from "../../artifacts/types.js";
import type { OutputStream } from "../context.js";
import { describeProgress, describeSummary, percentDone } from "./progress-text.js";
import type { TransferDisplay } from "./transfer-display.js";
import type { MeterReading, TransferMeter } from "./transfer-meter.js";

/** Shortest time between two progress lines: 5 s. */
export const MIN_LINE_INTERVAL_MS = 5000;
/** Lines per transfer of known size, besides the first and the last: one per tenth. */
export const LINE_STEPS = 10;
/** With an unknown total, a line each time the bytes double from this size on: 1 MiB. */
const UNKNOWN_TOTAL_FIRST_STEP_BYTES = 1024 * 1024;

/**
 * Which line a reading belongs to: its tenth of the total, or (total unknown) how many times the
 * bytes have doubled since 1 MiB; a line is printed only when this grows.
 */
function stepOf(reading: MeterReading): number {
  const percent = percentDone(reading);
  if (percent !== undefined) return Math.floor((percent * LINE_STEPS) / 100);
  if (reading.loadedBytes < UNKNOWN_TOTAL_FIRST_STEP_BYTES) return 0;
  return Math.floor(Math.log2(reading.loadedBytes / UNKNOWN_TOTAL_FIRST_STEP_BYTES)) + 1;
}

/**
 * Plain progress lines: `upload: 12.0 MiB of 40.0 MiB (30%), 14 of 50 files, 8.1 MiB/s, ETA 4 s`.
 * At most {@link LINE_STEPS} + 2 progress lines for a transfer of known size, plus the summary.
 * @internal
 */
export class LineProgress implements TransferDisplay {
  readonly #label: string;
  readonly #stream: OutputStream;
  readonly #meter: TransferMeter;
  readonly #minIntervalMs: number;
  #lastStep = -1;
  #lastLineAtMs = 0;
  #lastLine: string | undefined;
  #ended = false;

  constructor(label: string, stream: OutputStream, meter: TransferMeter, minIntervalMs = MIN_LINE_INTERVAL_MS) {
    this.#label = label;
    this.#stream = stream;
    this.#meter = meter;
    this.#minIntervalMs = minIntervalMs;
  }

  update(progress: TransferProgress): void {
    if (this.#ended) return;
    const reading = this.#meter.update(progress);
    const step = stepOf(reading);
    const first = this.#lastStep < 0;
    if (!first && (step <= this.#lastStep || reading.elapsedMs - this.#lastLineAtMs < this.#minIntervalMs)) return;
    this.#lastStep = step;
    this.#lastLineAtMs = reading.elapsedMs;
    this.#write(reading);
  }

  finish(): void {
    if (this.#end()) this.#stream.write(`${this.#label}: done: ${describeSummary(this.#meter.reading())}\n`);
  }

  stop(): void {
    this.#end();
  }

  /** Prints the last state unless it is the line already printed; false when already ended. */
  #end(): boolean {
    if (this.#ended) return false;
    this.#ended = true;
    if (this.#meter.started) this.#write(this.#meter.reading());
    return true;
  }

  #write(reading: MeterReading): void {
    const line = `${this.#label}: ${describeProgress(reading)}`;
    if (line === this.#lastLine) return;
    this.#lastLine = line;
    this.#stream.write(`${line}\n`);
  }
}
