/**
 * The journal's on-disk format, in one place: file names, the segment header, the record frame and
 * the record kinds. Everything is little-endian. A segment is a header followed by records; a record
 * is `crc32 u32 | bodyLength u32 | body`, the checksum covering the length and the body, so that a
 * torn tail (a record cut short by a kill) and a flipped byte are both detected and never misread.
 * See docs/journal.md for the byte layout of each record kind.
 * @internal
 * @module
 */

/** The first 8 bytes of every segment file. */
export const SEGMENT_MAGIC = Buffer.from("MLTSJRNL", "latin1");
/** The first 8 bytes of the acknowledgement file. */
export const ACK_MAGIC = Buffer.from("MLTSACKS", "latin1");
/** Version of the acknowledgement file's and meta.json's formats; a reader refuses a newer one. */
export const FORMAT_VERSION = 1;
/**
 * Version of the segment format; a reader refuses a newer one and reads every older one. 1: kinds
 * 1–6. 2 adds metric links (kinds 7 and 8: a point's logged model and dataset, MLflow 3); a version-2
 * writer still writes kind 2 for points without links, so the two differ only where links are used.
 * 3 adds artifacts built in memory (kind 9: a blob file of the journal's folder, by SHA-256), so that
 * an older reader refuses such a segment (`bad-header`) instead of stopping at an unknown kind.
 * 4 adds models being logged (kind 10: a model's folder in the journal, its files and where they go),
 * for the same reason.
 */
export const SEGMENT_VERSION = 4;

/** Bytes of the record frame before the body: crc32 u32, body length u32. */
export const FRAME_BYTES = 8;
/** Bytes of the body header of every record: kind u8, stream u8, reserved u16, count u32, firstSeq i64, appendedMs i64. */
export const RECORD_HEADER_BYTES = 24;
/** Largest body a reader accepts; a longer length is damage, not a record (a group of 1000 metrics is 28 kB). */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;
/** Bytes of one metric in a metrics record: key id u32, value f64, timestamp i64, step i64. */
export const METRIC_ENTRY_BYTES = 28;
/** Bytes of one metric in a linked-metrics record: a metrics entry plus its link id u32. */
export const LINKED_METRIC_ENTRY_BYTES = METRIC_ENTRY_BYTES + 4;
/** Written in place of a string's length for an absent field of a link. */
export const ABSENT_STRING = 0xffffffff;
/** Bytes of one acknowledgement record: crc32 u32, stream u8, reserved ×3, from i64, to i64. */
export const ACK_RECORD_BYTES = 24;
/** Bytes of the acknowledgement file's header: magic ×8, version u16, reserved u16, crc32 u32. */
export const ACK_HEADER_BYTES = 16;

/** What a record holds. The numbers are the on-disk codes. */
export const RecordKind = {
  /** Metric keys interned for this segment: the ids the metrics records refer to. */
  keys: 1,
  metrics: 2,
  params: 3,
  tags: 4,
  /** The run's end status and end time. */
  end: 5,
  /** A file to upload later: local path, artifact path, size, mtime, sha256. */
  artifact: 6,
  /** Metric links interned for this segment (format 2): the ids linked-metrics records refer to; id 0 is "no link". */
  links: 7,
  /** Metric points with links (format 2): a metrics record plus a link id per point. */
  linkedMetrics: 8,
  /** An artifact built in memory (format 3): its artifact file, size and SHA-256; the bytes are the blob `blobs/<sha256>`. */
  blob: 9,
  /** A model being logged (format 4): `(len u32, JSON)` of its target, folder and files (see `ModelEntry`). */
  model: 10,
} as const;
/** A record kind's on-disk code. */
export type RecordKindCode = (typeof RecordKind)[keyof typeof RecordKind];

/**
 * The journal's entry streams. Every entry has a sequence number in its stream (0, 1, 2…, in append
 * order), the same numbering the logger's buffers use, and is acknowledged by it.
 */
export const STREAMS = ["metric", "param", "tag", "control"] as const;
/** An entry stream: metrics, params, tags, or control entries (end status, artifacts). */
export type Stream = (typeof STREAMS)[number];
/** On-disk code of each stream (0 is "no stream": key records). */
export const STREAM_CODE: Readonly<Record<Stream, number>> = { metric: 1, param: 2, tag: 3, control: 4 };
/** Stream of each on-disk code. */
export const STREAM_OF_CODE: readonly (Stream | undefined)[] = [undefined, "metric", "param", "tag", "control"];
/** Stream of each record kind that carries entries. */
export const STREAM_OF_KIND: Readonly<Record<RecordKindCode, Stream | undefined>> = {
  [RecordKind.keys]: undefined,
  [RecordKind.metrics]: "metric",
  [RecordKind.params]: "param",
  [RecordKind.tags]: "tag",
  [RecordKind.end]: "control",
  [RecordKind.artifact]: "control",
  [RecordKind.links]: undefined,
  [RecordKind.linkedMetrics]: "metric",
  [RecordKind.blob]: "control",
  [RecordKind.model]: "control",
};

/** One count or position per stream. */
export type StreamCounts = Record<Stream, number>;

/**
 * A fresh all-zero {@link StreamCounts}.
 * @example
 * const durable = zeroCounts(); durable.metric += 1000;
 */
export function zeroCounts(): StreamCounts {
  return { metric: 0, param: 0, tag: 0, control: 0 };
}

/** The end statuses a journal records (MLflow's terminal run statuses). */
export const END_STATUSES = ["FINISHED", "FAILED", "KILLED"] as const;
/** A terminal run status. */
export type JournalEndStatus = (typeof END_STATUSES)[number];

/** What the header of every segment says about the journal it belongs to. */
export interface SegmentHeader {
  /** Format version the segment was written with. */
  version: number;
  /** The MLflow run the entries belong to. */
  runId: string;
  /** Process that wrote the segment. */
  pid: number;
  /** Index of the segment in its journal (0, 1, 2…). */
  segment: number;
  /** When the segment was created, ms since the epoch. */
  createdMs: number;
}

/**
 * Name of segment `index` in a journal folder: `00000000.seg`.
 * @example
 * segmentFileName(3) // "00000003.seg"
 */
export function segmentFileName(index: number): string {
  return `${String(index).padStart(8, "0")}.seg`;
}

/**
 * Index of a segment from its file name, or `undefined` when the name is not a segment's.
 * @example
 * segmentIndexOf("00000003.seg") // 3
 */
export function segmentIndexOf(fileName: string): number | undefined {
  const match = /^(\d{8,})\.seg$/.exec(fileName);
  return match ? Number(match[1]) : undefined;
}

/** Name of the acknowledgement file in a journal folder. */
export const ACK_FILE = "acks";
/** Folder of a journal's blobs (artifacts built in memory, one file per SHA-256). */
export const BLOB_FOLDER = "blobs";
/** Folder of the models being logged (`logModel`'s folders, written here while the run has a journal). */
export const MODEL_FOLDER = "models";
/** Name of the journal's description (run, tracking URI, creator), written once, atomically. */
export const META_FILE = "meta.json";

const TWO_32 = 4294967296;

/**
 * Writes an integer-valued number as a little-endian int64. Exact for every integer a double holds
 * (all safe integers, and larger powers-of-two multiples) within the int64 range.
 * @example
 * writeInt64(view, 0, Number.MAX_SAFE_INTEGER)
 */
export function writeInt64(view: DataView, offset: number, value: number): void {
  const high = Math.floor(value / TWO_32);
  view.setUint32(offset, value - high * TWO_32, true);
  view.setInt32(offset + 4, high, true);
}

/**
 * Reads a little-endian int64 as a number (exact up to 2^53 in magnitude, rounded beyond).
 * @example
 * readInt64(view, 0) // Number.MAX_SAFE_INTEGER after the writeInt64 above
 */
export function readInt64(view: DataView, offset: number): number {
  return view.getInt32(offset + 4, true) * TWO_32 + view.getUint32(offset, true);
}
