/**
 * mlflow-ts: a TypeScript SDK and training-loop logger for MLflow Tracking.
 * Every export is named here; nothing is re-exported by wildcard.
 * @packageDocumentation
 */

// Artifacts: stores by artifact URI (S3, the tracking server's proxy, local), transfers and their errors
export { type ArtifactLocation, joinArtifactPath, objectKey, parseArtifactUri } from "./artifacts/artifact-uri.js";
export {
  ArtifactCredentialsError,
  ArtifactDownloadError,
  ArtifactError,
  type ArtifactErrorInit,
  ArtifactNotFoundError,
  type ArtifactOperation,
  ArtifactPermissionError,
  ArtifactUploadError,
  IncompleteTransferError,
  type SkippedArtifact,
  UnsafeArtifactPathError,
  UnsupportedArtifactStoreError,
} from "./artifacts/errors.js";
export { checkArtifactPath, checkProxiedArtifactPath, decodeArtifactPath, isSafeArtifactPath } from "./artifacts/path-safety.js";
export { choosePartSize, DEFAULT_PART_SIZE, DEFAULT_STREAM_PART_SIZE } from "./artifacts/s3/part-size.js";
export type { DownloadOptions, TransferProgress, UploadOptions, UploadResult } from "./artifacts/types.js";
// Client and configuration
export { MlflowClient } from "./client/client.js";
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
export type { Env } from "./config/env.js";
export type { ArtifactOptions, AuthOptions, ClientOptions, S3Options } from "./config/options.js";
export { type ResolvedAuth, type ResolvedConfig, resolveConfig, type TrackingTarget } from "./config/resolve.js";
export { ERROR_CODES, type ErrorCode } from "./core/error-codes.js";
// Core building blocks
export {
  AbortError,
  AlreadyExistsError,
  AmbiguousResultError,
  type ApiErrorInit,
  ConfigurationError,
  ConnectionError,
  InvalidParameterError,
  isMlflowError,
  MlflowApiError,
  MlflowError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  type RequestContext,
  ResponseValidationError,
  ServerError,
  TimeoutError,
  UnauthenticatedError,
  type UnresolvedLookup,
  UnsafeIntegerError,
  ValidationError,
} from "./core/errors.js";
export type { AuthSettings, HttpSettings, TlsSettings } from "./core/http/settings.js";
export type { RequestOptions } from "./core/http/transport.js";
export { type AllOptions, DEFAULT_MAX_ITEMS, type Page, Paginated, TooManyItemsError } from "./core/pagination.js";
export { VALIDATION_RULES, type ValidationRule } from "./core/validation-rules.js";
export { VERSION } from "./core/version.js";
export { encodeDouble, type WireDouble } from "./core/wire.js";
// Setup check: checkSetup() and its report (the same checks as `mlflow-ts doctor`)
export { checkSetup } from "./doctor/check-setup.js";
export { type FormatOptions, formatCheck, formatReport, formatSummary } from "./doctor/format.js";
export { CHECK_IDS, type CheckId, type CheckResult, type CheckSetupOptions, type CheckStatus, type SetupReport } from "./doctor/types.js";
export type { ImageFormat, ImageInput, RawImage } from "./images/image-codec.js";
export { COMPRESSED_IMAGE_SIZE, type ImageSeriesOptions, LOGGED_IMAGES_TAG } from "./images/log-image.js";
export { clearActiveModel, getActiveModelId, type SetActiveModelOptions, setActiveModel, withActiveModel } from "./logging/active-model.js";
export type { BackpressureEvent, FlushEvent, LoggerStats, RunEvents } from "./logging/batcher/batcher.js";
export { BatchDeliveryError, type EntryCounts, LogDeliveryError, type LogDeliveryInit, type RefusedKey, RunEndError } from "./logging/errors.js";
export type { EventMap, Listener } from "./logging/events.js";
// Logger: the training-loop API (startRun / withRun / Run and its batcher)
export { DEFAULT_EXPERIMENT_ID, getActiveRun, type StartRunOptions, startRun, withRun } from "./logging/fluent.js";
export { downloadArtifacts, type FluentClientOption, listArtifacts, loadDict, loadText, openArtifact } from "./logging/fluent-artifacts.js";
export { copyModelVersion, loadModel, registerModel } from "./logging/fluent-models.js";
export {
  DEFAULT_DELIVERY_TIMEOUT_MS,
  DEFAULT_EXIT_TIMEOUT_MS,
  DEFAULT_FLUSH_INTERVAL_MS,
  DEFAULT_MAX_BUFFERED_ENTRIES,
  DEFAULT_MAX_IN_FLIGHT,
  DEFAULT_MAX_IN_FLIGHT_EMBEDDED,
  type LoggerOptions,
} from "./logging/options.js";
export {
  ActiveRun,
  type EndOptions,
  type EndStatus,
  type FlushOptions,
  type LogArtifactOptions,
  type MetricOptions,
} from "./logging/run.js";
export { DEFAULT_SYSTEM_METRICS_SAMPLES_BEFORE_LOGGING, DEFAULT_SYSTEM_METRICS_SAMPLING_INTERVAL_MS } from "./logging/system/system-metrics.js";
export { ModelRegistrationError, type ModelRegistrationFailure } from "./models/errors.js";
export { MODEL_IS_EXTERNAL_TAG } from "./models/external-model.js";
export { FILES_DATA_DIR, type FilesModelInput } from "./models/flavors/files.js";
export type { FlavorName, ModelFlavorInput } from "./models/flavors/index.js";
export { DEFAULT_ONNX_EXECUTION_PROVIDERS, ONNX_MODEL_FILE, type OnnxModelInput, type OnnxSessionOptions } from "./models/flavors/onnx.js";
export {
  TFJS_DATA_DIR,
  TFJS_MODEL_JSON,
  TFJS_WEIGHTS_FILE,
  type TfjsModelArtifacts,
  type TfjsModelInput,
  type TfjsSavable,
  type TfjsSaveHandler,
  type TfjsSaveResult,
} from "./models/flavors/tfjs.js";
export { INPUT_EXAMPLE_FILE, type InputExample, type NestedNumbers, type SavedInputExampleInfo, SERVING_INPUT_EXAMPLE_FILE } from "./models/input-example.js";
export type { LoadedModel, LoadModelOptions } from "./models/load-model.js";
export { type ClientLogModelOptions, DEFAULT_MODEL_NAME, type LogModelCommonOptions, type LogModelOptions, type ModelInfo } from "./models/log-model.js";
export { MLMODEL_FILE, type MLmodel } from "./models/mlmodel.js";
// Models: log (onnx, tfjs, files), register, copy, load; MLmodel, signatures, input examples; images
export { Models } from "./models/models.js";
export { DEFAULT_AWAIT_READY_MS, type RegisterModelOptions } from "./models/register-model.js";
export {
  COLUMN_TYPES,
  type ColumnSpec,
  type ColumnType,
  type ModelSignature,
  type ParamSpec,
  type SignatureBlock,
  TENSOR_DTYPES,
  type TensorDtype,
  type TensorSpec,
} from "./models/signature.js";
export { DEFAULT_MODEL_PYTHON_VERSION, TARGET_MLFLOW_VERSION, TARGET_ONNX_VERSION, TARGET_ONNXRUNTIME_VERSION } from "./models/targets.js";
// Stores
export {
  ENDPOINTS,
  type EndpointName,
  type EndpointRequest,
  type EndpointResponse,
  type EndpointSpec,
  type MetricInput,
  type RetryPolicy,
  type SearchExperimentsRequest,
  type SearchLoggedModelsRequest,
  type SearchRunsRequest,
} from "./protocol/endpoints.js";
export type { LoggedModel, LoggedModelStatus } from "./protocol/entities/logged-model.js";
export type { ModelStage, ModelVersion, ModelVersionStatus, RegisteredModel, RegisteredModelAlias } from "./protocol/entities/registry.js";
// Entities (MLflow wire names)
export type {
  Dataset,
  DatasetInput,
  Experiment,
  ExperimentTag,
  FileInfo,
  KeyValue,
  LifecycleStage,
  Metric,
  MetricWithRunId,
  Param,
  Run,
  RunDataDicts,
  RunInfo,
  RunStatus,
  RunTag,
  ViewType,
} from "./protocol/entities/tracking.js";
export type { Webhook, WebhookAction, WebhookEntity, WebhookEvent, WebhookStatus, WebhookTestResult } from "./protocol/entities/webhook.js";
export type { KeyValueInput } from "./protocol/key-values.js";
export {
  MAX_BATCH_BYTES,
  MAX_ENTITIES_PER_BATCH,
  MAX_METRICS_PER_BATCH,
  MAX_PARAMS_PER_BATCH,
  MAX_TAGS_PER_BATCH,
} from "./protocol/log-batch.js";
export { DATASET_CONTEXT_TAG, LOGGED_ARTIFACTS_TAG, MODEL_VERSIONS_TAG } from "./protocol/tag-names.js";
// MLflow's URI grammar (runs:/, models:/) and the root/path split of download_artifacts
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
// Validation rules
export {
  type KeyKind,
  MAX_EXPERIMENT_NAME_LENGTH,
  MAX_EXPERIMENT_TAG_VALUE_LENGTH,
  MAX_KEY_LENGTH,
  MAX_PARAM_VALUE_LENGTH,
  MAX_RUN_TAG_VALUE_LENGTH,
  validateKey,
} from "./protocol/validation.js";
export { DEFAULT_WEBHOOK_TOLERANCE_SECONDS, type VerifyWebhookOptions, verifyWebhookSignature, type WebhookDelivery } from "./protocol/webhook-signature.js";
export { ArtifactUris, REGISTERED_MODEL_META_FILE, type ResolvedModelUri } from "./resources/artifact-uris.js";
// Resources
export { Artifacts } from "./resources/artifacts.js";
export { type CreateExperimentParams, Experiments, type SearchExperimentsParams } from "./resources/experiments.js";
export { type CreateLoggedModelParams, LoggedModels, type SearchLoggedModelsParams } from "./resources/logged-models.js";
export { type BulkIntervalParams, Metrics } from "./resources/metrics.js";
export { type CreateModelVersionParams, ModelVersions } from "./resources/model-versions.js";
export { RegisteredModels, type SearchRegisteredModelsParams } from "./resources/registered-models.js";
export { type CreateRunParams, type LogBatchParams, type MetricPoint, Runs, type SearchRunsParams } from "./resources/runs.js";
export {
  type CreateWebhookParams,
  MAX_WEBHOOK_LIST_PAGE_SIZE,
  type UpdateWebhookParams,
  WEBHOOK_LIST_PAGE_SIZE,
  Webhooks,
} from "./resources/webhooks.js";
export { CREATE_REQUEST_ID_TAG, RestStore } from "./store/rest/rest-store.js";
// Embedded store: MLflow's own SQLite schema in a local file, opened by MlflowClient for sqlite: URIs
// and when no tracking URI is set (types only: the module and better-sqlite3 load on first use)
export type { JournalMode } from "./store/sqlite/engine/journal-mode.js";
export type { SqliteStore, SqliteStoreOptions } from "./store/sqlite/sqlite-store.js";
export type { TrackingStore } from "./store/tracking-store.js";
// Sync: copy experiments, runs, logged models and model versions from one store to another, idempotently and resumably (`mlflow-ts sync`)
export { SyncError } from "./sync/errors.js";
export { type RunAction, SKIP_REASONS } from "./sync/plan.js";
export { syncRuns } from "./sync/sync-runs.js";
export {
  SYNC_ARTIFACTS_DIGEST_TAG,
  SYNC_SOURCE_MODEL_ID_TAG,
  SYNC_SOURCE_RUN_ID_TAG,
  SYNC_SOURCE_URI_TAG,
  SYNC_SOURCE_VERSION_TAG,
  SYNC_STATE,
  SYNC_STATE_TAG,
} from "./sync/tags.js";
export {
  DEFAULT_SYNC_CONCURRENCY,
  type ExperimentSyncResult,
  type LoggedModelSyncResult,
  MAX_SYNC_CONCURRENCY,
  type ModelVersionSyncResult,
  type RegisteredModelSyncResult,
  type RunRef,
  type RunStep,
  type RunSyncResult,
  type SentCounts,
  type SyncEvent,
  type SyncOptions,
  type SyncReport,
  type SyncTotals,
} from "./sync/types.js";
export { type LoadTableOptions, loadTable, logTable, type SplitTable, type TableData } from "./tables/tables.js";
