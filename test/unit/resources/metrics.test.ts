/** client.metrics: history paging and bulk-interval checks. */
import { describe, expect, it } from "vitest";
import { API, RUN_ID, record, testClient, useMockServer } from "../helpers/mock-server.js";

const server = useMockServer();
const OTHER = "f".repeat(32);

describe("metrics", () => {
  it("getHistory follows page tokens and sends max_results every time", async () => {
    const seen = record(server, "get", `${API}/metrics/get-history`, (req) =>
      req.query.get("page_token") === null
        ? { metrics: [{ key: "loss", value: 1, timestamp: 1, step: 0 }], next_page_token: "n1" }
        : { metrics: [{ key: "loss", value: 0.5, timestamp: 2, step: 1 }] },
    );
    const points = await testClient().metrics.getHistory(RUN_ID, "loss", { pageSize: 1 }).toArray(10);
    expect(points.map((p) => p.value)).toEqual([1, 0.5]);
    expect(seen.map((r) => Object.fromEntries(r.query))).toEqual([
      { run_id: RUN_ID, metric_key: "loss", max_results: "1" },
      { run_id: RUN_ID, metric_key: "loss", max_results: "1", page_token: "n1" },
    ]);
  });

  it("getHistory sorts a whole history answered at once (MLflow before 3.1) by timestamp, step and value, NaN as 0", async () => {
    const t = 1_700_000_000_000;
    record(server, "get", `${API}/metrics/get-history`, () => ({
      metrics: [
        { key: "acc", value: 0.2, timestamp: t, step: 7 },
        { key: "acc", value: 0.1, timestamp: t + 5, step: 7 },
        { key: "acc", value: 0.1, timestamp: t, step: 7 },
        { key: "acc", value: "NaN", timestamp: t, step: 7 },
        { key: "acc", value: 9, timestamp: t, step: 6 },
      ],
    }));
    const points = await testClient().metrics.getHistory(RUN_ID, "acc");
    expect(points.map((p) => [p.value, p.step, p.timestamp])).toEqual([
      [9, 6, t],
      [Number.NaN, 7, t],
      [0.1, 7, t],
      [0.2, 7, t],
      [0.1, 7, t + 5],
    ]);
  });

  it("getHistory splits a whole history longer than pageSize (a server that ignores max_results) into pages of pageSize, with one request", async () => {
    const seen = record(server, "get", `${API}/metrics/get-history`, () => ({
      metrics: Array.from({ length: 7 }, (_, i) => ({ key: "loss", value: i, timestamp: 100 - i, step: i })),
    }));
    const history = testClient().metrics.getHistory(RUN_ID, "loss", { pageSize: 3 });
    const pages: number[][] = [];
    for await (const page of history.pages()) pages.push(page.items.map((p) => p.step));
    expect(pages).toEqual([[6, 5, 4], [3, 2, 1], [0]]);
    expect(seen).toHaveLength(1);
    const first = await testClient().metrics.getHistory(RUN_ID, "loss", { pageSize: 3 }).firstPage();
    expect(first.items).toHaveLength(3);
    expect(first.nextPageToken).toEqual(expect.any(String));
    expect(seen).toHaveLength(2);
  });

  it("getHistory leaves a paged answer in the server's order", async () => {
    record(server, "get", `${API}/metrics/get-history`, (req) =>
      req.query.get("page_token") === null
        ? { metrics: [{ key: "loss", value: 1, timestamp: 9, step: 0 }], next_page_token: "n1" }
        : { metrics: [{ key: "loss", value: 0.5, timestamp: 2, step: 1 }] },
    );
    const points = await testClient().metrics.getHistory(RUN_ID, "loss", { pageSize: 1 });
    expect(points.map((p) => p.timestamp)).toEqual([9, 2]);
  });

  it("getHistoryBulkInterval sends max_results 2500 by default and no interval when none is given", async () => {
    const seen = record(server, "get", `${API}/metrics/get-history-bulk-interval`, () => ({}));
    await expect(testClient().metrics.getHistoryBulkInterval({ run_ids: [RUN_ID], metric_key: "loss" })).resolves.toEqual([]);
    expect(Object.fromEntries(seen[0]!.query)).toEqual({ run_ids: RUN_ID, metric_key: "loss", max_results: "2500" });
  });

  it.each([
    [{ run_ids: [], metric_key: "m" }, "bulk-runs", "getHistoryBulkInterval takes 1 to 100 run ids, got 0."],
    [{ run_ids: Array.from({ length: 101 }, () => RUN_ID), metric_key: "m" }, "bulk-runs", "got 101"],
    [{ run_ids: [RUN_ID], metric_key: "m", max_results: 2501 }, "bulk-max-results", "max_results must be a whole number from 1 to 2500, got 2501."],
    [{ run_ids: [RUN_ID], metric_key: "m", max_results: 0 }, "bulk-max-results", "got 0"],
    [{ run_ids: [RUN_ID], metric_key: "m", start_step: 1 }, "bulk-interval", "Give both start_step and end_step, or neither."],
    [{ run_ids: [RUN_ID], metric_key: "m", start_step: 5, end_step: 1 }, "bulk-interval", "start_step (5) must not be greater than end_step (1)."],
    [{ run_ids: [RUN_ID, "bad id"], metric_key: "m" }, "run-id", "is not a valid run id"],
  ])("getHistoryBulkInterval refuses %o before sending", async (params, rule, message) => {
    const seen = record(server, "get", `${API}/metrics/get-history-bulk-interval`, () => ({}));
    const error = await testClient()
      .metrics.getHistoryBulkInterval(params)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "ValidationError", rule });
    expect((error as Error).message).toContain(message);
    expect(seen).toHaveLength(0);
  });

  it("getHistoryBulkInterval accepts 100 runs and 2500 points", async () => {
    const seen = record(server, "get", `${API}/metrics/get-history-bulk-interval`, () => ({
      metrics: [{ key: "m", value: 1, timestamp: 1, step: 0, run_id: OTHER }],
    }));
    const ids = Array.from({ length: 100 }, (_, i) => `${i}`.padStart(32, "a"));
    await testClient().metrics.getHistoryBulkInterval({ run_ids: ids, metric_key: "m", max_results: 2500 });
    expect(seen[0]!.query.getAll("run_ids")).toEqual(ids);
  });
});
