/** client.experiments: behaviour beyond the wire shape (see endpoints.test.ts for that). */
import { describe, expect, it } from "vitest";
import { PermissionDeniedError } from "../../../src/index.js";
import { API, experimentJson, mlflowError, record, testClient, useMockServer } from "../helpers/mock-server.js";

const server = useMockServer();

describe("experiments", () => {
  it("getByName returns undefined when the experiment does not exist", async () => {
    const seen = record(server, "get", `${API}/experiments/get-by-name`, () =>
      mlflowError(404, "RESOURCE_DOES_NOT_EXIST", "Could not find experiment with name 'x'"),
    );
    await expect(testClient().experiments.getByName("x")).resolves.toBeUndefined();
    expect(seen).toHaveLength(1);
  });

  it("getByName passes other errors on", async () => {
    record(server, "get", `${API}/experiments/get-by-name`, () => mlflowError(403, "PERMISSION_DENIED", "no"));
    await expect(testClient().experiments.getByName("x")).rejects.toBeInstanceOf(PermissionDeniedError);
  });

  it("create validates the name and every tag before sending", async () => {
    const seen = record(server, "post", `${API}/experiments/create`, () => ({ experiment_id: "1" }));
    const client = testClient();
    await expect(client.experiments.create({ name: "" })).rejects.toMatchObject({ rule: "experiment-name" });
    await expect(client.experiments.create({ name: "e", tags: { "bad//key": "v" } })).rejects.toMatchObject({ rule: "key-path" });
    await expect(client.experiments.create({ name: "e", tags: [{ key: "k", value: "x".repeat(20_001) }] })).rejects.toMatchObject({ rule: "value-length" });
    expect(seen).toHaveLength(0);
  });

  it("create sends an empty tag list when there are no tags", async () => {
    const seen = record(server, "post", `${API}/experiments/create`, () => ({ experiment_id: "5" }));
    await expect(testClient().experiments.create({ name: "e" })).resolves.toBe("5");
    expect(seen[0]!.body).toEqual({ name: "e", tags: [] });
  });

  it("update checks the new name", async () => {
    const seen = record(server, "post", `${API}/experiments/update`);
    await expect(testClient().experiments.update("1", { new_name: "x".repeat(501) })).rejects.toMatchObject({ rule: "experiment-name" });
    expect(seen).toHaveLength(0);
  });

  it("search sends max_results even when the caller gives none", async () => {
    const seen = record(server, "post", `${API}/experiments/search`, () => ({ experiments: [experimentJson()] }));
    await testClient().experiments.search();
    expect(seen[0]!.body).toEqual({ max_results: 1000 });
  });

  it("search sends the caller's page size", async () => {
    const seen = record(server, "post", `${API}/experiments/search`, () => ({}));
    const experiments = await testClient().experiments.search({ max_results: 50_000 });
    expect(seen[0]!.body).toEqual({ max_results: 50_000 });
    expect(experiments).toEqual([]);
  });
});
