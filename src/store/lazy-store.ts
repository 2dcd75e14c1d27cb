/** A store that is opened on first use, so that optional dependencies load only when needed. */
import type { RequestOptions } from "../core/http/transport.js";
import type { EndpointName, EndpointRequest, EndpointResponse } from "../protocol/endpoints.js";
import type { TrackingStore } from "./tracking-store.js";

/**
 * Defers opening a store until its first call (e.g. the embedded SQLite store, whose native
 * module users of a server never need).
 * @internal
 */
export class LazyStore implements TrackingStore {
  readonly kind: "rest" | "sqlite";
  readonly displayUri: string;
  readonly #open: () => Promise<TrackingStore>;
  #store: Promise<TrackingStore> | undefined;

  constructor(kind: "rest" | "sqlite", displayUri: string, open: () => Promise<TrackingStore>) {
    this.kind = kind;
    this.displayUri = displayUri;
    this.#open = open;
  }

  async call<N extends EndpointName>(name: N, request: EndpointRequest<N>, options?: RequestOptions): Promise<EndpointResponse<N>> {
    this.#store ??= this.#open();
    return (await this.#store).call(name, request, options);
  }

  async close(): Promise<void> {
    if (this.#store) await (await this.#store).close();
  }
}
