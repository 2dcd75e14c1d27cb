/**
 * Failure handling against the real direct server: the server's own error codes and bodies, and
 * the lost-create recovery, proven with a proxy that lets the server process a create and then
 * closes the client's connection instead of answering.
 *
 * Not covered here: a server behind a URL prefix (the stack has none; unit-tested with msw).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CREATE_REQUEST_ID_TAG, type RestStore } from "../../src/advanced.js";
import { AmbiguousResultError, InvalidParameterError, type MlflowApiError, NotFoundError } from "../../src/index.js";
import { startProxy, type TestProxy } from "./support/http-proxy.js";
import { serverUri, stackClient, uniqueName } from "./support/stack.js";

const client = stackClient("direct");
let experimentId: string;

beforeAll(async () => {
  experimentId = await client.experiments.create({ name: uniqueName("rest-errors") });
});

afterAll(async () => {
  await client.close();
});

describe("the server's error codes", () => {
  it("maps a malformed search filter to InvalidParameterError with the server's message", async () => {
    const error = await client.runs.search({ experiment_ids: [experimentId], filter: "metrics.acc >>> 1" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidParameterError);
    expect(error).toMatchObject({
      status: 400,
      errorCode: "INVALID_PARAMETER_VALUE",
      method: "POST",
      endpoint: "/api/2.0/mlflow/runs/search",
      retryable: false,
    });
    expect((error as MlflowApiError).message).toContain("INVALID_PARAMETER_VALUE: ");
  });

  it("refuses a run in a deleted experiment with InvalidParameterError", async () => {
    const deleted = await client.experiments.create({ name: uniqueName("rest-errors-deleted") });
    await client.experiments.delete(deleted);
    await expect(client.runs.create({ experiment_id: deleted })).rejects.toMatchObject({ constructor: InvalidParameterError, status: 400 });
  });

  it("refuses a run whose run_name and mlflow.runName tag differ", async () => {
    await expect(client.runs.create({ experiment_id: experimentId, run_name: "a", tags: { "mlflow.runName": "b" } })).rejects.toMatchObject({
      constructor: InvalidParameterError,
      errorCode: "INVALID_PARAMETER_VALUE",
    });
  });

  it("turns the HTML 404 of an unknown route into NotFoundError ENDPOINT_NOT_FOUND with readable text", async () => {
    const transport = (client.store as RestStore).transport;
    const error = await transport
      .request({ method: "GET", path: "/api/2.0/mlflow/no-such-route", retry: "idempotent" }, {}, () => "unexpected success")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ status: 404, errorCode: "ENDPOINT_NOT_FOUND", endpoint: "/api/2.0/mlflow/no-such-route" });
    expect((error as NotFoundError).serverMessage).not.toMatch(/<[a-z]+[ >]/i);
  });
});

describe("lost-create recovery against the real server", () => {
  let proxy: TestProxy;

  afterAll(async () => {
    await proxy?.close();
  });

  async function proxiedClient(dropPath: string) {
    await proxy?.close();
    proxy = await startProxy(serverUri("direct"), { dropResponse: (r) => r.method === "POST" && r.path.endsWith(dropPath) });
    return stackClient("direct", { trackingUri: proxy.url, maxRetries: 3 });
  }
  const seen = () =>
    proxy.requests.map((r) => `${r.method} ${r.path.replace(/^\/api\/2\.0\/mlflow/, "").replace(/\?.*$/, "")}${r.dropped ? " (dropped)" : ""}`);

  it("returns the run the server created when the runs/create response is lost: exactly one run carries the request id", async () => {
    const lossy = await proxiedClient("/runs/create");
    try {
      const run = await lossy.runs.create({ experiment_id: experimentId, run_name: "lost-response" });

      expect(seen()).toEqual(["POST /runs/create (dropped)", "POST /runs/search"]);
      const requestId = run.data.tags.find((t) => t.key === CREATE_REQUEST_ID_TAG)?.value;
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
      const matches = await client.runs.search({
        experiment_ids: [experimentId],
        filter: `tags.\`${CREATE_REQUEST_ID_TAG}\` = '${requestId}'`,
        max_results: 10,
      });
      expect(matches.map((r) => r.info.run_id)).toEqual([run.info.run_id]);
      const named = await client.runs.search({ experiment_ids: [experimentId], filter: "attributes.run_name = 'lost-response'", max_results: 10 });
      expect(named).toHaveLength(1);
    } finally {
      await lossy.close();
    }
  });

  it("returns the experiment the server created when the experiments/create response is lost, instead of AlreadyExistsError", async () => {
    const lossy = await proxiedClient("/experiments/create");
    try {
      const name = uniqueName("rest-errors-lost-experiment");
      const id = await lossy.experiments.create({ name });

      expect(seen()).toEqual(["POST /experiments/create (dropped)", "GET /experiments/get-by-name"]);
      expect((await client.experiments.getByName(name))?.experiment_id).toBe(id);
    } finally {
      await lossy.close();
    }
  });

  it("returns the registered model the server created when the registered-models/create response is lost", async () => {
    const lossy = await proxiedClient("/registered-models/create");
    try {
      const name = uniqueName("rest-errors-lost-model");
      const model = await lossy.registeredModels.create({ name });

      expect(seen()).toEqual(["POST /registered-models/create (dropped)", "GET /registered-models/get"]);
      expect(model.name).toBe(name);
    } finally {
      await lossy.close();
    }
  });

  it("does not retry a lost model-versions/create: AmbiguousResultError, and exactly one version exists", async () => {
    const name = uniqueName("rest-errors-lost-version");
    await client.registeredModels.create({ name });
    const lossy = await proxiedClient("/model-versions/create");
    try {
      const error = await lossy.modelVersions.create({ name, source: "s3://mlflow/somewhere/model" }).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(AmbiguousResultError);
      expect(seen()).toEqual(["POST /model-versions/create (dropped)"]);
      const versions = await client.modelVersions.search({ filter: `name='${name}'`, max_results: 10 });
      expect(versions.map((v) => v.version)).toEqual(["1"]);
    } finally {
      await lossy.close();
    }
  });
});
