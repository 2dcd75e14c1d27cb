/**
 * The proxied store: a run whose `artifact_uri` is `mlflow-artifacts:/…` (the MLflow default) is
 * written through the tracking server's `/api/2.0/mlflow-artifacts` routes, over the same
 * transport (auth, timeouts, retries) as the tracking API. Large files can use the server's
 * multipart API: parts go straight to presigned S3 URLs, without MLflow credentials. A server that
 * takes presigned transfers only (MLflow 3.18+, `--artifacts-presigned-only`) gets every upload by
 * multipart and every download by a presigned URL; proxy-transfer-mode.ts decides which.
 */
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, posix } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { z } from "zod";
import type { ResolvedConfig } from "../config/resolve.js";
import { messageOf } from "../core/error-text.js";
import { AbortError, MlflowApiError, ResponseValidationError } from "../core/errors.js";
import type { HttpRequest, HttpResponse, HttpTransport, RequestOptions } from "../core/http/transport.js";
import { int64 } from "../core/wire.js";
import type { FileInfo } from "../protocol/entities/tracking.js";
import { releasedBefore } from "../protocol/server-features.js";
import type { ArtifactReadStream, ArtifactStore, TransferHooks, UploadSource } from "./artifact-store.js";
import { ARTIFACTS_SERVICE_PATH, joinArtifactPath } from "./artifact-uri.js";
import { countingStream, sliceStream } from "./byte-streams.js";
import { proxyContentType } from "./content-type.js";
import { ArtifactError, ArtifactUploadError } from "./errors.js";
import { forEachLimited } from "./parallel.js";
import { checkProxiedArtifactPath } from "./path-safety.js";
import { ProgressTotals } from "./progress.js";
import { isPresignedOnlyRefusal, type ProxyServerState, proxyTransferModeOf } from "./proxy-transfer-mode.js";

const MPU_PATH = "/api/2.0/mlflow-artifacts/mpu";
/** `GET <this>/<root>/<path>`: a presigned download URL (MLflow 3.18+). */
const PRESIGNED_PATH = "/api/2.0/mlflow-artifacts/presigned";
/** Read size of uploaded files, and so the progress granularity: 256 KiB. */
const READ_CHUNK_BYTES = 256 * 1024;
/** Slowest transfer rate the per-request timeout allows for: 1 MiB/s. */
const MIN_BYTES_PER_MS = (1024 * 1024) / 1000;
/** The message MLflow answers `mpu/create` with when its artifact repository cannot do multipart. */
const MPU_UNSUPPORTED = "Multipart upload is not supported";
/**
 * The first release whose proxied `DELETE` removes only what is inside the path. Before it the
 * server deletes every key that *starts with* the path: deleting `scratch` also deleted
 * `scratch-sibling.txt` (`s3_artifact_repo.py` `delete_artifacts`; 3.16.1 checks
 * `_is_object_key_within_path`).
 */
const EXACT_DELETE_SINCE = "3.16";
/**
 * The one release whose proxied `DELETE` removes only the keys under `<path>/`: a directory
 * exactly, a single file not at all (the server answers 200 and the object stays;
 * `s3_artifact_repo.py` `delete_artifacts`: `prefix = dest_path + "/"` in 2.20.x, the plain
 * prefix again from 2.21).
 */
const CHILDREN_ONLY_DELETE_MINOR = "2.20";

/** How the server's proxied `DELETE` of a path selects keys (by its version). */
type DeleteRule = "exact" | "prefix" | "children-only";

const listSchema = z.object({
  files: z.array(z.object({ path: z.string(), is_dir: z.boolean().default(false), file_size: int64.optional() })).default([]),
});
const presignedSchema = z.object({ url: z.string().min(1), headers: z.record(z.string(), z.string()).default({}), file_size: int64.nullish() });
const createSchema = z.object({
  upload_id: z.string().min(1),
  credentials: z.array(z.object({ url: z.string().min(1), part_number: int64, headers: z.record(z.string(), z.string()).default({}) })),
});

type Credential = z.infer<typeof createSchema>["credentials"][number];
/** What a multipart upload reads its parts from: a file on disk or bytes in memory. */
type PartSource = Exclude<UploadSource, { kind: "stream" }>;
interface UploadedPart {
  part_number: number;
  etag: string;
  url: string;
}

/**
 * Artifacts of one run behind a tracking server's artifact proxy.
 *
 * @example
 * const store = new ProxyArtifactStore({ serverUrl: "http://127.0.0.1:5000", root: "1/abc/artifacts" }, transport, config);
 * await store.upload({ kind: "file", path: "model.onnx", size: 1234 }, "model/model.onnx", {});
 * @internal
 */
export class ProxyArtifactStore implements ArtifactStore {
  readonly location: string;
  readonly #serverUrl: string;
  readonly #root: string;
  readonly #transport: HttpTransport;
  readonly #config: ResolvedConfig;
  readonly #server: ProxyServerState;

  /**
   * @param server - What the client knows about its tracking server (`client.server`, and whether it
   *   takes presigned transfers only), shared by the client's stores; without it the store assumes a
   *   current server and learns the rest from its answers.
   */
  constructor(
    where: { serverUrl: string; root: string },
    transport: HttpTransport,
    config: ResolvedConfig,
    server: ProxyServerState = { facts: undefined, presignedOnly: false },
  ) {
    this.#serverUrl = where.serverUrl;
    this.#root = where.root;
    this.#transport = transport;
    this.#config = config;
    this.#server = server;
    this.location = `${where.serverUrl}${ARTIFACTS_SERVICE_PATH}/${where.root}`;
  }

  /**
   * @throws {UnsafeArtifactPathError} (`proxy-decodes`) for a name the server would change.
   * @throws {ArtifactUploadError} when a presigned-only server cannot do multipart for this location.
   */
  async upload(source: UploadSource, artifactFile: string, hooks: TransferHooks): Promise<number> {
    checkProxiedArtifactPath(artifactFile, "artifactFile");
    if (source.kind === "stream") return this.#uploadStream(source.stream, artifactFile, hooks);
    const settings = this.#config.artifacts;
    const size = partSourceSize(source);
    const presignedOnly = this.#server.presignedOnly;
    // Asked only for a file that large when not configured (a 3.18+ server's opt-in decides).
    const multipart =
      presignedOnly ||
      (size >= settings.proxyMultipartMinBytes &&
        (settings.proxyMultipartUpload ??
          (await proxyTransferModeOf(undefined, this.#server.facts, { signal: hooks.signal, timeoutMs: hooks.timeoutMs })).multipart));
    if (multipart) {
      const uploaded = await this.#multipartUpload(source, artifactFile, hooks);
      if (uploaded) return size;
      if (presignedOnly) {
        throw new ArtifactUploadError(
          `Upload of ${this.#display(artifactFile)} failed: the server takes artifacts by presigned URLs only (--artifacts-presigned-only), but answered that its artifact store cannot do multipart uploads. Fix: give the server an artifact destination that supports presigned multipart uploads (S3, GCS, Azure), or start it without --artifacts-presigned-only.`,
          { operation: "upload", location: this.#display(artifactFile) },
        );
      }
    }
    try {
      return await this.#put(source, artifactFile, hooks);
    } catch (error) {
      if (presignedOnly || !isPresignedOnlyRefusal(error)) throw error;
      // The server takes presigned transfers only: once known, every store of the client goes so.
      this.#server.presignedOnly = true;
      return this.upload(source, artifactFile, hooks);
    }
  }

  /**
   * `GET /api/2.0/mlflow-artifacts/artifacts?path=<root>/<path>`; names come back as basenames and
   * are returned as listed (the transfer layer checks them).
   */
  async list(path: string, options: RequestOptions): Promise<FileInfo[]> {
    checkProxiedArtifactPath(path, "path");
    const request = this.#request("GET", ARTIFACTS_SERVICE_PATH, { query: { path: joinArtifactPath(this.#root, path) || undefined } });
    const body = await this.#transport.request(request, options, (res) => parseJson(listSchema, res, request));
    const infos = body.files.map((file): FileInfo => {
      const artifactPath = joinArtifactPath(path, file.path);
      // The server omits a zero size (protobuf default), so a file without one is empty.
      return file.is_dir ? { path: artifactPath, is_dir: true } : { path: artifactPath, is_dir: false, file_size: Number(file.file_size ?? 0) };
    });
    const only = infos[0];
    if (infos.length === 1 && only && !only.is_dir && path !== "" && only.path === joinArtifactPath(path, posix.basename(path))) return [];
    return infos.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** A presigned-only server (3.18+): the file's presigned URL first, then the bytes from storage. */
  async open(artifactFile: string, options: RequestOptions): Promise<ArtifactReadStream> {
    checkProxiedArtifactPath(artifactFile, "artifactFile");
    if (this.#server.presignedOnly) return this.#openPresigned(artifactFile, options);
    const request = this.#request("GET", this.#artifactPath(artifactFile), { responseType: "stream" });
    try {
      return await this.#transport.request(request, options, (res) => ({ stream: res.body as Readable, size: contentLength(res) }));
    } catch (error) {
      if (!isPresignedOnlyRefusal(error)) throw error;
      this.#server.presignedOnly = true;
      return this.#openPresigned(artifactFile, options);
    }
  }

  /**
   * `GET /api/2.0/mlflow-artifacts/presigned/<root>/<path>` (the server's credentials), then a `GET`
   * of the URL it signed, with the headers it gave and none of the client's (no MLflow auth to S3).
   */
  async #openPresigned(artifactFile: string, options: RequestOptions): Promise<ArtifactReadStream> {
    const signing = this.#request("GET", `${PRESIGNED_PATH}/${encodePath(joinArtifactPath(this.#root, artifactFile))}`);
    const presigned = await this.#transport.request(signing, options, (res) => parseJson(presignedSchema, res, signing));
    const request: HttpRequest = { method: "GET", path: "", url: presigned.url, headers: presigned.headers, retry: "idempotent", responseType: "stream" };
    return this.#transport.request(request, { ...options, headers: undefined }, (res) => ({
      stream: res.body as Readable,
      size: contentLength(res) ?? (presigned.file_size == null ? undefined : Number(presigned.file_size)),
    }));
  }

  /**
   * One `DELETE` of the path. On a server before MLflow 3.16, whose delete takes every key that
   * starts with the path, a directory is deleted file by file instead (each file's own path: a key
   * that starts with it is inside the directory too), so its siblings stay. On MLflow 2.20, whose
   * delete takes only the keys under `<path>/`, one `DELETE` removes a directory exactly, and a
   * single file cannot be deleted: that is an {@link ArtifactError} (code
   * `SERVER_CANNOT_DELETE_FILE`) instead of a silent no-op.
   */
  async delete(path: string, options: RequestOptions): Promise<void> {
    checkProxiedArtifactPath(path, "path");
    const rule = path === "" ? "exact" : await this.#deleteRule(options);
    if (rule === "prefix") {
      const files = await this.#filesUnder(path, options);
      if (files.length > 0) {
        await forEachLimited(files, this.#config.artifacts.concurrency, options.signal, (file, signal) => this.#deleteOne(file, { ...options, signal }));
        return;
      }
    } else if (rule === "children-only" && (await this.#isFile(path, options))) {
      throw new ArtifactError(
        `The tracking server runs MLflow 2.20, whose artifact proxy deletes only what is under a directory: deleting the file ${this.#display(path)} would do nothing. Fix: delete the directory that holds it, delete it in S3 directly, or upgrade the server to MLflow 2.21 or later.`,
        { operation: "delete", location: this.#display(path), code: "SERVER_CANNOT_DELETE_FILE" },
      );
    }
    await this.#deleteOne(path, options);
  }

  async #deleteOne(path: string, options: RequestOptions): Promise<void> {
    const request = this.#request("DELETE", this.#artifactPath(path));
    await this.#transport.request(request, options, () => undefined);
  }

  async #deleteRule(options: RequestOptions): Promise<DeleteRule> {
    const version = this.#server.facts === undefined ? undefined : await this.#server.facts.version(options);
    if (version === undefined || releasedBefore(version, EXACT_DELETE_SINCE) !== true) return "exact";
    return version.split(".").slice(0, 2).join(".") === CHILDREN_ONLY_DELETE_MINOR ? "children-only" : "prefix";
  }

  /** Whether `path` is a file its directory lists. */
  async #isFile(path: string, options: RequestOptions): Promise<boolean> {
    const parent = posix.dirname(path);
    const entries = await this.list(parent === "." ? "" : parent, options);
    return entries.some((entry) => entry.path === path && !entry.is_dir);
  }

  /** Every file under a directory, depth first; none for a file or a missing path. */
  async #filesUnder(path: string, options: RequestOptions): Promise<string[]> {
    const files: string[] = [];
    const pending = [path];
    for (let directory = pending.pop(); directory !== undefined; directory = pending.pop()) {
      for (const entry of await this.list(directory, options)) (entry.is_dir ? pending : files).push(entry.path);
    }
    return files;
  }

  /** One streamed `PUT`; the body is re-opened on every attempt. */
  async #put(source: Exclude<UploadSource, { kind: "stream" }>, artifactFile: string, hooks: TransferHooks): Promise<number> {
    const size = partSourceSize(source);
    const onBytes = (sent: number): void => hooks.onBytes?.(sent);
    const body = (): Readable => {
      onBytes(0);
      return source.kind === "file"
        ? countingStream(createReadStream(source.path, { highWaterMark: READ_CHUNK_BYTES }), onBytes)
        : sliceStream(source.data, onBytes);
    };
    const headers = { "Content-Type": proxyContentType(artifactFile), "Content-Length": String(size) };
    const request = this.#request("PUT", this.#artifactPath(artifactFile), { body, headers });
    await this.#transport.request(request, this.#transferOptions(hooks, size), () => undefined);
    return size;
  }

  /** A stream of unknown length is spooled to a temporary file first, so that retries can re-send it. */
  async #uploadStream(stream: Readable, artifactFile: string, hooks: TransferHooks): Promise<number> {
    const directory = await mkdtemp(join(tmpdir(), "mlflow-ts-spool-"));
    try {
      const file = join(directory, "body");
      await pipeline(stream, createWriteStream(file), { signal: hooks.signal });
      const { size } = await stat(file);
      return await this.upload({ kind: "file", path: file, size }, artifactFile, hooks);
    } catch (error) {
      if (hooks.signal?.aborted) throw new AbortError(`Upload of ${artifactFile} was aborted`);
      throw error;
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  }

  /**
   * The server's multipart API: `mpu/create`, the parts in parallel to their presigned URLs,
   * `mpu/complete`; `mpu/abort` on any failure.
   * @returns false when the server cannot do multipart (HTTP 501), so the caller falls back to one PUT.
   */
  async #multipartUpload(file: PartSource, artifactFile: string, hooks: TransferHooks): Promise<boolean> {
    const directory = posix.dirname(artifactFile) === "." ? "" : posix.dirname(artifactFile);
    const name = posix.basename(artifactFile);
    const size = partSourceSize(file);
    const chunk = Math.max(this.#config.artifacts.proxyMultipartChunkBytes, Math.ceil(size / 10_000));
    // An empty file is one empty part: a presigned-only server takes nothing else.
    const numParts = Math.max(1, Math.ceil(size / chunk));
    const created = await this.#createMultipart(directory, name, numParts, hooks);
    if (created === undefined) return false;
    const progress = new ProgressTotals(size, (p) => hooks.onBytes?.(p.loadedBytes));
    const report = (part: number, sent: number): void => progress.update(String(part), sent);
    try {
      const parts = await this.#putParts(created.credentials, file, chunk, report, hooks);
      parts.sort((a, b) => a.part_number - b.part_number);
      await this.#mpuCall("complete", directory, { path: name, upload_id: created.upload_id, parts }, hooks);
      return true;
    } catch (error) {
      const abortFailure = await this.#mpuCall("abort", directory, { path: name, upload_id: created.upload_id }, { timeoutMs: hooks.timeoutMs }).then(
        () => undefined,
        (failure: unknown) => failure,
      );
      if (hooks.signal?.aborted) throw new AbortError(`Upload of ${this.#display(artifactFile)} was aborted`);
      const leftover =
        abortFailure === undefined
          ? "the multipart upload was aborted"
          : `aborting the multipart upload ${created.upload_id} failed too, so its parts may remain`;
      throw new ArtifactUploadError(`Upload of ${this.#display(artifactFile)} failed (${messageOf(error)}); ${leftover}.`, {
        operation: "upload",
        location: this.#display(artifactFile),
        uploadId: abortFailure === undefined ? undefined : created.upload_id,
        cause: error,
      });
    }
  }

  async #createMultipart(directory: string, name: string, numParts: number, hooks: TransferHooks): Promise<z.infer<typeof createSchema> | undefined> {
    try {
      const created = (await this.#mpuCall("create", directory, { path: name, num_parts: numParts }, hooks)) as z.infer<typeof createSchema>;
      if (created.credentials.length !== numParts) {
        throw new ArtifactUploadError(`mpu/create returned ${created.credentials.length} part URLs for ${numParts} parts.`, {
          operation: "upload",
          location: this.#display(joinArtifactPath(directory, name)),
        });
      }
      return created;
    } catch (error) {
      if (error instanceof MlflowApiError && (error.status === 501 || error.serverMessage.startsWith(MPU_UNSUPPORTED))) return undefined;
      throw error;
    }
  }

  /**
   * PUTs every part (at most `s3.queueSize` at once). The first failure cancels the parts in
   * flight; every part settles before this returns, so `mpu/abort` never races a part.
   */
  async #putParts(
    credentials: Credential[],
    file: PartSource,
    chunk: number,
    report: (part: number, sent: number) => void,
    hooks: TransferHooks,
  ): Promise<UploadedPart[]> {
    return forEachLimited(credentials, this.#config.s3.queueSize, hooks.signal, (credential, signal) =>
      this.#putPart(credential, file, chunk, signal, report, hooks),
    );
  }

  async #putPart(
    credential: Credential,
    file: PartSource,
    chunk: number,
    signal: AbortSignal,
    report: (part: number, sent: number) => void,
    hooks: TransferHooks,
  ): Promise<UploadedPart> {
    const partNumber = Number(credential.part_number);
    const start = (partNumber - 1) * chunk;
    const end = Math.min(partSourceSize(file), start + chunk);
    const body = (): Readable => {
      report(partNumber, 0);
      const onSent = (sent: number): void => report(partNumber, sent);
      if (file.kind === "bytes") return sliceStream(file.data.subarray(start, end), onSent);
      // createReadStream's end is inclusive; an empty part reads nothing.
      if (end === start) return sliceStream(new Uint8Array(0), onSent);
      return countingStream(createReadStream(file.path, { start, end: end - 1, highWaterMark: READ_CHUNK_BYTES }), onSent);
    };
    const request: HttpRequest = {
      method: "PUT",
      path: "",
      url: credential.url,
      headers: { ...credential.headers, "Content-Length": String(end - start) },
      body,
      retry: "idempotent",
    };
    const options = { ...this.#transferOptions(hooks, end - start), signal, headers: undefined };
    const etag = await this.#transport.request(request, options, (res) => res.headers.etag);
    if (!etag) {
      throw new ArtifactUploadError(`The storage server answered part ${partNumber} without an ETag header.`, {
        operation: "upload",
        location: this.#display(file.kind === "file" ? file.path : `part ${partNumber}`),
      });
    }
    return { part_number: partNumber, etag, url: credential.url };
  }

  /** `POST /api/2.0/mlflow-artifacts/mpu/<action>/<root>/<directory>`; `abort` ignores the caller's signal (it is the clean-up). */
  async #mpuCall(action: "create" | "complete" | "abort", directory: string, json: unknown, options: RequestOptions): Promise<unknown> {
    const request = this.#request("POST", `${MPU_PATH}/${action}/${encodePath(joinArtifactPath(this.#root, directory))}`, { json });
    const signal = action === "abort" ? undefined : options.signal;
    return this.#transport.request(request, { ...options, signal }, (res) => (action === "create" ? parseJson(createSchema, res, request) : undefined));
  }

  /** A request to the artifact server: by path when it is the tracking server (auth included), else by URL. */
  #request(method: HttpRequest["method"], path: string, extra: Partial<HttpRequest> = {}): HttpRequest {
    const base = { method, path, retry: "idempotent" as const, ...extra };
    if (this.#serverUrl === this.#transport.baseUrl) return base;
    return { ...base, url: `${this.#serverUrl}${path}${queryOf(extra.query)}` };
  }

  #artifactPath(artifactPath: string): string {
    return `${ARTIFACTS_SERVICE_PATH}/${encodePath(joinArtifactPath(this.#root, artifactPath))}`;
  }

  /** Per-attempt timeout and deadline long enough for `bytes` at 1 MiB/s. */
  #transferOptions(hooks: TransferHooks, bytes: number): RequestOptions {
    const http = this.#config.http;
    const timeoutMs = hooks.timeoutMs ?? Math.max(http.timeoutMs, Math.ceil(bytes / MIN_BYTES_PER_MS));
    const deadlineMs = hooks.deadlineMs ?? Math.max(http.deadlineMs, timeoutMs * 2);
    return { signal: hooks.signal, maxRetries: hooks.maxRetries, headers: hooks.headers, timeoutMs, deadlineMs };
  }

  #display(artifactFile: string): string {
    return `${this.location}/${artifactFile}`;
  }
}

function partSourceSize(source: PartSource): number {
  return source.kind === "file" ? source.size : source.data.byteLength;
}

function encodePath(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}

function queryOf(query: HttpRequest["query"]): string {
  const value = query?.path;
  return typeof value === "string" ? `?path=${encodeURIComponent(value)}` : "";
}

function parseJson<S extends z.ZodType>(schema: S, res: HttpResponse<string | Readable>, request: HttpRequest): z.infer<S> {
  const context = { method: request.method, endpoint: request.path };
  let json: unknown;
  try {
    json = JSON.parse(String(res.body).trim() || "{}");
  } catch {
    throw new ResponseValidationError({ ...context, detail: "the body is not JSON. Is the tracking URI pointing at the MLflow server?" });
  }
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  throw new ResponseValidationError({
    ...context,
    detail: "unexpected shape",
    issues: result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`),
  });
}

function contentLength(res: HttpResponse<string | Readable>): number | undefined {
  const value = Number(res.headers["content-length"]);
  return Number.isFinite(value) && res.headers["content-length"] !== undefined ? value : undefined;
}
