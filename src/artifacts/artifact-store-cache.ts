/**
 * The artifact store of an owner (a run, a logged model) by id: its `artifact_uri` is read once
 * per id (or told by an owner that already holds it, as an active run does) and the store opened
 * from it is kept; a failed lookup is forgotten, so the next call asks the server again.
 */
import type { RequestOptions } from "../core/http/transport.js";
import type { ArtifactStore } from "./artifact-store.js";
import type { ArtifactStores } from "./artifact-stores.js";

/**
 * Caches artifact stores by owner id.
 *
 * @example
 * const byRun = new ArtifactStoreCache(stores, async (runId, options) => (await client.runs.get(runId, options)).info.artifact_uri);
 * const store = await byRun.get(runId, {});
 * @internal
 */
export class ArtifactStoreCache {
  readonly #stores: ArtifactStores;
  readonly #artifactUriOf: (id: string, options: RequestOptions) => Promise<string>;
  readonly #byId = new Map<string, Promise<ArtifactStore>>();
  /** Artifact URIs owners told, not yet opened. */
  readonly #knownUris = new Map<string, string>();

  /**
   * @param stores - Opens artifact stores by URI.
   * @param artifactUriOf - Reads the owner's `artifact_uri` (one request per id).
   */
  constructor(stores: ArtifactStores, artifactUriOf: (id: string, options: RequestOptions) => Promise<string>) {
    this.#stores = stores;
    this.#artifactUriOf = artifactUriOf;
  }

  /**
   * Records the `artifact_uri` of `id` when the caller already holds it (an active run has it from
   * `runs.create` or `runs.get`), so {@link ArtifactStoreCache.get} needs no lookup. An owner's
   * artifact URI never changes, so a store already opened for `id` is kept.
   * @example
   * byRun.remember(run.info.run_id, run.info.artifact_uri);
   */
  remember(id: string, artifactUri: string): void {
    if (!this.#byId.has(id)) this.#knownUris.set(id, artifactUri);
  }

  /** The store of `id`, looked up on first use (no lookup when its URI was {@link ArtifactStoreCache.remember | remembered}). */
  get(id: string, options: RequestOptions): Promise<ArtifactStore> {
    let store = this.#byId.get(id);
    if (!store) {
      const known = this.#knownUris.get(id);
      this.#knownUris.delete(id);
      const uri = known === undefined ? this.#artifactUriOf(id, options) : Promise.resolve(known);
      store = uri.then((artifactUri) => this.#stores.forUri(artifactUri));
      store.catch(() => this.#byId.delete(id));
      this.#byId.set(id, store);
    }
    return store;
  }
}
