/**
 * Transfer progress on stderr for `upload` and `download`: one display for the whole transfer (all
 * files of a directory), a bar on a terminal and plain periodic lines otherwise, and a summary line
 * when it is done. This file chooses; progress-bar.ts and progress-lines.ts draw.
 */
import type { TransferProgress } from "../../artifacts/types.js";
import type { OutputStream } from "../context.js";
import { BarProgress } from "./progress-bar.js";
import { LineProgress } from "./progress-lines.js";
import type { TransferDisplay } from "./transfer-display.js";
import { TransferMeter } from "./transfer-meter.js";

/**
 * Settings of {@link createProgress}; tests inject the clock.
 * @example
 * createProgress("upload", stderr, { env: process.env, now: () => fakeNowMs, minLineIntervalMs: 0 })
 */
export interface ProgressSettings {
  /** The environment (`TERM=dumb` turns the bar off). @defaultValue none */
  env?: Record<string, string | undefined> | undefined;
  /** Clock in milliseconds. @defaultValue `performance.now()` */
  now?: (() => number) | undefined;
  /** Shortest time between two plain lines. @defaultValue 5000 ms */
  minLineIntervalMs?: number | undefined;
}

/**
 * Whether progress on `stream` is drawn as a bar: only on a terminal that can redraw a line (not
 * `TERM=dumb`); CI logs and pipes get plain lines.
 *
 * @example
 * usesBar(process.stderr, process.env) // true in an interactive shell, false under `2>log`
 * @internal
 */
export function usesBar(stream: OutputStream, env: Record<string, string | undefined> = {}): boolean {
  return stream.isTTY === true && env.TERM !== "dumb";
}

/**
 * A progress display for one transfer, started now (the elapsed time and the average rate count
 * from here).
 *
 * @param label - What is transferred, e.g. `upload` or `download`: each line starts with it.
 * @param stream - Where it goes (stderr): see {@link usesBar}.
 * @example
 * const progress = createProgress("upload", process.stderr, { env: process.env });
 * try {
 *   await client.artifacts.upload(runId, "model", { onProgress: (p) => progress.update(p) });
 *   progress.finish();
 * } finally {
 *   progress.stop();
 * }
 * @internal
 */
export function createProgress(label: string, stream: OutputStream, settings: ProgressSettings = {}): TransferDisplay {
  const meter = new TransferMeter(settings.now);
  return usesBar(stream, settings.env) ? new BarProgress(label, stream, meter) : new LineProgress(label, stream, meter, settings.minLineIntervalMs);
}

/**
 * Runs a transfer with a progress display on `stream`: the display gets every `onProgress` event,
 * shows the summary when the transfer succeeds, and where it stopped when it throws.
 *
 * @returns What `transfer` returned.
 * @throws whatever `transfer` throws.
 * @example
 * const result = await withTransferProgress("upload", process.stderr, process.env, (onProgress) => client.artifacts.upload(runId, dir, { onProgress }));
 * @internal
 */
export async function withTransferProgress<T>(
  label: string,
  stream: OutputStream,
  env: Record<string, string | undefined>,
  transfer: (onProgress: (progress: TransferProgress) => void) => Promise<T>,
): Promise<T> {
  const progress = createProgress(label, stream, { env });
  try {
    const result = await transfer((p) => progress.update(p));
    progress.finish();
    return result;
  } finally {
    progress.stop();
  }
}
