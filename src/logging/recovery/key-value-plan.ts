/**
 * Which journaled params and tag writes a recovery sends, and which it acknowledges without a
 * request. The rules of docs/journal.md, "Recovery protocol":
 *
 * - a param the run already has with the same value is acknowledged (a request carrying it was
 *   delivered before the crash); with another value it is a conflict, reported and acknowledged,
 *   never retried (MLflow params are write-once);
 * - of a tag key's writes only the last unacknowledged one is sent, and only when no later write of
 *   that key is already acknowledged (that one is on the server and must stay): tags are
 *   last-write-wins in journal order.
 */
import type { KeyValuesRecord } from "../../journal/entries.js";
import type { ParamConflict } from "./report.js";

/** A param or tag value to send, with the sequence numbers a successful request acknowledges. */
export interface KeyValueToSend {
  key: string;
  value: string;
  seqs: number[];
}

/** What to do with the journaled params. */
export interface ParamPlan {
  send: KeyValueToSend[];
  /** Already on the server with the same value. */
  alreadyOnServer: number[];
  conflicts: { conflict: ParamConflict; seqs: number[] }[];
}

/** What to do with the journaled tag writes. */
export interface TagPlan {
  /** In journal order of each key's last write. */
  send: KeyValueToSend[];
  /** Writes superseded by a later acknowledged write of their key. */
  superseded: number[];
}

/**
 * The unacknowledged params of a journal, in journal order.
 * @example
 * const params = new PendingParams();
 * params.add(record);
 * const plan = params.plan(new Map(run.data.params.map((p) => [p.key, p.value])));
 * @internal
 */
export class PendingParams {
  readonly #byKey = new Map<string, KeyValueToSend>();
  readonly #conflicts: { conflict: ParamConflict; seqs: number[] }[] = [];

  /** Adds the entries of a params record (or slice). A key journaled twice with another value is a conflict. */
  add(record: KeyValuesRecord): void {
    for (const [i, { key, value }] of record.entries.entries()) {
      const seq = record.firstSeq + i;
      const known = this.#byKey.get(key);
      if (known === undefined) this.#byKey.set(key, { key, value, seqs: [seq] });
      else if (known.value === value) known.seqs.push(seq);
      else this.#conflicts.push({ conflict: { key, journaled: value, onServer: known.value }, seqs: [seq] });
    }
  }

  /** Splits the params by what the server already has (`serverParams`: key → value). */
  plan(serverParams: ReadonlyMap<string, string>): ParamPlan {
    const plan: ParamPlan = { send: [], alreadyOnServer: [], conflicts: [...this.#conflicts] };
    for (const param of this.#byKey.values()) {
      const onServer = serverParams.get(param.key);
      if (onServer === undefined) plan.send.push(param);
      else if (onServer === param.value) plan.alreadyOnServer.push(...param.seqs);
      else plan.conflicts.push({ conflict: { key: param.key, journaled: param.value, onServer }, seqs: param.seqs });
    }
    return plan;
  }
}

/**
 * The unacknowledged tag writes of a journal, kept per key (memory grows with the keys, not the writes).
 * @example
 * const tags = new PendingTags();
 * tags.add(record);
 * const { send, superseded } = tags.plan(claim.scan.lastTagWrites);
 * @internal
 */
export class PendingTags {
  /** Per key: the last unacknowledged write and every unacknowledged write's sequence number. */
  readonly #byKey = new Map<string, KeyValueToSend & { lastSeq: number }>();

  /** Adds the writes of a tags record (or slice), in journal order. */
  add(record: KeyValuesRecord): void {
    for (const [i, { key, value }] of record.entries.entries()) {
      const seq = record.firstSeq + i;
      const known = this.#byKey.get(key);
      if (known === undefined) this.#byKey.set(key, { key, value, seqs: [seq], lastSeq: seq });
      else {
        known.value = value;
        known.lastSeq = seq;
        known.seqs.push(seq);
      }
    }
  }

  /**
   * Decides per key. `lastWrites` holds, per key, the sequence number of its latest write in the
   * journal, acknowledged or not (`JournalScan.lastTagWrites`).
   */
  plan(lastWrites: ReadonlyMap<string, number>): TagPlan {
    const plan: TagPlan = { send: [], superseded: [] };
    const candidates = [...this.#byKey.values()].sort((a, b) => a.lastSeq - b.lastSeq);
    for (const { key, value, seqs, lastSeq } of candidates) {
      const latest = lastWrites.get(key) ?? lastSeq;
      if (latest > lastSeq) plan.superseded.push(...seqs);
      else {
        // The earlier unacknowledged writes of the key are superseded by the one sent.
        plan.superseded.push(...seqs.slice(0, -1));
        plan.send.push({ key, value, seqs: [lastSeq] });
      }
    }
    return plan;
  }
}
