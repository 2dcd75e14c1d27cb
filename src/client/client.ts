/** The low-level typed client: configuration resolved once, one resource per REST area. */
import { inspect } from "node:util";
import { ArtifactStores } from "../artifacts/artifact-stores.js";
import type { ClientOptions } from "../config/options.js";
import { type ResolvedConfig, resolveConfig } from "../config/resolve.js";
import { Models } from "../models/models.js";
import { ArtifactUris } from "../resources/artifact-uris.js";
import { Artifacts, runArtifactStores } from "../resources/artifacts.js";
import { Auth } from "../resources/auth.js";
import { Experiments } from "../resources/experiments.js";
import { LoggedModels } from "../resources/logged-models.js";
import { Metrics } from "../resources/metrics.js";
import { ModelVersions } from "../resources/model-versions.js";
import { RegisteredModels } from "../resources/registered-models.js";
import { Runs } from "../resources/runs.js";
import { Webhooks } from "../resources/webhooks.js";
import { Workspaces } from "../resources/workspaces.js";
import { createStore } from "../store/create-store.js";
import type { ServerCapabilities } from "../store/rest/server-capabilities.js";
import type { TrackingStore } from "../store/tracking-store.js";
import { attachInternals } from "./internals.js";

/**
 * Typed client for the MLflow tracking REST API (or the embedded store). With no options it reads
 * the same `MLFLOW_*` and `AWS_*` variables as the Python client.
 *
 * @throws {ConfigurationError} when an option or environment variable is malformed; the message
 *   names it and says what is expected.
 * @example
 * const client = new MlflowClient({ trackingUri: "http://127.0.0.1:5000" });
 * const id = await client.experiments.create({ name: "mnist" });
 * const run = await client.runs.create({ experiment_id: id });
 * await client.runs.logMetric(run.info.run_id, "loss", 0.25, { step: 1 });
 */
export class MlflowClient {
  /** The configuration in effect (frozen). */
  readonly config: ResolvedConfig;
  /** The store every resource talks to. */
  readonly store: TrackingStore;
  readonly experiments: Experiments;
  readonly runs: Runs;
  readonly metrics: Metrics;
  readonly artifacts: Artifacts;
  readonly registeredModels: RegisteredModels;
  readonly modelVersions: ModelVersions;
  readonly loggedModels: LoggedModels;
  /** Artifacts by URI (`runs:/`, `models:/`, `s3://`, `mlflow-artifacts:/`…), resolved as Python's `mlflow.artifacts` resolves them. */
  readonly uris: ArtifactUris;
  /** Models end to end: log (onnx, tfjs, files), register, copy, wait for READY, load by URI. */
  readonly models: Models;
  /** Model-registry webhooks (a tracking server only; the embedded store answers NOT_IMPLEMENTED). */
  readonly webhooks: Webhooks;
  /** The basic-auth admin API: users and their permissions (a server started with `--app-name basic-auth`). */
  readonly auth: Auth;
  /** The server's workspaces (MLflow 3.10+, `--enable-workspaces`); which one this client works in is its `workspace` option. */
  readonly workspaces: Workspaces;
  /**
   * The tracking server's MLflow version and the features it lacks, asked once per client on first
   * need (`GET /version`). A call that needs a feature the server lacks fails with `UnsupportedFeatureError`.
   */
  readonly server: ServerCapabilities;
  readonly #artifactStores: ArtifactStores;

  constructor(options: ClientOptions = {}) {
    this.config = resolveConfig(options);
    const { store, transport, capabilities } = createStore(this.config);
    this.store = store;
    this.server = capabilities;
    this.experiments = new Experiments(this.store);
    this.runs = new Runs(this.store);
    this.metrics = new Metrics(this.store);
    this.#artifactStores = new ArtifactStores(this.config, transport, undefined, capabilities);
    const runArtifacts = runArtifactStores(this.store, this.#artifactStores);
    attachInternals(this, { transport, artifactStores: this.#artifactStores, runArtifacts });
    this.artifacts = new Artifacts(this.store, runArtifacts, this.config.artifacts.concurrency);
    this.registeredModels = new RegisteredModels(this.store);
    this.modelVersions = new ModelVersions(this.store);
    this.loggedModels = new LoggedModels(this.store, this.#artifactStores, this.config.artifacts.concurrency);
    this.uris = new ArtifactUris(this.store, this.#artifactStores, this.config.artifacts.concurrency);
    this.models = new Models(this);
    this.webhooks = new Webhooks(this.store);
    this.auth = new Auth(this.store, capabilities);
    this.workspaces = new Workspaces(this.store);
  }

  /** Where this client logs, safe to print (no credentials). */
  get trackingUri(): string {
    return this.store.displayUri;
  }

  /** Closes idle sockets (or the database file). The client must not be used afterwards. */
  async close(): Promise<void> {
    this.#artifactStores.close();
    await this.store.close();
  }

  /** A secret-free summary for logs: where it logs and how it authenticates, never the credentials. */
  toJSON(): Record<string, unknown> {
    return { trackingUri: this.trackingUri, store: this.store.kind, auth: this.config.auth.kind };
  }

  /** `console.log(client)` prints {@link MlflowClient.toJSON}, not the configuration's credentials. */
  [inspect.custom](): string {
    return `MlflowClient ${inspect(this.toJSON())}`;
  }
}
