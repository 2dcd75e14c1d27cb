/**
 * The one place the S3 store (and with it `@aws-sdk/client-s3`, ~300 ms and ~25 MiB to import)
 * is loaded: a dynamic import at the first S3 use, shared by every caller. The root entry
 * `mlflow-ts` reaches S3 only through here, so importing it costs a metrics-only script nothing
 * of the AWS SDK (bench/import-cost.ts measures it; docs/artifacts.md has the numbers).
 */
import type { S3Client } from "@aws-sdk/client-s3";
import type { ResolvedConfig } from "../../config/resolve.js";
import type { RequestOptions } from "../../core/http/transport.js";
import type { FileInfo } from "../../protocol/entities/tracking.js";
import type { ArtifactReadStream, ArtifactStore, TransferHooks, UploadSource } from "../artifact-store.js";

/** What {@link loadS3Runtime} resolves to: the S3 store, the client factory and the commands the doctor sends. @internal */
export type S3Runtime = typeof import("./s3-runtime.js");

let runtime: Promise<S3Runtime> | undefined;

/**
 * Loads the S3 runtime (the AWS SDK included) once per process; later calls share the same promise.
 *
 * @throws the import's error (e.g. `@aws-sdk/client-s3` not installed), on every call that awaits it.
 * @example
 * const { createS3Client } = await loadS3Runtime();
 * @internal
 */
export function loadS3Runtime(): Promise<S3Runtime> {
  runtime ??= import("./s3-runtime.js");
  return runtime;
}

/**
 * An `s3://` artifact store that loads the S3 runtime and gets its client at its first call, then
 * forwards every call to the real `S3ArtifactStore`. Creating one costs nothing.
 *
 * @example
 * const store = new LazyS3ArtifactStore({ bucket: "mlflow", prefix: "1/abc/artifacts" }, getClient, config.s3);
 * await store.list("", {}); // the AWS SDK is loaded here
 * @internal
 */
export class LazyS3ArtifactStore implements ArtifactStore {
  readonly location: string;
  readonly #where: { bucket: string; prefix: string };
  readonly #client: () => Promise<S3Client>;
  readonly #settings: ResolvedConfig["s3"];
  #store: Promise<ArtifactStore> | undefined;

  /**
   * @param where - The bucket and the key prefix of the run's artifact root.
   * @param client - Gives the shared S3 client (called at the first use, after the runtime loaded).
   * @param settings - The configuration's S3 section (part size, queue size, upload parameters).
   */
  constructor(where: { bucket: string; prefix: string }, client: () => Promise<S3Client>, settings: ResolvedConfig["s3"]) {
    this.#where = { bucket: where.bucket, prefix: where.prefix };
    this.#client = client;
    this.#settings = settings;
    this.location = `s3://${where.bucket}${where.prefix ? `/${where.prefix}` : ""}`;
  }

  async upload(source: UploadSource, artifactFile: string, hooks: TransferHooks): Promise<number> {
    return (await this.#open()).upload(source, artifactFile, hooks);
  }

  async list(path: string, options: RequestOptions): Promise<FileInfo[]> {
    return (await this.#open()).list(path, options);
  }

  async open(artifactFile: string, options: RequestOptions): Promise<ArtifactReadStream> {
    return (await this.#open()).open(artifactFile, options);
  }

  async delete(path: string, options: RequestOptions): Promise<void> {
    return (await this.#open()).delete(path, options);
  }

  #open(): Promise<ArtifactStore> {
    this.#store ??= (async () => {
      const { S3ArtifactStore } = await loadS3Runtime();
      return new S3ArtifactStore(this.#where, await this.#client(), this.#settings);
    })();
    return this.#store;
  }
}
