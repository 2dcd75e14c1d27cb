/** client.registeredModels: behaviour beyond the wire shape. */
import { describe, expect, it } from "vitest";
import { API, record, registeredModelJson, testClient, useMockServer } from "../helpers/mock-server.js";

const server = useMockServer();

describe("registered models", () => {
  it("setAlias refuses reserved and malformed aliases before sending", async () => {
    const seen = record(server, "post", `${API}/registered-models/alias`);
    await expect(testClient().registeredModels.setAlias("fraud", "latest", 1)).rejects.toMatchObject({ rule: "alias-reserved" });
    await expect(testClient().registeredModels.setAlias("fraud", "my alias", 1)).rejects.toMatchObject({ rule: "alias" });
    expect(seen).toHaveLength(0);
  });

  it("create checks tag keys and the 100 000-character value limit", async () => {
    const seen = record(server, "post", `${API}/registered-models/create`, () => ({ registered_model: registeredModelJson() }));
    await expect(testClient().registeredModels.create({ name: "fraud", tags: { "/k": "v" } })).rejects.toMatchObject({ rule: "key-path" });
    await expect(testClient().registeredModels.create({ name: "fraud", tags: { k: "x".repeat(100_001) } })).rejects.toMatchObject({ rule: "value-length" });
    await testClient().registeredModels.create({ name: "fraud", tags: { k: "x".repeat(100_000) } });
    expect(seen).toHaveLength(1);
  });

  it("search pages with max_results 100 by default", async () => {
    const seen = record(server, "get", `${API}/registered-models/search`, (_req, n) =>
      n === 1 ? { registered_models: [registeredModelJson("a")], next_page_token: "x" } : { registered_models: [registeredModelJson("b")] },
    );
    const names: string[] = [];
    for await (const model of testClient().registeredModels.search()) names.push(model.name);
    expect(names).toEqual(["a", "b"]);
    expect(seen.map((r) => r.query.get("max_results"))).toEqual(["100", "100"]);
  });

  it("getLatestVersions sends no stages when none are given", async () => {
    const seen = record(server, "post", `${API}/registered-models/get-latest-versions`, () => ({}));
    await expect(testClient().registeredModels.getLatestVersions("fraud")).resolves.toEqual([]);
    expect(seen[0]!.body).toEqual({ name: "fraud" });
  });
});
