/**
 * mlflow-ts: a TypeScript SDK and training-loop logger for MLflow Tracking.
 *
 * The root entry is what a training script, a quickstart or a CI check needs: the typed client
 * (`MlflowClient` and its pages), the logger (`startRun`, `withRun`, `getActiveRun`, `ActiveRun`),
 * MLflow's fluent functions for models, artifacts by URI and tables, `checkSetup`, every error
 * class, and the entity, option and result types. Everything else lives in a documented subpath:
 * `mlflow-ts/advanced` (stores, the endpoint table, URI and path helpers, defaults and limits, the
 * MLmodel format's names), `mlflow-ts/sync`, `mlflow-ts/doctor`, `mlflow-ts/auth` and `mlflow-ts/webhooks` — see
 * the README's "Public API" section. Every export is named here; nothing is re-exported by wildcard.
 *
 * @example
 * import { MlflowClient, startRun, withRun, checkSetup } from "mlflow-ts";
 *
 * @packageDocumentation
 * @module mlflow-ts
 */
// biome-ignore-all assist/source/organizeImports: the exports are grouped by concern, each group under its comment

// The typed client, its configuration and its pages
export { MlflowClient } from "./client/client.js";
export type { ArtifactOptions, AuthOptions, ClientOptions, Env, S3Options } from "./config/options.js";
export type { AuthCredentials, AuthProvider, AuthProviderContext, AuthRefreshReason } from "./core/http/auth/types.js";
export type {
  EmbeddedStoreSettings,
  JournalSettings,
  LoggerSettings,
  OfflineSettings,
  OfflineTarget,
  ResolvedAuth,
  ResolvedConfig,
  SystemMetricsSettings,
  TrackingTarget,
} from "./config/resolve.js";
export type { AuthSettings, HttpSettings, TlsSettings } from "./core/http/settings.js";
export type { RequestOptions } from "./core/http/transport.js";
export { type AllOptions, type Page, Paginated } from "./core/pagination.js";
export type { DownloadOptions, TransferProgress, UploadOptions, UploadResult } from "./artifacts/types.js";
export { VERSION } from "./core/version.js";

// The client's resources (types: reached as `client.experiments`, `client.runs`…) and their parameters
export type { CreateExperimentParams, Experiments, SearchExperimentsParams } from "./resources/experiments.js";
export type { CreateRunParams, LogBatchParams, MetricPoint, Runs, SearchRunsParams } from "./resources/runs.js";
export type { BulkIntervalParams, Metrics } from "./resources/metrics.js";
export type { Artifacts } from "./resources/artifacts.js";
export type { RegisteredModels, SearchRegisteredModelsParams } from "./resources/registered-models.js";
export type { CreateModelVersionParams, ModelVersions } from "./resources/model-versions.js";
export type { CreateLoggedModelParams, LoggedModels, SearchLoggedModelsParams } from "./resources/logged-models.js";
export type { CreateWebhookParams, UpdateWebhookParams, Webhooks } from "./resources/webhooks.js";
export type { CreateWorkspaceParams, UpdateWorkspaceParams, Workspaces } from "./resources/workspaces.js";
export type { Auth } from "./resources/auth.js";
export type { ExperimentPermissions, RegisteredModelPermissions } from "./resources/auth-permissions.js";
export type { AuthUsers, UserGrant, UserPermissions } from "./resources/auth-users.js";
export type {
  AuthPermission,
  AuthUser,
  ExperimentPermission,
  GrantablePermission,
  RegisteredModelPermission,
} from "./protocol/entities/auth.js";
export type { ArtifactUris, ListArtifactsOptions, ResolvedModelUri } from "./resources/artifact-uris.js";
export type { Models } from "./models/models.js";
export type { ServerCapabilities } from "./store/rest/server-capabilities.js";
export { SERVER_FEATURE_NAMES, type ServerFeature } from "./protocol/server-features.js";
export type { ServerInfo } from "./protocol/entities/server-info.js";

// The logger: the training-loop API (startRun / withRun / ActiveRun), its events, images and tables
export { getActiveRun, type StartRunOptions, startRun, withRun } from "./logging/fluent.js";
export { ActiveRun, type EndOptions, type EndStatus, type FlushOptions, type LogArtifactOptions, type MetricOptions, type RunStats } from "./logging/run.js";
export type { LoggerOptions } from "./logging/options.js";
export type { JournalOptions } from "./journal/options.js";
export type { BackpressureEvent, FlushEvent, FlushResult, LoggerStats, RunEvents } from "./logging/batcher/batcher.js";
export type { EventMap, Listener } from "./logging/events.js";
export type { ImageFormat, ImageInput, RawImage } from "./images/image-codec.js";
export type { ImageSeriesOptions } from "./images/log-image.js";
export { type LoadTableOptions, loadTable, logTable, type SplitTable, type TableData } from "./tables/tables.js";

// MLflow's fluent functions: models, the active model, artifacts by URI
export { copyModelVersion, loadModel, registerModel } from "./logging/fluent-models.js";
export { clearActiveModel, getActiveModelId, type SetActiveModelOptions, setActiveModel, withActiveModel } from "./logging/active-model.js";
export { downloadArtifacts, type FluentClientOption, listArtifacts, loadDict, loadText, openArtifact } from "./logging/fluent-artifacts.js";

// Models: what logModel takes and returns, the MLmodel file, signatures and input examples
export type { ClientLogModelOptions, LogModelCommonOptions, LogModelOptions, ModelInfo } from "./models/log-model.js";
export type { FlavorName, ModelFlavorInput } from "./models/flavors/index.js";
export type { FilesModelInput } from "./models/flavors/files.js";
export type { OnnxModelInput, OnnxSessionOptions } from "./models/flavors/onnx.js";
export type { TfjsModelArtifacts, TfjsModelInput, TfjsSavable, TfjsSaveHandler, TfjsSaveResult } from "./models/flavors/tfjs.js";
export type { RegisterModelOptions } from "./models/register-model.js";
export type { LoadedModel, LoadModelOptions } from "./models/load-model.js";
export type { MLmodel } from "./models/mlmodel.js";
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
export type { InputExample, NestedNumbers, SavedInputExampleInfo } from "./models/input-example.js";

// The setup check: checkSetup() and its report (the same checks as `mlflow-ts doctor`; the text formatting is in mlflow-ts/doctor)
export { checkSetup } from "./doctor/check-setup.js";
export { CHECK_IDS, type CheckId, type CheckResult, type CheckSetupOptions, type CheckStatus, type SetupReport } from "./doctor/types.js";

// Errors: every class a call of this package throws, their parts, and the literal unions they carry
export {
  AbortError,
  AlreadyExistsError,
  AmbiguousResultError,
  type ApiErrorInit,
  AuthProviderError,
  ConfigurationError,
  ConnectionError,
  type Denial,
  InvalidParameterError,
  isMlflowError,
  MlflowApiError,
  MlflowError,
  NotFoundError,
  UnknownWorkspaceError,
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
export { ERROR_CODES, type ErrorCode, UNSUPPORTED_FEATURE_CODE } from "./core/error-codes.js";
export { UnsupportedFeatureError, type UnsupportedFeatureInit } from "./protocol/unsupported-feature-error.js";
export { VALIDATION_RULES, type ValidationRule } from "./core/validation-rules.js";
export { TooManyItemsError } from "./core/pagination.js";
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
export { BatchDeliveryError, type EntryCounts, LogDeliveryError, type LogDeliveryInit, type RefusedKey, RunEndError } from "./logging/errors.js";
export { ModelRegistrationError, type ModelRegistrationFailure } from "./models/errors.js";
export { SyncError } from "./sync/errors.js";

// Entities and request shapes (MLflow's wire names)
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
export type { LoggedModel, LoggedModelStatus } from "./protocol/entities/logged-model.js";
export type { ModelStage, ModelVersion, ModelVersionStatus, RegisteredModel, RegisteredModelAlias } from "./protocol/entities/registry.js";
export type { Webhook, WebhookAction, WebhookEntity, WebhookEvent, WebhookStatus, WebhookTestResult } from "./protocol/entities/webhook.js";
export type { Workspace, WorkspaceDeletionMode } from "./protocol/entities/workspace.js";
export type { KeyValueInput } from "./protocol/key-values.js";
export type { MetricInput, SearchLoggedModelsRequest } from "./protocol/endpoints.js";
export type { WireDouble } from "./core/wire.js";
