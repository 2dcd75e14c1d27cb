/**
 * The `flush()` and `close()` calls waiting for everything logged before them to be settled
 * (delivered or failed). A waiter remembers how many entries of each kind had been logged when it
 * was created; the batcher says when those positions are settled. While anyone waits, an idle
 * interval keeps the process alive (the batcher's own timers do not).
 */

/** Positions in the run's streams: entries with lower sequence numbers are the ones waited for. @internal */
export interface StreamMark {
  metrics: number;
  params: number;
  tags: number;
}

/** A `flush()` call waiting for everything logged before it. */
interface Waiter extends StreamMark {
  resolve: () => void;
}

// Holds the event loop while someone awaits flush() or close(); never fires in practice.
const KEEP_ALIVE_MS = 2 ** 30;

/**
 * The waiters of one run.
 *
 * @example
 * const waiters = new FlushWaiters((mark) => deliveredUpTo(mark));
 * const settled = await waiters.wait(markNow(), 5_000, () => sendNow());
 * @internal
 */
export class FlushWaiters {
  readonly #isSettled: (mark: StreamMark) => boolean;
  readonly #waiters: Waiter[] = [];
  #keepAlive: NodeJS.Timeout | undefined;

  /** @param isSettled - Whether every entry before `mark` has been delivered or has failed. */
  constructor(isSettled: (mark: StreamMark) => boolean) {
    this.#isSettled = isSettled;
  }

  /** Whether anyone waits (the send loop then sends partial requests at once). */
  get waiting(): boolean {
    return this.#waiters.length > 0;
  }

  /**
   * Resolves `true` once everything before `mark` is settled, `false` if `timeoutMs` expires first.
   * `onWaiting` runs once the waiter is registered (and not when `mark` is settled already).
   */
  wait(mark: StreamMark, timeoutMs: number | undefined, onWaiting: () => void): Promise<boolean> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const waiter: Waiter = {
        ...mark,
        resolve: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
      if (this.#isSettled(waiter)) {
        resolve(true);
        return;
      }
      this.#add(waiter);
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          this.#remove(waiter);
          resolve(false);
        }, timeoutMs);
      }
      onWaiting();
    });
  }

  /** Resolves the waiters whose entries are all settled now. */
  check(): void {
    for (const waiter of [...this.#waiters]) {
      if (!this.#isSettled(waiter)) continue;
      this.#remove(waiter);
      waiter.resolve();
    }
  }

  #add(waiter: Waiter): void {
    this.#waiters.push(waiter);
    this.#keepAlive ??= setInterval(() => undefined, KEEP_ALIVE_MS);
  }

  #remove(waiter: Waiter): void {
    const index = this.#waiters.indexOf(waiter);
    if (index >= 0) this.#waiters.splice(index, 1);
    if (this.#waiters.length > 0) return;
    clearInterval(this.#keepAlive);
    this.#keepAlive = undefined;
  }
}
