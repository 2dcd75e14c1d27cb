/**
 * The artifact store of an owner (a run, a logged model) by id: its `artifact_uri` is read once
 * per id and the store opened from it is kept; a failed lookup is forgotten, so the next call asks
 * the server again.
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

  /**
   * @param stores - Opens artifact stores by URI.
   * @param artifactUriOf - Reads the owner's `artifact_uri` (one request per id).
   */
  constructor(stores: ArtifactStores, artifactUriOf: (id: string, options: RequestOptions) => Promise<string>) {
    this.#stores = stores;
    this.#artifactUriOf = artifactUriOf;
  }

  /** The store of `id`, looked up on first use. */
  get(id: string, options: RequestOptions): Promise<ArtifactStore> {
    let store = this.#byId.get(id);
    if (!store) {
      store = this.#artifactUriOf(id, options).then((uri) => this.#stores.forUri(uri));
      store.catch(() => this.#byId.delete(id));
      this.#byId.set(id, store);
    }
    return store;
  }
}
