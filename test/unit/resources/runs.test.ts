/** client.runs: behaviour beyond the wire shape (see endpoints.test.ts for that). */
import { afterEach, describe, expect, it, vi } from "vitest";
import { API, RUN_ID, record, runJson, testClient, useMockServer } from "../helpers/mock-server.js";

const server = useMockServer();
afterEach(() => vi.useRealTimers());

describe("runs", () => {
  it("logMetric stamps the time of the call and step 0 by default", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: 1_750_000_000_123 });
    const seen = record(server, "post", `${API}/runs/log-metric`);
    await testClient().runs.logMetric(RUN_ID, "acc", 0.9);
    expect(seen[0]!.body).toEqual({ run_id: RUN_ID, key: "acc", value: 0.9, timestamp: 1_750_000_000_123, step: 0 });
  });

  it("logMetric passes the MLflow 3 dataset and model fields of a point through logBatch", async () => {
    const seen = record(server, "post", `${API}/runs/log-batch`);
    await testClient().runs.logBatch(RUN_ID, {
      metrics: [{ key: "acc", value: 1, timestamp: 2, step: 3, model_id: "m-1", dataset_name: "d", dataset_digest: "x" }],
    });
    expect((seen[0]!.body as { metrics: unknown[] }).metrics).toEqual([
      { key: "acc", value: 1, timestamp: 2, step: 3, model_id: "m-1", dataset_name: "d", dataset_digest: "x" },
    ]);
  });

  it("logParam and setTag send values as strings, as Python's str()", async () => {
    const params = record(server, "post", `${API}/runs/log-parameter`);
    const tags = record(server, "post", `${API}/runs/set-tag`);
    const client = testClient();
    await client.runs.logParam(RUN_ID, "layers", [64, 32]);
    await client.runs.logParam(RUN_ID, "dropout", false);
    await client.runs.setTag(RUN_ID, "epochs", 10);
    expect(params.map((r) => (r.body as { value: string }).value)).toEqual(["[64,32]", "false"]);
    expect(tags[0]!.body).toEqual({ run_id: RUN_ID, key: "epochs", value: "10" });
  });

  it("create checks its tags before sending", async () => {
    const seen = record(server, "post", `${API}/runs/create`, () => ({ run: runJson() }));
    await expect(testClient().runs.create({ experiment_id: "1", tags: { "a/": "x" } })).rejects.toMatchObject({ key: "a/", rule: "key-path" });
    expect(seen).toHaveLength(0);
  });

  it("create keeps a createRequestId tag the caller already set", async () => {
    const seen = record(server, "post", `${API}/runs/create`, () => ({ run: runJson() }));
    await testClient().runs.create({ experiment_id: "1", tags: { "mlflow-ts.createRequestId": "mine-1" } });
    expect((seen[0]!.body as { tags: unknown[] }).tags).toEqual([{ key: "mlflow-ts.createRequestId", value: "mine-1" }]);
  });

  it("search follows the pages and sends max_results on each", async () => {
    const seen = record(server, "post", `${API}/runs/search`, (_req, n) =>
      n === 1 ? { runs: [runJson()], next_page_token: "t2" } : { runs: [runJson({ run_id: "f".repeat(32) })] },
    );
    const ids: string[] = [];
    for await (const run of testClient().runs.search({ experiment_ids: ["1"], max_results: 1 })) ids.push(run.info.run_id);
    expect(ids).toEqual([RUN_ID, "f".repeat(32)]);
    expect(seen.map((r) => r.body)).toEqual([
      { experiment_ids: ["1"], max_results: 1 },
      { experiment_ids: ["1"], max_results: 1, page_token: "t2" },
    ]);
  });

  it("every run method checks the run id before sending", async () => {
    const seen = record(server, "post", `${API}/*`);
    const client = testClient();
    const bad = "no/such id";
    const calls = [
      () => client.runs.update(bad, { status: "FINISHED" }),
      () => client.runs.delete(bad),
      () => client.runs.restore(bad),
      () => client.runs.logMetric(bad, "m", 1),
      () => client.runs.logParam(bad, "p", 1),
      () => client.runs.setTag(bad, "t", 1),
      () => client.runs.deleteTag(bad, "t"),
      () => client.runs.logBatch(bad, {}),
      () => client.runs.logInputs(bad, {}),
      () => client.runs.logOutputs(bad, []),
    ];
    for (const call of calls) await expect(call()).rejects.toMatchObject({ rule: "run-id" });
    expect(seen).toHaveLength(0);
  });
});
