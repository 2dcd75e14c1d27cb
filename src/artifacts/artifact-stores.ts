/**
 * Opens the right artifact store for an artifact URI, sharing one S3 client (and its sockets) and
 * the tracking transport across runs. The S3 store and its client are loaded at the first S3 call
 * (s3/lazy-s3.ts), not when a client is created.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import type { ResolvedConfig } from "../config/resolve.js";
import { ConfigurationError } from "../core/errors.js";
import type { HttpTransport } from "../core/http/transport.js";
import type { ArtifactStore } from "./artifact-store.js";
import { type ArtifactLocation, parseArtifactUri } from "./artifact-uri.js";
import { LocalArtifactStore } from "./local-store.js";
import { ProxyArtifactStore } from "./proxy-store.js";
import type { ArtifactServerFacts, ProxyServerState } from "./proxy-transfer-mode.js";
import { LazyS3ArtifactStore, loadS3Runtime } from "./s3/lazy-s3.js";

/**
 * The artifact stores of one client.
 *
 * @example
 * const stores = new ArtifactStores(config, restStore.transport);
 * const store = stores.forUri(run.info.artifact_uri);
 * @internal
 */
export class ArtifactStores {
  readonly #config: ResolvedConfig;
  readonly #transport: HttpTransport | undefined;
  #s3: S3Client | undefined;
  #s3Loading: Promise<S3Client> | undefined;
  readonly #ownsS3: boolean;
  /** Shared by every proxied store of the client: what one learns (presigned only), all know. */
  readonly #server: ProxyServerState;

  /**
   * @param config - The client's configuration.
   * @param transport - The tracking server's transport; needed for proxied (`mlflow-artifacts:`) runs.
   * @param s3Client - An S3 client to use instead of one built from `config.s3` on first need
   *   (the caller then owns it: {@link ArtifactStores.close} leaves it open).
   * @param server - The tracking server's MLflow version and `server-info`, asked when a proxied
   *   store needs them (`client.server`); without it a proxied store assumes a current server
   *   without presigned-only transfers.
   */
  constructor(config: ResolvedConfig, transport?: HttpTransport, s3Client?: S3Client, server?: ArtifactServerFacts) {
    this.#config = config;
    this.#transport = transport;
    this.#s3 = s3Client;
    this.#ownsS3 = s3Client === undefined;
    this.#server = { facts: server, presignedOnly: false };
  }

  /**
   * The store for a run's `artifact_uri`.
   * @throws {UnsupportedArtifactStoreError} for schemes other than s3, mlflow-artifacts, http(s) proxy URLs and file.
   * @throws {ConfigurationError} for proxied artifacts without an http(s) tracking server.
   */
  forUri(artifactUri: string): ArtifactStore {
    const trackingUri = this.#config.tracking.kind === "rest" ? this.#config.tracking.baseUrl : undefined;
    return this.forLocation(parseArtifactUri(artifactUri, trackingUri));
  }

  /**
   * The store for an already parsed artifact location.
   * @throws {ConfigurationError} for proxied artifacts without an http(s) tracking server.
   */
  forLocation(location: ArtifactLocation): ArtifactStore {
    if (location.kind === "s3") return new LazyS3ArtifactStore(location, () => this.#s3Client(), this.#config.s3);
    if (location.kind === "local") return new LocalArtifactStore(location.directory);
    if (!this.#transport) {
      throw new ConfigurationError(
        "MLFLOW_TRACKING_URI",
        `The artifact URI "${location.uri}" is served by a tracking server, but this client has none. Fix: set MLFLOW_TRACKING_URI to the server's http(s) URL.`,
      );
    }
    return new ProxyArtifactStore(location, this.#transport, this.#config, this.#server);
  }

  /** Closes the S3 client's sockets. */
  close(): void {
    if (!this.#ownsS3) return;
    this.#s3?.destroy();
    this.#s3 = undefined;
    this.#s3Loading = undefined;
  }

  /** The shared S3 client, created (and the AWS SDK loaded) at the first S3 call. */
  #s3Client(): Promise<S3Client> {
    if (this.#s3) return Promise.resolve(this.#s3);
    this.#s3Loading ??= loadS3Runtime().then(({ createS3Client }) => {
      this.#s3 ??= createS3Client(this.#config);
      return this.#s3;
    });
    return this.#s3Loading;
  }
}
