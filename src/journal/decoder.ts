/**
 * Decodes one record body (already framed and checksummed by the segment reader) into a
 * {@link JournalRecord}, and a segment header. Anything that does not parse is a `DecodeError`
 * naming what is wrong; the reader turns it into damage at the record's offset.
 * @internal
 * @module
 */
import { endianness } from "node:os";
import { z } from "zod";
import { crc32 } from "./checksum.js";
import type { JournalRecord, MetricLinkEntry, ModelEntry } from "./entries.js";
import {
  ABSENT_STRING,
  END_STATUSES,
  type JournalEndStatus,
  LINKED_METRIC_ENTRY_BYTES,
  METRIC_ENTRY_BYTES,
  RECORD_HEADER_BYTES,
  RecordKind,
  type RecordKindCode,
  readInt64,
  SEGMENT_MAGIC,
  SEGMENT_VERSION,
  type SegmentHeader,
  STREAM_OF_CODE,
  STREAM_OF_KIND,
} from "./format.js";

const LITTLE_ENDIAN_HOST = endianness() === "LE";

/** A record or header that passed its checksum but does not make sense. @internal */
export class DecodeError extends Error {}

/**
 * Parses the segment header at the start of `bytes`.
 * @returns the header and its size in bytes, or `undefined` when `bytes` is too short to hold it.
 * @throws {DecodeError} when the magic, version or checksum is wrong.
 * @example
 * decodeSegmentHeader(await readFile(path))?.header.runId
 */
export function decodeSegmentHeader(bytes: Buffer): { header: SegmentHeader; size: number } | undefined {
  if (bytes.length < 16) return undefined;
  if (!bytes.subarray(0, 8).equals(SEGMENT_MAGIC)) throw new DecodeError("not a journal segment (bad magic)");
  const version = bytes.readUInt16LE(8);
  if (version > SEGMENT_VERSION) throw new DecodeError(`written by a newer mlflow-ts (format version ${version}; this one reads 1 to ${SEGMENT_VERSION})`);
  const jsonBytes = bytes.readUInt32LE(12);
  if (jsonBytes > 64 * 1024) throw new DecodeError(`header length ${jsonBytes} is not plausible`);
  const size = 16 + jsonBytes + 4;
  if (bytes.length < size) return undefined;
  if (crc32(bytes.subarray(0, size - 4)) !== bytes.readUInt32LE(size - 4)) throw new DecodeError("header checksum mismatch");
  const json = JSON.parse(bytes.toString("utf8", 16, 16 + jsonBytes)) as Partial<SegmentHeader>;
  if (typeof json.runId !== "string" || typeof json.pid !== "number" || typeof json.segment !== "number" || typeof json.createdMs !== "number") {
    throw new DecodeError("header lacks runId, pid, segment or createdMs");
  }
  return { header: { version, runId: json.runId, pid: json.pid, segment: json.segment, createdMs: json.createdMs }, size };
}

/** A cursor over one record body. */
class Cursor {
  constructor(
    readonly bytes: Buffer,
    readonly view: DataView,
    public at: number,
    readonly end: number,
  ) {}

  need(bytes: number): void {
    if (this.at + bytes > this.end) throw new DecodeError(`record body ends early (needs ${bytes} more bytes at ${this.at - this.end} from its end)`);
  }

  u32(): number {
    this.need(4);
    const value = this.view.getUint32(this.at, true);
    this.at += 4;
    return value;
  }

  i64(): number {
    this.need(8);
    const value = readInt64(this.view, this.at);
    this.at += 8;
    return value;
  }

  f64(): number {
    this.need(8);
    const value = this.view.getFloat64(this.at, true);
    this.at += 8;
    return value;
  }

  /** A string, or `undefined` where {@link ABSENT_STRING} stands for its length. */
  optionalString(): string | undefined {
    this.need(4);
    if (this.view.getUint32(this.at, true) !== ABSENT_STRING) return this.string();
    this.at += 4;
    return undefined;
  }

  string(): string {
    const length = this.u32();
    this.need(length);
    const text = this.bytes.toString("utf8", this.at, this.at + length);
    this.at += length;
    return text;
  }
}

/**
 * Decodes the record body `bytes[start, end)`. A keys record adds to `keys` (the segment's key
 * table) and a links record to `links` (its link table, index 0 being "no link"); both yield
 * `undefined`; every other kind yields its record.
 * @throws {DecodeError} when the body does not parse.
 * @example
 * const keys: string[] = []; const links: MetricLinkEntry[] = [{}];
 * const record = decodeRecord(window, bodyStart, bodyEnd, keys, links);
 */
export function decodeRecord(bytes: Buffer, start: number, end: number, keys: string[], links: MetricLinkEntry[] = [{}]): JournalRecord | undefined {
  if (end - start < RECORD_HEADER_BYTES) throw new DecodeError(`record body of ${end - start} bytes is shorter than its header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const kind = view.getUint8(start) as RecordKindCode;
  const expectedStream = STREAM_OF_KIND[kind];
  if (!(kind in STREAM_OF_KIND)) throw new DecodeError(`unknown record kind ${kind}`);
  const stream = STREAM_OF_CODE[view.getUint8(start + 1)];
  if (stream !== expectedStream) throw new DecodeError(`record kind ${kind} in stream code ${view.getUint8(start + 1)}`);
  const count = view.getUint32(start + 4, true);
  const firstSeq = readInt64(view, start + 8);
  const appendedMs = readInt64(view, start + 16);
  const cursor = new Cursor(bytes, view, start + RECORD_HEADER_BYTES, end);

  switch (kind) {
    case RecordKind.keys: {
      const fromId = cursor.u32();
      const n = cursor.u32();
      if (fromId !== keys.length) throw new DecodeError(`keys record declares ids from ${fromId}, but ${keys.length} keys are known`);
      for (let i = 0; i < n; i++) keys.push(cursor.string());
      return undefined;
    }
    case RecordKind.links: {
      const fromId = cursor.u32();
      const n = cursor.u32();
      if (fromId !== links.length) throw new DecodeError(`links record declares ids from ${fromId}, but ${links.length - 1} links are known`);
      for (let i = 0; i < n; i++)
        links.push({ model_id: cursor.optionalString(), dataset_name: cursor.optionalString(), dataset_digest: cursor.optionalString() });
      return undefined;
    }
    case RecordKind.metrics:
    case RecordKind.linkedMetrics: {
      cursor.need(count * (kind === RecordKind.linkedMetrics ? LINKED_METRIC_ENTRY_BYTES : METRIC_ENTRY_BYTES));
      const names = new Array<string>(count);
      let at = cursor.at;
      for (let i = 0; i < count; i++, at += 4) {
        const name = keys[view.getUint32(at, true)];
        if (name === undefined) throw new DecodeError(`metric key id ${view.getUint32(at, true)} was never declared in this segment`);
        names[i] = name;
      }
      const values = new Float64Array(count);
      if (LITTLE_ENDIAN_HOST) {
        new Uint8Array(values.buffer).set(bytes.subarray(at, at + count * 8));
        at += count * 8;
      } else {
        for (let i = 0; i < count; i++, at += 8) values[i] = view.getFloat64(at, true);
      }
      const timestamps = new Float64Array(count);
      for (let i = 0; i < count; i++, at += 8) timestamps[i] = readInt64(view, at);
      const steps = new Float64Array(count);
      for (let i = 0; i < count; i++, at += 8) steps[i] = readInt64(view, at);
      if (kind === RecordKind.metrics) return { kind: "metrics", stream: "metric", firstSeq, count, appendedMs, keys: names, values, timestamps, steps };
      const pointLinks = new Array<MetricLinkEntry | undefined>(count);
      for (let i = 0; i < count; i++, at += 4) {
        const id = view.getUint32(at, true);
        if (id >= links.length) throw new DecodeError(`metric link id ${id} was never declared in this segment`);
        pointLinks[i] = id === 0 ? undefined : links[id];
      }
      return { kind: "metrics", stream: "metric", firstSeq, count, appendedMs, keys: names, values, timestamps, steps, links: pointLinks };
    }
    case RecordKind.params:
    case RecordKind.tags: {
      const entries = [];
      for (let i = 0; i < count; i++) entries.push({ key: cursor.string(), value: cursor.string() });
      return kind === RecordKind.params
        ? { kind: "params", stream: "param", firstSeq, count, appendedMs, entries }
        : { kind: "tags", stream: "tag", firstSeq, count, appendedMs, entries };
    }
    case RecordKind.end: {
      const status = cursor.string();
      if (!(END_STATUSES as readonly string[]).includes(status)) throw new DecodeError(`unknown end status "${status}"`);
      return { kind: "end", stream: "control", firstSeq, count: 1, appendedMs, status: status as JournalEndStatus, endTimeMs: cursor.i64() };
    }
    case RecordKind.artifact: {
      const localPath = cursor.string();
      const artifactPath = cursor.string();
      const sizeBytes = cursor.i64();
      const mtimeMs = cursor.f64();
      cursor.need(32);
      const sha256 = bytes.toString("hex", cursor.at, cursor.at + 32);
      return { kind: "artifact", stream: "control", firstSeq, count: 1, appendedMs, artifact: { localPath, artifactPath, sizeBytes, mtimeMs, sha256 } };
    }
    case RecordKind.blob: {
      const artifactFile = cursor.string();
      const sizeBytes = cursor.i64();
      cursor.need(32);
      const sha256 = bytes.toString("hex", cursor.at, cursor.at + 32);
      return { kind: "blob", stream: "control", firstSeq, count: 1, appendedMs, blob: { artifactFile, sizeBytes, sha256 } };
    }
    case RecordKind.model:
      return { kind: "model", stream: "control", firstSeq, count: 1, appendedMs, model: parseModelEntry(cursor.string()) };
    default:
      throw new DecodeError(`unknown record kind ${String(kind)}`);
  }
}

const modelFileShape = z.object({
  localPath: z.string().min(1),
  artifactPath: z.string(),
  sizeBytes: z.number().int().min(0),
  mtimeMs: z.number(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
const modelEntryShape = z.object({
  target: z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("logged-model"), modelId: z.string().min(1) }),
    z.object({ kind: z.literal("run-artifacts"), runId: z.string().min(1), name: z.string().min(1), history: z.record(z.string(), z.unknown()) }),
  ]),
  folder: z.string().min(1),
  files: z.array(modelFileShape),
});

/** A model record's JSON, checked: a record that passed its CRC but does not hold a model entry is `bad-record`. */
function parseModelEntry(json: string): ModelEntry {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new DecodeError("model record is not JSON");
  }
  const parsed = modelEntryShape.safeParse(value);
  if (!parsed.success) throw new DecodeError(`model record: ${parsed.error.issues[0]?.message ?? "malformed"}`);
  return parsed.data;
}
