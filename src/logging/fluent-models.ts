/**
 * Models on the default client, as Python's fluent API offers them: `registerModel`
 * (`mlflow.register_model`), `copyModelVersion`, `loadModel`. Each is one line over `client.models`.
 */

import type { LoadedModel, LoadModelOptions } from "../models/load-model.js";
import type { RegisterModelOptions } from "../models/register-model.js";
import type { ModelVersion } from "../protocol/entities/registry.js";
import { resolveClient } from "./fluent.js";
import type { FluentClientOption } from "./fluent-artifacts.js";

/**
 * Registers a model as a new version of `name`, as `mlflow.register_model(modelUri, name)`:
 * creates the registered model when missing (race-safe), creates the version from `runs:/…`,
 * `models:/<model_id>`, `models:/<name>/<version>` or `models:/<name>@<alias>`, waits (bounded,
 * with backoff) until it is READY, then sets `alias`. The URI is checked before anything is written.
 *
 * @throws {ValidationError} for a bad name, alias, tag or URI.
 * @throws {ArtifactNotFoundError} when the URI names nothing (a deleted version, a missing alias…): nothing is registered.
 * @throws {ModelRegistrationError} when the version fails to register, or is still PENDING after `awaitReadyMs` (default 5 min).
 * @example
 * const info = await run.logModel({ flavor: "onnx", model: onnxBytes });
 * const version = await registerModel(info.modelUri, "churn", { alias: "champion" });
 */
export function registerModel(modelUri: string, name: string, options: RegisterModelOptions & FluentClientOption = {}): Promise<ModelVersion> {
  const { client, ...rest } = options;
  return resolveClient(client).models.register(modelUri, name, rest);
}

/**
 * Copies a registered version into another registered model, as `MlflowClient.copy_model_version`
 * (e.g. `models:/churn-staging@champion` → `churn-prod`), then waits for READY and sets `alias`.
 *
 * @throws {ValidationError} when `srcUri` is not a `models:/<name>/…` or `models:/<name>@<alias>` URI.
 * @throws {ArtifactNotFoundError} when the source version does not exist.
 * @example
 * await copyModelVersion("models:/churn-staging@champion", "churn-prod", { alias: "live" });
 */
export function copyModelVersion(srcUri: string, dstName: string, options: RegisterModelOptions & FluentClientOption = {}): Promise<ModelVersion> {
  const { client, ...rest } = options;
  return resolveClient(client).models.copyVersion(srcUri, dstName, rest);
}

/**
 * Downloads a model by URI (into `destDir`, or a new temporary folder) and reads its `MLmodel`;
 * `dataPath` is the model data of its flavor — for a TF.js model, the folder holding `model.json`.
 *
 * @throws {ArtifactNotFoundError} when the URI names nothing.
 * @example
 * const { dataPath } = await loadModel("models:/classifier@champion");
 * const model = await tf.loadLayersModel(tf.io.fileSystem(`${dataPath}/model.json`));
 */
export function loadModel(uri: string, options: LoadModelOptions & FluentClientOption = {}): Promise<LoadedModel> {
  const { client, ...rest } = options;
  return resolveClient(client).models.load(uri, rest);
}
