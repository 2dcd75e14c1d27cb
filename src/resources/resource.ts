/** Base of every resource: it only holds the store the resource talks to. */
import type { TrackingStore } from "../store/tracking-store.js";

/** A group of related REST operations (`client.runs`, `client.experiments`, …). @internal */
export abstract class APIResource {
  /** The store every method of this resource delegates to. */
  protected readonly store: TrackingStore;

  constructor(store: TrackingStore) {
    this.store = store;
  }
}
