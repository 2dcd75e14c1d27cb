/**
 * Encodes records into a growable in-memory buffer: the group a commit writes in one `write(2)`.
 * Metric columns are copied as they are (the values column byte for byte, so NaN, ±Infinity and -0
 * keep their exact bits); keys are interned per segment, and a keys record declares the new ones
 * before the first metrics record that uses them. Encoding a metric allocates nothing.
 * @internal
 * @module
 */
import { endianness } from "node:os";
import { crc32 } from "./checksum.js";
import type { ArtifactEntry, BlobEntry, KeyValueEntry, MetricColumns, MetricLinkEntry, ModelEntry } from "./entries.js";
import {
  ABSENT_STRING,
  FRAME_BYTES,
  type JournalEndStatus,
  LINKED_METRIC_ENTRY_BYTES,
  METRIC_ENTRY_BYTES,
  RECORD_HEADER_BYTES,
  RecordKind,
  type RecordKindCode,
  SEGMENT_MAGIC,
  SEGMENT_VERSION,
  type SegmentHeader,
  STREAM_CODE,
  STREAM_OF_KIND,
  writeInt64,
} from "./format.js";

const LITTLE_ENDIAN_HOST = endianness() === "LE";
const INITIAL_BYTES = 64 * 1024;

/**
 * The keys of one segment and their ids (0, 1, 2… in order of first use).
 * @internal
 */
export class KeyTable {
  readonly ids = new Map<string, number>();
  /** Id of each entry of the last {@link RecordBuffer.writeMetrics}, reused across calls. */
  scratch = new Uint32Array(1024);
  /** The metric links of the segment by content (`model\0dataset name\0digest`) and their ids (1, 2… in order of first use; 0 is "no link"). */
  readonly linkIds = new Map<string, number>();
  /** The links in id order (index 0 unused). */
  readonly links: MetricLinkEntry[] = [{}];
  /** Link id of each entry of the last linked {@link RecordBuffer.writeMetrics}, reused across calls. */
  linkScratch = new Uint32Array(1024);
}

/** The content key of a link, the same for equal links whatever their object. */
function linkKey(link: MetricLinkEntry): string {
  return `${link.model_id ?? ""}\u0000${link.dataset_name ?? ""}\u0000${link.dataset_digest ?? ""}`;
}

/**
 * A growable byte buffer that records are encoded into.
 * @example
 * const buffer = new RecordBuffer();
 * buffer.writeEnd("FINISHED", Date.now(), 0, Date.now());
 * await handle.write(buffer.bytes, 0, buffer.length);
 * @internal
 */
export class RecordBuffer {
  bytes = Buffer.allocUnsafe(INITIAL_BYTES);
  view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
  /** Bytes encoded so far. */
  length = 0;

  /** Forgets what was encoded; keeps the memory. */
  reset(): void {
    this.length = 0;
  }

  /** Makes room for `bytes` more bytes. */
  ensure(bytes: number): void {
    const needed = this.length + bytes;
    if (needed <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < needed) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.bytes.copy(next, 0, 0, this.length);
    this.bytes = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }

  /** Encodes a segment header: magic, version, JSON description, checksum. */
  writeSegmentHeader(header: Omit<SegmentHeader, "version">): void {
    const json = Buffer.from(JSON.stringify({ ...header, version: SEGMENT_VERSION }), "utf8");
    this.ensure(20 + json.length);
    const start = this.length;
    SEGMENT_MAGIC.copy(this.bytes, start);
    this.view.setUint16(start + 8, SEGMENT_VERSION, true);
    this.view.setUint16(start + 10, 0, true);
    this.view.setUint32(start + 12, json.length, true);
    json.copy(this.bytes, start + 16);
    const end = start + 16 + json.length;
    this.view.setUint32(end, crc32(this.bytes.subarray(start, end)), true);
    this.length = end + 4;
  }

  /**
   * Encodes points `[start, end)` of `columns` as one metrics record, preceded by a keys record
   * when some of their keys are new to the segment. When some of the points have a link, the record
   * is a linked-metrics record (a link id per point after the columns), preceded by a links record
   * declaring the links new to the segment.
   */
  writeMetrics(columns: MetricColumns, start: number, end: number, firstSeq: number, appendedMs: number, table: KeyTable): void {
    const count = end - start;
    if (table.scratch.length < count) table.scratch = new Uint32Array(count);
    const ids = table.scratch;
    const newKeysFrom = table.ids.size;
    // A run of points of one key (a loop logging "loss" each step) costs one map lookup.
    let lastKey: string | undefined;
    let lastId = 0;
    for (let i = 0; i < count; i++) {
      const key = columns.keys[start + i]!;
      if (key !== lastKey) {
        let id = table.ids.get(key);
        if (id === undefined) {
          id = table.ids.size;
          table.ids.set(key, id);
        }
        lastKey = key;
        lastId = id;
      }
      ids[i] = lastId;
    }
    if (table.ids.size > newKeysFrom) this.#writeKeys(table, newKeysFrom, appendedMs);
    const linked = this.#internLinks(columns, start, end, appendedMs, table);

    const at = linked
      ? this.#begin(RecordKind.linkedMetrics, count, firstSeq, appendedMs, count * LINKED_METRIC_ENTRY_BYTES)
      : this.#begin(RecordKind.metrics, count, firstSeq, appendedMs, count * METRIC_ENTRY_BYTES);
    const view = this.view;
    let offset = at;
    for (let i = 0; i < count; i++, offset += 4) view.setUint32(offset, ids[i]!, true);
    if (LITTLE_ENDIAN_HOST) {
      const values = columns.values;
      this.bytes.set(new Uint8Array(values.buffer, values.byteOffset + start * 8, count * 8), offset);
      offset += count * 8;
    } else {
      for (let i = start; i < end; i++, offset += 8) view.setFloat64(offset, columns.values[i]!, true);
    }
    const timestamps = columns.timestamps;
    for (let i = start; i < end; i++, offset += 8) writeInt64(view, offset, timestamps[i]!);
    const steps = columns.steps;
    for (let i = start; i < end; i++, offset += 8) writeInt64(view, offset, steps[i]!);
    if (linked) for (let i = 0; i < count; i++, offset += 4) view.setUint32(offset, table.linkScratch[i]!, true);
    this.length = offset;
    this.#finish(at);
  }

  /**
   * Fills `table.linkScratch` with the segment link id of each point `[start, end)` and writes a
   * links record for the links new to the segment. Returns `false`, writing nothing, when no point
   * has a link (the common case: one pass over the link column).
   */
  #internLinks(columns: MetricColumns, start: number, end: number, appendedMs: number, table: KeyTable): boolean {
    const { links, linkTable } = columns;
    if (links === undefined || linkTable === undefined) return false;
    let any = false;
    for (let i = start; i < end && !any; i++) any = links[i] !== 0;
    if (!any) return false;
    const count = end - start;
    if (table.linkScratch.length < count) table.linkScratch = new Uint32Array(count);
    const newFrom = table.links.length;
    let lastIndex = 0;
    let lastId = 0;
    for (let i = 0; i < count; i++) {
      const index = links[start + i]!;
      if (index !== lastIndex) {
        const link = index === 0 ? undefined : linkTable[index];
        lastIndex = index;
        lastId = link === undefined ? 0 : this.#linkId(link, table);
      }
      table.linkScratch[i] = lastId;
    }
    if (table.links.length > newFrom) this.#writeLinks(table, newFrom, appendedMs);
    return true;
  }

  #linkId(link: MetricLinkEntry, table: KeyTable): number {
    const key = linkKey(link);
    let id = table.linkIds.get(key);
    if (id === undefined) {
      id = table.links.length;
      table.linkIds.set(key, id);
      table.links.push({ model_id: link.model_id, dataset_name: link.dataset_name, dataset_digest: link.dataset_digest });
    }
    return id;
  }

  #writeLinks(table: KeyTable, fromId: number, appendedMs: number): void {
    const links = table.links.slice(fromId);
    let maxBytes = 8;
    for (const link of links) maxBytes += 12 + 3 * ((link.model_id?.length ?? 0) + (link.dataset_name?.length ?? 0) + (link.dataset_digest?.length ?? 0));
    const at = this.#begin(RecordKind.links, 0, 0, appendedMs, maxBytes);
    this.view.setUint32(this.length, fromId, true);
    this.view.setUint32(this.length + 4, links.length, true);
    this.length += 8;
    for (const link of links) {
      this.#writeOptionalString(link.model_id);
      this.#writeOptionalString(link.dataset_name);
      this.#writeOptionalString(link.dataset_digest);
    }
    this.#finish(at);
  }

  #writeOptionalString(text: string | undefined): void {
    if (text !== undefined) {
      this.#writeString(text);
    } else {
      this.view.setUint32(this.length, ABSENT_STRING, true);
      this.length += 4;
    }
  }

  /** Encodes entries `[start, end)` as one params or tags record. */
  writeKeyValues(kind: "params" | "tags", entries: ArrayLike<KeyValueEntry>, start: number, end: number, firstSeq: number, appendedMs: number): void {
    let maxBytes = 0;
    for (let i = start; i < end; i++) maxBytes += 8 + 3 * (entries[i]!.key.length + entries[i]!.value.length);
    const at = this.#begin(kind === "params" ? RecordKind.params : RecordKind.tags, end - start, firstSeq, appendedMs, maxBytes);
    for (let i = start; i < end; i++) {
      this.#writeString(entries[i]!.key);
      this.#writeString(entries[i]!.value);
    }
    this.#finish(at);
  }

  /** Encodes the run's end status. */
  writeEnd(status: JournalEndStatus, endTimeMs: number, seq: number, appendedMs: number): void {
    const at = this.#begin(RecordKind.end, 1, seq, appendedMs, 4 + status.length + 8);
    this.#writeString(status);
    writeInt64(this.view, this.length, endTimeMs);
    this.length += 8;
    this.#finish(at);
  }

  /** Encodes a file to upload later. */
  writeArtifact(artifact: ArtifactEntry, seq: number, appendedMs: number): void {
    const at = this.#begin(RecordKind.artifact, 1, seq, appendedMs, 8 + 3 * (artifact.localPath.length + artifact.artifactPath.length) + 48);
    this.#writeString(artifact.localPath);
    this.#writeString(artifact.artifactPath);
    writeInt64(this.view, this.length, artifact.sizeBytes);
    this.view.setFloat64(this.length + 8, artifact.mtimeMs, true);
    this.bytes.write(artifact.sha256, this.length + 16, 32, "hex");
    this.length += 48;
    this.#finish(at);
  }

  /** Encodes an artifact built in memory (its bytes are the journal's blob `blobs/<sha256>`). */
  writeBlob(blob: BlobEntry, seq: number, appendedMs: number): void {
    const at = this.#begin(RecordKind.blob, 1, seq, appendedMs, 4 + 3 * blob.artifactFile.length + 40);
    this.#writeString(blob.artifactFile);
    writeInt64(this.view, this.length, blob.sizeBytes);
    this.bytes.write(blob.sha256, this.length + 8, 32, "hex");
    this.length += 40;
    this.#finish(at);
  }

  /** Encodes a model being logged: its entry as JSON (a rare record, whose shape may grow). */
  writeModel(model: ModelEntry, seq: number, appendedMs: number): void {
    const json = JSON.stringify(model);
    const at = this.#begin(RecordKind.model, 1, seq, appendedMs, 4 + 3 * json.length);
    this.#writeString(json);
    this.#finish(at);
  }

  #writeKeys(table: KeyTable, fromId: number, appendedMs: number): void {
    const keys = [...table.ids.keys()].slice(fromId);
    let maxBytes = 8;
    for (const key of keys) maxBytes += 4 + 3 * key.length;
    const at = this.#begin(RecordKind.keys, 0, 0, appendedMs, maxBytes);
    this.view.setUint32(this.length, fromId, true);
    this.view.setUint32(this.length + 4, keys.length, true);
    this.length += 8;
    for (const key of keys) this.#writeString(key);
    this.#finish(at);
  }

  #writeString(text: string): void {
    const written = this.bytes.write(text, this.length + 4, "utf8");
    this.view.setUint32(this.length, written, true);
    this.length += 4 + written;
  }

  /** Starts a record with room for `payloadBytes`; returns where its payload begins. */
  #begin(kind: RecordKindCode, count: number, firstSeq: number, appendedMs: number, payloadBytes: number): number {
    this.ensure(FRAME_BYTES + RECORD_HEADER_BYTES + payloadBytes);
    const view = this.view;
    const at = this.length + FRAME_BYTES;
    const stream = STREAM_OF_KIND[kind];
    view.setUint8(at, kind);
    view.setUint8(at + 1, stream === undefined ? 0 : STREAM_CODE[stream]);
    view.setUint16(at + 2, 0, true);
    view.setUint32(at + 4, count, true);
    writeInt64(view, at + 8, firstSeq);
    writeInt64(view, at + 16, appendedMs);
    this.length = at + RECORD_HEADER_BYTES;
    return at + RECORD_HEADER_BYTES;
  }

  /** Writes the frame (checksum and length) of the record whose payload began at `payloadAt`. */
  #finish(payloadAt: number): void {
    const frame = payloadAt - RECORD_HEADER_BYTES - FRAME_BYTES;
    this.view.setUint32(frame + 4, this.length - frame - FRAME_BYTES, true);
    this.view.setUint32(frame, crc32(this.bytes.subarray(frame + 4, this.length)), true);
  }
}
