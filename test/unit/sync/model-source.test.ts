/** Translating a model version's source to the copies: runs:/, models:/m-…, paths inside an artifact location, and what cannot be translated. */
import { describe, expect, it } from "vitest";
import { classifySource, modelIdOfSource, targetSource } from "../../../src/sync/model-source.js";

const run = { id: "r1", artifactUri: "/data/mlruns/1/r1/artifacts" };
const model = { id: "m-0a1b", artifactUri: "s3://bucket/1/models/m-0a1b/artifacts" };

describe("classifySource", () => {
  it.each([
    ["runs:/r9/model", { kind: "run-uri", runId: "r9", path: "model" }],
    ["runs:/r9", { kind: "run-uri", runId: "r9", path: "" }],
    ["models:/m-0a1b", { kind: "model-uri", modelId: "m-0a1b" }],
    ["/data/mlruns/1/r1/artifacts/model", { kind: "inside-run", runId: "r1", path: "model" }],
    ["file:///data/mlruns/1/r1/artifacts/model/", { kind: "inside-run", runId: "r1", path: "model" }],
    ["/data/mlruns/1/r1/artifacts", { kind: "inside-run", runId: "r1", path: "" }],
    ["s3://bucket/1/models/m-0a1b/artifacts/sub/dir", { kind: "inside-model", modelId: "m-0a1b", path: "sub/dir" }],
  ])("recognises %s", (source, expected) => {
    expect(classifySource(source, run, [model])).toEqual(expected);
  });

  it.each(["models:/clf/3", "models:/clf@champion", "s3://elsewhere/model", "/data/mlruns/1/r10/artifacts/model", "/data/mlruns/1/r1/artifactsX"])(
    "does not translate %s",
    (source) => {
      expect(classifySource(source, run, [model])).toBeUndefined();
    },
  );

  it("reads the model id of a models:/m-… source only", () => {
    expect([modelIdOfSource("models:/m-00ff"), modelIdOfSource("models:/clf/1")]).toEqual(["m-00ff", undefined]);
  });
});

describe("targetSource", () => {
  it("names the copies", () => {
    expect(targetSource({ kind: "run-uri", runId: "r9", path: "model" }, "t9", undefined)).toBe("runs:/t9/model");
    expect(targetSource({ kind: "model-uri", modelId: "m-0a1b" }, "m-ffff", undefined)).toBe("models:/m-ffff");
    expect(targetSource({ kind: "inside-run", runId: "r1", path: "model" }, "t1", "s3://mlflow/4/t1/artifacts/")).toBe("s3://mlflow/4/t1/artifacts/model");
    expect(targetSource({ kind: "inside-model", modelId: "m-0a1b", path: "" }, "m-ffff", "mlflow-artifacts:/4/models/m-ffff/artifacts")).toBe(
      "mlflow-artifacts:/4/models/m-ffff/artifacts",
    );
  });
});
