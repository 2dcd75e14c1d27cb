/** Picks the store for a resolved configuration. */
import type { ResolvedConfig } from "../config/resolve.js";
import { HttpTransport } from "../core/http/transport.js";
import { LazyStore } from "./lazy-store.js";
import { RestStore } from "./rest/rest-store.js";
import type { TrackingStore } from "./tracking-store.js";

/**
 * A {@link RestStore} for http(s) tracking URIs, the embedded SQLite store (opened lazily) for
 * `sqlite:` URIs and for no URI at all.
 * @internal
 */
export function createStore(config: ResolvedConfig): TrackingStore {
  const target = config.tracking;
  if (target.kind === "rest") return new RestStore(new HttpTransport(target.baseUrl, config));
  const options = { uri: target.uri, isDefault: target.isDefault, env: config.env };
  return new LazyStore("sqlite", target.uri, async () => (await import("./sqlite/sqlite-store.js")).openSqliteStore(target.path, options));
}
