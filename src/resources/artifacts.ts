/**
 * Run artifacts: upload, list, download and delete, each through the store the run's
 * `artifact_uri` names (S3 directly, the tracking server's proxy, or the local disk).
 */
import { Readable } from "node:stream";
import { ArtifactStoreCache } from "../artifacts/artifact-store-cache.js";
import type { ArtifactStores } from "../artifacts/artifact-stores.js";
import { checkArtifactPath, joinArtifactPath } from "../artifacts/path-safety.js";
import { downloadTree, uploadOne, uploadPath } from "../artifacts/transfer.js";
import type { DownloadOptions, UploadOptions, UploadResult } from "../artifacts/types.js";
import { ValidationError } from "../core/errors.js";
import type { RequestOptions } from "../core/http/transport.js";
import type { FileInfo } from "../protocol/entities/tracking.js";
import { validateRunId } from "../protocol/validation.js";
import type { TrackingStore } from "../store/tracking-store.js";
import { APIResource } from "./resource.js";

/**
 * The artifact stores of runs by run id, for {@link Artifacts}: a run's `artifact_uri` is read once
 * per run id (`runs.get`), unless the run told it first (an active run holds it from the start).
 *
 * @example
 * const byRun = runArtifactStores(store, new ArtifactStores(config));
 * @internal
 */
export function runArtifactStores(store: TrackingStore, stores: ArtifactStores): ArtifactStoreCache {
  return new ArtifactStoreCache(stores, async (runId, options) => (await store.call("runs.get", { run_id: runId }, options)).run.info.artifact_uri);
}

/**
 * `client.artifacts`. The run's `artifact_uri` is read once per run id (`runs.get`) and cached; a
 * run started by the logger passes the URI it already holds, so its uploads make no `runs.get`.
 *
 * @example
 * await client.artifacts.upload(runId, "out/model", { artifactPath: "model", onProgress: (p) => console.log(p.loadedBytes) });
 * const files = await client.artifacts.list(runId, "model");
 * const local = await client.artifacts.download(runId, "model", "./downloaded");
 */
export class Artifacts extends APIResource {
  readonly #defaultConcurrency: number;
  readonly #byRun: ArtifactStoreCache;

  /**
   * @param store - The tracking store.
   * @param byRun - The artifact store of each run (`runArtifactStores` in this file).
   * @param defaultConcurrency - Files transferred in parallel unless `concurrency` is given. @defaultValue 8
   * @internal
   */
  constructor(store: TrackingStore, byRun: ArtifactStoreCache, defaultConcurrency = 8) {
    super(store);
    this.#defaultConcurrency = defaultConcurrency;
    this.#byRun = byRun;
  }

  /**
   * Uploads a local file as `<artifactPath>/<file name>`, or a directory recursively as
   * `<artifactPath>/<relative path>`, with files in parallel (`concurrency`, default 8) and one
   * aggregated `onProgress`.
   *
   * @param localPath - File or directory to upload.
   * @throws {UnsafeArtifactPathError} before any request, for an unsafe `artifactPath` or file name.
   * @throws {IncompleteTransferError} after the rest of a directory was uploaded, naming the files it skipped (a name
   *   that is no safe artifact path, or one the tracking server's proxy would change).
   * @throws {ArtifactError} (a subclass naming the cause) or {@link MlflowApiError} when the store fails.
   * @throws {AbortError} when `options.signal` fires; a multipart upload in progress is aborted on the server.
   * @example
   * await client.artifacts.upload(runId, "model.onnx", { artifactPath: "model" }); // model/model.onnx
   */
  async upload(runId: string, localPath: string, options: UploadOptions = {}): Promise<UploadResult> {
    validateRunId(runId);
    return uploadPath(() => this.#byRun.get(runId, options), localPath, options, this.#defaultConcurrency);
  }

  /**
   * Uploads in-memory data or a stream as the artifact `artifactFile` (a relative path with a file
   * name, e.g. `eval/report.json`). A stream may be of unknown length; in S3 mode its parts are
   * 64 MiB unless `s3.partSizeBytes` is set.
   *
   * @throws {UnsafeArtifactPathError} before any request, for an unsafe `artifactFile`.
   * @example
   * await client.artifacts.uploadData(runId, JSON.stringify({ acc: 0.9 }), "eval/metrics.json");
   */
  async uploadData(runId: string, data: string | Uint8Array | Readable, artifactFile: string, options: UploadOptions = {}): Promise<UploadResult> {
    validateRunId(runId);
    const file = checkArtifactPath(joinArtifactPath(options.artifactPath, artifactFile), "artifactFile");
    if (!(data instanceof Readable) && typeof data !== "string" && !(data instanceof Uint8Array)) {
      throw new ValidationError("data", "data-type", `uploadData expects a string, a Uint8Array/Buffer or a Readable; got ${typeof data}.`);
    }
    const store = await this.#byRun.get(runId, options);
    if (data instanceof Readable) return uploadOne(store, { kind: "stream", stream: data }, file, options);
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    return uploadOne(store, { kind: "bytes", data: bytes }, file, options);
  }

  /**
   * Downloads an artifact file or directory into `destDir` as `destDir/<path>` (the whole run
   * when `path` is `""`) and returns that local path. Files are streamed to temporary names and
   * renamed; every path must stay inside `destDir`.
   *
   * @throws {UnsafeArtifactPathError} for an unsafe `path`.
   * @throws {IncompleteTransferError} after the rest was downloaded, naming the listed entries it skipped (unsafe
   *   names, entries outside the directory or leaving `destDir`); `localPath` says where the rest is.
   * @example
   * const dir = await client.artifacts.download(runId, "model", "/tmp/out"); // "/tmp/out/model"
   */
  async download(runId: string, path: string, destDir: string, options: DownloadOptions = {}): Promise<string> {
    validateRunId(runId);
    const artifactPath = checkArtifactPath(path, "path", true);
    const store = await this.#byRun.get(runId, options);
    return downloadTree(store, artifactPath, destDir, options, this.#defaultConcurrency);
  }

  /**
   * Lists the artifacts of a run under `path` (the root when omitted). Paths in the result are
   * relative to the run's artifact root, sorted, and as the store lists them (a name that is no
   * safe artifact path is listed too; {@link Artifacts.download} skips it); a path naming a file
   * lists nothing.
   * @example
   * const files = await client.artifacts.list(runId, "model");
   */
  async list(runId: string, path?: string, options: RequestOptions = {}): Promise<FileInfo[]> {
    validateRunId(runId);
    const artifactPath = checkArtifactPath(path ?? "", "path", true);
    const store = await this.#byRun.get(runId, options);
    return store.list(artifactPath, options);
  }

  /**
   * Deletes an artifact file or directory (recursively; everything when `path` is `""`).
   * @example
   * await client.artifacts.delete(runId, "checkpoints");
   */
  async delete(runId: string, path: string, options: RequestOptions = {}): Promise<void> {
    validateRunId(runId);
    const artifactPath = checkArtifactPath(path, "path", true);
    const store = await this.#byRun.get(runId, options);
    await store.delete(artifactPath, options);
  }
}
