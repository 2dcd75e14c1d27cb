/**
 * One object upload to S3: a single `PutObject` when the data fits in one part, otherwise a
 * multipart upload with `queueSize` parts in flight.
 *
 * Written on `@aws-sdk/client-s3` commands rather than `@aws-sdk/lib-storage`'s `Upload`, whose
 * structure it follows (one shared part reader, N workers, abort after every worker stopped),
 * because `Upload` cannot keep the memory bound of mlflow-ts: it re-assembles every part from the
 * source's chunks with `Buffer.concat` and allocates fresh buffers for each part, which measured
 * 35–40 MiB above (queueSize + 1) × partSize + 32 MiB on a 512 MiB file (docs/artifacts.md).
 * Here part buffers come from a pool: at most one per part in flight, reused, filled straight from
 * the file (positional reads) or from the stream's chunks.
 *
 * It also does what `Upload` lacks in Node:
 * - the caller's signal cancels the part requests in flight, and `AbortMultipartUpload` has been
 *   sent (and retried until {@link CLEANUP_DEADLINE_MS} if the server is down) before the call
 *   rejects;
 * - the first part that still fails after the SDK's retries stops the others; the upload is
 *   aborted and the error thrown: never a completed object with missing parts;
 * - progress during a part: each attempt's body is sent in 256 KiB slices that are counted as the
 *   socket takes them;
 * - `HeadObject` checks the stored size after a multipart upload completes (a single `PutObject`
 *   is held to its `Content-Length` by the server).
 */
import {
  AbortMultipartUploadCommand,
  type CompletedPart,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type PutObjectCommandInput,
  type S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import type { AbsoluteLocation, DeserializeHandlerOptions, DeserializeMiddleware } from "@smithy/types";
import { messageOf } from "../../core/error-text.js";
import { AbortError } from "../../core/errors.js";
import { MULTIPART_CLEANUP_CURVE } from "../../core/retry/backoff.js";
import { retryUntil } from "../../core/retry/retry-until.js";
import { PROGRESS_SLICE_BYTES, sliceStream } from "../byte-streams.js";
import { ArtifactUploadError, artifactErrorFromS3 } from "../errors.js";
import { ProgressTotals } from "../progress.js";
import { PartReader, type PartSource } from "./part-reader.js";
import { MAX_PARTS } from "./part-size.js";

/** How long a failed `AbortMultipartUpload` is retried (e.g. while the S3 server restarts): 60 s. */
export const CLEANUP_DEADLINE_MS = 60_000;

/** What to upload where. */
export interface S3UploadRequest {
  bucket: string;
  key: string;
  /** Display form, e.g. `s3://bucket/key`. */
  location: string;
  source: PartSource;
  /** Bytes in `source` when known (files, buffers); checked against the stored object. */
  size: number | undefined;
  /** Extra `PutObject` fields: content type and encoding, `ExpectedBucketOwner`, upload extra args. */
  params: Partial<PutObjectCommandInput>;
  partSize: number;
  queueSize: number;
  signal?: AbortSignal;
  onBytes?: (loadedBytes: number) => void;
}

/**
 * Uploads one object and checks its size. Memory: at most `queueSize` part buffers (one per part
 * in flight), whatever the size; data smaller than a part gets a buffer of its own size.
 *
 * @returns The number of bytes stored.
 * @throws {AbortError} when `signal` fires (a multipart upload is aborted first).
 * @throws {ArtifactError} (a subclass naming the cause) when the upload fails; the message names
 *   the bucket and key, never a secret.
 * @example
 * await uploadObject(s3, { bucket: "mlflow", key: "1/abc/artifacts/a.bin", location: "s3://mlflow/1/abc/artifacts/a.bin",
 *   source: fileSource("a.bin"), size: 1234, params: {}, partSize: 8 << 20, queueSize: 4 });
 * @internal
 */
export async function uploadObject(client: S3Client, request: S3UploadRequest): Promise<number> {
  const upload = new ObjectUpload(client, request);
  try {
    const { bytes, multipart } = await upload.run();
    if (multipart) await checkStoredSize(client, request, bytes);
    else if (request.size !== undefined && bytes !== request.size) throw sizeChanged(request, bytes);
    return bytes;
  } finally {
    upload.dispose();
  }
}

/** The state of one upload: the stop signal for part requests, progress per part, the upload id. */
class ObjectUpload {
  readonly #client: S3Client;
  readonly #request: S3UploadRequest;
  readonly #reader: PartReader;
  readonly #stop = new AbortController();
  readonly #onUserAbort = (): void => this.#stop.abort();
  readonly #partBytes: ProgressTotals;
  readonly #completed: CompletedPart[] = [];
  readonly #failures: unknown[] = [];
  #uploadId: string | undefined;

  constructor(client: S3Client, request: S3UploadRequest) {
    this.#client = client;
    this.#request = request;
    this.#reader = new PartReader(request.source, request.partSize, request.size);
    this.#partBytes = new ProgressTotals(request.size, (progress) => request.onBytes?.(progress.loadedBytes));
    request.signal?.addEventListener("abort", this.#onUserAbort, { once: true });
  }

  dispose(): void {
    this.#request.signal?.removeEventListener("abort", this.#onUserAbort);
    void this.#reader.close();
  }

  /** Uploads; a single `PutObject` when the data fits in one part (its `Content-Length` fixes the size). */
  async run(): Promise<{ bytes: number; multipart: boolean }> {
    if (this.#request.signal?.aborted) throw this.#abortError();
    const first = await this.#read();
    const fitsOnePart = this.#request.size !== undefined && this.#request.size <= this.#request.partSize;
    if (first === undefined || fitsOnePart || first.data.byteLength < this.#request.partSize) {
      await this.#put(first?.data ?? Buffer.alloc(0));
      return { bytes: first?.data.byteLength ?? 0, multipart: false };
    }
    await this.#multipart(first);
    return { bytes: this.#reader.bytesRead, multipart: true };
  }

  async #read(): Promise<Awaited<ReturnType<PartReader["next"]>>> {
    try {
      return await this.#reader.next();
    } catch (error) {
      throw new ArtifactUploadError(`Upload of ${this.#request.location} failed: reading the source failed: ${messageOf(error)}`, {
        ...this.#context(),
        cause: error,
      });
    }
  }

  async #put(body: Buffer): Promise<void> {
    const command = new PutObjectCommand({ ...this.#baseParams(), Body: body, ContentLength: body.byteLength });
    addProgressMiddleware(command, (sent) => this.#onPartBytes(1, sent));
    try {
      await this.#client.send(command, { abortSignal: this.#stop.signal });
    } catch (error) {
      if (this.#request.signal?.aborted) throw this.#abortError();
      throw artifactErrorFromS3(error, this.#context());
    }
  }

  async #multipart(first: { number: number; data: Buffer; release: () => void }): Promise<void> {
    try {
      const created = await this.#client.send(new CreateMultipartUploadCommand({ ...this.#baseParams() }));
      this.#uploadId = created.UploadId;
    } catch (error) {
      first.release();
      throw artifactErrorFromS3(error, this.#context());
    }
    const workers = Array.from({ length: this.#request.queueSize }, (_, index) => this.#worker(index === 0 ? first : undefined));
    await Promise.all(workers);
    if (this.#failures.length > 0 || this.#stop.signal.aborted) {
      await this.#abortOnServer();
      if (this.#request.signal?.aborted) throw this.#abortError();
      throw artifactErrorFromS3(this.#failures[0], this.#context());
    }
    const parts = [...this.#completed].sort((a, b) => (a.PartNumber ?? 0) - (b.PartNumber ?? 0));
    try {
      await this.#client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.#request.bucket,
          Key: this.#request.key,
          UploadId: this.#uploadId,
          MultipartUpload: { Parts: parts },
          ExpectedBucketOwner: this.#request.params.ExpectedBucketOwner,
        }),
      );
    } catch (error) {
      await this.#abortOnServer();
      throw artifactErrorFromS3(error, this.#context());
    }
  }

  /** Takes parts from the shared reader until it is empty, the upload stops, or a part fails. */
  async #worker(initial: { number: number; data: Buffer; release: () => void } | undefined): Promise<void> {
    let part = initial;
    try {
      for (;;) {
        part ??= this.#stop.signal.aborted ? undefined : await this.#reader.next();
        if (part === undefined || this.#stop.signal.aborted) return;
        const current = part;
        part = undefined;
        try {
          await this.#uploadPart(current.number, current.data);
        } finally {
          current.release();
        }
      }
    } catch (error) {
      if (!this.#stop.signal.aborted) {
        this.#failures.push(error);
        this.#stop.abort();
      }
    } finally {
      part?.release();
    }
  }

  async #uploadPart(number: number, data: Buffer): Promise<void> {
    if (number > MAX_PARTS) {
      throw new ArtifactUploadError(
        `Upload of ${this.#request.location} needs more than ${MAX_PARTS} parts of ${this.#request.partSize} bytes. Fix: set s3.partSizeBytes larger (streams of unknown length use it).`,
        { ...this.#context(), code: "TooManyParts" },
      );
    }
    const command = new UploadPartCommand({
      Bucket: this.#request.bucket,
      Key: this.#request.key,
      UploadId: this.#uploadId,
      PartNumber: number,
      Body: data,
      ContentLength: data.byteLength,
      ExpectedBucketOwner: this.#request.params.ExpectedBucketOwner,
    });
    addProgressMiddleware(command, (sent) => this.#onPartBytes(number, sent));
    const result = await this.#client.send(command, { abortSignal: this.#stop.signal });
    if (!result.ETag) throw new ArtifactUploadError(`The S3 server answered part ${number} of ${this.#request.location} without an ETag.`, this.#context());
    this.#completed.push({ PartNumber: number, ETag: result.ETag });
  }

  #onPartBytes(part: number, sent: number): void {
    this.#partBytes.update(String(part), sent);
  }

  /** `AbortMultipartUpload`, repeated on `MULTIPART_CLEANUP_CURVE` until it succeeds or {@link CLEANUP_DEADLINE_MS} passes. */
  async #abortOnServer(): Promise<void> {
    const uploadId = this.#uploadId;
    if (uploadId === undefined) return;
    const command = new AbortMultipartUploadCommand({
      Bucket: this.#request.bucket,
      Key: this.#request.key,
      UploadId: uploadId,
      ExpectedBucketOwner: this.#request.params.ExpectedBucketOwner,
    });
    const result = await retryUntil({
      curve: MULTIPART_CLEANUP_CURVE,
      deadlineAt: Date.now() + CLEANUP_DEADLINE_MS,
      attempt: async () => {
        try {
          await this.#client.send(command);
          return { done: undefined };
        } catch (error) {
          return (error as { name?: unknown } | undefined)?.name === "NoSuchUpload" ? { done: undefined } : { retry: error };
        }
      },
    });
    if (!result.ok) throw this.#leftBehind(uploadId, result.failure);
  }

  #leftBehind(uploadId: string, error: unknown): ArtifactUploadError {
    const cause = artifactErrorFromS3(this.#failures[0] ?? error, this.#context());
    return new ArtifactUploadError(
      `${cause.message} The multipart upload ${uploadId} could not be aborted within ${CLEANUP_DEADLINE_MS / 1000} s, so its parts remain on the server. ` +
        "Fix: abort it later (aws s3api abort-multipart-upload), or give the bucket a lifecycle rule AbortIncompleteMultipartUpload.",
      { ...this.#context(), code: cause.code, status: cause.status, uploadId, cause },
    );
  }

  #baseParams(): PutObjectCommandInput {
    return { ...this.#request.params, Bucket: this.#request.bucket, Key: this.#request.key };
  }

  #context(): { operation: "upload"; location: string; bucket: string; key: string } {
    return { operation: "upload", location: this.#request.location, bucket: this.#request.bucket, key: this.#request.key };
  }

  #abortError(): AbortError {
    return new AbortError(`Upload of ${this.#request.location} was aborted`);
  }
}

/**
 * Sends each attempt's body as a stream of slices and reports the bytes the request has taken.
 * Runs in the `deserialize` step, inside the SDK's retry loop and after signing, so every attempt
 * gets a fresh stream over the same bytes.
 */
function addProgressMiddleware(command: UploadPartCommand | PutObjectCommand, onSent: (bytes: number) => void): void {
  const middleware: DeserializeMiddleware<object, object> = (next) => async (args) => {
    const request = args.request as { body?: unknown } | undefined;
    const body = request?.body;
    if (!(body instanceof Uint8Array) || body.byteLength === 0) return next(args);
    onSent(0);
    if (body.byteLength <= PROGRESS_SLICE_BYTES) {
      const output = await next(args);
      onSent(body.byteLength);
      return output;
    }
    const counted = Object.assign(Object.create(Object.getPrototypeOf(request)) as object, request, { body: sliceStream(body, onSent) });
    return next({ ...args, request: counted });
  };
  const stack = command.middlewareStack as unknown as { add(m: DeserializeMiddleware<object, object>, o: DeserializeHandlerOptions & AbsoluteLocation): void };
  stack.add(middleware, { step: "deserialize", priority: "low", name: "mlflowTsUploadProgress" });
}

/** `HeadObject` after a multipart upload: the stored size must be the size sent. A mismatch deletes the object. */
async function checkStoredSize(client: S3Client, request: S3UploadRequest, sent: number): Promise<void> {
  const context = { operation: "upload" as const, location: request.location, bucket: request.bucket, key: request.key };
  const expected = request.size ?? sent;
  let stored: number | undefined;
  try {
    const head = await client.send(
      new HeadObjectCommand({ Bucket: request.bucket, Key: request.key, ExpectedBucketOwner: request.params.ExpectedBucketOwner }),
    );
    stored = head.ContentLength;
  } catch (error) {
    throw artifactErrorFromS3(error, context);
  }
  if (stored === expected && sent === expected) return;
  await client.send(new DeleteObjectCommand({ Bucket: request.bucket, Key: request.key })).catch(() => undefined);
  throw new ArtifactUploadError(
    `Upload of ${request.location} failed: ${expected} bytes were expected, ${sent} were read and the server stored ${stored ?? "an unknown number of"}; the object was deleted. Fix: make sure the file does not change during the upload, and upload again.`,
    { ...context, code: "SizeMismatch" },
  );
}

function sizeChanged(request: S3UploadRequest, bytes: number): ArtifactUploadError {
  return new ArtifactUploadError(
    `Upload of ${request.location} failed: the file had ${request.size} bytes when the upload started but ${bytes} were read. Fix: upload it again once it no longer changes.`,
    { operation: "upload", location: request.location, bucket: request.bucket, key: request.key, code: "SizeMismatch" },
  );
}
