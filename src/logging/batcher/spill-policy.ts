/**
 * When a run's metrics stop going to memory and go to its journal only (issue #14, bounded memory;
 * docs/journal.md "Bounded memory"): the one place for that policy. The batcher asks it at every
 * chunk seal (every 1000 points, never per point) and on the journal's tick; the delivery tells it
 * whether the server answers.
 *
 * Spill when the journal writes and any of: metrics are still owed from the journal (so nothing newer overtakes them: order holds
 * across the switch), memory holds `maxBufferedEntries`, or the server has been unreachable for
 * `spillAfterMs`. Back to memory once none of them holds: the read-back caught up.
 */

/** What the policy weighs at a seal. @internal */
export interface SpillState {
  /** Metric points in memory. */
  buffered: number;
  /** Points spilled and not yet read back (or set aside and not yet durable). */
  owed: number;
  /** Whether the journal writes (not degraded, not closed). */
  journalWrites: boolean;
}

/**
 * The spill decision of one run, and whether its server answers.
 *
 * @example
 * const policy = new SpillPolicy({ maxBufferedEntries: 1_000_000, spillAfterMs: 30_000 });
 * policy.serverFailed();                     // a request failed transiently
 * policy.shouldSpill({ buffered: 10, owed: 0, journalWrites: true }); // false for 30 s
 * @internal
 */
export class SpillPolicy {
  readonly #maxBufferedEntries: number;
  readonly #spillAfterMs: number;
  #unreachableSinceMs: number | undefined;

  /**
   * @param options.maxBufferedEntries - Points in memory at which to spill.
   * @param options.spillAfterMs - Time the server may stay unreachable before spilling, ms (0: at the first failure).
   */
  constructor(options: { maxBufferedEntries: number; spillAfterMs: number }) {
    this.#maxBufferedEntries = options.maxBufferedEntries;
    this.#spillAfterMs = options.spillAfterMs;
  }

  /** The server answered a request (it took it, or refused it for good). */
  serverAnswered(): void {
    this.#unreachableSinceMs = undefined;
  }

  /** A request failed transiently (connection, timeout, 5xx, 429). */
  serverFailed(): void {
    this.#unreachableSinceMs ??= Date.now();
  }

  /** Whether the last request the server was asked got an answer. */
  get reachable(): boolean {
    return this.#unreachableSinceMs === undefined;
  }

  /** Whether chunks sealed now go to the journal only. */
  shouldSpill(state: SpillState): boolean {
    if (!state.journalWrites) return false;
    if (state.owed > 0 || state.buffered >= this.#maxBufferedEntries) return true;
    return this.#unreachableSinceMs !== undefined && Date.now() - this.#unreachableSinceMs >= this.#spillAfterMs;
  }
}
