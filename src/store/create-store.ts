/** Picks the store for a resolved configuration. */
import type { ResolvedConfig } from "../config/resolve.js";
import { HttpTransport } from "../core/http/transport.js";
import { LazyStore } from "./lazy-store.js";
import { prepareOfflineFolder } from "./offline/offline-store.js";
import { RestStore } from "./rest/rest-store.js";
import { ServerCapabilities } from "./rest/server-capabilities.js";
import type { TrackingStore } from "./tracking-store.js";

/** A store and, for a tracking server, the transport it talks through (proxied artifacts use it too). @internal */
export interface CreatedStore {
  store: TrackingStore;
  /** The tracking server's transport; `undefined` for the embedded store. */
  transport: HttpTransport | undefined;
  /** The server's version and features (the REST store's own; nothing missing for the embedded store). */
  capabilities: ServerCapabilities;
}

/**
 * A {@link RestStore} for http(s) tracking URIs, the embedded SQLite store (opened lazily) for
 * `sqlite:` URIs, for no URI at all and in offline mode (then its folder and `target.json` are
 * created before it opens); with the transport it built, so nobody downcasts the store to find it.
 * @example
 * const { store, transport, capabilities } = createStore(resolveConfig());
 * @internal
 */
export function createStore(config: ResolvedConfig): CreatedStore {
  const target = config.tracking;
  if (target.kind === "rest") {
    const transport = new HttpTransport(target.baseUrl, config);
    const username = config.auth.kind === "basic" ? config.auth.username : undefined;
    const store = new RestStore(transport, username);
    return { store, transport, capabilities: store.capabilities };
  }
  const options = {
    uri: target.uri,
    isDefault: target.isDefault,
    ...config.embeddedStore,
    // An offline store holds runs for a server, in no workspace: MLFLOW_WORKSPACE applies where sync --offline delivers them.
    workspace: target.offline === undefined ? config.workspace : undefined,
    // An offline store's notice is the line `startRun` prints for each offline run.
    ...(target.offline === undefined ? {} : { quiet: true }),
    ...(target.artifactRoot === undefined ? {} : { defaultArtifactRoot: target.artifactRoot }),
  };
  const offline = target.offline;
  const store = new LazyStore("sqlite", target.uri, async () => {
    if (offline !== undefined) await prepareOfflineFolder(offline);
    return (await import("./sqlite/sqlite-store.js")).openSqliteStore(target.path, options);
  });
  return { store, transport: undefined, capabilities: new ServerCapabilities(undefined) };
}
