/**
 * Pagination: `await` gives one page, `for await` follows `next_page_token` to the end, a token
 * the server repeats stops with an error instead of looping, and `toArray(limit)` stops early.
 */
import { describe, expect, it } from "vitest";
import { MlflowError, PagePromise } from "../../src/index.js";
import { API, experimentJson, mlflowError, record, RUN_ID, testClient, useMockServer } from "./helpers/mock-server.js";

const server = useMockServer();

/** Experiments search over three pages of two: tokens "p2", "p3", then none. */
function threePages() {
  const pages: Record<string, { experiments: unknown[]; next_page_token?: string }> = {
    "": { experiments: [experimentJson("1"), experimentJson("2")], next_page_token: "p2" },
    p2: { experiments: [experimentJson("3"), experimentJson("4")], next_page_token: "p3" },
    p3: { experiments: [experimentJson("5"), experimentJson("6")] },
  };
  return record(server, "post", `${API}/experiments/search`, (req) => pages[(req.body as { page_token?: string }).page_token ?? ""]!);
}

describe("PagePromise", () => {
  it("await gives the first page only", async () => {
    const seen = threePages();
    const page = await testClient().experiments.search();
    expect(page.items.map((e) => e.experiment_id)).toEqual(["1", "2"]);
    expect(page.nextPageToken).toBe("p2");
    expect(seen).toHaveLength(1);
  });

  it("for await follows the page tokens to the last page", async () => {
    const seen = threePages();
    const ids: string[] = [];
    for await (const experiment of testClient().experiments.search({ filter: "name LIKE 'm%'" })) ids.push(experiment.experiment_id);
    expect(ids).toEqual(["1", "2", "3", "4", "5", "6"]);
    expect(seen.map((r) => r.body)).toEqual([
      { filter: "name LIKE 'm%'", max_results: 1000 },
      { filter: "name LIKE 'm%'", max_results: 1000, page_token: "p2" },
      { filter: "name LIKE 'm%'", max_results: 1000, page_token: "p3" },
    ]);
  });

  it("pages() yields each page", async () => {
    threePages();
    const sizes: number[] = [];
    for await (const page of testClient().experiments.search().pages()) sizes.push(page.items.length);
    expect(sizes).toEqual([2, 2, 2]);
  });

  it("does not fetch the first page twice when awaited and then iterated", async () => {
    const seen = threePages();
    const search = testClient().experiments.search();
    await search;
    const all = await search.toArray(100);
    expect(all).toHaveLength(6);
    expect(seen).toHaveLength(3);
  });

  it("starts from a given page token", async () => {
    const seen = threePages();
    const all = await testClient().experiments.search({ page_token: "p2" }).toArray(100);
    expect(all.map((e) => e.experiment_id)).toEqual(["3", "4", "5", "6"]);
    expect(seen).toHaveLength(2);
  });

  it("toArray(limit) stops fetching once it has enough", async () => {
    const seen = threePages();
    const some = await testClient().experiments.search().toArray(3);
    expect(some.map((e) => e.experiment_id)).toEqual(["1", "2", "3"]);
    expect(seen).toHaveLength(2);
    expect(await testClient().experiments.search().toArray(0)).toEqual([]);
    expect(seen).toHaveLength(2);
  });

  it("stops with an error when the server repeats a page token (the get-history bug)", async () => {
    const seen = record(server, "get", `${API}/metrics/get-history`, () => ({ metrics: [], next_page_token: "eyJvZmZzZXQiOiAwfQ==" }));
    const error = await testClient().metrics.getHistory(RUN_ID, "loss").toArray(10).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MlflowError);
    expect((error as Error).message).toBe('The server returned the page token "eyJvZmZzZXQiOiAwfQ==" twice; stopping to avoid an endless loop.');
    expect(seen).toHaveLength(2);
  });

  it("treats an empty next_page_token as the last page", async () => {
    const seen = record(server, "post", `${API}/runs/search`, () => ({ runs: [], next_page_token: "" }));
    expect(await testClient().runs.search({ experiment_ids: ["1"] }).toArray(10)).toEqual([]);
    expect(seen).toHaveLength(1);
  });

  it("supports catch and finally like a promise", async () => {
    record(server, "post", `${API}/experiments/search`, () => mlflowError(403, "PERMISSION_DENIED", "no"));
    let finished = false;
    const caught = await testClient()
      .experiments.search()
      .finally(() => {
        finished = true;
      })
      .catch((e: unknown) => (e as Error).name);
    expect(caught).toBe("PermissionDeniedError");
    expect(finished).toBe(true);
    expect(await testClient().experiments.search().catch((e: unknown) => (e as Error).name)).toBe("PermissionDeniedError");
  });

  it("fetches nothing until used", async () => {
    let calls = 0;
    const lazy = new PagePromise<number>(async () => {
      calls++;
      return { items: [1], nextPageToken: undefined };
    });
    expect(calls).toBe(0);
    expect(await lazy).toEqual({ items: [1], nextPageToken: undefined });
    expect(calls).toBe(1);
  });
});
