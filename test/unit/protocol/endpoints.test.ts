/**
 * Every endpoint of the table, through its resource method: HTTP method, path, query (GET, arrays
 * as repeated keys) or JSON body, and the parsed, typed response. The pinned MLflow 3.17.2 protos
 * are the reference for paths and field names.
 */
import { HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { ENDPOINTS, type EndpointName } from "../../../src/advanced.js";
import type { MlflowClient } from "../../../src/index.js";
import {
  API,
  BASE,
  experimentJson,
  loggedModelJson,
  modelVersionJson,
  type RecordedRequest,
  RUN_ID,
  record,
  registeredModelJson,
  runJson,
  testClient,
  useMockServer,
} from "../helpers/mock-server.js";

const server = useMockServer();
const MODEL_ID = "m-0123456789abcdef0123456789abcdef";
const WEBHOOK_ID = "wh-0123456789abcdef";
const WEBHOOK_JSON = {
  webhook_id: WEBHOOK_ID,
  name: "deploy",
  url: "https://ci.example.com/hook",
  events: [{ entity: "MODEL_VERSION", action: "CREATED" }],
  status: "ACTIVE",
  creation_timestamp: 1_700_000_000_000,
  last_updated_timestamp: 1_700_000_000_000,
};

interface Case {
  name: EndpointName;
  method: "GET" | "POST" | "PATCH" | "DELETE";
  path: string;
  call: (client: MlflowClient) => Promise<unknown>;
  /** GET: every query key with all its values, in order. */
  query?: Record<string, string[]>;
  /** Non-GET: the exact JSON body. */
  body?: unknown;
  reply?: unknown;
  check?: (result: unknown) => void;
  /** The API version of the path: `2.0` unless given (MLflow 3.17's per-user grants are `3.0`). */
  api?: "3.0";
  /** Handlers the call meets first (the per-resource permission endpoints are reached after a missing 3.0 route). */
  before?: () => void;
}

const CASES: Case[] = [
  // Experiments
  {
    name: "experiments.create",
    method: "POST",
    path: "/experiments/create",
    call: (c) => c.experiments.create({ name: "mnist", artifact_location: "s3://b/p", tags: { team: "vision" } }),
    body: { name: "mnist", artifact_location: "s3://b/p", tags: [{ key: "team", value: "vision" }] },
    reply: { experiment_id: "12" },
    check: (id) => expect(id).toBe("12"),
  },
  {
    name: "experiments.get",
    method: "GET",
    path: "/experiments/get",
    call: (c) => c.experiments.get("1"),
    query: { experiment_id: ["1"] },
    reply: { experiment: experimentJson() },
    check: (e) => expect(e).toEqual({ ...experimentJson(), tags: [] }),
  },
  {
    name: "experiments.getByName",
    method: "GET",
    path: "/experiments/get-by-name",
    call: (c) => c.experiments.getByName("mnist"),
    query: { experiment_name: ["mnist"] },
    reply: { experiment: { ...experimentJson(), tags: [{ key: "team", value: "vision" }] } },
    check: (e) => expect(e).toMatchObject({ experiment_id: "1", tags: [{ key: "team", value: "vision" }] }),
  },
  {
    name: "experiments.search",
    method: "POST",
    path: "/experiments/search",
    call: async (c) => c.experiments.search({ filter: "name LIKE 'm%'", order_by: ["name ASC", "creation_time DESC"], view_type: "ALL" }).firstPage(),
    body: { filter: "name LIKE 'm%'", order_by: ["name ASC", "creation_time DESC"], view_type: "ALL", max_results: 1000 },
    reply: { experiments: [experimentJson()], next_page_token: "tok" },
    check: (page) => expect(page).toMatchObject({ items: [{ experiment_id: "1" }], nextPageToken: "tok" }),
  },
  {
    name: "experiments.update",
    method: "POST",
    path: "/experiments/update",
    call: (c) => c.experiments.update("1", { new_name: "mnist-2" }),
    body: { experiment_id: "1", new_name: "mnist-2" },
  },
  { name: "experiments.delete", method: "POST", path: "/experiments/delete", call: (c) => c.experiments.delete("1"), body: { experiment_id: "1" } },
  { name: "experiments.restore", method: "POST", path: "/experiments/restore", call: (c) => c.experiments.restore("1"), body: { experiment_id: "1" } },
  {
    name: "experiments.setTag",
    method: "POST",
    path: "/experiments/set-experiment-tag",
    call: (c) => c.experiments.setTag("1", "team", "vision"),
    body: { experiment_id: "1", key: "team", value: "vision" },
  },
  {
    name: "experiments.deleteTag",
    method: "POST",
    path: "/experiments/delete-experiment-tag",
    call: (c) => c.experiments.deleteTag("1", "team"),
    body: { experiment_id: "1", key: "team" },
  },

  // Runs
  {
    name: "runs.get",
    method: "GET",
    path: "/runs/get",
    call: (c) => c.runs.get(RUN_ID),
    query: { run_id: [RUN_ID] },
    reply: { run: runJson() },
    check: (run) =>
      expect(run).toMatchObject({
        info: { run_id: RUN_ID, start_time: 1_700_000_000_000, status: "RUNNING" },
        data: { metrics: [], params: [], tags: [{ key: "mlflow.runName", value: "bright-owl-42" }] },
        inputs: { dataset_inputs: [], model_inputs: [] },
        outputs: { model_outputs: [] },
      }),
  },
  {
    name: "runs.update",
    method: "POST",
    path: "/runs/update",
    call: (c) => c.runs.update(RUN_ID, { status: "FINISHED", end_time: 1_700_000_000_500, run_name: "final" }),
    body: { run_id: RUN_ID, status: "FINISHED", end_time: 1_700_000_000_500, run_name: "final" },
    reply: { run_info: { ...(runJson().info as object), status: "FINISHED", end_time: "1700000000500" } },
    check: (info) => expect(info).toMatchObject({ status: "FINISHED", end_time: 1_700_000_000_500 }),
  },
  { name: "runs.delete", method: "POST", path: "/runs/delete", call: (c) => c.runs.delete(RUN_ID), body: { run_id: RUN_ID } },
  { name: "runs.restore", method: "POST", path: "/runs/restore", call: (c) => c.runs.restore(RUN_ID), body: { run_id: RUN_ID } },
  {
    name: "runs.search",
    method: "POST",
    path: "/runs/search",
    call: async (c) =>
      c.runs.search({ experiment_ids: ["1", "2"], filter: "metrics.acc > 0.9", run_view_type: "ACTIVE_ONLY", order_by: ["metrics.acc DESC"] }).firstPage(),
    body: { experiment_ids: ["1", "2"], filter: "metrics.acc > 0.9", run_view_type: "ACTIVE_ONLY", order_by: ["metrics.acc DESC"], max_results: 1000 },
    reply: { runs: [runJson()] },
    check: (page) => expect(page).toMatchObject({ items: [{ info: { run_id: RUN_ID } }], nextPageToken: undefined }),
  },
  {
    name: "runs.logMetric",
    method: "POST",
    path: "/runs/log-metric",
    call: (c) => c.runs.logMetric(RUN_ID, "loss", 0.25, { step: 3, timestamp: 1_700_000_000_000 }),
    body: { run_id: RUN_ID, key: "loss", value: 0.25, timestamp: 1_700_000_000_000, step: 3 },
  },
  {
    name: "runs.logParam",
    method: "POST",
    path: "/runs/log-parameter",
    call: (c) => c.runs.logParam(RUN_ID, "lr", 0.001),
    body: { run_id: RUN_ID, key: "lr", value: "0.001" },
  },
  {
    name: "runs.setTag",
    method: "POST",
    path: "/runs/set-tag",
    call: (c) => c.runs.setTag(RUN_ID, "team", "vision"),
    body: { run_id: RUN_ID, key: "team", value: "vision" },
  },
  { name: "runs.deleteTag", method: "POST", path: "/runs/delete-tag", call: (c) => c.runs.deleteTag(RUN_ID, "team"), body: { run_id: RUN_ID, key: "team" } },
  {
    name: "runs.logBatch",
    method: "POST",
    path: "/runs/log-batch",
    call: (c) =>
      c.runs.logBatch(RUN_ID, { metrics: [{ key: "loss", value: 1, timestamp: 5, step: 0 }], params: { lr: 0.1 }, tags: [{ key: "t", value: "v" }] }),
    body: {
      run_id: RUN_ID,
      metrics: [{ key: "loss", value: 1, timestamp: 5, step: 0 }],
      params: [{ key: "lr", value: "0.1" }],
      tags: [{ key: "t", value: "v" }],
    },
  },
  {
    name: "runs.logInputs",
    method: "POST",
    path: "/runs/log-inputs",
    call: (c) =>
      c.runs.logInputs(RUN_ID, {
        datasets: [{ tags: [{ key: "mlflow.data.context", value: "train" }], dataset: { name: "mnist", digest: "abc", source_type: "local", source: "{}" } }],
        models: [{ model_id: MODEL_ID }],
      }),
    body: {
      run_id: RUN_ID,
      datasets: [{ tags: [{ key: "mlflow.data.context", value: "train" }], dataset: { name: "mnist", digest: "abc", source_type: "local", source: "{}" } }],
      models: [{ model_id: MODEL_ID }],
    },
  },
  {
    name: "runs.logModel",
    method: "POST",
    path: "/runs/log-model",
    call: (c) => c.runs.logModel(RUN_ID, { artifact_path: "model", flavors: {} }),
    body: { run_id: RUN_ID, model_json: '{"artifact_path": "model", "flavors": {}}' },
  },
  {
    name: "runs.logOutputs",
    method: "POST",
    path: "/runs/outputs",
    call: (c) => c.runs.logOutputs(RUN_ID, [{ model_id: MODEL_ID, step: 2 }]),
    body: { run_id: RUN_ID, models: [{ model_id: MODEL_ID, step: 2 }] },
  },

  // Metrics
  {
    name: "metrics.getHistory",
    method: "GET",
    path: "/metrics/get-history",
    call: async (c) => c.metrics.getHistory(RUN_ID, "loss").firstPage(),
    query: { run_id: [RUN_ID], metric_key: ["loss"], max_results: ["25000"] },
    reply: {
      metrics: [
        { key: "loss", value: "NaN", timestamp: 1, step: 0 },
        { key: "loss", value: "Infinity", timestamp: "2", step: "1" },
        { key: "loss", value: "-Infinity", timestamp: 3 },
        { key: "loss", value: 0.5, timestamp: 4, step: 3 },
      ],
    },
    check: (page) =>
      expect((page as { items: unknown[] }).items).toEqual([
        { key: "loss", value: Number.NaN, timestamp: 1, step: 0 },
        { key: "loss", value: Number.POSITIVE_INFINITY, timestamp: 2, step: 1 },
        { key: "loss", value: Number.NEGATIVE_INFINITY, timestamp: 3, step: 0 },
        { key: "loss", value: 0.5, timestamp: 4, step: 3 },
      ]),
  },
  {
    name: "metrics.getHistoryBulkInterval",
    method: "GET",
    path: "/metrics/get-history-bulk-interval",
    call: (c) => c.metrics.getHistoryBulkInterval({ run_ids: [RUN_ID, "fedcba9876543210fedcba9876543210"], metric_key: "loss", start_step: 0, end_step: 10 }),
    query: { run_ids: [RUN_ID, "fedcba9876543210fedcba9876543210"], metric_key: ["loss"], start_step: ["0"], end_step: ["10"], max_results: ["2500"] },
    reply: { metrics: [{ key: "loss", value: 1.5, timestamp: 1, step: 0, run_id: RUN_ID }] },
    check: (metrics) => expect(metrics).toEqual([{ key: "loss", value: 1.5, timestamp: 1, step: 0, run_id: RUN_ID }]),
  },

  // Artifact listing through the tracking API (client.artifacts.list reads the artifact store itself)
  {
    name: "artifacts.list",
    method: "GET",
    path: "/artifacts/list",
    call: async (c) => (await c.store.call("artifacts.list", { run_id: RUN_ID, path: "model" })).files,
    query: { run_id: [RUN_ID], path: ["model"] },
    reply: {
      root_uri: "s3://mlflow/1/x/artifacts",
      files: [
        { path: "model/MLmodel", is_dir: false, file_size: "120" },
        { path: "model/data", is_dir: true },
      ],
    },
    check: (files) =>
      expect(files).toEqual([
        { path: "model/MLmodel", is_dir: false, file_size: 120 },
        { path: "model/data", is_dir: true },
      ]),
  },

  // Registered models
  {
    name: "registeredModels.create",
    method: "POST",
    path: "/registered-models/create",
    call: (c) => c.registeredModels.create({ name: "fraud", tags: { team: "risk" }, description: "d" }),
    body: { name: "fraud", tags: [{ key: "team", value: "risk" }], description: "d" },
    reply: { registered_model: registeredModelJson() },
    check: (m) => expect(m).toMatchObject({ name: "fraud", latest_versions: [], tags: [], aliases: [{ alias: "champion", version: "3" }] }),
  },
  {
    name: "registeredModels.get",
    method: "GET",
    path: "/registered-models/get",
    call: (c) => c.registeredModels.get("fraud"),
    query: { name: ["fraud"] },
    reply: { registered_model: { ...registeredModelJson(), latest_versions: [modelVersionJson()] } },
    check: (m) => expect(m).toMatchObject({ latest_versions: [{ version: "3", last_updated_timestamp: 1_700_000_000_005 }] }),
  },
  {
    name: "registeredModels.rename",
    method: "POST",
    path: "/registered-models/rename",
    call: (c) => c.registeredModels.rename("fraud", "fraud-2"),
    body: { name: "fraud", new_name: "fraud-2" },
    reply: { registered_model: registeredModelJson("fraud-2") },
    check: (m) => expect(m).toMatchObject({ name: "fraud-2" }),
  },
  {
    name: "registeredModels.update",
    method: "PATCH",
    path: "/registered-models/update",
    call: (c) => c.registeredModels.update("fraud", { description: "new" }),
    body: { name: "fraud", description: "new" },
    reply: { registered_model: { ...registeredModelJson(), description: "new" } },
    check: (m) => expect(m).toMatchObject({ description: "new" }),
  },
  {
    name: "registeredModels.delete",
    method: "DELETE",
    path: "/registered-models/delete",
    call: (c) => c.registeredModels.delete("fraud"),
    body: { name: "fraud" },
  },
  {
    name: "registeredModels.search",
    method: "GET",
    path: "/registered-models/search",
    call: async (c) =>
      c.registeredModels.search({ filter: "name LIKE 'f%'", order_by: ["name ASC", "last_updated_timestamp DESC"], page_token: "p1" }).firstPage(),
    query: { filter: ["name LIKE 'f%'"], order_by: ["name ASC", "last_updated_timestamp DESC"], max_results: ["100"], page_token: ["p1"] },
    reply: { registered_models: [registeredModelJson()], next_page_token: "p2" },
    check: (page) => expect(page).toMatchObject({ items: [{ name: "fraud" }], nextPageToken: "p2" }),
  },
  {
    name: "registeredModels.getLatestVersions",
    method: "POST",
    path: "/registered-models/get-latest-versions",
    call: (c) => c.registeredModels.getLatestVersions("fraud", ["Production", "Staging"]),
    body: { name: "fraud", stages: ["Production", "Staging"] },
    reply: { model_versions: [modelVersionJson()] },
    check: (versions) => expect(versions).toMatchObject([{ name: "fraud", version: "3", tags: [], aliases: [] }]),
  },
  {
    name: "registeredModels.setTag",
    method: "POST",
    path: "/registered-models/set-tag",
    call: (c) => c.registeredModels.setTag("fraud", "team", "risk"),
    body: { name: "fraud", key: "team", value: "risk" },
  },
  {
    name: "registeredModels.deleteTag",
    method: "DELETE",
    path: "/registered-models/delete-tag",
    call: (c) => c.registeredModels.deleteTag("fraud", "team"),
    body: { name: "fraud", key: "team" },
  },
  {
    name: "registeredModels.setAlias",
    method: "POST",
    path: "/registered-models/alias",
    call: (c) => c.registeredModels.setAlias("fraud", "champion", 3),
    body: { name: "fraud", alias: "champion", version: "3" },
  },
  {
    name: "registeredModels.deleteAlias",
    method: "DELETE",
    path: "/registered-models/alias",
    call: (c) => c.registeredModels.deleteAlias("fraud", "champion"),
    body: { name: "fraud", alias: "champion" },
  },
  {
    name: "registeredModels.getByAlias",
    method: "GET",
    path: "/registered-models/alias",
    call: (c) => c.registeredModels.getByAlias("fraud", "champion"),
    query: { name: ["fraud"], alias: ["champion"] },
    reply: { model_version: { ...modelVersionJson(), aliases: ["champion"] } },
    check: (mv) => expect(mv).toMatchObject({ version: "3", aliases: ["champion"] }),
  },

  // Model versions
  {
    name: "modelVersions.create",
    method: "POST",
    path: "/model-versions/create",
    call: (c) =>
      c.modelVersions.create({
        name: "fraud",
        source: `runs:/${RUN_ID}/model`,
        run_id: RUN_ID,
        tags: { a: "b" },
        run_link: "l",
        description: "d",
        model_id: MODEL_ID,
      }),
    body: {
      name: "fraud",
      source: `runs:/${RUN_ID}/model`,
      run_id: RUN_ID,
      tags: [{ key: "a", value: "b" }],
      run_link: "l",
      description: "d",
      model_id: MODEL_ID,
    },
    reply: { model_version: { ...modelVersionJson(), status: "PENDING_REGISTRATION" } },
    check: (mv) => expect(mv).toMatchObject({ version: "3", status: "PENDING_REGISTRATION", creation_timestamp: 1_700_000_000_000 }),
  },
  {
    name: "modelVersions.get",
    method: "GET",
    path: "/model-versions/get",
    call: (c) => c.modelVersions.get("fraud", 3),
    query: { name: ["fraud"], version: ["3"] },
    reply: { model_version: modelVersionJson() },
    check: (mv) => expect(mv).toMatchObject({ version: "3", model_params: [], model_metrics: [] }),
  },
  {
    name: "modelVersions.update",
    method: "PATCH",
    path: "/model-versions/update",
    call: (c) => c.modelVersions.update("fraud", "3", { description: "better" }),
    body: { name: "fraud", version: "3", description: "better" },
    reply: { model_version: { ...modelVersionJson(), description: "better" } },
    check: (mv) => expect(mv).toMatchObject({ description: "better" }),
  },
  {
    name: "modelVersions.delete",
    method: "DELETE",
    path: "/model-versions/delete",
    call: (c) => c.modelVersions.delete("fraud", 3),
    body: { name: "fraud", version: "3" },
  },
  {
    name: "modelVersions.search",
    method: "GET",
    path: "/model-versions/search",
    call: async (c) => c.modelVersions.search({ filter: "name='fraud'", order_by: ["version_number DESC"] }).firstPage(),
    query: { filter: ["name='fraud'"], order_by: ["version_number DESC"], max_results: ["1000"] },
    reply: { model_versions: [modelVersionJson()] },
    check: (page) => expect(page).toMatchObject({ items: [{ version: "3" }], nextPageToken: undefined }),
  },
  {
    name: "modelVersions.transitionStage",
    method: "POST",
    path: "/model-versions/transition-stage",
    call: (c) => c.modelVersions.transitionStage("fraud", 3, "Production", { archiveExistingVersions: true }),
    body: { name: "fraud", version: "3", stage: "Production", archive_existing_versions: true },
    reply: { model_version: { ...modelVersionJson(), current_stage: "Production" } },
    check: (mv) => expect(mv).toMatchObject({ current_stage: "Production" }),
  },
  {
    name: "modelVersions.getDownloadUri",
    method: "GET",
    path: "/model-versions/get-download-uri",
    call: (c) => c.modelVersions.getDownloadUri("fraud", 3),
    query: { name: ["fraud"], version: ["3"] },
    reply: { artifact_uri: "s3://mlflow/1/x/artifacts/model" },
    check: (uri) => expect(uri).toBe("s3://mlflow/1/x/artifacts/model"),
  },
  {
    name: "modelVersions.setTag",
    method: "POST",
    path: "/model-versions/set-tag",
    call: (c) => c.modelVersions.setTag("fraud", 3, "validated", "yes"),
    body: { name: "fraud", version: "3", key: "validated", value: "yes" },
  },
  {
    name: "modelVersions.deleteTag",
    method: "DELETE",
    path: "/model-versions/delete-tag",
    call: (c) => c.modelVersions.deleteTag("fraud", "3", "validated"),
    body: { name: "fraud", version: "3", key: "validated" },
  },

  // Logged models
  {
    name: "loggedModels.create",
    method: "POST",
    path: "/logged-models",
    call: (c) =>
      c.loggedModels.create({ experiment_id: "1", name: "classifier", model_type: "sklearn", source_run_id: RUN_ID, params: { lr: 0.1 }, tags: { t: "v" } }),
    body: {
      experiment_id: "1",
      name: "classifier",
      model_type: "sklearn",
      source_run_id: RUN_ID,
      params: [{ key: "lr", value: "0.1" }],
      tags: [{ key: "t", value: "v" }],
    },
    reply: { model: loggedModelJson() },
    check: (m) =>
      expect(m).toMatchObject({
        info: { model_id: MODEL_ID, creator_id: 7, last_updated_timestamp_ms: 1_700_000_000_001, tags: [], registrations: [] },
        data: { params: [{ key: "lr", value: "0.1" }], metrics: [{ key: "acc", value: Number.NaN, step: 1 }] },
      }),
  },
  {
    name: "loggedModels.get",
    method: "GET",
    path: `/logged-models/${MODEL_ID}`,
    call: (c) => c.loggedModels.get(MODEL_ID),
    query: {},
    reply: { model: loggedModelJson() },
    check: (m) => expect(m).toMatchObject({ info: { model_id: MODEL_ID } }),
  },
  {
    name: "loggedModels.finalize",
    method: "PATCH",
    path: `/logged-models/${MODEL_ID}`,
    call: (c) => c.loggedModels.finalize(MODEL_ID, "LOGGED_MODEL_READY"),
    body: { model_id: MODEL_ID, status: "LOGGED_MODEL_READY" },
    reply: { model: { ...loggedModelJson(), info: { ...(loggedModelJson().info as object), status: "LOGGED_MODEL_READY" } } },
    check: (m) => expect(m).toMatchObject({ info: { status: "LOGGED_MODEL_READY" } }),
  },
  {
    name: "loggedModels.delete",
    method: "DELETE",
    path: `/logged-models/${MODEL_ID}`,
    call: (c) => c.loggedModels.delete(MODEL_ID),
    body: { model_id: MODEL_ID },
  },
  {
    name: "loggedModels.search",
    method: "POST",
    path: "/logged-models/search",
    call: async (c) =>
      c.loggedModels
        .search({
          experiment_ids: ["1"],
          filter: "metrics.acc > 0.9",
          datasets: [{ dataset_name: "mnist" }],
          order_by: [{ field_name: "metrics.acc", ascending: false, dataset_name: "mnist" }],
        })
        .firstPage(),
    body: {
      experiment_ids: ["1"],
      filter: "metrics.acc > 0.9",
      datasets: [{ dataset_name: "mnist" }],
      order_by: [{ field_name: "metrics.acc", ascending: false, dataset_name: "mnist" }],
      max_results: 50,
    },
    reply: { models: [loggedModelJson()], next_page_token: "n" },
    check: (page) => expect(page).toMatchObject({ items: [{ info: { model_id: MODEL_ID } }], nextPageToken: "n" }),
  },
  {
    name: "loggedModels.setTags",
    method: "PATCH",
    path: `/logged-models/${MODEL_ID}/tags`,
    call: (c) => c.loggedModels.setTags(MODEL_ID, { stage: "eval" }),
    body: { model_id: MODEL_ID, tags: [{ key: "stage", value: "eval" }] },
  },
  {
    name: "loggedModels.deleteTag",
    method: "DELETE",
    path: `/logged-models/${MODEL_ID}/tags/my%20tag`,
    call: (c) => c.loggedModels.deleteTag(MODEL_ID, "my tag"),
    body: { model_id: MODEL_ID, tag_key: "my tag" },
  },
  {
    name: "loggedModels.logParams",
    method: "POST",
    path: `/logged-models/${MODEL_ID}/params`,
    call: (c) => c.loggedModels.logParams(MODEL_ID, { lr: 0.1, layers: 3 }),
    body: {
      model_id: MODEL_ID,
      params: [
        { key: "lr", value: "0.1" },
        { key: "layers", value: "3" },
      ],
    },
  },
  {
    name: "loggedModels.listArtifacts",
    method: "GET",
    path: `/logged-models/${MODEL_ID}/artifacts/directories`,
    call: (c) => c.loggedModels.listArtifacts(MODEL_ID, "model"),
    query: { artifact_directory_path: ["model"] },
    reply: { root_uri: "s3://x", files: [{ path: "model/a.bin", is_dir: false, file_size: 3 }] },
    check: (files) => expect(files).toEqual([{ path: "model/a.bin", is_dir: false, file_size: 3 }]),
  },

  // Webhooks
  {
    name: "webhooks.create",
    method: "POST",
    path: "/webhooks",
    call: (c) =>
      c.webhooks.create({
        name: "deploy",
        url: "https://ci.example.com/hook",
        events: [{ entity: "MODEL_VERSION", action: "CREATED" }],
        secret: "hook-secret",
      }),
    body: { name: "deploy", url: "https://ci.example.com/hook", events: [{ entity: "MODEL_VERSION", action: "CREATED" }], secret: "hook-secret" },
    reply: { webhook: WEBHOOK_JSON },
    check: (w) => expect(w).toEqual(WEBHOOK_JSON),
  },
  {
    name: "webhooks.list",
    method: "GET",
    path: "/webhooks",
    call: async (c) => c.webhooks.list().firstPage(),
    query: { max_results: ["100"] },
    reply: { webhooks: [WEBHOOK_JSON] },
    check: (page) => expect(page).toEqual({ items: [WEBHOOK_JSON], nextPageToken: undefined }),
  },
  {
    name: "webhooks.get",
    method: "GET",
    path: `/webhooks/${WEBHOOK_ID}`,
    call: (c) => c.webhooks.get(WEBHOOK_ID),
    query: {},
    reply: { webhook: WEBHOOK_JSON },
    check: (w) => expect(w).toEqual(WEBHOOK_JSON),
  },
  {
    name: "webhooks.update",
    method: "PATCH",
    path: `/webhooks/${WEBHOOK_ID}`,
    call: (c) => c.webhooks.update(WEBHOOK_ID, { status: "DISABLED" }),
    body: { webhook_id: WEBHOOK_ID, status: "DISABLED" },
    reply: { webhook: { ...WEBHOOK_JSON, status: "DISABLED" } },
    check: (w) => expect(w).toMatchObject({ status: "DISABLED" }),
  },
  { name: "webhooks.delete", method: "DELETE", path: `/webhooks/${WEBHOOK_ID}`, call: (c) => c.webhooks.delete(WEBHOOK_ID), body: { webhook_id: WEBHOOK_ID } },
  {
    name: "webhooks.test",
    method: "POST",
    path: `/webhooks/${WEBHOOK_ID}/test`,
    call: (c) => c.webhooks.test(WEBHOOK_ID, { entity: "MODEL_VERSION_ALIAS", action: "CREATED" }),
    body: { webhook_id: WEBHOOK_ID, event: { entity: "MODEL_VERSION_ALIAS", action: "CREATED" } },
    reply: { result: { success: true, response_status: 200, response_body: "ok" } },
    check: (r) => expect(r).toEqual({ success: true, response_status: 200, response_body: "ok" }),
  },
  // Workspaces (MLflow 3.10+)
  {
    name: "workspaces.list",
    method: "GET",
    api: "3.0",
    path: "/workspaces",
    call: (c) => c.workspaces.list(),
    reply: { workspaces: [{ name: "default" }, { name: "team-a", description: "vision" }] },
    check: (list) => expect(list).toEqual([{ name: "default" }, { name: "team-a", description: "vision" }]),
  },
  {
    name: "workspaces.create",
    method: "POST",
    api: "3.0",
    path: "/workspaces",
    call: (c) => c.workspaces.create({ name: "team-a", default_artifact_root: "s3://b/team-a" }),
    body: { name: "team-a", default_artifact_root: "s3://b/team-a" },
    reply: { workspace: { name: "team-a", default_artifact_root: "s3://b/team-a" } },
    check: (w) => expect(w).toEqual({ name: "team-a", default_artifact_root: "s3://b/team-a" }),
  },
  {
    name: "workspaces.get",
    method: "GET",
    api: "3.0",
    path: "/workspaces/team-a",
    call: (c) => c.workspaces.get("team-a"),
    reply: { workspace: { name: "team-a" } },
    check: (w) => expect(w).toEqual({ name: "team-a" }),
  },
  {
    name: "workspaces.update",
    method: "PATCH",
    api: "3.0",
    path: "/workspaces/team-a",
    call: (c) => c.workspaces.update("team-a", { default_artifact_root: "" }),
    body: { workspace_name: "team-a", default_artifact_root: "" },
    reply: { workspace: { name: "team-a" } },
    check: (w) => expect(w).toEqual({ name: "team-a" }),
  },
  {
    name: "workspaces.delete",
    method: "DELETE",
    api: "3.0",
    path: "/workspaces/team-a",
    call: (c) => c.workspaces.delete("team-a"),
    body: { workspace_name: "team-a" },
  },
  // The basic-auth app: users, and permissions (MLflow 3.17's per-user grants, the per-resource rows before it)
  {
    name: "auth.users.create",
    method: "POST",
    path: "/users/create",
    call: (c) => c.auth.users.create("ci-bot", "a-long-password-1"),
    body: { username: "ci-bot", password: "a-long-password-1" },
    reply: { user: { id: 7, username: "ci-bot", is_admin: false } },
    check: (u) => expect(u).toEqual({ id: 7, username: "ci-bot", is_admin: false }),
  },
  {
    name: "auth.users.get",
    method: "GET",
    path: "/users/get",
    call: (c) => c.auth.users.get("ci-bot"),
    query: { username: ["ci-bot"] },
    reply: { user: { id: 7, username: "ci-bot", is_admin: true } },
    check: (u) => expect(u).toEqual({ id: 7, username: "ci-bot", is_admin: true }),
  },
  {
    name: "auth.users.updatePassword",
    method: "PATCH",
    path: "/users/update-password",
    call: (c) => c.auth.users.updatePassword("ci-bot", "a-long-password-2"),
    body: { username: "ci-bot", password: "a-long-password-2" },
  },
  {
    name: "auth.users.updateAdmin",
    method: "PATCH",
    path: "/users/update-admin",
    call: (c) => c.auth.users.updateAdmin("ci-bot", true),
    body: { username: "ci-bot", is_admin: true },
  },
  { name: "auth.users.delete", method: "DELETE", path: "/users/delete", call: (c) => c.auth.users.delete("ci-bot"), body: { username: "ci-bot" } },
  {
    name: "auth.permissions.grant",
    api: "3.0",
    method: "POST",
    path: "/users/permissions/grant",
    call: (c) => c.auth.experimentPermissions.create("12", "ci-bot", "EDIT"),
    body: { username: "ci-bot", resource_type: "experiment", resource_id: "12", permission: "EDIT" },
  },
  {
    name: "auth.permissions.revoke",
    api: "3.0",
    method: "POST",
    path: "/users/permissions/revoke",
    call: (c) => c.auth.registeredModelPermissions.delete("churn", "ci-bot"),
    body: { username: "ci-bot", resource_type: "registered_model", resource_id: "churn" },
  },
  {
    name: "auth.permissions.get",
    api: "3.0",
    method: "GET",
    path: "/users/permissions/get",
    call: (c) => c.auth.experimentPermissions.get("12", "ci-bot"),
    query: { username: ["ci-bot"], resource_type: ["experiment"], resource_id: ["12"] },
    reply: { allowed: true, permission: "EDIT" },
    check: (p) => expect(p).toEqual({ experiment_id: "12", username: "ci-bot", permission: "EDIT" }),
  },
  {
    name: "auth.permissions.list",
    api: "3.0",
    method: "GET",
    path: "/users/permissions/list",
    call: (c) => c.auth.users.permissions("ci-bot"),
    query: { username: ["ci-bot"] },
    reply: { is_admin: true, permissions: [] },
    check: (p) => expect(p).toEqual({ username: "ci-bot", is_admin: true, grants: [] }),
  },
  ...legacyPermissionCases(),
];

/** The per-resource permission endpoints (servers before MLflow 3.17), reached after the 3.0 route answers 404. */
function legacyPermissionCases(): Case[] {
  const missing = (method: "get" | "post", path: string) => () => {
    record(server, method, `${BASE}/api/3.0/mlflow${path}`, () => new HttpResponse("Not Found", { status: 404 }));
  };
  const grant = missing("post", "/users/permissions/grant");
  const revoke = missing("post", "/users/permissions/revoke");
  const get = missing("get", "/users/permissions/get");
  const experiment = { experiment_id: "12", user_id: 7, permission: "EDIT" };
  const model = { name: "churn", user_id: 7, permission: "READ" };
  return [
    {
      name: "auth.experimentPermissions.create",
      method: "POST",
      path: "/experiments/permissions/create",
      before: grant,
      call: (c) => c.auth.experimentPermissions.create("12", "ci-bot", "EDIT"),
      body: { experiment_id: "12", username: "ci-bot", permission: "EDIT" },
      reply: { experiment_permission: experiment },
    },
    {
      name: "auth.experimentPermissions.get",
      method: "GET",
      path: "/experiments/permissions/get",
      before: get,
      call: (c) => c.auth.experimentPermissions.get("12", "ci-bot"),
      query: { experiment_id: ["12"], username: ["ci-bot"] },
      reply: { experiment_permission: experiment },
      check: (p) => expect(p).toEqual({ experiment_id: "12", username: "ci-bot", permission: "EDIT" }),
    },
    {
      name: "auth.experimentPermissions.update",
      method: "PATCH",
      path: "/experiments/permissions/update",
      before: revoke,
      call: (c) => c.auth.experimentPermissions.update("12", "ci-bot", "MANAGE"),
      body: { experiment_id: "12", username: "ci-bot", permission: "MANAGE" },
    },
    {
      name: "auth.experimentPermissions.delete",
      method: "DELETE",
      path: "/experiments/permissions/delete",
      before: revoke,
      call: (c) => c.auth.experimentPermissions.delete("12", "ci-bot"),
      body: { experiment_id: "12", username: "ci-bot" },
    },
    {
      name: "auth.registeredModelPermissions.create",
      method: "POST",
      path: "/registered-models/permissions/create",
      before: grant,
      call: (c) => c.auth.registeredModelPermissions.create("churn", "ci-bot", "READ"),
      body: { name: "churn", username: "ci-bot", permission: "READ" },
      reply: { registered_model_permission: model },
    },
    {
      name: "auth.registeredModelPermissions.get",
      method: "GET",
      path: "/registered-models/permissions/get",
      before: get,
      call: (c) => c.auth.registeredModelPermissions.get("churn", "ci-bot"),
      query: { name: ["churn"], username: ["ci-bot"] },
      reply: { registered_model_permission: model },
      check: (p) => expect(p).toEqual({ name: "churn", username: "ci-bot", permission: "READ" }),
    },
    {
      name: "auth.registeredModelPermissions.update",
      method: "PATCH",
      path: "/registered-models/permissions/update",
      before: revoke,
      call: (c) => c.auth.registeredModelPermissions.update("churn", "ci-bot", "EDIT"),
      body: { name: "churn", username: "ci-bot", permission: "EDIT" },
    },
    {
      name: "auth.registeredModelPermissions.delete",
      method: "DELETE",
      path: "/registered-models/permissions/delete",
      before: revoke,
      call: (c) => c.auth.registeredModelPermissions.delete("churn", "ci-bot"),
      body: { name: "churn", username: "ci-bot" },
    },
  ];
}

/** Every query key with all its values. */
function queryOf(request: RecordedRequest): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const key of new Set(request.query.keys())) out[key] = request.query.getAll(key);
  return out;
}

describe("endpoint table", () => {
  it("has a test case for every endpoint", () => {
    const tested = new Set(CASES.map((c) => c.name));
    const untested = Object.keys(ENDPOINTS).filter((name) => !tested.has(name as EndpointName) && name !== "runs.create");
    expect(untested).toEqual([]);
  });

  it.each(CASES.map((c) => [c.name, c] as const))("%s sends the documented request and parses the response", async (_name, c) => {
    expect(ENDPOINTS[c.name].method).toBe(c.method);
    c.before?.();
    const base = c.api === undefined ? API : `${BASE}/api/${c.api}/mlflow`;
    const seen = record(server, c.method.toLowerCase() as "get", `${base}${c.path}`, () => c.reply ?? {});
    const result = await c.call(testClient());

    expect(seen).toHaveLength(1);
    const request = seen[0]!;
    expect(request.method).toBe(c.method);
    expect(request.path).toBe(`/api/${c.api ?? "2.0"}/mlflow${c.path}`);
    if (c.method === "GET") {
      expect(queryOf(request)).toEqual(c.query ?? {});
      expect(request.body).toBeUndefined();
    } else {
      expect(request.body).toEqual(c.body);
      expect(request.headers.get("content-type")).toBe("application/json");
      expect([...request.query.keys()]).toEqual([]);
    }
    c.check?.(result);
  });

  it("runs.create sends the run with its start time and a create-request id tag, and returns the run", async () => {
    const seen = record(server, "post", `${API}/runs/create`, (req) => ({
      run: runJson({ tags: (req.body as { tags: { key: string; value: string }[] }).tags }),
    }));
    const run = await testClient().runs.create({
      experiment_id: "1",
      run_name: "baseline",
      start_time: 1_700_000_000_000,
      tags: { team: "vision" },
      user_id: "alice",
    });

    expect(seen).toHaveLength(1);
    const body = seen[0]!.body as { tags: { key: string; value: string }[] };
    expect(body).toEqual({
      experiment_id: "1",
      run_name: "baseline",
      start_time: 1_700_000_000_000,
      user_id: "alice",
      tags: [
        { key: "team", value: "vision" },
        { key: "mlflow-ts.createRequestId", value: expect.stringMatching(/^[0-9a-f-]{36}$/) },
      ],
    });
    expect(run.info.run_id).toBe(RUN_ID);
    expect(run.data.tags.map((t) => t.key)).toEqual(["team", "mlflow-ts.createRequestId"]);
  });

  it("defaults a run's start time to now", async () => {
    const before = Date.now();
    const seen = record(server, "post", `${API}/runs/create`, () => ({ run: runJson() }));
    await testClient().runs.create({ experiment_id: "1" });
    const startTime = (seen[0]!.body as { start_time: number }).start_time;
    expect(startTime).toBeGreaterThanOrEqual(before);
    expect(startTime).toBeLessThanOrEqual(Date.now());
  });
});

describe("request conventions", () => {
  it("prefixes every path with the tracking URI's path (server behind a prefix)", async () => {
    const seen = record(server, "get", "http://mlflow.test:5000/team-a/mlflow/api/2.0/mlflow/experiments/get", () => ({ experiment: experimentJson() }));
    await testClient({ trackingUri: "http://mlflow.test:5000/team-a/mlflow/" }).experiments.get("1");
    expect(seen.map((r) => r.path)).toEqual(["/team-a/mlflow/api/2.0/mlflow/experiments/get"]);
  });

  it("sends User-Agent mlflow-ts/<version>, the configured headers and per-call headers", async () => {
    const seen = record(server, "get", `${API}/experiments/get`, () => ({ experiment: experimentJson() }));
    const client = testClient({ headers: { "X-Team": "vision" } });
    await client.experiments.get("1", { headers: { "X-Call": "one" } });
    const headers = seen[0]!.headers;
    expect(headers.get("user-agent")).toMatch(/^mlflow-ts\/\d+\.\d+\.\d+/);
    expect(headers.get("x-team")).toBe("vision");
    expect(headers.get("x-call")).toBe("one");
    expect(headers.get("authorization")).toBeNull();
  });

  it("sends Basic auth from username and password, Bearer from a token", async () => {
    const seen = record(server, "get", `${API}/experiments/get`, () => ({ experiment: experimentJson() }));
    await testClient({ env: { MLFLOW_TRACKING_USERNAME: "alice", MLFLOW_TRACKING_PASSWORD: "s3cret-pw" } }).experiments.get("1");
    await testClient({ env: { MLFLOW_TRACKING_TOKEN: "tok-123456" } }).experiments.get("1");
    expect(seen.map((r) => r.headers.get("authorization"))).toEqual([`Basic ${Buffer.from("alice:s3cret-pw").toString("base64")}`, "Bearer tok-123456"]);
  });

  it("encodes path parameters so an id cannot change the route", async () => {
    const seen = record(server, "get", `${API}/logged-models/:id`, () => ({ model: loggedModelJson() }));
    await testClient().loggedModels.get("m-a/b?c");
    expect(seen[0]!.path).toBe("/api/2.0/mlflow/logged-models/m-a%2Fb%3Fc");
    await expect(testClient().loggedModels.get("..")).rejects.toMatchObject({ name: "ValidationError", key: "model_id" });
    expect(seen).toHaveLength(1);
  });

  it("accepts an empty 200 body or a bare OK as {}", async () => {
    record(server, "post", `${API}/runs/delete`, (_req, n) => new Response(n === 1 ? "" : "OK", { status: 200 }));
    const client = testClient();
    await expect(client.runs.delete(RUN_ID)).resolves.toBeUndefined();
    await expect(client.runs.delete(RUN_ID)).resolves.toBeUndefined();
  });

  it("tolerates fields a newer server adds", async () => {
    record(server, "get", `${API}/experiments/get`, () => ({ experiment: { ...experimentJson(), workspace: "default", brand_new: { x: 1 } }, extra: true }));
    await expect(testClient().experiments.get("1")).resolves.toMatchObject({ experiment_id: "1" });
  });
});
