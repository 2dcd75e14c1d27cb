/**
 * `client.models`: log a model (any flavor), register it, copy a version, wait for READY and load
 * a model by URI — each a line over the functions of this folder.
 */
import type { RequestOptions } from "../core/http/transport.js";
import type { ModelVersion } from "../protocol/entities/registry.js";
import type { ModelsContext } from "./context.js";
import { type LoadedModel, type LoadModelOptions, loadModel } from "./load-model.js";
import { type ClientLogModelOptions, logModel, type ModelInfo } from "./log-model.js";
import { DEFAULT_AWAIT_READY_MS, type RegisterModelOptions, registerModel, waitUntilReady } from "./register-model.js";

/**
 * `client.models`.
 *
 * @example
 * const info = await client.models.log({ runId, flavor: "onnx", model: "out/churn.onnx" });
 * const version = await client.models.register(info.modelUri, "churn", { alias: "champion" });
 * const local = await client.models.load("models:/churn@champion", { destDir: "./model" });
 */
export class Models {
  readonly #ctx: ModelsContext;

  /** @internal */
  constructor(ctx: ModelsContext) {
    this.#ctx = ctx;
  }

  /**
   * Logs a model as `mlflow.<flavor>.log_model` does: the logged model (linked to `runId`), its
   * files and `MLmodel` where its artifact location points, finalized READY (FAILED when an upload
   * fails), optionally registered. Everything is checked before the first request.
   *
   * @throws {ValidationError} before any request: an unknown flavor or option, a missing or
   *   malformed model file, a bad signature, example, name, param or tag.
   * @throws {ArtifactError} or {@link MlflowApiError} when the upload or the server fails (the model is then FAILED).
   * @example
   * const { modelUri } = await client.models.log({ runId, flavor: "files", model: "./out/tokenizer", name: "tokenizer" });
   */
  log(options: ClientLogModelOptions): Promise<ModelInfo> {
    return logModel(this.#ctx, options);
  }

  /**
   * Registers a model as a new version of `name`, as `mlflow.register_model(modelUri, name)`:
   * `models:/<model id>`, `runs:/<run>/<path>`, `models:/<name>/<version>`, `models:/<name>@<alias>`
   * or a storage location. Creates the registered model when missing (race-safe), waits for READY
   * (bounded, with backoff), then sets `alias`.
   *
   * @throws {ValidationError} for a bad name, alias, tag or URI (before any request).
   * @throws {ArtifactNotFoundError} when the URI names nothing (nothing is registered then).
   * @throws {ModelRegistrationError} when the version fails, or is still pending after `awaitReadyMs`.
   * @example
   * const version = await client.models.register("models:/m-1d2c…", "churn", { alias: "champion" });
   */
  register(modelUri: string, name: string, options?: RegisterModelOptions): Promise<ModelVersion> {
    return registerModel(this.#ctx, modelUri, name, options);
  }

  /**
   * Copies a registered version into another registered model (created when missing), as
   * `MlflowClient.copy_model_version`: source `models:/<src>/<version>`, with the version's run,
   * tags, description and run link. Then waits for READY and sets `alias`, as {@link Models.register}.
   *
   * @throws {ValidationError} when `srcUri` is not a registry URI (`models:/<name>/<version>`, `models:/<name>@<alias>`…).
   * @throws {ArtifactNotFoundError} when the source version does not exist.
   * @example
   * await client.models.copyVersion("models:/churn-staging@champion", "churn-prod", { alias: "live" });
   */
  copyVersion(srcUri: string, dstName: string, options?: RegisterModelOptions): Promise<ModelVersion> {
    return registerModel(this.#ctx, srcUri, dstName, options, true);
  }

  /**
   * Waits until a version leaves PENDING_REGISTRATION (polls with a doubling pause up to 3 s).
   * @throws {ModelRegistrationError} when it fails to register or is still pending after `timeoutMs`.
   * @example
   * const ready = await client.models.waitUntilReady("churn", "7", { timeoutMs: 60_000 });
   */
  async waitUntilReady(
    name: string,
    version: string | number,
    options: { timeoutMs?: number | undefined } & Pick<RequestOptions, "signal"> = {},
  ): Promise<ModelVersion> {
    const current = await this.#ctx.modelVersions.get(name, version, { signal: options.signal });
    return waitUntilReady(this.#ctx, current, { timeoutMs: options.timeoutMs ?? DEFAULT_AWAIT_READY_MS, signal: options.signal });
  }

  /**
   * Downloads a model by URI and reads its `MLmodel`; `dataPath` is the model data its flavor
   * names (for a TF.js model, the folder holding `model.json`).
   * @throws {ArtifactNotFoundError} when the URI names nothing.
   * @example
   * const { dataPath } = await client.models.load("models:/classifier@champion", { destDir: "./model" });
   * const model = await tf.loadLayersModel(`file://${dataPath}/model.json`);
   */
  load(uri: string, options?: LoadModelOptions): Promise<LoadedModel> {
    return loadModel(this.#ctx, uri, options);
  }
}
