/** client.modelVersions: behaviour beyond the wire shape. */
import { describe, expect, it } from "vitest";
import { API, modelVersionJson, record, testClient, useMockServer } from "../helpers/mock-server.js";

const server = useMockServer();

describe("model versions", () => {
  it("sends version numbers as strings", async () => {
    const seen = record(server, "get", `${API}/model-versions/get`, () => ({ model_version: modelVersionJson() }));
    await testClient().modelVersions.get("fraud", 12);
    expect(seen[0]!.query.get("version")).toBe("12");
  });

  it("transitionStage does not archive other versions unless asked", async () => {
    const seen = record(server, "post", `${API}/model-versions/transition-stage`, () => ({ model_version: modelVersionJson() }));
    await testClient().modelVersions.transitionStage("fraud", "3", "Staging");
    expect(seen[0]!.body).toEqual({ name: "fraud", version: "3", stage: "Staging", archive_existing_versions: false });
  });

  it("create checks registry tags before sending", async () => {
    const seen = record(server, "post", `${API}/model-versions/create`, () => ({ model_version: modelVersionJson() }));
    await expect(testClient().modelVersions.create({ name: "fraud", source: "s3://b/m", tags: { "a//b": "v" } })).rejects.toMatchObject({ rule: "key-path" });
    await expect(testClient().modelVersions.setTag("fraud", 1, "k", "x".repeat(100_001))).rejects.toMatchObject({ rule: "value-length" });
    expect(seen).toHaveLength(0);
  });

  it("parses the MLflow 3 model params and metrics of a version", async () => {
    record(server, "get", `${API}/model-versions/get`, () => ({
      model_version: {
        ...modelVersionJson(),
        model_id: "m-1",
        model_params: [{ name: "lr", value: "0.1" }],
        model_metrics: [{ key: "acc", value: "NaN", timestamp: 1, step: 0 }],
      },
    }));
    const mv = await testClient().modelVersions.get("fraud", 3);
    expect(mv.model_params).toEqual([{ name: "lr", value: "0.1" }]);
    expect(mv.model_metrics[0]!.value).toBeNaN();
  });
});
