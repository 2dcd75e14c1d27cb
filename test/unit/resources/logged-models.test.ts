/** client.loggedModels: behaviour beyond the wire shape. */
import { describe, expect, it } from "vitest";
import { API, record, testClient, useMockServer } from "../helpers/mock-server.js";

const server = useMockServer();
const MODEL_ID = "m-0123456789abcdef0123456789abcdef";

describe("logged models", () => {
  it("logParams sends 100 params per request, in order", async () => {
    const seen = record(server, "post", `${API}/logged-models/${MODEL_ID}/params`);
    const params = Object.fromEntries(Array.from({ length: 250 }, (_, i) => [`p${i}`, i]));
    await testClient().loggedModels.logParams(MODEL_ID, params);
    const bodies = seen.map((r) => (r.body as { params: { key: string }[] }).params);
    expect(bodies.map((b) => b.length)).toEqual([100, 100, 50]);
    expect(bodies.flat().map((p) => p.key)).toEqual(Object.keys(params));
  });

  it("listArtifacts follows page tokens", async () => {
    const seen = record(server, "get", `${API}/logged-models/${MODEL_ID}/artifacts/directories`, (req) =>
      req.query.get("page_token") === null
        ? { files: [{ path: "a", is_dir: true }], next_page_token: "t" }
        : { files: [{ path: "b", is_dir: false, file_size: 1 }] },
    );
    const files = await testClient().loggedModels.listArtifacts(MODEL_ID);
    expect(files).toEqual([
      { path: "a", is_dir: true },
      { path: "b", is_dir: false, file_size: 1 },
    ]);
    expect(seen.map((r) => r.query.get("page_token"))).toEqual([null, "t"]);
  });

  it("setTags and create check keys before sending", async () => {
    const seen = record(server, "patch", `${API}/logged-models/${MODEL_ID}/tags`);
    await expect(testClient().loggedModels.setTags(MODEL_ID, { "a//b": "x" })).rejects.toMatchObject({ rule: "key-path" });
    await expect(
      testClient().loggedModels.create({
        experiment_id: "1",
        params: [
          { key: "p", value: 1 },
          { key: "p", value: 2 },
        ],
      }),
    ).rejects.toMatchObject({ rule: "duplicate-param" });
    expect(seen).toHaveLength(0);
  });

  it("search sends max_results 50 by default", async () => {
    const seen = record(server, "post", `${API}/logged-models/search`, () => ({}));
    await testClient().loggedModels.search({ experiment_ids: ["1"] });
    expect(seen[0]!.body).toEqual({ experiment_ids: ["1"], max_results: 50 });
  });
});
