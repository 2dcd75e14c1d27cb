/**
 * The buffers of params and tags waiting to be sent (the metrics have their own, metric-buffer.ts).
 * Each is a source the batch packer (`packBatch` in protocol/log-batch.ts) takes from, and each
 * keeps the sequence numbers `flush()` waits on.
 *
 * Params are a FIFO: each key is logged once per run. Tags coalesce: a write of a key that is still
 * buffered replaces it (the last one wins), and a key whose earlier write is in a request being
 * sent is locked until that request settles, so a later write can never overtake an earlier one.
 * A replaced write is reported to `onSuperseded` (the journal acknowledges it: it needs no delivery).
 */
import { type KeyValueSource, keyValueBytes, MAX_PARAMS_PER_BATCH, MAX_TAGS_PER_BATCH } from "../../protocol/log-batch.js";
import type { PendingKeyValue } from "./batch.js";

/**
 * Params waiting to be sent, in logging order.
 *
 * @example
 * const params = new ParamBuffer();
 * params.push("lr", "0.1");
 * const batch = packBatch({ params, tags: tags.source(), metrics });
 * @internal
 */
export class ParamBuffer implements KeyValueSource<PendingKeyValue> {
  readonly #entries: PendingKeyValue[] = [];
  #pushed = 0;
  #taken = 0;

  /** Buffers a param (already validated). Returns `true` when a full request of params is waiting. */
  push(key: string, value: string): boolean {
    const seq = this.#pushed++;
    this.#entries.push({ key, value, bytes: keyValueBytes({ key, value }), seq, last: seq });
    return this.#entries.length >= MAX_PARAMS_PER_BATCH;
  }

  /** Params pushed so far: the sequence number of the next one. */
  get pushed(): number {
    return this.#pushed;
  }

  /** Params taken so far: every param with a lower sequence number has left the buffer. */
  get taken(): number {
    return this.#taken;
  }

  /** Params buffered. */
  get size(): number {
    return this.#entries.length;
  }

  /** Whether params should go now: a full request waits, or `urgent` and any waits. */
  due(urgent: boolean): boolean {
    return this.#entries.length >= MAX_PARAMS_PER_BATCH || (urgent && this.#entries.length > 0);
  }

  nextBytes(): number | undefined {
    return this.#entries[0]?.bytes;
  }

  take(): PendingKeyValue {
    this.#taken++;
    return this.#entries.shift()!;
  }

  /** Empties the buffer; returns what it held. */
  drain(): PendingKeyValue[] {
    this.#taken += this.#entries.length;
    return this.#entries.splice(0);
  }
}

/**
 * Tags waiting to be sent: one pending write per key, in the order of each key's first write.
 *
 * @example
 * const tags = new TagBuffer();
 * tags.push("phase", "train");
 * tags.push("phase", "eval"); // coalesced: one write of "eval" is sent
 * @internal
 */
export class TagBuffer {
  readonly #pending = new Map<string, PendingKeyValue>();
  readonly #onSuperseded: ((seq: number) => void) | undefined;
  /** Keys in a request being sent: their next write waits until it settles. */
  readonly #locked = new Set<string>();
  #pushed = 0;
  #coalesced = 0;

  /** @param onSuperseded - Told the sequence number of each write a later write of its key replaced before it was sent. */
  constructor(onSuperseded?: (seq: number) => void) {
    this.#onSuperseded = onSuperseded;
  }

  /**
   * Buffers a tag (already validated); replaces a buffered write of the same key. Returns `true`
   * when a full request of tags is waiting.
   */
  push(key: string, value: string): boolean {
    const seq = this.#pushed++;
    const bytes = keyValueBytes({ key, value });
    const pending = this.#pending.get(key);
    if (pending !== undefined) {
      this.#onSuperseded?.(pending.last);
      pending.value = value;
      pending.bytes = bytes;
      pending.last = seq;
      this.#coalesced++;
      return false;
    }
    this.#pending.set(key, { key, value, bytes, seq, last: seq });
    return this.#pending.size >= MAX_TAGS_PER_BATCH;
  }

  /** Tag writes logged so far: the sequence number of the next one. */
  get pushed(): number {
    return this.#pushed;
  }

  /** Writes replaced by a later write of the same key before they were sent. */
  get coalesced(): number {
    return this.#coalesced;
  }

  /** Tags buffered (locked ones included). */
  get size(): number {
    return this.#pending.size;
  }

  /** The lowest sequence number still buffered (`Infinity` when none is). */
  get oldest(): number {
    let oldest = Number.POSITIVE_INFINITY;
    for (const tag of this.#pending.values()) oldest = Math.min(oldest, tag.seq);
    return oldest;
  }

  /** Whether tags should go now: a full request of sendable tags waits, or `urgent` and any does. */
  due(urgent: boolean): boolean {
    let sendable = 0;
    for (const key of this.#pending.keys()) {
      if (!this.#locked.has(key)) sendable++;
      if (sendable >= MAX_TAGS_PER_BATCH) return true;
    }
    return urgent && sendable > 0;
  }

  /** A source for one request: the buffered tags whose key is not locked, oldest key first. */
  source(): KeyValueSource<PendingKeyValue> {
    const entries = this.#pending.values();
    let next: PendingKeyValue | undefined;
    const advance = (): PendingKeyValue | undefined => {
      for (let item = entries.next(); !item.done; item = entries.next()) {
        if (!this.#locked.has(item.value.key)) return item.value;
      }
      return undefined;
    };
    return {
      nextBytes: () => {
        next ??= advance();
        return next?.bytes;
      },
      take: () => {
        const tag = next!;
        next = undefined;
        this.#pending.delete(tag.key);
        return tag;
      },
    };
  }

  /** Locks the keys of a request being sent. */
  lock(tags: readonly PendingKeyValue[]): void {
    for (const tag of tags) this.#locked.add(tag.key);
  }

  /** Unlocks the keys of a request that settled. */
  unlock(tags: readonly PendingKeyValue[]): void {
    for (const tag of tags) this.#locked.delete(tag.key);
  }

  /** Empties the buffer; returns what it held. */
  drain(): PendingKeyValue[] {
    const tags = [...this.#pending.values()];
    this.#pending.clear();
    return tags;
  }
}
