/**
 * Transfer progress as one bar on a terminal (`cli-progress`, redrawn at most 10 times a second):
 * `upload [████░░░░] 12.0 MiB of 40.0 MiB (30%), 14 of 50 files, 8.1 MiB/s, ETA 4 s`, then the
 * summary on a line of its own.
 */
import cliProgress from "cli-progress";
import type { TransferProgress } from "../../artifacts/types.js";
import type { OutputStream } from "../context.js";
import { describeProgress, describeSummary } from "./progress-text.js";
import type { TransferDisplay } from "./transfer-display.js";
import type { TransferMeter } from "./transfer-meter.js";

/**
 * One bar for the whole transfer (all files of a directory).
 * @internal
 */
export class BarProgress implements TransferDisplay {
  readonly #label: string;
  readonly #stream: OutputStream;
  readonly #meter: TransferMeter;
  readonly #bar: cliProgress.SingleBar;
  #started = false;
  #ended = false;

  constructor(label: string, stream: OutputStream, meter: TransferMeter) {
    this.#label = label;
    this.#stream = stream;
    this.#meter = meter;
    this.#bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {text}`, stream: stream as NodeJS.WritableStream, hideCursor: true, fps: 10 },
      cliProgress.Presets.shades_classic,
    );
  }

  update(progress: TransferProgress): void {
    if (this.#ended) return;
    const reading = this.#meter.update(progress);
    // An unknown total draws the bar full-width at the bytes so far; the text says no share.
    const total = Math.max(reading.totalBytes ?? reading.loadedBytes, 1);
    const payload = { text: describeProgress(reading) };
    if (!this.#started) {
      this.#started = true;
      this.#bar.start(total, reading.loadedBytes, payload);
      return;
    }
    this.#bar.setTotal(total);
    this.#bar.update(reading.loadedBytes, payload);
  }

  finish(): void {
    if (!this.#end()) return;
    this.#stream.write(`${this.#label}: done: ${describeSummary(this.#meter.reading())}\n`);
  }

  stop(): void {
    this.#end();
  }

  /** Draws the last state and releases the terminal line; false when already ended. */
  #end(): boolean {
    if (this.#ended) return false;
    this.#ended = true;
    if (this.#started) {
      this.#bar.update({ text: describeProgress(this.#meter.reading()) });
      this.#bar.stop();
    }
    return true;
  }
}
