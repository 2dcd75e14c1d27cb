/** Types shared by the artifact stores and the artifacts resource. */
import type { RequestOptions } from "../core/transport.js";

/** Progress of an upload or download. */
export interface TransferProgress {
  /** Bytes transferred so far, over all files of the operation. */
  loadedBytes: number;
  /** Total bytes of the operation; `undefined` for a stream of unknown length. */
  totalBytes: number | undefined;
  /** Artifact path of the file that advanced. */
  path: string;
}

/** Options of artifact uploads. */
export interface UploadOptions extends RequestOptions {
  /** Directory inside the run's artifact root, e.g. `model`. @defaultValue the root */
  artifactPath?: string;
  /** Called as bytes go out (at least once per part, and at the end of each file). */
  onProgress?: (progress: TransferProgress) => void;
  /** Files uploaded in parallel for a directory. @defaultValue 8 */
  concurrency?: number;
}

/** Options of artifact downloads. */
export interface DownloadOptions extends RequestOptions {
  onProgress?: (progress: TransferProgress) => void;
  /** Files downloaded in parallel for a directory. @defaultValue 8 */
  concurrency?: number;
}

/** What an upload wrote. */
export interface UploadResult {
  /** Artifact paths written, relative to the run's artifact root. */
  paths: string[];
  /** Total bytes written. */
  bytes: number;
}
