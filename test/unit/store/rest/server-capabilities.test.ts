/**
 * The client learns the server's version once (GET /version, lazily, single-flight, cached; a
 * failed probe is asked again), and a gated endpoint's missing route becomes one typed
 * UnsupportedFeatureError naming the feature, the server's version and the first version with it.
 */
import { HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { MlflowClient, NotFoundError, UnsupportedFeatureError } from "../../../../src/index.js";
import { API, BASE, mlflowError, record, testClient, useMockServer } from "../../helpers/mock-server.js";

const server = useMockServer();

/** `GET /version` answering `version` as MLflow does (text/plain). */
function versionIs(version: string) {
  return record(server, "get", `${BASE}/version`, () => new HttpResponse(version, { headers: { "content-type": "text/plain" } }));
}

/** The page MLflow's Flask app sends for a route it does not have. */
function htmlNotFound(): Response {
  return new HttpResponse("<!doctype html><html lang=en><title>404 Not Found</title><h1>Not Found</h1><p>The requested URL was not found on the server.</p>", {
    status: 404,
    headers: { "content-type": "text/html" },
  });
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable("the call should have failed"),
    (error: unknown) => error,
  );
}

describe("client.server", () => {
  it("asks GET /version once per client, on first need, and keeps the answer", async () => {
    const probes = versionIs("2.22.5");
    const client = testClient();
    expect(probes).toHaveLength(0);
    expect(await client.server.version()).toBe("2.22.5");
    expect(await client.server.version()).toBe("2.22.5");
    expect(await client.server.missingFeatures()).toEqual([
      "logged-models",
      "run-outputs",
      "experiment-tag-delete",
      "webhooks",
      "use-permission",
      "server-info",
      "workspaces",
      "permission-grants",
      "deny-permission",
    ]);
    expect(probes).toHaveLength(1);
  });

  it("sends one probe for concurrent callers", async () => {
    const probes = versionIs("3.0.1");
    const client = testClient();
    const answers = await Promise.all([client.server.version(), client.server.supports("webhooks"), client.server.missingFeatures(), client.server.version()]);
    expect(answers).toEqual([
      "3.0.1",
      false,
      ["experiment-tag-delete", "webhooks", "use-permission", "server-info", "workspaces", "permission-grants", "deny-permission"],
      "3.0.1",
    ]);
    expect(probes).toHaveLength(1);
  });

  it("asks again after a failed probe instead of keeping the failure", async () => {
    const probes = record(server, "get", `${BASE}/version`, (_req, n) =>
      n === 1 ? mlflowError(401, "UNAUTHENTICATED", "credentials required") : new HttpResponse("3.17.2"),
    );
    const client = testClient({ maxRetries: 0 });
    await expect(client.server.version()).rejects.toThrow(/UNAUTHENTICATED/);
    expect(await client.server.version()).toBe("3.17.2");
    expect(probes).toHaveLength(2);
  });

  it("says undefined when /version answers something that is not a version", async () => {
    versionIs("<html>login</html>");
    const client = testClient();
    expect(await client.server.version()).toBeUndefined();
    expect(await client.server.missingFeatures()).toEqual([]);
    expect(await client.server.supports("webhooks")).toBe(true);
  });

  it("reads server-info only from a server that has it (3.10 on)", async () => {
    versionIs("3.17.2");
    const infos = record(server, "get", `${BASE}/api/3.0/mlflow/server-info`, () => ({ store_type: "SqlStore", workspaces_enabled: false }));
    const client = testClient();
    expect(await client.server.info()).toEqual({ store_type: "SqlStore", workspaces_enabled: false });
    expect(await client.server.info()).toEqual({ store_type: "SqlStore", workspaces_enabled: false });
    expect(infos).toHaveLength(1);

    versionIs("3.9.0");
    const older = testClient();
    expect(await older.server.info()).toBeUndefined(); // no request: msw would fail an unhandled one after resetHandlers
  });

  it("require() throws the typed error for a feature the version lacks, and resolves otherwise", async () => {
    versionIs("3.2.0");
    const client = testClient();
    await expect(client.server.require("experiment-tag-delete")).resolves.toBeUndefined();
    const error = await rejection(client.server.require("webhooks"));
    expect(error).toBeInstanceOf(UnsupportedFeatureError);
    expect(error).toMatchObject({
      feature: "webhooks",
      minVersion: "3.3",
      serverVersion: "3.2.0",
      address: "mlflow.test:5000",
      errorCode: "ENDPOINT_NOT_FOUND",
    });
  });

  it("knows no version and lacks nothing for the embedded store", async () => {
    const client = new MlflowClient({ trackingUri: "sqlite:///:memory:", env: { HOME: "/nonexistent" } });
    expect(await client.server.version()).toBeUndefined();
    expect(await client.server.missingFeatures()).toEqual([]);
    expect(client.server.address).toBeUndefined();
  });
});

describe("a gated endpoint on a server without it", () => {
  it("turns the HTML 404 of webhooks on 3.0.1 into UnsupportedFeatureError with the versions and a fix", async () => {
    const probes = versionIs("3.0.1");
    const calls = record(server, "get", `${API}/webhooks`, () => htmlNotFound());
    const client = testClient();
    const error = await rejection(client.webhooks.list().toArray(10));
    expect(error).toBeInstanceOf(UnsupportedFeatureError);
    expect((error as Error).message).toBe(
      "Model-registry webhooks needs MLflow ≥ 3.3; the server at mlflow.test:5000 runs 3.0.1. Fix: upgrade the server to MLflow 3.3 or later, or poll the registry instead (client.modelVersions.search).",
    );
    expect((error as Error).cause).toBeInstanceOf(NotFoundError);
    expect(calls).toHaveLength(1);
    expect(probes).toHaveLength(1);
  });

  it("turns a JSON 404 ENDPOINT_NOT_FOUND of logged models on 2.14.3 into the typed error", async () => {
    versionIs("2.14.3");
    record(server, "post", `${API}/logged-models`, () => mlflowError(404, "ENDPOINT_NOT_FOUND", "No such endpoint"));
    const error = await rejection(testClient().loggedModels.create({ experiment_id: "1", name: "m" }));
    expect(error).toMatchObject({ name: "UnsupportedFeatureError", feature: "logged-models", serverVersion: "2.14.3", minVersion: "3.0" });
    expect((error as Error).message).toMatch(/^Logged models needs MLflow ≥ 3\.0; the server at mlflow\.test:5000 runs 2\.14\.3\. Fix: /);
  });

  it("turns a 405 (the path exists for another method only) into the typed error", async () => {
    versionIs("3.1.4");
    record(server, "post", `${API}/experiments/delete-experiment-tag`, () => new HttpResponse("Method Not Allowed", { status: 405 }));
    const error = await rejection(testClient().experiments.deleteTag("1", "k"));
    expect(error).toMatchObject({ feature: "experiment-tag-delete", serverVersion: "3.1.4", minVersion: "3.2" });
  });

  it("keeps the server's error when the version has the feature (the 404 means something else)", async () => {
    versionIs("3.17.2");
    record(server, "get", `${API}/webhooks`, () => htmlNotFound());
    const error = await rejection(testClient().webhooks.list().toArray(10));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).not.toBeInstanceOf(UnsupportedFeatureError);
  });

  it("keeps RESOURCE_DOES_NOT_EXIST as NotFoundError and asks no version", async () => {
    const probes = versionIs("3.17.2");
    record(server, "get", `${API}/logged-models/m-1`, () => mlflowError(404, "RESOURCE_DOES_NOT_EXIST", "Logged model m-1 not found"));
    const error = await rejection(testClient().loggedModels.get("m-1"));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(probes).toHaveLength(0);
  });

  it("names no version when the server does not say it", async () => {
    record(server, "get", `${BASE}/version`, () => htmlNotFound());
    record(server, "get", `${API}/webhooks`, () => htmlNotFound());
    const error = await rejection(testClient().webhooks.list().toArray(10));
    expect(error).toMatchObject({ feature: "webhooks", serverVersion: undefined });
    expect((error as Error).message).toContain("the server at mlflow.test:5000 does not have it (it answered 404 and did not say its version)");
  });

  it("asks the version once for many failing calls of one client", async () => {
    const probes = versionIs("2.22.5");
    record(server, "get", `${API}/webhooks`, () => htmlNotFound());
    record(server, "post", `${API}/logged-models`, () => htmlNotFound());
    const client = testClient();
    const errors = await Promise.all([
      rejection(client.webhooks.list().toArray(1)),
      rejection(client.loggedModels.create({ experiment_id: "1" })),
      rejection(client.webhooks.list().toArray(1)),
    ]);
    expect(errors.map((e) => (e as UnsupportedFeatureError).feature)).toEqual(["webhooks", "logged-models", "webhooks"]);
    expect(probes).toHaveLength(1);
  });
});
