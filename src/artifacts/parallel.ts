/**
 * Runs a task per item, a few at a time, the way a multi-file or multi-part transfer needs: the
 * first failure cancels the tasks in flight (through the signal they get) and starts no new one,
 * and every task has settled before the call returns or throws.
 */
import { setMaxListeners } from "node:events";
import PQueue from "p-queue";
import { AbortError } from "../core/errors.js";
import { LinkedAbort } from "../core/signals.js";

/** Abort listeners one task may add to the shared signal (its request, a retry wait, a nested transfer). */
const LISTENERS_PER_TASK = 8;

/**
 * Calls `task(item, signal)` for every item, at most `concurrency` at once.
 *
 * @param signal - The caller's signal; when it fires, no task starts and the call throws {@link AbortError}.
 * @returns The results, in the order of `items`.
 * @throws the first failure (tasks cancelled because of it do not hide it), or {@link AbortError}.
 * @example
 * const etags = await forEachLimited(parts, 4, signal, (part, stop) => putPart(part, stop));
 * @internal
 */
export async function forEachLimited<T, R>(
  items: readonly T[],
  concurrency: number,
  signal: AbortSignal | undefined,
  task: (item: T, signal: AbortSignal) => Promise<R>,
): Promise<R[]> {
  const link = new LinkedAbort(signal);
  // Every task in flight listens on this signal (its requests, their retries): many listeners are
  // the design here, not a leak, so raise Node's warning threshold above what the tasks can add.
  setMaxListeners(Math.max(10, concurrency * LISTENERS_PER_TASK), link.signal);
  const queue = new PQueue({ concurrency });
  const results: R[] = new Array(items.length);
  const failures: unknown[] = [];
  const runOne = async (item: T, index: number): Promise<void> => {
    if (link.signal.aborted) return;
    try {
      results[index] = await task(item, link.signal);
    } catch (error) {
      if (!link.signal.aborted) failures.push(error);
      link.abort("user");
    }
  };
  try {
    await Promise.all(items.map((item, index) => queue.add(() => runOne(item, index))));
  } finally {
    link.dispose();
  }
  if (signal?.aborted) throw new AbortError();
  if (failures.length > 0) throw failures[0];
  return results;
}
