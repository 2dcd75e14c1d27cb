/**
 * Pagination: `await` on a paged call gives every item of every page (never one page that could be
 * taken for the whole), bounded by `maxItems`; `for await` follows `next_page_token` to the end;
 * `firstPage()` and `pages()` give pages explicitly; a token the server repeats stops with an error
 * instead of looping; `toArray(limit)` stops early.
 */
import { describe, expect, expectTypeOf, it } from "vitest";
import { type Experiment, type Metric, type MlflowClient, MlflowError, type Page, Paginated, TooManyItemsError, ValidationError } from "../../../src/index.js";
import {
  API,
  experimentJson,
  loggedModelJson,
  mlflowError,
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

/** Experiments search over three pages of two: tokens "p2", "p3", then none. */
function threePages() {
  const pages: Record<string, { experiments: unknown[]; next_page_token?: string }> = {
    "": { experiments: [experimentJson("1"), experimentJson("2")], next_page_token: "p2" },
    p2: { experiments: [experimentJson("3"), experimentJson("4")], next_page_token: "p3" },
    p3: { experiments: [experimentJson("5"), experimentJson("6")] },
  };
  return record(server, "post", `${API}/experiments/search`, (req) => pages[(req.body as { page_token?: string }).page_token ?? ""]!);
}

/** The page token of a request, from the JSON body (POST) or the query (GET). */
function tokenOf(req: RecordedRequest): string {
  return (req.body as { page_token?: string } | undefined)?.page_token ?? req.query.get("page_token") ?? "";
}

/** Every paged method, with its route, the list field of its answer, one item and how to tell items apart. */
const PAGED_METHODS: {
  name: string;
  method: "get" | "post";
  path: string;
  field: string;
  item: (n: number) => Record<string, unknown>;
  call: (client: MlflowClient) => Paginated<unknown>;
  idOf: (item: unknown) => string;
}[] = [
  {
    name: "experiments.search",
    method: "post",
    path: "experiments/search",
    field: "experiments",
    item: (n) => experimentJson(String(n)),
    call: (c) => c.experiments.search(),
    idOf: (e) => (e as Experiment).experiment_id,
  },
  {
    name: "runs.search",
    method: "post",
    path: "runs/search",
    field: "runs",
    item: (n) => runJson({ run_id: String(n).padStart(32, "0") }),
    call: (c) => c.runs.search({ experiment_ids: ["1"] }),
    idOf: (r) => String(Number((r as { info: { run_id: string } }).info.run_id)),
  },
  {
    name: "metrics.getHistory",
    method: "get",
    path: "metrics/get-history",
    field: "metrics",
    item: (n) => ({ key: "loss", value: n, timestamp: n, step: n }),
    call: (c) => c.metrics.getHistory(RUN_ID, "loss"),
    idOf: (m) => String((m as Metric).step),
  },
  {
    name: "registeredModels.search",
    method: "get",
    path: "registered-models/search",
    field: "registered_models",
    item: (n) => registeredModelJson(`m${n}`),
    call: (c) => c.registeredModels.search(),
    idOf: (m) => (m as { name: string }).name.slice(1),
  },
  {
    name: "modelVersions.search",
    method: "get",
    path: "model-versions/search",
    field: "model_versions",
    item: (n) => modelVersionJson("fraud", String(n)),
    call: (c) => c.modelVersions.search(),
    idOf: (v) => (v as { version: string }).version,
  },
  {
    name: "loggedModels.search",
    method: "post",
    path: "logged-models/search",
    field: "models",
    item: (n) => loggedModelJson(`m-${String(n).padStart(32, "0")}`),
    call: (c) => c.loggedModels.search({ experiment_ids: ["1"] }),
    idOf: (m) => String(Number((m as { info: { model_id: string } }).info.model_id.slice(2))),
  },
  {
    name: "webhooks.list",
    method: "get",
    path: "webhooks",
    field: "webhooks",
    item: (n) => ({ webhook_id: String(n), name: `w${n}`, url: "https://hooks.example.com/x" }),
    call: (c) => c.webhooks.list(),
    idOf: (w) => (w as { webhook_id: string }).webhook_id,
  },
];

describe("Paginated", () => {
  it.each(PAGED_METHODS)("await $name gives every item of every page", async ({ method, path, field, item, call, idOf }) => {
    const seen = record(server, method, `${API}/${path}`, (req) =>
      tokenOf(req) === "" ? { [field]: [item(1), item(2)], next_page_token: "page-2" } : { [field]: [item(3)] },
    );
    const all = await call(testClient());
    expect(all.map(idOf)).toEqual(["1", "2", "3"]);
    expect(seen.map(tokenOf)).toEqual(["", "page-2"]);
  });

  it.each(PAGED_METHODS)("$name(…).firstPage() gives one page and the token of the next", async ({ method, path, field, item, call, idOf }) => {
    const seen = record(server, method, `${API}/${path}`, (req) =>
      tokenOf(req) === "" ? { [field]: [item(1), item(2)], next_page_token: "page-2" } : { [field]: [item(3)] },
    );
    const page = await call(testClient()).firstPage();
    expect(page.items.map(idOf)).toEqual(["1", "2"]);
    expect(page.nextPageToken).toBe("page-2");
    expect(seen).toHaveLength(1);
  });

  it("types the awaited result as the array of every item, and a page only through firstPage()", async () => {
    const client = testClient();
    record(server, "get", `${API}/metrics/get-history`, () => ({ metrics: [] }));
    record(server, "post", `${API}/experiments/search`, () => ({ experiments: [] }));
    const history = await client.metrics.getHistory(RUN_ID, "loss");
    expectTypeOf(history).toEqualTypeOf<Metric[]>();
    // @ts-expect-error the awaited result is every point, not a page: it has no `items`
    expect(history.items).toBeUndefined();
    // @ts-expect-error …and no `nextPageToken`
    expect((await client.experiments.search()).nextPageToken).toBeUndefined();
    expectTypeOf<ReturnType<Paginated<Experiment>["firstPage"]>>().toEqualTypeOf<Promise<Page<Experiment>>>();
    expectTypeOf(client.runs.search).returns.toEqualTypeOf<Paginated<Awaited<ReturnType<MlflowClient["runs"]["get"]>>>>();
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

  it("does not fetch the first page twice when firstPage() is followed by await", async () => {
    const seen = threePages();
    const search = testClient().experiments.search();
    expect((await search.firstPage()).items).toHaveLength(2);
    expect(await search).toHaveLength(6);
    expect(seen).toHaveLength(3);
  });

  it("starts from a given page token", async () => {
    const seen = threePages();
    const rest = await testClient().experiments.search({ page_token: "p2" });
    expect(rest.map((e) => e.experiment_id)).toEqual(["3", "4", "5", "6"]);
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

  it("all({ maxItems }) stops reading with TooManyItemsError as soon as the bound is passed", async () => {
    const seen = threePages();
    const error = await testClient()
      .experiments.search()
      .all({ maxItems: 3 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TooManyItemsError);
    expect(error).toMatchObject({ maxItems: 3 });
    expect((error as Error).message).toMatch(/more than 3 items.*Fix: iterate with `for await/);
    expect(seen).toHaveLength(2);
    expect(await testClient().experiments.search().all({ maxItems: 6 })).toHaveLength(6);
  });

  it("await stops at 1,000,000 items by default", async () => {
    let pages = 0;
    const huge = new Paginated<number>(async (token) => {
      pages++;
      return { items: new Array<number>(400_000).fill(0), nextPageToken: `t${Number(token?.slice(1) ?? 0) + 1}` };
    });
    await expect(huge).rejects.toMatchObject({ name: "TooManyItemsError", maxItems: 1_000_000 });
    expect(pages).toBe(3);
  });

  it.each([0, -1, 1.5, Number.NaN])("all({ maxItems: %s }) is refused before any request", async (maxItems) => {
    const seen = threePages();
    const error = await testClient()
      .experiments.search()
      .all({ maxItems })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ key: "maxItems", rule: "max-items" });
    expect((error as Error).message).toMatch(/Fix: /);
    expect(seen).toHaveLength(0);
  });

  it("stops with an error when the server repeats a page token (the get-history bug)", async () => {
    const seen = record(server, "get", `${API}/metrics/get-history`, () => ({ metrics: [], next_page_token: "eyJvZmZzZXQiOiAwfQ==" }));
    const error = await testClient()
      .metrics.getHistory(RUN_ID, "loss")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MlflowError);
    expect((error as Error).message).toBe('The server returned the page token "eyJvZmZzZXQiOiAwfQ==" twice; stopping to avoid an endless loop.');
    expect(seen).toHaveLength(2);
  });

  it("treats an empty next_page_token as the last page", async () => {
    const seen = record(server, "post", `${API}/runs/search`, () => ({ runs: [], next_page_token: "" }));
    expect(await testClient().runs.search({ experiment_ids: ["1"] })).toEqual([]);
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
    expect(
      await testClient()
        .experiments.search()
        .catch((e: unknown) => (e as Error).name),
    ).toBe("PermissionDeniedError");
  });

  it("fetches nothing until used", async () => {
    let calls = 0;
    const lazy = new Paginated<number>(async () => {
      calls++;
      return { items: [1], nextPageToken: undefined };
    });
    expect(calls).toBe(0);
    expect(await lazy).toEqual([1]);
    expect(calls).toBe(1);
  });
});
