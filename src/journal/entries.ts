/**
 * The shapes of what goes into a journal and what comes back out: metric columns (the logger's
 * struct-of-arrays chunks, taken as they are), params and tags, the end status, artifacts, and the
 * decoded records a reader yields.
 * @internal
 * @module
 */
import type { JournalEndStatus, Stream } from "./format.js";

/**
 * Metric points as parallel columns: entry `i` is `keys[i]`, `values[i]`, `timestamps[i]` (ms since
 * the epoch), `steps[i]`. The logger's metric-buffer chunks have this shape, so a group commit reads
 * them in place, without an object per point.
 */
export interface MetricColumns {
  readonly keys: ArrayLike<string>;
  readonly values: Float64Array;
  readonly timestamps: Float64Array;
  readonly steps: Float64Array;
  /** Per point, an index into {@link MetricColumns.linkTable}; 0 (or no column) is "no link". */
  readonly links?: Uint32Array | undefined;
  /** The links the {@link MetricColumns.links} indexes name (index 0 unused). */
  readonly linkTable?: ArrayLike<MetricLinkEntry | undefined> | undefined;
}

/** The logged model and dataset a metric point belongs to (MLflow 3's `model_id`, `dataset_name`, `dataset_digest`). */
export interface MetricLinkEntry {
  readonly model_id?: string | undefined;
  readonly dataset_name?: string | undefined;
  readonly dataset_digest?: string | undefined;
}

/** A param or a tag. */
export interface KeyValueEntry {
  readonly key: string;
  readonly value: string;
}

/**
 * A file to upload to the run later. It is uploaded only if it is still the same file: same size,
 * same mtime and the same sha256 (see `artifactUnchanged`).
 */
export interface ArtifactEntry {
  /** Absolute path of the local file. */
  localPath: string;
  /** Folder inside the run's artifact root ("" for the root). */
  artifactPath: string;
  /** Size when it was journaled, bytes. */
  sizeBytes: number;
  /** Modification time when it was journaled, ms since the epoch (fractional, as `fs.stat` gives it). */
  mtimeMs: number;
  /** SHA-256 of the content when it was journaled, 64 hex digits. */
  sha256: string;
}

/**
 * An artifact built in memory (`logText`, `logDict`, `logTable`, `logImage`…): its bytes are the
 * journal's blob file `blobs/<sha256>`, uploaded as `artifactFile` if they still hash to `sha256`.
 */
export interface BlobEntry {
  /** Path of the file inside the run's artifact root, e.g. `eval/summary.json`. */
  artifactFile: string;
  /** Size of the bytes, bytes. */
  sizeBytes: number;
  /** SHA-256 of the bytes, 64 hex digits: also the blob's file name. */
  sha256: string;
}

/**
 * Where a journaled model's files go and how it is finished: an MLflow 3 logged model (its files
 * under the model's artifact location, then finalized READY), or, on an MLflow 2 server, the run's
 * artifacts under `name` followed by the run's `mlflow.log-model.history` record `history`.
 */
export type ModelTarget =
  | { readonly kind: "logged-model"; readonly modelId: string }
  | { readonly kind: "run-artifacts"; readonly runId: string; readonly name: string; readonly history: Readonly<Record<string, unknown>> };

/**
 * A model `logModel` was uploading (format 4): its folder inside the journal's folder, every file
 * of it by path, size, mtime and SHA-256, and its {@link ModelTarget}. Recovery uploads the folder
 * and finishes the model only if every file is unchanged.
 */
export interface ModelEntry {
  target: ModelTarget;
  /** The model's folder, relative to the journal's folder (`models/<name>`), so a claimed (renamed) journal still finds it. */
  folder: string;
  /** Its files: `localPath` relative to {@link ModelEntry.folder}, `artifactPath` their folder inside the model ("" for its root). */
  files: ArtifactEntry[];
}

/** Fields every decoded record has. */
interface RecordBase {
  /** Stream of its entries. */
  stream: Stream;
  /** Sequence number of its first entry in {@link RecordBase.stream}. */
  firstSeq: number;
  /** Number of entries. */
  count: number;
  /** When the writer encoded it, ms since the epoch. */
  appendedMs: number;
}

/** A group of metric points, in columns. */
export interface MetricsRecord extends RecordBase {
  kind: "metrics";
  stream: "metric";
  keys: string[];
  values: Float64Array;
  timestamps: Float64Array;
  steps: Float64Array;
  /** Per point, its link (`undefined`: none); absent when no point of the record has one (and in format-1 segments). */
  links?: (MetricLinkEntry | undefined)[];
}

/** A group of params or of tags, in logging order. */
export interface KeyValuesRecord extends RecordBase {
  kind: "params" | "tags";
  stream: "param" | "tag";
  entries: KeyValueEntry[];
}

/** The run's end. */
export interface EndRecord extends RecordBase {
  kind: "end";
  stream: "control";
  status: JournalEndStatus;
  endTimeMs: number;
}

/** A file to upload. */
export interface ArtifactRecord extends RecordBase {
  kind: "artifact";
  stream: "control";
  artifact: ArtifactEntry;
}

/** An artifact built in memory, kept as a blob of the journal. */
export interface BlobRecord extends RecordBase {
  kind: "blob";
  stream: "control";
  blob: BlobEntry;
}

/** A model being logged (format 4). */
export interface ModelRecord extends RecordBase {
  kind: "model";
  stream: "control";
  model: ModelEntry;
}

/** A record as a reader yields it. */
export type JournalRecord = MetricsRecord | KeyValuesRecord | EndRecord | ArtifactRecord | BlobRecord | ModelRecord;

/**
 * The entries `[from, to)` (sequence numbers of the record's stream) of a record, as a record of
 * their own; the same object when the range is the whole record.
 * @example
 * sliceRecord(record, 1200, 1500) // points 1200…1499 of a record starting at 1000
 */
export function sliceRecord(record: JournalRecord, from: number, to: number): JournalRecord {
  const start = from - record.firstSeq;
  const end = to - record.firstSeq;
  if (start === 0 && end === record.count) return record;
  const base = { firstSeq: from, count: end - start, appendedMs: record.appendedMs };
  switch (record.kind) {
    case "metrics":
      return {
        ...base,
        kind: "metrics",
        stream: "metric",
        keys: record.keys.slice(start, end),
        values: record.values.slice(start, end),
        timestamps: record.timestamps.slice(start, end),
        steps: record.steps.slice(start, end),
        ...(record.links === undefined ? {} : { links: record.links.slice(start, end) }),
      };
    case "params":
    case "tags":
      return { ...base, kind: record.kind, stream: record.stream, entries: record.entries.slice(start, end) };
    default:
      return record; // one entry: a slice of it is all of it
  }
}
