/**
 * The store interface every resource and the logger talk to. A store answers the RPCs of the
 * endpoint table by name: the REST store over HTTP, the embedded store from a local SQLite file.
 */
import type { RequestOptions } from "../core/http/transport.js";
import type { EndpointName, EndpointRequest, EndpointResponse } from "../protocol/endpoints.js";

/**
 * Where tracking data lives. Implementations: {@link RestStore} (an MLflow server) and the
 * embedded SQLite store.
 */
export interface TrackingStore {
  /** `rest` for a tracking server, `sqlite` for the embedded store. */
  readonly kind: "rest" | "sqlite";
  /** Where the store writes, safe to print (no credentials). */
  readonly displayUri: string;
  /**
   * Performs one RPC of the endpoint table.
   * @throws {MlflowApiError} and its subclasses for errors the store reports.
   */
  call<N extends EndpointName>(name: N, request: EndpointRequest<N>, options?: RequestOptions): Promise<EndpointResponse<N>>;
  /** Releases sockets or file handles. */
  close(): Promise<void>;
}
