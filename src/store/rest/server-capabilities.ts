/**
 * What the tracking server supports, learned once per client: its MLflow version (`GET /version`,
 * which every supported release serves) and, from MLflow 3.10, `GET /api/3.0/mlflow/server-info`.
 * Both are asked lazily, on first need — a gated endpoint's 404, the doctor, sync deciding what to
 * copy — with the client's timeout and retries, single-flight under concurrency, and kept for the
 * client's life (a failed probe is not kept: the next need asks again). The feature table
 * (protocol/server-features.ts) turns the version into the features the server lacks.
 *
 * It lives beside the REST store because the REST store is what meets a missing route (its 404) and
 * turns it into {@link UnsupportedFeatureError}; the client hands the same object out as
 * `client.server`.
 */

import type { HttpTransport, RequestOptions } from "../../core/http/transport.js";
import { type ServerInfo, serverInfoSchema } from "../../protocol/entities/server-info.js";
import { featuresMissingIn, type ServerFeature, serverLacks } from "../../protocol/server-features.js";
import { UnsupportedFeatureError } from "../../protocol/unsupported-feature-error.js";

/** A version as `/version` answers it: `2.14.3`, `3.10.0rc0`, `3.17.2.dev0`. */
const VERSION_TEXT = /^\d+\.\d+[\w.+-]*$/;
const SERVER_INFO_PATH = "/api/3.0/mlflow/server-info";

/**
 * The server's version and the features it lacks, asked once per client (`client.server`). For the
 * embedded store (no server) the version is `undefined` and nothing is missing.
 *
 * @example
 * const version = await client.server.version(); // "2.22.5"
 * const missing = await client.server.missingFeatures(); // ["logged-models", "run-outputs", …]
 * if (await client.server.supports("webhooks")) await client.webhooks.list();
 */
export class ServerCapabilities {
  readonly #transport: HttpTransport | undefined;
  #version: Promise<string | undefined> | undefined;
  #info: Promise<ServerInfo | undefined> | undefined;

  /** @internal */
  constructor(transport: HttpTransport | undefined) {
    this.#transport = transport;
  }

  /** `host:port` of the server; `undefined` for the embedded store. */
  get address(): string | undefined {
    return this.#transport?.address;
  }

  /**
   * The server's MLflow version, e.g. `"2.22.5"`: `GET /version`, asked once per client (concurrent
   * callers share the one request). `undefined` for the embedded store, or when the server answers
   * something that is not a version (a proxy's page).
   * @throws the transport's error (`ConnectionError`, `TimeoutError`, `UnauthenticatedError`…) when
   *   the server does not answer; it is not cached, so the next call asks again.
   * @example
   * console.log(`MLflow ${await client.server.version()}`);
   */
  version(options: RequestOptions = {}): Promise<string | undefined> {
    const transport = this.#transport;
    if (transport === undefined) return Promise.resolve(undefined);
    this.#version ??= transport
      .request({ method: "GET", path: "/version", retry: "idempotent" }, { signal: options.signal, timeoutMs: options.timeoutMs }, (res) => {
        const text = String(res.body).trim();
        return VERSION_TEXT.test(text) ? text : undefined;
      })
      .catch((error: unknown) => {
        this.#version = undefined;
        throw error;
      });
    return this.#version;
  }

  /**
   * What `GET /api/3.0/mlflow/server-info` says (store type, workspaces, proxied multipart), asked
   * once per client; `undefined` on a server before MLflow 3.10 (not asked then), for the embedded
   * store, or when the answer is not the expected JSON.
   * @throws like {@link ServerCapabilities.version}.
   * @example
   * const info = await client.server.info(); // { store_type: "SqlStore", workspaces_enabled: false, … }
   */
  async info(options: RequestOptions = {}): Promise<ServerInfo | undefined> {
    const transport = this.#transport;
    if (transport === undefined) return undefined;
    const version = await this.version(options);
    if (version !== undefined && serverLacks(version, "server-info") === true) return undefined;
    this.#info ??= transport
      .request({ method: "GET", path: SERVER_INFO_PATH, retry: "idempotent" }, { signal: options.signal, timeoutMs: options.timeoutMs }, (res) => {
        try {
          const parsed = serverInfoSchema.safeParse(JSON.parse(String(res.body)));
          return parsed.success ? parsed.data : undefined;
        } catch {
          return undefined;
        }
      })
      .catch((error: unknown) => {
        this.#info = undefined;
        throw error;
      });
    return this.#info;
  }

  /**
   * The gated features the server lacks (see `SERVER_FEATURES`), oldest first; none for the
   * embedded store or a version that does not parse.
   * @throws like {@link ServerCapabilities.version}.
   * @example
   * await client.server.missingFeatures() // on 2.22.5: ["logged-models", "run-outputs", "experiment-tag-delete", "webhooks", "use-permission", "server-info", "workspaces", "permission-grants", "deny-permission"]
   */
  async missingFeatures(options: RequestOptions = {}): Promise<ServerFeature[]> {
    const version = await this.version(options);
    return version === undefined ? [] : featuresMissingIn(version);
  }

  /**
   * Whether the server has `feature`: `true` for the embedded store and for a server whose version
   * does not say (a request will tell).
   * @throws like {@link ServerCapabilities.version}.
   * @example
   * if (await client.server.supports("logged-models")) { … }
   */
  async supports(feature: ServerFeature, options: RequestOptions = {}): Promise<boolean> {
    const version = await this.version(options);
    return version === undefined || serverLacks(version, feature) !== true;
  }

  /**
   * Resolves when the server has `feature`, as {@link ServerCapabilities.supports}.
   * @throws {UnsupportedFeatureError} when the server's version lacks it.
   * @example
   * await client.server.require("webhooks");
   */
  async require(feature: ServerFeature, options: RequestOptions = {}): Promise<void> {
    if (!(await this.supports(feature, options))) {
      throw new UnsupportedFeatureError({ feature, serverVersion: await this.version(options), address: this.address ?? "(embedded store)" });
    }
  }

  /**
   * The typed error for a gated endpoint's missing route (`missingRoute`, the server's 404 or 405):
   * an {@link UnsupportedFeatureError} when the server's version lacks the feature or does not say
   * (the probe failed too); `undefined` when the version has it (the 404 means something else, e.g.
   * a reverse proxy's path, and the server's error stands).
   * @internal
   */
  async unsupported(feature: ServerFeature, missingRoute: unknown, signal?: AbortSignal): Promise<UnsupportedFeatureError | undefined> {
    const address = this.address ?? "(embedded store)";
    const version = await this.version({ signal }).catch(() => undefined);
    if (version !== undefined && serverLacks(version, feature) === false) return undefined;
    return new UnsupportedFeatureError({ feature, serverVersion: version, address, cause: missingRoute });
  }
}
