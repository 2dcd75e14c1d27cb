/**
 * The buffers of params and tags waiting to be sent (the metrics have their own, metric-buffer.ts).
 * Each is a source the batch packer (`packBatch` in protocol/log-batch.ts) takes from, and each
 * keeps the sequence numbers `flush()` waits on.
 *
 * Params are a FIFO: each key is logged once per run. Tags coalesce: a write of a key that is still
 * buffered replaces it (the last one wins), and a key whose earlier write is in a request being
 * sent is locked until that request settles, so a later write can never overtake an earlier one.
 * A replaced write is reported to `onSuperseded` (the journal acknowledges it: it needs no delivery).
 *
 * Kept entries (issue #14): a request still failing at its delivery deadline stays in the journal,
 * and its params and tags are **held** here (`hold`) until the server answers, then **released**
 * into the buffer (`release`) and sent again, marked `redelivery`. A held or released tag write is
 * superseded by any later write of its key, as a buffered one is, so an older value never overwrites
 * a newer one (tags last-write-wins in journal order); params are written once per key, so a held
 * param can never conflict. Each entry is held, released and sent again by one path, so it reaches
 * the server once more at most (and is acknowledged once it did).
 */
import { type KeyValueSource, keyValueBytes, MAX_PARAMS_PER_BATCH, MAX_TAGS_PER_BATCH } from "../../protocol/log-batch.js";
import { lowestSeq, type PendingKeyValue } from "./batch.js";

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
  /** Params of requests kept in the journal at their deadline, waiting for the server to answer. */
  #held: PendingKeyValue[] = [];
  #pushed = 0;

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

  /**
   * The lowest sequence number still to be sent: buffered, or held with `redeliveries` (`pushed`
   * when none is). Every param below it has left the buffer.
   */
  oldest(redeliveries: boolean): number {
    const held = redeliveries ? lowestSeq(this.#held, true) : Number.POSITIVE_INFINITY;
    return Math.min(lowestSeq(this.#entries, redeliveries), held, this.#pushed);
  }

  /** Params buffered. */
  get size(): number {
    return this.#entries.length;
  }

  /** Params held for a re-delivery. */
  get held(): number {
    return this.#held.length;
  }

  /** Holds the params of a request kept in the journal at its deadline, until {@link ParamBuffer.release}. */
  hold(params: readonly PendingKeyValue[]): void {
    for (const param of params) this.#held.push({ ...param, redelivery: true });
  }

  /** Puts the held params back in the buffer, in sequence order with those buffered, to be sent again. */
  release(): void {
    if (this.#held.length === 0) return;
    this.#entries.push(...this.#held);
    this.#entries.sort((a, b) => a.seq - b.seq);
    this.#held = [];
  }

  /** Whether params should go now: a full request waits, a released one is to be sent again (the oldest first), or `urgent` and any waits. */
  due(urgent: boolean): boolean {
    const first = this.#entries[0];
    return this.#entries.length >= MAX_PARAMS_PER_BATCH || (first !== undefined && (urgent || first.redelivery === true));
  }

  nextBytes(): number | undefined {
    return this.#entries[0]?.bytes;
  }

  take(): PendingKeyValue {
    return this.#entries.shift()!;
  }

  /** Empties the buffer; returns what it held (held params stay held: they are in the journal). */
  drain(): PendingKeyValue[] {
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
  /** Writes of requests kept in the journal at their deadline, by key, waiting for the server to answer. */
  readonly #held = new Map<string, PendingKeyValue>();
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
    const held = this.#held.get(key);
    if (held !== undefined) {
      this.#held.delete(key);
      this.#onSuperseded?.(held.last);
    }
    const pending = this.#pending.get(key);
    if (pending !== undefined) {
      this.#onSuperseded?.(pending.last);
      pending.value = value;
      pending.bytes = bytes;
      pending.last = seq;
      pending.redelivery = false; // a new write now: reported if it is kept
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

  /** Tag writes held for a re-delivery. */
  get held(): number {
    return this.#held.size;
  }

  /** The lowest sequence number still to be sent: buffered, or held with `redeliveries` (`Infinity` when none is). */
  oldest(redeliveries: boolean): number {
    const held = redeliveries ? lowestSeq(this.#held.values(), true) : Number.POSITIVE_INFINITY;
    return Math.min(lowestSeq(this.#pending.values(), redeliveries), held);
  }

  /**
   * Holds the tag writes of a request kept in the journal at its deadline, until
   * {@link TagBuffer.release}; a write whose key has a later write buffered is superseded at once.
   */
  hold(tags: readonly PendingKeyValue[]): void {
    for (const tag of tags) {
      const later = this.#pending.get(tag.key) ?? this.#held.get(tag.key);
      if (later !== undefined && later.last > tag.last) this.#onSuperseded?.(tag.last);
      else {
        if (later !== undefined) this.#onSuperseded?.(later.last);
        this.#held.set(tag.key, { ...tag, redelivery: true });
      }
    }
  }

  /** Puts the held writes back in the buffer, to be sent again (a key's buffered write, being later, wins). */
  release(): void {
    for (const [key, tag] of this.#held) {
      const later = this.#pending.get(key);
      if (later === undefined) this.#pending.set(key, tag);
      else this.#onSuperseded?.(tag.last);
    }
    this.#held.clear();
  }

  /** Whether tags should go now: a full request of sendable tags waits, a released write is to be sent again, or `urgent` and any does. */
  due(urgent: boolean): boolean {
    let sendable = 0;
    for (const [key, tag] of this.#pending) {
      if (this.#locked.has(key)) continue;
      if (tag.redelivery === true) return true;
      if (++sendable >= MAX_TAGS_PER_BATCH) return true;
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

  /** Empties the buffer; returns what it held (held writes stay held: they are in the journal). */
  drain(): PendingKeyValue[] {
    const tags = [...this.#pending.values()];
    this.#pending.clear();
    return tags;
  }
}
