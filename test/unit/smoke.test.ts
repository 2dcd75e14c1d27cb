import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { MlflowClient, NotFoundError } from "../../src/index.js";

const BASE = "http://mlflow.test:5000";
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const client = () => new MlflowClient({ trackingUri: BASE, env: {}, backoffFactorMs: 1, backoffJitterMs: 0 });

describe("smoke", () => {
  it("creates an experiment and retries a 503", async () => {
    let calls = 0;
    server.use(
      http.post(`${BASE}/api/2.0/mlflow/experiments/create`, async ({ request }) => {
        calls++;
        if (calls === 1) return new HttpResponse("busy", { status: 503 });
        expect(await request.json()).toEqual({ name: "e1", tags: [] });
        return HttpResponse.json({ experiment_id: "7" });
      }),
    );
    expect(await client().experiments.create({ name: "e1" })).toBe("7");
    expect(calls).toBe(2);
  });

  it("sends NaN as a string", async () => {
    let body: unknown;
    server.use(
      http.post(`${BASE}/api/2.0/mlflow/runs/log-batch`, async ({ request }) => {
        body = await request.json();
        return HttpResponse.json({});
      }),
    );
    await client().runs.logBatch("abc123", { metrics: [{ key: "m", value: Number.NaN, timestamp: 5, step: 1 }, { key: "m", value: -Infinity, timestamp: 6 }] });
    expect(body).toEqual({ run_id: "abc123", metrics: [{ key: "m", value: "NaN", timestamp: 5, step: 1 }, { key: "m", value: "-Infinity", timestamp: 6, step: 0 }], params: [], tags: [] });
  });

  it("maps 404 to NotFoundError", async () => {
    server.use(http.get(`${BASE}/api/2.0/mlflow/runs/get`, () => HttpResponse.json({ error_code: "RESOURCE_DOES_NOT_EXIST", message: "Run 'abc' not found" }, { status: 404 })));
    await expect(client().runs.get("abc")).rejects.toBeInstanceOf(NotFoundError);
  });
});
