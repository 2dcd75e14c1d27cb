/**
 * What the features over the client (the logger, models, the doctor, sync) reach of a client that
 * is not public API: the tracking server's transport (proxied artifacts go through it), the
 * client's artifact stores, and the run artifact stores by run id. Kept here, beside the client,
 * so no feature downcasts `client.store` to find them (the layer rule limits who may import this).
 */
import type { ArtifactStoreCache } from "../artifacts/artifact-store-cache.js";
import type { ArtifactStores } from "../artifacts/artifact-stores.js";
import type { HttpTransport } from "../core/http/transport.js";

/** The internal parts of one client. @internal */
export interface ClientInternals {
  /** The tracking server's transport; `undefined` for the embedded store. */
  readonly transport: HttpTransport | undefined;
  /** The client's artifact stores (one S3 client, the transport for proxied URIs). */
  readonly artifactStores: ArtifactStores;
  /** The artifact store of each run, by run id; a run that knows its `artifact_uri` tells it with `remember`. */
  readonly runArtifacts: ArtifactStoreCache;
}

const byClient = new WeakMap<object, ClientInternals>();

/**
 * Records the internal parts of `client` (the client's constructor calls it once).
 * @example
 * attachInternals(this, { transport, artifactStores, runArtifacts });
 * @internal
 */
export function attachInternals(client: object, internals: ClientInternals): void {
  byClient.set(client, internals);
}

/**
 * The internal parts of a client built by `new MlflowClient()`.
 * @throws {TypeError} when `client` is not one (e.g. a plain object shaped like a client).
 * @example
 * const stores = new ArtifactStores(client.config, internalsOf(client).transport);
 * @internal
 */
export function internalsOf(client: object): ClientInternals {
  const internals = byClient.get(client);
  if (internals === undefined) throw new TypeError("Expected a client created with new MlflowClient(). Fix: pass the client itself, not a copy or a mock.");
  return internals;
}
