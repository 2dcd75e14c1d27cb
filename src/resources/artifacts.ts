/** Run artifacts: listing through the tracking API (uploads and downloads arrive with the artifact stores). */
import type { Readable } from "node:stream";
import type { DownloadOptions, UploadOptions, UploadResult } from "../artifacts/types.js";
import { MlflowError } from "../core/errors.js";
import { APIResource } from "../core/resource.js";
import type { RequestOptions } from "../core/transport.js";
import type { FileInfo } from "../entities/tracking.js";
import { validateRunId } from "../validation.js";

/**
 * `client.artifacts`.
 *
 * @example
 * const files = await client.artifacts.list(runId, "model");
 */
export class Artifacts extends APIResource {
  /**
   * Lists the artifacts of a run under `path` (the root when omitted), as the server sees them.
   * Paths in the result are relative to the run's artifact root; a path naming a file lists nothing.
   */
  async list(runId: string, path?: string, options?: RequestOptions): Promise<FileInfo[]> {
    validateRunId(runId);
    return (await this.store.call("artifacts.list", { run_id: runId, path }, options)).files;
  }

  /**
   * Uploads a local file or directory (recursively) under the run's artifact root.
   * @param localPath - File or directory to upload.
   */
  async upload(runId: string, localPath: string, options: UploadOptions = {}): Promise<UploadResult> {
    throw notYet(runId, localPath, options);
  }

  /**
   * Uploads in-memory data or a stream as the artifact `artifactFile` (a relative path with a file
   * name, e.g. `eval/report.json`).
   */
  async uploadData(runId: string, data: string | Uint8Array | Readable, artifactFile: string, options: UploadOptions = {}): Promise<UploadResult> {
    throw notYet(runId, data, artifactFile, options);
  }

  /**
   * Downloads an artifact file or directory into `destDir`; returns the local path.
   */
  async download(runId: string, path: string, destDir: string, options: DownloadOptions = {}): Promise<string> {
    throw notYet(runId, path, destDir, options);
  }
}

function notYet(..._args: unknown[]): MlflowError {
  return new MlflowError("Artifact transfer is not implemented yet.");
}
