/**
 * Artifact locations of the embedded store: defaults, appended segments and refusals as MLflow has them.
 */
import { describe, expect, it } from "vitest";
import { appendToUriPath, defaultArtifactRoot, resolveIfLocal, validateArtifactLocation } from "../../../../../src/store/sqlite/tracking/artifact-location.js";

describe("artifact locations", () => {
  it("default to <cwd>/mlruns and append segments like append_to_uri_path", () => {
    expect(defaultArtifactRoot("/work")).toBe("/work/mlruns");
    expect(appendToUriPath("/work/mlruns", "3")).toBe("/work/mlruns/3");
    expect(appendToUriPath("/work/mlruns/3/", "abc", "artifacts")).toBe("/work/mlruns/3/abc/artifacts");
    expect(appendToUriPath("s3://bucket/root?x=1", "7", "artifacts")).toBe("s3://bucket/root/7/artifacts?x=1");
    expect(appendToUriPath("file:///srv/mlruns", "1")).toBe("file:///srv/mlruns/1");
    expect(appendToUriPath("mlflow-artifacts:/1", "r", "artifacts")).toBe("mlflow-artifacts:/1/r/artifacts");
  });

  it("resolve relative local paths against the working folder and leave other URIs alone", () => {
    expect(resolveIfLocal("data/art", "/work")).toBe("/work/data/art");
    expect(resolveIfLocal("/abs/art", "/work")).toBe("/abs/art");
    expect(resolveIfLocal("file:rel", "/work")).toBe("file:///work/rel");
    expect(resolveIfLocal("s3://b/p", "/work")).toBe("s3://b/p");
  });

  it("refuse what the server refuses", () => {
    expect(() => validateArtifactLocation("runs:/abc/model")).toThrow("'runs:' URIs");
    expect(() => validateArtifactLocation("s3://b/p#frag")).toThrow("fragments");
    expect(() => validateArtifactLocation("s3://b/p?x=../y")).toThrow("'..'");
    expect(() => validateArtifactLocation(`/p/${"x".repeat(2048)}`)).toThrow("2048");
    expect(() => validateArtifactLocation("s3://b/p")).not.toThrow();
  });
});
