/**
 * The direct S3 store: a run whose `artifact_uri` is `s3://bucket/prefix` is written straight to
 * the bucket with the client's own credentials, as MLflow's `S3ArtifactRepository` does.
 */

import { Readable } from "node:stream";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  type PutObjectCommandInput,
  type S3Client,
} from "@aws-sdk/client-s3";
import type { ResolvedConfig } from "../../config/resolve.js";
import { AbortError } from "../../core/errors.js";
import type { RequestOptions } from "../../core/http/transport.js";
import type { FileInfo } from "../../protocol/entities/tracking.js";
import type { ArtifactReadStream, ArtifactStore, TransferHooks, UploadSource } from "../artifact-store.js";
import { joinArtifactPath, objectKey } from "../artifact-uri.js";
import { s3ContentHeaders } from "../content-type.js";
import { ArtifactError, type ArtifactOperation, artifactErrorFromS3 } from "../errors.js";
import { forEachLimited } from "../parallel.js";
import { fileSource, type PartSource, streamSource } from "./part-reader.js";
import { choosePartSize } from "./part-size.js";
import { uploadObject } from "./s3-upload.js";

/** Objects deleted in parallel by {@link S3ArtifactStore.delete}. */
const DELETE_CONCURRENCY = 16;

/**
 * Artifacts of one run in a bucket. Keys are `<prefix>/<artifact path>`.
 *
 * @example
 * const store = new S3ArtifactStore({ bucket: "mlflow", prefix: "1/abc/artifacts" }, s3Client, config.s3);
 * await store.upload({ kind: "file", path: "model.onnx", size: 1234 }, "model/model.onnx", {});
 * @internal
 */
export class S3ArtifactStore implements ArtifactStore {
  readonly location: string;
  readonly #bucket: string;
  readonly #prefix: string;
  readonly #client: S3Client;
  readonly #settings: ResolvedConfig["s3"];

  constructor(where: { bucket: string; prefix: string }, client: S3Client, settings: ResolvedConfig["s3"]) {
    this.#bucket = where.bucket;
    this.#prefix = where.prefix;
    this.#client = client;
    this.#settings = settings;
    this.location = `s3://${where.bucket}${where.prefix ? `/${where.prefix}` : ""}`;
  }

  async upload(source: UploadSource, artifactFile: string, hooks: TransferHooks): Promise<number> {
    const key = objectKey(this.#prefix, undefined, artifactFile);
    const size = source.kind === "file" ? source.size : source.kind === "bytes" ? source.data.byteLength : undefined;
    return uploadObject(this.#client, {
      bucket: this.#bucket,
      key,
      location: this.#display(key),
      source: partSourceOf(source),
      size,
      params: this.#putParams(artifactFile),
      partSize: choosePartSize(size, this.#settings.partSizeBytes),
      queueSize: this.#settings.queueSize,
      signal: hooks.signal,
      onBytes: hooks.onBytes,
    });
  }

  /** `ListObjectsV2` with `Delimiter=/` under `<prefix>/<path>/`, as MLflow lists. */
  async list(path: string, options: RequestOptions): Promise<FileInfo[]> {
    const directory = joinArtifactPath(this.#prefix, path);
    const listPrefix = directory ? `${directory}/` : "";
    const infos: FileInfo[] = [];
    let token: string | undefined;
    do {
      const page = await this.#send("list", joinArtifactPath(this.location, path), options, (signal) =>
        this.#client.send(
          new ListObjectsV2Command({ Bucket: this.#bucket, Prefix: listPrefix, Delimiter: "/", ContinuationToken: token, ExpectedBucketOwner: this.#owner() }),
          { abortSignal: signal },
        ),
      );
      infos.push(...this.#toFileInfos(page));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return infos.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async open(artifactFile: string, options: RequestOptions): Promise<ArtifactReadStream> {
    const key = objectKey(this.#prefix, undefined, artifactFile);
    const object = await this.#send("download", this.#display(key), options, (signal) =>
      this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key, ExpectedBucketOwner: this.#owner() }), { abortSignal: signal }),
    );
    if (!(object.Body instanceof Readable)) {
      throw new ArtifactError(`Download of ${this.#display(key)} failed: the S3 client returned no readable body.`, {
        operation: "download",
        location: this.#display(key),
      });
    }
    return { stream: object.Body, size: object.ContentLength };
  }

  /** Deletes the object `<prefix>/<path>` and every object under `<prefix>/<path>/`. */
  async delete(path: string, options: RequestOptions): Promise<void> {
    const target = joinArtifactPath(this.#prefix, path);
    const keys = await this.#keysUnder(target ? `${target}/` : "", options);
    if (target) keys.push(target);
    await forEachLimited(keys, DELETE_CONCURRENCY, options.signal, (key, signal) =>
      this.#send("delete", this.#display(key), { ...options, signal }, (abortSignal) =>
        this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: key, ExpectedBucketOwner: this.#owner() }), { abortSignal }),
      ),
    );
  }

  async #keysUnder(prefix: string, options: RequestOptions): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.#send("delete", `s3://${this.#bucket}/${prefix}`, options, (signal) =>
        this.#client.send(new ListObjectsV2Command({ Bucket: this.#bucket, Prefix: prefix, ContinuationToken: token, ExpectedBucketOwner: this.#owner() }), {
          abortSignal: signal,
        }),
      );
      for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }

  /** CommonPrefixes become directories, Contents files; every key must lie under the prefix. */
  #toFileInfos(page: ListObjectsV2CommandOutput): FileInfo[] {
    const infos: FileInfo[] = [];
    for (const common of page.CommonPrefixes ?? []) {
      const relative = this.#relative(common.Prefix ?? "");
      infos.push({ path: relative.replace(/\/$/, ""), is_dir: true });
    }
    for (const object of page.Contents ?? []) {
      const key = object.Key ?? "";
      const size = object.Size ?? 0;
      if (size === 0 && key.endsWith("/")) continue;
      infos.push({ path: this.#relative(key), is_dir: false, file_size: size });
    }
    return infos;
  }

  #relative(key: string): string {
    const root = this.#prefix ? `${this.#prefix}/` : "";
    if (key.startsWith(root)) return key.slice(root.length);
    throw new ArtifactError(`The S3 server listed "${key}", which is not under the artifact root ${this.location}; refusing the listing.`, {
      operation: "list",
      location: this.location,
      bucket: this.#bucket,
    });
  }

  #putParams(artifactFile: string): Partial<PutObjectCommandInput> {
    return { ...s3ContentHeaders(artifactFile), ExpectedBucketOwner: this.#owner(), ...(this.#settings.uploadExtraArgs as Partial<PutObjectCommandInput>) };
  }

  #owner(): string | undefined {
    return this.#settings.expectedBucketOwner;
  }

  #display(key: string): string {
    return `s3://${this.#bucket}/${key}`;
  }

  /** Runs one S3 call with the caller's signal and maps its failure. */
  async #send<T>(operation: ArtifactOperation, location: string, options: RequestOptions, call: (signal: AbortSignal | undefined) => Promise<T>): Promise<T> {
    try {
      return await call(options.signal);
    } catch (error) {
      if (options.signal?.aborted) throw new AbortError(`${operation} of ${location} was aborted`);
      throw artifactErrorFromS3(error, { operation, location, bucket: this.#bucket });
    }
  }
}

function partSourceOf(source: UploadSource): PartSource {
  if (source.kind === "bytes") return source.data;
  if (source.kind === "stream") return streamSource(source.stream);
  return fileSource(source.path);
}
