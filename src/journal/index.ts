/**
 * The durable-delivery journal (issue #14): the storage layer the logger's batcher writes
 * (logging/batcher/journal-feed.ts) and recovery reads. Internal, except `JournalOptions`, which the
 * package root exports as part of the `startRun` options.
 * @internal
 * @module
 */
export { type ArtifactState, artifactState, artifactUnchanged, describeArtifact } from "./artifact.js";
export { type BlobRead, blobPath, MAX_BLOB_BYTES, MAX_JOURNAL_BLOB_BYTES, readBlob, sha256Hex } from "./blob.js";
export { JournalCursor } from "./cursor.js";
export type { JournalDegraded } from "./degraded.js";
export { type JournalListing, listJournals } from "./discovery.js";
export type {
  ArtifactEntry,
  BlobEntry,
  JournalRecord,
  KeyValueEntry,
  MetricColumns,
  MetricLinkEntry,
  ModelEntry,
  ModelRecord,
  ModelTarget,
} from "./entries.js";
export { type JournalEndStatus, MODEL_FOLDER, STREAMS, type Stream, type StreamCounts } from "./format.js";
export { type BlobAppend, type ClaimResult, Journal, type JournalInit, type JournalStats, type ModelAppend } from "./journal.js";
export { publicTrackingUri } from "./meta.js";
export { defaultJournalDir, type JournalOptions, journalOptionsShape, type ResolvedJournalOptions, resolveJournalOptions } from "./options.js";
export type { OwnerState } from "./owner.js";
export { RangeSet } from "./range-set.js";
export type { JournalScan } from "./scan.js";
export type { DamageReason, JournalDamage } from "./segment-reader.js";
export type { CommitResult } from "./writer.js";
