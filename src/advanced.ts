/**
 * `mlflow-ts/advanced`: the building blocks under the client, for tools that go below it — the
 * stores (`RestStore`; the embedded SQLite store's types), MLflow's endpoint table, the URI grammar
 * (`runs:/`, `models:/`, artifact URIs) and artifact-path checks, the wire encoding, MLflow's
 * limits and validation rules, every documented default with its unit, the names of the MLmodel
 * format, and the tag names MLflow and mlflow-ts write. A training script needs none of it: the
 * root entry `mlflow-ts` has the client, the logger and their types.
 *
 * @example
 * import { ENDPOINTS, parseRunsUri, DEFAULT_TIMEOUT_MS } from "mlflow-ts/advanced";
 *
 * const { runId, path } = parseRunsUri("runs:/0123456789abcdef0123456789abcdef/model");
 * console.log(Object.keys(ENDPOINTS).length, runId, path, DEFAULT_TIMEOUT_MS);
 *
 * @packageDocumentation
 * @module mlflow-ts/advanced
 */
// biome-ignore-all assist/source/organizeImports: the exports are grouped by concern, each group under its comment

// Stores: the REST store, the embedded store's types, the interface both implement
export { CREATE_REQUEST_ID_TAG, RestStore } from "./store/rest/rest-store.js";
export type { JournalMode } from "./store/sqlite/engine/journal-mode.js";
export type { SqliteStore, SqliteStoreOptions } from "./store/sqlite/sqlite-store.js";
export type { TrackingStore } from "./store/tracking-store.js";
export type { ServerCapabilities } from "./store/rest/server-capabilities.js";

// MLflow's endpoint table: each RPC's path, schemas and retry safety
export {
  type AuthResourceType,
  ENDPOINTS,
  type EndpointName,
  type EndpointRequest,
  type EndpointResponse,
  type EndpointSpec,
  type RetryPolicy,
  type SearchExperimentsRequest,
  type SearchRunsRequest,
} from "./protocol/endpoints.js";
// The features not every supported MLflow release has: first version, gated endpoints (from the routes survey)
export { SERVER_FEATURES, type ServerFeature, type ServerFeatureSpec } from "./protocol/server-features.js";

// Configuration: the resolution the client runs, and every default with its unit
export { resolveConfig } from "./config/resolve.js";
export {
  DEFAULT_BACKOFF_FACTOR_MS,
  DEFAULT_BACKOFF_JITTER_MS,
  DEFAULT_DEADLINE_MS,
  DEFAULT_KEEP_ALIVE_IDLE_MS,
  DEFAULT_MAX_RETRIES,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_TRACKING_URI,
  DEFAULT_UNREACHABLE_DEADLINE_MS,
} from "./config/defaults.js";
export { DEFAULT_MAX_ITEMS } from "./core/pagination.js";
export { DEFAULT_EXPERIMENT_ID } from "./logging/fluent.js";
export {
  DEFAULT_DELIVERY_TIMEOUT_MS,
  DEFAULT_EXIT_TIMEOUT_MS,
  DEFAULT_FLUSH_INTERVAL_MS,
  DEFAULT_MAX_BUFFERED_ENTRIES,
  DEFAULT_MAX_IN_FLIGHT,
  DEFAULT_MAX_IN_FLIGHT_EMBEDDED,
  DEFAULT_SPILL_AFTER_MS,
} from "./logging/options.js";
export { DEFAULT_SYSTEM_METRICS_SAMPLES_BEFORE_LOGGING, DEFAULT_SYSTEM_METRICS_SAMPLING_INTERVAL_MS } from "./logging/system/system-metrics.js";
export { DEFAULT_AWAIT_READY_MS } from "./models/register-model.js";
export { MAX_WEBHOOK_LIST_PAGE_SIZE, WEBHOOK_LIST_PAGE_SIZE } from "./resources/webhooks.js";

// URIs and artifact paths: MLflow's grammar, the root/path split of download_artifacts, path safety
export {
  isModelsUri,
  isRunsUri,
  type ModelsUri,
  parseModelsUri,
  parseRunsUri,
  type RunsUri,
  splitModelsUri,
  type UriRootAndPath,
  uriRootAndPath,
} from "./protocol/uri.js";
export { type ArtifactLocation, joinArtifactPath, objectKey, parseArtifactUri } from "./artifacts/artifact-uri.js";
export { checkArtifactPath, checkProxiedArtifactPath, decodeArtifactPath, isSafeArtifactPath } from "./artifacts/path-safety.js";

// S3 multipart part sizes
export { choosePartSize, DEFAULT_PART_SIZE, DEFAULT_STREAM_PART_SIZE } from "./artifacts/s3/part-size.js";

// Wire encoding, MLflow's batch limits and validation rules
export { encodeDouble } from "./core/wire.js";
export { MAX_BATCH_BYTES, MAX_ENTITIES_PER_BATCH, MAX_METRICS_PER_BATCH, MAX_PARAMS_PER_BATCH, MAX_TAGS_PER_BATCH } from "./protocol/log-batch.js";
export {
  type KeyKind,
  MAX_EXPERIMENT_NAME_LENGTH,
  MAX_EXPERIMENT_TAG_VALUE_LENGTH,
  MAX_KEY_LENGTH,
  MAX_PARAM_VALUE_LENGTH,
  MAX_RUN_TAG_VALUE_LENGTH,
  validateKey,
} from "./protocol/validation.js";

// Tag names MLflow and mlflow-ts write, and the size of logged image previews
export { DATASET_CONTEXT_TAG, LOGGED_ARTIFACTS_TAG, MODEL_VERSIONS_TAG } from "./protocol/tag-names.js";
export { MODEL_IS_EXTERNAL_TAG } from "./models/external-model.js";
export { COMPRESSED_IMAGE_SIZE, LOGGED_IMAGES_TAG } from "./images/log-image.js";

// The MLmodel format: file and folder names, the versions written
export { MLMODEL_FILE } from "./models/mlmodel.js";
export { FILES_DATA_DIR } from "./models/flavors/files.js";
export { DEFAULT_ONNX_EXECUTION_PROVIDERS, ONNX_MODEL_FILE } from "./models/flavors/onnx.js";
export { TFJS_DATA_DIR, TFJS_MODEL_JSON, TFJS_WEIGHTS_FILE } from "./models/flavors/tfjs.js";
export { INPUT_EXAMPLE_FILE, SERVING_INPUT_EXAMPLE_FILE } from "./models/input-example.js";
export { DEFAULT_MODEL_NAME } from "./models/log-model.js";
export { DEFAULT_MODEL_PYTHON_VERSION, TARGET_MLFLOW_VERSION, TARGET_ONNX_VERSION, TARGET_ONNXRUNTIME_VERSION } from "./models/targets.js";
export { REGISTERED_MODEL_META_FILE } from "./resources/artifact-uris.js";
