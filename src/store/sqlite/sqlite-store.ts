/**
 * The embedded store: MLflow's own SQLite schema in a local file, answering the RPCs of the
 * endpoint table by name with the same request and response shapes as the REST store, so every
 * resource and the logger work unchanged on it, and `mlflow ui` opened on the file shows the runs.
 *
 * Each RPC is atomic: reads run in one transaction, writes in one savepoint of a transaction that
 * takes the write lock at its start (so two processes logging to one file wait for each other
 * instead of failing) and that writes arriving together share (see `group-commit.ts`). Responses
 * are parsed with the endpoint's schema exactly as the REST store parses the server's JSON.
 */

import { AbortError, MlflowError } from "../../core/errors.js";
import type { RequestOptions } from "../../core/http/transport.js";
import { unsafeIntegerError } from "../../core/wire.js";
import { ENDPOINTS, type EndpointName, type EndpointRequest, type EndpointResponse } from "../../protocol/endpoints.js";
import type { TrackingStore } from "../tracking-store.js";
import { StoreContext } from "./engine/context.js";
import { type Database, openDatabase } from "./engine/database.js";
import { StoreException, toStoreError } from "./engine/errors.js";
import { GroupCommit } from "./engine/group-commit.js";
import type { JournalMode } from "./engine/journal-mode.js";
import { announceOnce } from "./engine/notice.js";
import { DEFAULT_EXPERIMENT, ensureSchema } from "./engine/schema.js";
import { HANDLERS, type Handler } from "./handlers.js";
import { appendToUriPath, defaultArtifactRoot } from "./tracking/artifact-location.js";

/** Options of the embedded store (`openSqliteStore`, internal; `MlflowClient` opens it). */
export interface SqliteStoreOptions {
  /** The database as shown to users. @defaultValue `sqlite:///<path>` */
  uri?: string;
  /** True when no tracking URI was configured (the notice says so). @defaultValue false */
  isDefault?: boolean;
  /** How the file keeps its journal (`MLFLOW_TS_SQLITE_JOURNAL_MODE` for a client's store). @defaultValue "wal" */
  journalMode?: JournalMode;
  /** Print no line about where runs go (`MLFLOW_TS_QUIET_LOCAL_STORE` for a client's store). @defaultValue false */
  quiet?: boolean;
  /** Root of new experiments' artifact locations. @defaultValue `<cwd>/mlruns`, as MLflow */
  defaultArtifactRoot?: string;
  /** Clock in ms since the epoch, for tests. @defaultValue Date.now */
  now?: () => number;
  /**
   * The workspace to read and write in (`MLFLOW_WORKSPACE`, the `workspace` option; checked by
   * `resolveConfig`). Every RPC but the workspace API's fails with `UnknownWorkspaceError` while the
   * file has no such workspace. @defaultValue undefined: MLflow's single-tenant store, the `default` workspace
   */
  workspace?: string | undefined;
}

/**
 * Opens (creating it if needed, with MLflow's schema) the embedded store at `path`, and prints once
 * per process where it logs.
 *
 * @param path - Absolute path of the database file, e.g. `/home/me/project/mlflow.db`.
 * @throws {ConfigurationError} when better-sqlite3 is missing, the file cannot be opened, or it
 *   holds a schema revision mlflow-ts does not know (the message says to run `mlflow db upgrade`
 *   or to upgrade mlflow-ts).
 * @example
 * const store = await openSqliteStore("/tmp/mlflow.db");
 * const { experiment_id } = await store.call("experiments.create", { name: "demo" });
 * @internal
 */
export async function openSqliteStore(path: string, options: SqliteStoreOptions = {}): Promise<SqliteStore> {
  return SqliteStore.open(path, options);
}

/**
 * A {@link TrackingStore} over a local SQLite file in MLflow's schema. Create it with
 * `openSqliteStore` (internal); `MlflowClient` does so itself for `sqlite:` tracking URIs and when none
 * is set.
 *
 * @example
 * const client = new MlflowClient({ trackingUri: "sqlite:///mlflow.db" });
 * const run = await client.runs.create({ experiment_id: "0" });
 */
export class SqliteStore implements TrackingStore {
  readonly kind = "sqlite" as const;
  readonly displayUri: string;
  /** Absolute path of the database file. */
  readonly path: string;
  /** Alembic revision of the database's schema. */
  readonly schemaRevision: string;
  /** Root under which new experiments keep their artifacts. */
  readonly defaultArtifactRoot: string;
  readonly #ctx: StoreContext;
  readonly #read: ReturnType<Database["transaction"]>;
  readonly #writes: GroupCommit;
  #closed = false;

  /**
   * Opens the store at `path` (see `openSqliteStore`). The constructor is private so that the
   * published declarations never name better-sqlite3's types, an optional dependency.
   * @internal
   */
  static async open(path: string, options: SqliteStoreOptions = {}): Promise<SqliteStore> {
    const uri = options.uri ?? `sqlite:///${path}`;
    const artifactRoot = options.defaultArtifactRoot ?? defaultArtifactRoot();
    const now = options.now ?? Date.now;
    const db = await openDatabase(path, options.journalMode ?? "wal");
    let revision: string;
    try {
      revision = ensureSchema(db, { uri, now, defaultExperimentArtifactLocation: appendToUriPath(artifactRoot, String(DEFAULT_EXPERIMENT.id)) });
    } catch (error) {
      db.close();
      throw error;
    }
    announceOnce({ path, uri, isDefault: options.isDefault ?? false, artifactRoot }, options.quiet ?? false);
    return new SqliteStore(db, { path, uri, revision, defaultArtifactRoot: artifactRoot, now, workspace: options.workspace });
  }

  private constructor(
    db: Database,
    facts: { path: string; uri: string; revision: string; defaultArtifactRoot: string; now: () => number; workspace: string | undefined },
  ) {
    this.path = facts.path;
    this.displayUri = facts.uri;
    this.schemaRevision = facts.revision;
    this.defaultArtifactRoot = facts.defaultArtifactRoot;
    this.#ctx = new StoreContext(db, { defaultArtifactRoot: facts.defaultArtifactRoot, now: facts.now, workspace: facts.workspace });
    this.#read = db.transaction((work: () => unknown) => work());
    this.#writes = new GroupCommit(db);
  }

  async call<N extends EndpointName>(name: N, request: EndpointRequest<N>, options: RequestOptions = {}): Promise<EndpointResponse<N>> {
    if (options.signal?.aborted) throw new AbortError(`${name} was aborted before it started`);
    if (this.#closed) throw new MlflowError(`The embedded store ${this.displayUri} is closed; create a new client to use it again.`);
    const handler = HANDLERS[name] as Handler<N> | undefined;
    try {
      if (handler === undefined) throw notSupported(name, this.displayUri);
      const response = await this.#run(handler, request);
      const parsed = ENDPOINTS[name].response.safeParse(response);
      if (parsed.success) return parsed.data as EndpointResponse<N>;
      // An int64 column beyond ±(2^53 − 1) (written by another client): refused, never rounded.
      throw unsafeIntegerError(parsed.error.issues, { method: "LOCAL", endpoint: `sqlite:${name}` }) ?? parsed.error;
    } catch (error) {
      throw toStoreError(name, error);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#writes.flush();
    this.#ctx.db.close();
  }

  #run<N extends EndpointName>(handler: Handler<N>, request: EndpointRequest<N>): unknown {
    if (handler.mode === "async") {
      if (!handler.anyWorkspace) this.#read.deferred(() => this.#ctx.checkWorkspace());
      return handler.run(this.#ctx, request);
    }
    const work = (): unknown => {
      if (!handler.anyWorkspace) this.#ctx.checkWorkspace();
      return handler.run(this.#ctx, request);
    };
    return handler.mode === "write" ? this.#writes.run(work) : this.#read.deferred(work);
  }
}

function notSupported(name: string, uri: string): StoreException {
  return new StoreException(
    "NOT_IMPLEMENTED",
    `${name} is not supported by the embedded SQLite store. ` +
      `Fix: serve this same file with \`mlflow server --backend-store-uri ${uri}\` and set MLFLOW_TRACKING_URI to that server.`,
  );
}
