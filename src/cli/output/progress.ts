/**
 * Transfer progress on stderr: a `cli-progress` bar on a terminal, plain lines otherwise (one per
 * tenth of the total, so CI logs stay short).
 */
import cliProgress from "cli-progress";
import { formatBytes } from "../../core/units.js";
import type { OutputStream } from "../context.js";

/** Receives byte counts while a transfer runs. */
export interface ProgressReporter {
  /** Bytes done so far, and the total when known. */
  update(loadedBytes: number, totalBytes: number | undefined): void;
  /** Ends the display (the bar is left at its last value). */
  stop(): void;
}

/** Plain lines for a transfer of unknown size: one per this many bytes. */
const UNKNOWN_TOTAL_STEP_BYTES = 64 * 1024 * 1024;
const STEPS = 10;

/**
 * A progress display for one transfer.
 *
 * @param label - What is transferred, e.g. `upload` or `download`.
 * @param stream - Where it goes (stderr); a terminal gets a bar, anything else plain lines.
 * @example
 * const progress = createProgress("upload", process.stderr);
 * await client.artifacts.upload(runId, "model", { onProgress: (p) => progress.update(p.loadedBytes, p.totalBytes) });
 * progress.stop();
 */
export function createProgress(label: string, stream: OutputStream): ProgressReporter {
  return stream.isTTY ? new BarProgress(label, stream) : new LineProgress(label, stream);
}

class BarProgress implements ProgressReporter {
  readonly #bar: cliProgress.SingleBar;
  #started = false;

  constructor(label: string, stream: OutputStream) {
    this.#bar = new cliProgress.SingleBar(
      {
        format: `${label} [{bar}] {percentage}% {done}/{size} | ETA {eta_formatted}`,
        stream: stream as NodeJS.WritableStream,
        hideCursor: true,
        fps: 10,
      },
      cliProgress.Presets.shades_classic,
    );
  }

  update(loadedBytes: number, totalBytes: number | undefined): void {
    const total = Math.max(totalBytes ?? loadedBytes, 1);
    const payload = { done: formatBytes(loadedBytes), size: totalBytes === undefined ? "?" : formatBytes(totalBytes) };
    if (!this.#started) {
      this.#bar.start(total, loadedBytes, payload);
      this.#started = true;
      return;
    }
    this.#bar.setTotal(total);
    this.#bar.update(loadedBytes, payload);
  }

  stop(): void {
    if (this.#started) this.#bar.stop();
  }
}

class LineProgress implements ProgressReporter {
  readonly #label: string;
  readonly #stream: OutputStream;
  #lastStep = -1;
  #last: { loaded: number; total: number | undefined } | undefined;

  constructor(label: string, stream: OutputStream) {
    this.#label = label;
    this.#stream = stream;
  }

  update(loadedBytes: number, totalBytes: number | undefined): void {
    this.#last = { loaded: loadedBytes, total: totalBytes };
    const step = totalBytes ? Math.floor((loadedBytes * STEPS) / totalBytes) : Math.floor(loadedBytes / UNKNOWN_TOTAL_STEP_BYTES);
    if (step <= this.#lastStep) return;
    this.#lastStep = step;
    this.#write(loadedBytes, totalBytes);
  }

  stop(): void {
    const last = this.#last;
    if (last && (last.total === undefined || last.loaded < last.total)) this.#write(last.loaded, last.total);
  }

  #write(loaded: number, total: number | undefined): void {
    const share = total ? ` (${Math.floor((loaded * 100) / total)}%)` : "";
    this.#stream.write(`${this.#label}: ${formatBytes(loaded)}${total === undefined ? "" : ` of ${formatBytes(total)}`}${share}\n`);
  }
}
