/** Types shared by the artifact stores and the artifacts resource. */
import type { RequestOptions } from "../core/http/transport.js";

/**
 * Progress of an upload or download, summed over every file of the operation: one event stream
 * for a whole directory, whose totals are known before the first byte moves (the files are listed
 * first). `loadedBytes` never goes down: a part re-sent after a failed attempt counts once.
 *
 * @example
 * onProgress: ({ loadedBytes, totalBytes, completedFiles, totalFiles }) =>
 *   console.log(`${loadedBytes}/${totalBytes} bytes, ${completedFiles}/${totalFiles} files`)
 */
export interface TransferProgress {
  /** Bytes transferred so far, over all files of the operation; never decreases. */
  loadedBytes: number;
  /** Total bytes of the operation; `undefined` for a stream of unknown length (or a listing without sizes). */
  totalBytes: number | undefined;
  /** Files finished so far (each counted once, when it is complete on the other side). */
  completedFiles: number;
  /** Files of the operation: 1 for a single file or stream, the listed files for a directory. */
  totalFiles: number;
  /** Artifact path of the file that advanced. */
  path: string;
}

/**
 * Options of artifact uploads. `signal` aborts the whole upload (and any multipart upload on the
 * server); `timeoutMs`/`maxRetries`/`deadlineMs` apply to requests through the tracking server
 * (proxied mode), while direct S3 requests use the client's retry settings.
 *
 * @example
 * await client.artifacts.upload(runId, "out/model", { artifactPath: "model", concurrency: 4, signal });
 */
export interface UploadOptions extends RequestOptions {
  /** Directory inside the run's artifact root, e.g. `model`. @defaultValue the root */
  artifactPath?: string | undefined;
  /** Called as bytes go out: every 256 KiB sent, and at the end of each file. */
  onProgress?: ((progress: TransferProgress) => void) | undefined;
  /** Files uploaded in parallel for a directory. @defaultValue `artifacts.concurrency` (8) */
  concurrency?: number | undefined;
}

/**
 * Options of artifact downloads.
 *
 * @example
 * await client.artifacts.download(runId, "model", "./out", { onProgress: (p) => bar.update(p.loadedBytes) });
 */
export interface DownloadOptions extends RequestOptions {
  /** Called as bytes arrive. */
  onProgress?: ((progress: TransferProgress) => void) | undefined;
  /** Files downloaded in parallel for a directory. @defaultValue `artifacts.concurrency` (8) */
  concurrency?: number | undefined;
}

/**
 * What an upload wrote.
 * @example
 * const { paths, bytes } = await client.artifacts.upload(runId, "model.onnx");
 */
export interface UploadResult {
  /** Artifact paths written, relative to the run's artifact root. */
  paths: string[];
  /** Total bytes written. */
  bytes: number;
}
