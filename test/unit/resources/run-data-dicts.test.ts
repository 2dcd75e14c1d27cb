/**
 * `run.data.paramsByKey`, `.metricsByKey` and `.tagsByKey`: Python's `run.data.params["lr"]` over
 * MLflow's `{key, value}` arrays, on every run the client returns (get, search, the embedded
 * store), without changing the wire shape that JSON and equality see.
 */
import { afterAll, describe, expect, it } from "vitest";
import { API, RUN_ID, record, runJson, testClient, useMockServer } from "../helpers/mock-server.js";
import { removeTempDirs, sqliteClient, tempDir } from "../store/sqlite/helpers.js";

const server = useMockServer();
afterAll(removeTempDirs);

function runWithData(): Record<string, unknown> {
  return {
    ...runJson(),
    data: {
      params: [
        { key: "lr", value: "0.01" },
        { key: "layers", value: "3" },
      ],
      metrics: [
        { key: "loss", value: 0.31, timestamp: 1, step: 9 },
        { key: "nan", value: "NaN", timestamp: 1, step: 0 },
      ],
      tags: [{ key: "mlflow.runName", value: "bright-owl-42" }],
    },
  };
}

describe("run.data dictionaries", () => {
  it("give params, latest metrics and tags by key", async () => {
    record(server, "get", `${API}/runs/get`, () => ({ run: runWithData() }));
    const run = await testClient().runs.get(RUN_ID);
    expect(run.data.paramsByKey).toEqual({ lr: "0.01", layers: "3" });
    expect(run.data.paramsByKey.lr).toBe("0.01");
    expect(run.data.metricsByKey).toEqual({ loss: 0.31, nan: Number.NaN });
    expect(run.data.tagsByKey["mlflow.runName"]).toBe("bright-owl-42");
    expect(run.data.paramsByKey.missing).toBeUndefined();
  });

  it("leave the wire shape alone: JSON and the arrays are MLflow's", async () => {
    record(server, "get", `${API}/runs/get`, () => ({ run: runWithData() }));
    const run = await testClient().runs.get(RUN_ID);
    expect(Object.keys(run.data)).toEqual(["metrics", "params", "tags"]);
    expect(JSON.parse(JSON.stringify(run.data))).toEqual({
      metrics: [
        { key: "loss", value: 0.31, timestamp: 1, step: 9 },
        { key: "nan", value: null, timestamp: 1, step: 0 },
      ],
      params: [
        { key: "lr", value: "0.01" },
        { key: "layers", value: "3" },
      ],
      tags: [{ key: "mlflow.runName", value: "bright-owl-42" }],
    });
  });

  it("follow the arrays, and a run with no data has empty dictionaries", async () => {
    record(server, "post", `${API}/runs/search`, () => ({ runs: [runWithData(), { info: (runJson() as { info: unknown }).info }] }));
    const [full, empty] = await testClient().runs.search({ experiment_ids: ["1"] });
    full!.data.params.push({ key: "late", value: "yes" });
    expect(full!.data.paramsByKey.late).toBe("yes");
    expect(empty!.data.paramsByKey).toEqual({});
    expect(empty!.data.metricsByKey).toEqual({});
    expect(empty!.data.tagsByKey).toEqual({});
  });

  it("work on runs of the embedded store", async () => {
    const client = sqliteClient(tempDir());
    const { info } = await client.runs.create({ experiment_id: "0", run_name: "local" });
    await client.runs.logBatch(info.run_id, {
      params: { lr: 0.01 },
      metrics: [
        { key: "loss", value: 0.5, step: 1 },
        { key: "loss", value: 0.25, step: 2 },
      ],
    });
    const run = await client.runs.get(info.run_id);
    expect(run.data.paramsByKey.lr).toBe("0.01");
    expect(run.data.metricsByKey.loss).toBe(0.25);
    expect(run.data.tagsByKey["mlflow.runName"]).toBe("local");
  });
});
