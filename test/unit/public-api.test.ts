/**
 * The documented public surface of the typed client (design §3), imported the way users import it:
 * from the package's entry points (`mlflow-ts` and `mlflow-ts/advanced`), by name. Which names each
 * entry exports is pinned by entry-points.test.ts.
 */
import { describe, expect, it } from "vitest";
import {
  CREATE_REQUEST_ID_TAG,
  DEFAULT_MAX_RETRIES,
  DEFAULT_TIMEOUT_MS,
  ENDPOINTS,
  encodeDouble,
  MAX_ENTITIES_PER_BATCH,
  MAX_METRICS_PER_BATCH,
  MAX_PARAMS_PER_BATCH,
  MAX_TAGS_PER_BATCH,
  resolveConfig,
} from "../../src/advanced.js";
import {
  AbortError,
  AlreadyExistsError,
  AmbiguousResultError,
  ConfigurationError,
  ConnectionError,
  InvalidParameterError,
  isMlflowError,
  MlflowApiError,
  MlflowClient,
  MlflowError,
  NotFoundError,
  Paginated,
  PermissionDeniedError,
  RateLimitError,
  ResponseValidationError,
  ServerError,
  TimeoutError,
  UnauthenticatedError,
  ValidationError,
  VERSION,
} from "../../src/index.js";
import { EMPTY_HOME } from "./helpers/mock-server.js";

describe("public API", () => {
  it("MlflowClient exposes one resource per REST area", async () => {
    const client = new MlflowClient({ trackingUri: "http://127.0.0.1:5000", env: { HOME: EMPTY_HOME } });
    const resources = ["experiments", "runs", "metrics", "artifacts", "registeredModels", "modelVersions", "loggedModels", "uris", "models", "webhooks"];
    for (const name of resources) expect(typeof (client as unknown as Record<string, unknown>)[name], name).toBe("object");
    expect(client.trackingUri).toBe("http://127.0.0.1:5000");
    expect(client.store.kind).toBe("rest");
    expect(Object.isFrozen(client.config)).toBe(true);
    await client.close();
  });

  it("every resource method of design §3 exists", () => {
    const client = new MlflowClient({ trackingUri: "http://127.0.0.1:5000", env: { HOME: EMPTY_HOME } });
    const methods: Record<string, string[]> = {
      experiments: ["create", "get", "getByName", "search", "update", "delete", "restore", "setTag", "deleteTag"],
      runs: ["create", "get", "update", "delete", "restore", "search", "logMetric", "logParam", "setTag", "deleteTag", "logBatch", "logInputs", "logOutputs"],
      metrics: ["getHistory", "getHistoryBulkInterval"],
      artifacts: ["list", "upload", "download"],
      registeredModels: [
        "create",
        "get",
        "rename",
        "update",
        "delete",
        "search",
        "getLatestVersions",
        "setTag",
        "deleteTag",
        "setAlias",
        "deleteAlias",
        "getByAlias",
      ],
      modelVersions: ["create", "get", "update", "delete", "search", "transitionStage", "getDownloadUri", "setTag", "deleteTag"],
      loggedModels: ["create", "get", "finalize", "delete", "search", "setTags", "deleteTag", "logParams", "listArtifacts"],
      uris: ["download", "list", "open", "loadText", "loadDict", "resolveModel"],
      models: ["log", "register", "copyVersion", "waitUntilReady", "load"],
    };
    for (const [resource, names] of Object.entries(methods)) {
      for (const name of names)
        expect(typeof (client as unknown as Record<string, Record<string, unknown>>)[resource]![name], `${resource}.${name}`).toBe("function");
    }
  });

  it("search methods return a Paginated", () => {
    const client = new MlflowClient({ trackingUri: "http://127.0.0.1:5000", env: { HOME: EMPTY_HOME } });
    expect(client.experiments.search()).toBeInstanceOf(Paginated);
    expect(client.runs.search({ experiment_ids: ["1"] })).toBeInstanceOf(Paginated);
    expect(client.metrics.getHistory("abc", "loss")).toBeInstanceOf(Paginated);
    expect(client.registeredModels.search()).toBeInstanceOf(Paginated);
    expect(client.modelVersions.search()).toBeInstanceOf(Paginated);
    expect(client.loggedModels.search({ experiment_ids: ["1"] })).toBeInstanceOf(Paginated);
  });

  it("exports the error hierarchy", () => {
    for (const ErrorClass of [
      MlflowApiError,
      ConfigurationError,
      ValidationError,
      ConnectionError,
      TimeoutError,
      AbortError,
      ResponseValidationError,
      AmbiguousResultError,
    ]) {
      expect(ErrorClass.prototype).toBeInstanceOf(MlflowError);
    }
    for (const ErrorClass of [
      NotFoundError,
      AlreadyExistsError,
      InvalidParameterError,
      UnauthenticatedError,
      PermissionDeniedError,
      RateLimitError,
      ServerError,
    ]) {
      expect(ErrorClass.prototype).toBeInstanceOf(MlflowApiError);
    }
    expect(MlflowError.prototype).toBeInstanceOf(Error);
    expect(isMlflowError(new AbortError())).toBe(true);
  });

  it("mlflow-ts/advanced exports the configuration, wire and batch helpers", () => {
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+/);
    expect(DEFAULT_TIMEOUT_MS).toBe(120_000);
    expect(DEFAULT_MAX_RETRIES).toBe(7);
    expect(typeof resolveConfig).toBe("function");
    expect(encodeDouble(Number.NaN)).toBe("NaN");
    expect([MAX_METRICS_PER_BATCH, MAX_PARAMS_PER_BATCH, MAX_TAGS_PER_BATCH, MAX_ENTITIES_PER_BATCH]).toEqual([1000, 100, 100, 1000]);
    expect(CREATE_REQUEST_ID_TAG).toBe("mlflow-ts.createRequestId");
    expect(Object.keys(ENDPOINTS)).toContain("runs.logBatch");
  });
});
