/**
 * The interface every artifact store implements (S3, the tracking server's proxy, the local disk),
 * and the shapes of what goes in and out of it. Paths given to a store are already checked by
 * {@link checkArtifactPath} and relative to the run's artifact root.
 */
import type { Readable } from "node:stream";
import type { RequestOptions } from "../core/http/transport.js";
import type { FileInfo } from "../protocol/entities/tracking.js";

/** What to upload: a file on disk, bytes in memory, or a stream of unknown length. */
export type UploadSource = { kind: "file"; path: string; size: number } | { kind: "bytes"; data: Buffer } | { kind: "stream"; stream: Readable };

/** Per-transfer hooks and options. */
export interface TransferHooks extends RequestOptions {
  /**
   * Bytes of this object transferred so far. May start again from a lower count when an attempt
   * is retried; the transfer layer counts each object at its highest value and turns it into
   * aggregated {@link TransferProgress} (which never goes down).
   */
  onBytes?: (loadedBytes: number) => void;
}

/** An opened artifact, ready to be streamed. */
export interface ArtifactReadStream {
  stream: Readable;
  /** Size announced by the store, when it did. */
  size: number | undefined;
}

/** One artifact backend, bound to one run's artifact root. @internal */
export interface ArtifactStore {
  /** Where the artifacts live, safe to print (e.g. `s3://mlflow/1/<run>/artifacts`). */
  readonly location: string;
  /**
   * Writes `source` as `artifactFile` (e.g. `model/weights.bin`).
   * @returns The number of bytes written.
   */
  upload(source: UploadSource, artifactFile: string, hooks: TransferHooks): Promise<number>;
  /**
   * Lists the direct children of `path` (the root when `""`), sorted by path, with paths relative
   * to the artifact root. A path naming a file lists nothing.
   */
  list(path: string, options: RequestOptions): Promise<FileInfo[]>;
  /** Opens `artifactFile` for reading. */
  open(artifactFile: string, options: RequestOptions): Promise<ArtifactReadStream>;
  /** Deletes `path` and everything under it (the whole root when `""`). */
  delete(path: string, options: RequestOptions): Promise<void>;
}
