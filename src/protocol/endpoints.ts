/**
 * The endpoint table: every tracking, registry and logged-model RPC the SDK speaks, with its HTTP
 * method and path, its request type (wire names), its response schema and whether a retry is
 * safe. Stores implement these by name; the REST store turns each into an HTTP call.
 */
import { z } from "zod";
import type { RetryPolicy } from "../core/retry/policy.js";
import type { WireDouble } from "../core/wire.js";
import {
  type AuthPermission,
  authUserSchema,
  type GrantablePermission,
  legacyExperimentPermissionSchema,
  legacyRegisteredModelPermissionSchema,
  userPermissionResultSchema,
  userPermissionRowSchema,
} from "./entities/auth.js";
import { loggedModelSchema } from "./entities/logged-model.js";
import { modelVersionSchema, registeredModelSchema } from "./entities/registry.js";
import {
  type DatasetInput,
  experimentSchema,
  fileInfoSchema,
  type KeyValue,
  metricSchema,
  metricWithRunIdSchema,
  type RunStatus,
  runInfoSchema,
  runSchema,
  type ViewType,
} from "./entities/tracking.js";
import { type WebhookEvent, type WebhookStatus, webhookSchema, webhookTestResultSchema } from "./entities/webhook.js";
import { type WorkspaceDeletionMode, workspaceSchema } from "./entities/workspace.js";

/** Re-exported: the endpoint table names each RPC's policy; the retry rules own the type. */
export type { RetryPolicy };

/** A metric as sent: the value may be NaN or ±Infinity (encoded on the wire). */
export interface MetricInput {
  key: string;
  value: number | WireDouble;
  /** Milliseconds since the epoch. */
  timestamp: number;
  step?: number;
  model_id?: string;
  dataset_name?: string;
  dataset_digest?: string;
}

/** How one endpoint is called: HTTP method, path, retry policy and the schema of its response. */
export interface EndpointSpec<Req, Res extends z.ZodType> {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  /** Path under the tracking URI; `{name}` segments are filled from the request and removed from it. */
  path: string;
  retry: RetryPolicy;
  response: Res;
  /** Fields sent in the query string whatever the method (the server reads them from there, e.g. `mode` of a workspace DELETE). */
  query?: readonly string[];
  /** Type carrier for the request; never read at runtime. */
  request?: Req;
}

function endpoint<Req, Res extends z.ZodType>(
  method: EndpointSpec<Req, Res>["method"],
  path: string,
  response: Res,
  retry: RetryPolicy = "idempotent",
): EndpointSpec<Req, Res> {
  return { method, path, response, retry };
}

const empty = z.object({});
const pageToken = z.string().optional();
const API = "/api/2.0/mlflow";
const API3 = "/api/3.0/mlflow";

/** The resource types of the per-user grants (MLflow 3.13+) that the SDK manages (`permissions.py` has more: scorers, gateway…). */
export type AuthResourceType = "experiment" | "registered_model";

/** Request fields of `runs/search`. */
export interface SearchRunsRequest {
  experiment_ids: string[];
  filter?: string | undefined;
  run_view_type?: ViewType | undefined;
  max_results: number;
  order_by?: string[] | undefined;
  page_token?: string | undefined;
}

/** Request fields of `experiments/search`. */
export interface SearchExperimentsRequest {
  max_results: number;
  page_token?: string | undefined;
  filter?: string | undefined;
  order_by?: string[] | undefined;
  view_type?: ViewType | undefined;
}

/** Request fields of `logged-models/search`. */
export interface SearchLoggedModelsRequest {
  experiment_ids: string[];
  filter?: string | undefined;
  datasets?: { dataset_name: string; dataset_digest?: string | undefined }[] | undefined;
  max_results: number;
  order_by?: { field_name: string; ascending?: boolean | undefined; dataset_name?: string | undefined; dataset_digest?: string | undefined }[] | undefined;
  page_token?: string | undefined;
}

/** Every endpoint, by name. */
// biome-ignore format: one row per endpoint keeps the table readable
export const ENDPOINTS = {
  // Experiments
  "experiments.create": endpoint<{ name: string; artifact_location?: string; tags?: KeyValue[] }, z.ZodObject<{ experiment_id: z.ZodString }>>(
    "POST", `${API}/experiments/create`, z.object({ experiment_id: z.string() }), "recoverable"),
  "experiments.get": endpoint<{ experiment_id: string }, z.ZodObject<{ experiment: typeof experimentSchema }>>(
    "GET", `${API}/experiments/get`, z.object({ experiment: experimentSchema })),
  "experiments.getByName": endpoint<{ experiment_name: string }, z.ZodObject<{ experiment: typeof experimentSchema }>>(
    "GET", `${API}/experiments/get-by-name`, z.object({ experiment: experimentSchema })),
  "experiments.search": endpoint<SearchExperimentsRequest, z.ZodType<{ experiments: z.infer<typeof experimentSchema>[]; next_page_token?: string | undefined }>>(
    "POST", `${API}/experiments/search`, z.object({ experiments: z.array(experimentSchema).default([]), next_page_token: pageToken })),
  "experiments.update": endpoint<{ experiment_id: string; new_name: string }, typeof empty>("POST", `${API}/experiments/update`, empty),
  "experiments.delete": endpoint<{ experiment_id: string }, typeof empty>("POST", `${API}/experiments/delete`, empty),
  "experiments.restore": endpoint<{ experiment_id: string }, typeof empty>("POST", `${API}/experiments/restore`, empty),
  "experiments.setTag": endpoint<{ experiment_id: string; key: string; value: string }, typeof empty>("POST", `${API}/experiments/set-experiment-tag`, empty),
  "experiments.deleteTag": endpoint<{ experiment_id: string; key: string }, typeof empty>("POST", `${API}/experiments/delete-experiment-tag`, empty),

  // Runs
  "runs.create": endpoint<
    { experiment_id: string; user_id?: string; run_name?: string; start_time?: number; tags?: KeyValue[] },
    z.ZodObject<{ run: typeof runSchema }>
  >("POST", `${API}/runs/create`, z.object({ run: runSchema }), "recoverable"),
  "runs.get": endpoint<{ run_id: string }, z.ZodObject<{ run: typeof runSchema }>>("GET", `${API}/runs/get`, z.object({ run: runSchema })),
  "runs.update": endpoint<{ run_id: string; status?: RunStatus; end_time?: number; run_name?: string }, z.ZodObject<{ run_info: typeof runInfoSchema }>>(
    "POST", `${API}/runs/update`, z.object({ run_info: runInfoSchema })),
  "runs.delete": endpoint<{ run_id: string }, typeof empty>("POST", `${API}/runs/delete`, empty),
  "runs.restore": endpoint<{ run_id: string }, typeof empty>("POST", `${API}/runs/restore`, empty),
  "runs.search": endpoint<SearchRunsRequest, z.ZodType<{ runs: z.infer<typeof runSchema>[]; next_page_token?: string | undefined }>>(
    "POST", `${API}/runs/search`, z.object({ runs: z.array(runSchema).default([]), next_page_token: pageToken })),
  "runs.logMetric": endpoint<{ run_id: string } & MetricInput, typeof empty>("POST", `${API}/runs/log-metric`, empty),
  "runs.logParam": endpoint<{ run_id: string; key: string; value: string }, typeof empty>("POST", `${API}/runs/log-parameter`, empty),
  "runs.setTag": endpoint<{ run_id: string; key: string; value: string }, typeof empty>("POST", `${API}/runs/set-tag`, empty),
  "runs.deleteTag": endpoint<{ run_id: string; key: string }, typeof empty>("POST", `${API}/runs/delete-tag`, empty),
  "runs.logBatch": endpoint<{ run_id: string; metrics?: MetricInput[]; params?: KeyValue[]; tags?: KeyValue[] }, typeof empty>(
    "POST", `${API}/runs/log-batch`, empty),
  "runs.logInputs": endpoint<{ run_id: string; datasets?: DatasetInput[]; models?: { model_id: string }[] }, typeof empty>(
    "POST", `${API}/runs/log-inputs`, empty),
  // MLflow 2's record of a model logged as run artifacts: the server appends `model_json` to the run's
  // mlflow.log-model.history tag (the fallback of logModel on a server without logged models).
  "runs.logModel": endpoint<{ run_id: string; model_json: string }, typeof empty>("POST", `${API}/runs/log-model`, empty, "not-idempotent"),
  "runs.logOutputs": endpoint<{ run_id: string; models: { model_id: string; step: number }[] }, typeof empty>(
    "POST", `${API}/runs/outputs`, empty),

  // Metrics
  "metrics.getHistory": endpoint<
    { run_id: string; metric_key: string; max_results: number; page_token?: string },
    z.ZodType<{ metrics: z.infer<typeof metricSchema>[]; next_page_token?: string | undefined }>
  >("GET", `${API}/metrics/get-history`, z.object({ metrics: z.array(metricSchema).default([]), next_page_token: pageToken })),
  "metrics.getHistoryBulkInterval": endpoint<
    { run_ids: string[]; metric_key: string; start_step?: number; end_step?: number; max_results: number },
    z.ZodType<{ metrics: z.infer<typeof metricWithRunIdSchema>[] }>
  >("GET", `${API}/metrics/get-history-bulk-interval`, z.object({ metrics: z.array(metricWithRunIdSchema).default([]) })),

  // Artifacts (tracking API listing)
  "artifacts.list": endpoint<
    { run_id: string; path?: string },
    z.ZodType<{ root_uri?: string | undefined; files: z.infer<typeof fileInfoSchema>[]; next_page_token?: string | undefined }>
  >("GET", `${API}/artifacts/list`, z.object({ root_uri: z.string().optional(), files: z.array(fileInfoSchema).default([]), next_page_token: pageToken })),

  // Registered models
  "registeredModels.create": endpoint<
    { name: string; tags?: KeyValue[]; description?: string },
    z.ZodObject<{ registered_model: typeof registeredModelSchema }>
  >("POST", `${API}/registered-models/create`, z.object({ registered_model: registeredModelSchema }), "recoverable"),
  "registeredModels.get": endpoint<{ name: string }, z.ZodObject<{ registered_model: typeof registeredModelSchema }>>(
    "GET", `${API}/registered-models/get`, z.object({ registered_model: registeredModelSchema })),
  "registeredModels.rename": endpoint<{ name: string; new_name: string }, z.ZodObject<{ registered_model: typeof registeredModelSchema }>>(
    "POST", `${API}/registered-models/rename`, z.object({ registered_model: registeredModelSchema }), "not-idempotent"),
  "registeredModels.update": endpoint<{ name: string; description?: string }, z.ZodObject<{ registered_model: typeof registeredModelSchema }>>(
    "PATCH", `${API}/registered-models/update`, z.object({ registered_model: registeredModelSchema })),
  "registeredModels.delete": endpoint<{ name: string }, typeof empty>("DELETE", `${API}/registered-models/delete`, empty),
  "registeredModels.search": endpoint<
    { filter?: string; max_results: number; order_by?: string[]; page_token?: string },
    z.ZodType<{ registered_models: z.infer<typeof registeredModelSchema>[]; next_page_token?: string | undefined }>
  >("GET", `${API}/registered-models/search`, z.object({ registered_models: z.array(registeredModelSchema).default([]), next_page_token: pageToken })),
  "registeredModels.getLatestVersions": endpoint<
    { name: string; stages?: string[] },
    z.ZodType<{ model_versions: z.infer<typeof modelVersionSchema>[] }>
  >("POST", `${API}/registered-models/get-latest-versions`, z.object({ model_versions: z.array(modelVersionSchema).default([]) })),
  "registeredModels.setTag": endpoint<{ name: string; key: string; value: string }, typeof empty>("POST", `${API}/registered-models/set-tag`, empty),
  "registeredModels.deleteTag": endpoint<{ name: string; key: string }, typeof empty>("DELETE", `${API}/registered-models/delete-tag`, empty),
  "registeredModels.setAlias": endpoint<{ name: string; alias: string; version: string }, typeof empty>("POST", `${API}/registered-models/alias`, empty),
  "registeredModels.deleteAlias": endpoint<{ name: string; alias: string }, typeof empty>("DELETE", `${API}/registered-models/alias`, empty),
  "registeredModels.getByAlias": endpoint<{ name: string; alias: string }, z.ZodObject<{ model_version: typeof modelVersionSchema }>>(
    "GET", `${API}/registered-models/alias`, z.object({ model_version: modelVersionSchema })),

  // Model versions
  "modelVersions.create": endpoint<
    { name: string; source: string; run_id?: string; tags?: KeyValue[]; run_link?: string; description?: string; model_id?: string },
    z.ZodObject<{ model_version: typeof modelVersionSchema }>
  >("POST", `${API}/model-versions/create`, z.object({ model_version: modelVersionSchema }), "not-idempotent"),
  "modelVersions.get": endpoint<{ name: string; version: string }, z.ZodObject<{ model_version: typeof modelVersionSchema }>>(
    "GET", `${API}/model-versions/get`, z.object({ model_version: modelVersionSchema })),
  "modelVersions.update": endpoint<{ name: string; version: string; description?: string }, z.ZodObject<{ model_version: typeof modelVersionSchema }>>(
    "PATCH", `${API}/model-versions/update`, z.object({ model_version: modelVersionSchema })),
  "modelVersions.delete": endpoint<{ name: string; version: string }, typeof empty>("DELETE", `${API}/model-versions/delete`, empty),
  "modelVersions.search": endpoint<
    { filter?: string; max_results: number; order_by?: string[]; page_token?: string },
    z.ZodType<{ model_versions: z.infer<typeof modelVersionSchema>[]; next_page_token?: string | undefined }>
  >("GET", `${API}/model-versions/search`, z.object({ model_versions: z.array(modelVersionSchema).default([]), next_page_token: pageToken })),
  "modelVersions.transitionStage": endpoint<
    { name: string; version: string; stage: string; archive_existing_versions: boolean },
    z.ZodObject<{ model_version: typeof modelVersionSchema }>
  >("POST", `${API}/model-versions/transition-stage`, z.object({ model_version: modelVersionSchema })),
  "modelVersions.getDownloadUri": endpoint<{ name: string; version: string }, z.ZodObject<{ artifact_uri: z.ZodString }>>(
    "GET", `${API}/model-versions/get-download-uri`, z.object({ artifact_uri: z.string() })),
  "modelVersions.setTag": endpoint<{ name: string; version: string; key: string; value: string }, typeof empty>("POST", `${API}/model-versions/set-tag`, empty),
  "modelVersions.deleteTag": endpoint<{ name: string; version: string; key: string }, typeof empty>("DELETE", `${API}/model-versions/delete-tag`, empty),

  // Logged models (MLflow 3)
  "loggedModels.create": endpoint<
    { experiment_id: string; name?: string; model_type?: string; source_run_id?: string; params?: KeyValue[]; tags?: KeyValue[] },
    z.ZodObject<{ model: typeof loggedModelSchema }>
  >("POST", `${API}/logged-models`, z.object({ model: loggedModelSchema }), "not-idempotent"),
  "loggedModels.get": endpoint<{ model_id: string }, z.ZodObject<{ model: typeof loggedModelSchema }>>(
    "GET", `${API}/logged-models/{model_id}`, z.object({ model: loggedModelSchema })),
  "loggedModels.finalize": endpoint<{ model_id: string; status: string }, z.ZodObject<{ model: typeof loggedModelSchema }>>(
    "PATCH", `${API}/logged-models/{model_id}`, z.object({ model: loggedModelSchema })),
  "loggedModels.delete": endpoint<{ model_id: string }, typeof empty>("DELETE", `${API}/logged-models/{model_id}`, empty),
  "loggedModels.search": endpoint<
    SearchLoggedModelsRequest,
    z.ZodType<{ models: z.infer<typeof loggedModelSchema>[]; next_page_token?: string | undefined }>
  >("POST", `${API}/logged-models/search`, z.object({ models: z.array(loggedModelSchema).default([]), next_page_token: pageToken })),
  "loggedModels.setTags": endpoint<{ model_id: string; tags: KeyValue[] }, typeof empty>("PATCH", `${API}/logged-models/{model_id}/tags`, empty),
  "loggedModels.deleteTag": endpoint<{ model_id: string; tag_key: string }, typeof empty>("DELETE", `${API}/logged-models/{model_id}/tags/{tag_key}`, empty),
  "loggedModels.logParams": endpoint<{ model_id: string; params: KeyValue[] }, typeof empty>("POST", `${API}/logged-models/{model_id}/params`, empty),
  "loggedModels.listArtifacts": endpoint<
    { model_id: string; artifact_directory_path?: string; page_token?: string },
    z.ZodType<{ root_uri?: string | undefined; files: z.infer<typeof fileInfoSchema>[]; next_page_token?: string | undefined }>
  >("GET", `${API}/logged-models/{model_id}/artifacts/directories`, z.object({ root_uri: z.string().optional(), files: z.array(fileInfoSchema).default([]), next_page_token: pageToken })),

  // Webhooks (model registry events, MLflow 3.3+)
  "webhooks.create": endpoint<
    { name: string; url: string; events: WebhookEvent[]; description?: string; secret?: string; status?: WebhookStatus },
    z.ZodObject<{ webhook: typeof webhookSchema }>
  >("POST", `${API}/webhooks`, z.object({ webhook: webhookSchema }), "not-idempotent"),
  "webhooks.list": endpoint<{ max_results: number; page_token?: string }, z.ZodType<{ webhooks: z.infer<typeof webhookSchema>[]; next_page_token?: string | undefined }>>(
    "GET", `${API}/webhooks`, z.object({ webhooks: z.array(webhookSchema).default([]), next_page_token: pageToken })),
  "webhooks.get": endpoint<{ webhook_id: string }, z.ZodObject<{ webhook: typeof webhookSchema }>>("GET", `${API}/webhooks/{webhook_id}`, z.object({ webhook: webhookSchema })),
  "webhooks.update": endpoint<
    { webhook_id: string; name?: string; url?: string; events?: WebhookEvent[]; description?: string; secret?: string; status?: WebhookStatus },
    z.ZodObject<{ webhook: typeof webhookSchema }>
  >("PATCH", `${API}/webhooks/{webhook_id}`, z.object({ webhook: webhookSchema })),
  "webhooks.delete": endpoint<{ webhook_id: string }, typeof empty>("DELETE", `${API}/webhooks/{webhook_id}`, empty),
  // A repeated test only sends the receiver one more test event.
  "webhooks.test": endpoint<{ webhook_id: string; event?: WebhookEvent }, z.ZodObject<{ result: typeof webhookTestResultSchema }>>(
    "POST", `${API}/webhooks/{webhook_id}/test`, z.object({ result: webhookTestResultSchema })),

  // Workspaces (MLflow 3.10+, a server started with `--enable-workspaces`). The workspace is named
  // in the path, so these requests carry no workspace header (core/workspace.ts).
  "workspaces.list": endpoint<Record<string, never>, z.ZodType<{ workspaces: z.infer<typeof workspaceSchema>[] }>>(
    "GET", `${API3}/workspaces`, z.object({ workspaces: z.array(workspaceSchema).default([]) })),
  "workspaces.create": endpoint<
    { name: string; description?: string; default_artifact_root?: string },
    z.ZodObject<{ workspace: typeof workspaceSchema }>
  >("POST", `${API3}/workspaces`, z.object({ workspace: workspaceSchema }), "not-idempotent"),
  "workspaces.get": endpoint<{ workspace_name: string }, z.ZodObject<{ workspace: typeof workspaceSchema }>>(
    "GET", `${API3}/workspaces/{workspace_name}`, z.object({ workspace: workspaceSchema })),
  "workspaces.update": endpoint<
    { workspace_name: string; description?: string; default_artifact_root?: string },
    z.ZodObject<{ workspace: typeof workspaceSchema }>
  >("PATCH", `${API3}/workspaces/{workspace_name}`, z.object({ workspace: workspaceSchema })),
  "workspaces.delete": {
    ...endpoint<{ workspace_name: string; mode?: WorkspaceDeletionMode }, typeof empty>("DELETE", `${API3}/workspaces/{workspace_name}`, empty, "not-idempotent"),
    query: ["mode"],
  },

  // The basic-auth app (`--app-name basic-auth`): users, and permissions on experiments and
  // registered models. MLflow 3.13+ grants per user through roles (`users/permissions/*`, API 3.0);
  // older servers keep one row per user and resource (`experiments/permissions/*`).
  "auth.users.create": endpoint<{ username: string; password: string }, z.ZodObject<{ user: typeof authUserSchema }>>(
    "POST", `${API}/users/create`, z.object({ user: authUserSchema }), "not-idempotent"),
  "auth.users.get": endpoint<{ username: string }, z.ZodObject<{ user: typeof authUserSchema }>>("GET", `${API}/users/get`, z.object({ user: authUserSchema })),
  "auth.users.updatePassword": endpoint<{ username: string; password: string; current_password?: string }, typeof empty>(
    "PATCH", `${API}/users/update-password`, empty),
  "auth.users.updateAdmin": endpoint<{ username: string; is_admin: boolean }, typeof empty>("PATCH", `${API}/users/update-admin`, empty),
  "auth.users.delete": endpoint<{ username: string }, typeof empty>("DELETE", `${API}/users/delete`, empty, "not-idempotent"),
  "auth.permissions.grant": endpoint<{ username: string; resource_type: AuthResourceType; resource_id: string; permission: GrantablePermission }, typeof empty>(
    "POST", `${API3}/users/permissions/grant`, empty, "not-idempotent"),
  "auth.permissions.revoke": endpoint<{ username: string; resource_type: AuthResourceType; resource_id: string }, typeof empty>(
    "POST", `${API3}/users/permissions/revoke`, empty, "not-idempotent"),
  "auth.permissions.get": endpoint<{ username: string; resource_type: AuthResourceType; resource_id: string }, typeof userPermissionResultSchema>(
    "GET", `${API3}/users/permissions/get`, userPermissionResultSchema),
  "auth.permissions.list": endpoint<{ username: string }, z.ZodType<{ is_admin: boolean; permissions: z.infer<typeof userPermissionRowSchema>[] }>>(
    "GET", `${API3}/users/permissions/list`, z.object({ is_admin: z.boolean(), permissions: z.array(userPermissionRowSchema).default([]) })),
  "auth.experimentPermissions.create": endpoint<
    { experiment_id: string; username: string; permission: AuthPermission },
    z.ZodObject<{ experiment_permission: typeof legacyExperimentPermissionSchema }>
  >("POST", `${API}/experiments/permissions/create`, z.object({ experiment_permission: legacyExperimentPermissionSchema }), "not-idempotent"),
  "auth.experimentPermissions.get": endpoint<{ experiment_id: string; username: string }, z.ZodObject<{ experiment_permission: typeof legacyExperimentPermissionSchema }>>(
    "GET", `${API}/experiments/permissions/get`, z.object({ experiment_permission: legacyExperimentPermissionSchema })),
  "auth.experimentPermissions.update": endpoint<{ experiment_id: string; username: string; permission: AuthPermission }, typeof empty>(
    "PATCH", `${API}/experiments/permissions/update`, empty),
  "auth.experimentPermissions.delete": endpoint<{ experiment_id: string; username: string }, typeof empty>(
    "DELETE", `${API}/experiments/permissions/delete`, empty, "not-idempotent"),
  "auth.registeredModelPermissions.create": endpoint<
    { name: string; username: string; permission: AuthPermission },
    z.ZodObject<{ registered_model_permission: typeof legacyRegisteredModelPermissionSchema }>
  >("POST", `${API}/registered-models/permissions/create`, z.object({ registered_model_permission: legacyRegisteredModelPermissionSchema }), "not-idempotent"),
  "auth.registeredModelPermissions.get": endpoint<
    { name: string; username: string },
    z.ZodObject<{ registered_model_permission: typeof legacyRegisteredModelPermissionSchema }>
  >("GET", `${API}/registered-models/permissions/get`, z.object({ registered_model_permission: legacyRegisteredModelPermissionSchema })),
  "auth.registeredModelPermissions.update": endpoint<{ name: string; username: string; permission: AuthPermission }, typeof empty>(
    "PATCH", `${API}/registered-models/permissions/update`, empty),
  "auth.registeredModelPermissions.delete": endpoint<{ name: string; username: string }, typeof empty>(
    "DELETE", `${API}/registered-models/permissions/delete`, empty, "not-idempotent"),
} as const;

/** Name of an endpoint in {@link ENDPOINTS}, e.g. `"runs.logBatch"`. */
export type EndpointName = keyof typeof ENDPOINTS;
/** Request body or query of an endpoint, with MLflow's wire names. */
export type EndpointRequest<N extends EndpointName> = NonNullable<(typeof ENDPOINTS)[N]["request"]>;
/** Parsed response of an endpoint. */
export type EndpointResponse<N extends EndpointName> = z.output<(typeof ENDPOINTS)[N]["response"]>;
