/** MLflow's URI grammar: runs:/ and models:/ URIs, and the root/path split of download_artifacts. */
import { describe, expect, it } from "vitest";
import { parseModelsUri, parseRunsUri, splitModelsUri, uriRootAndPath, uriScheme } from "../../../src/protocol/uri.js";
import { validationError } from "../helpers/validation-error.js";

describe("parseRunsUri", () => {
  it("reads the run id and the path inside the run", () => {
    expect(parseRunsUri("runs:/abc/model/MLmodel")).toEqual({ scheme: "runs", runId: "abc", path: "model/MLmodel" });
    expect(parseRunsUri("runs:/abc")).toEqual({ scheme: "runs", runId: "abc", path: "" });
    expect(parseRunsUri("runs:/abc/")).toEqual({ scheme: "runs", runId: "abc", path: "" });
  });

  it.each(["runs:/", "runs:abc/model", "runs://profile/abc/model", "models:/abc/1", "runs://"])("refuses %s naming the URI and the form", (uri) => {
    const error = validationError(() => parseRunsUri(uri));
    expect(error.rule).toBe("runs-uri");
    expect(error.message).toContain(uri);
    expect(error.message).toContain("Fix: write runs:/<run_id>/");
  });
});

describe("parseModelsUri", () => {
  it.each([
    ["models:/churn/3", { kind: "version", name: "churn", version: "3" }],
    ["models:/churn/Production", { kind: "stage", name: "churn", stage: "Production" }],
    ["models:/churn/LATEST", { kind: "latest", name: "churn" }],
    ["models:/churn@champion", { kind: "alias", name: "churn", alias: "champion" }],
    ["models:/a@b@champion", { kind: "alias", name: "a@b", alias: "champion" }],
    ["models:/m-0123456789abcdef0123456789abcdef", { kind: "model-id", modelId: "m-0123456789abcdef0123456789abcdef" }],
    // As in Python: one segment without "@" names a logged model, whatever it looks like.
    ["models:/churn", { kind: "model-id", modelId: "churn" }],
  ])("reads %s as Python's _parse_model_uri does", (uri, expected) => {
    expect(parseModelsUri(uri)).toEqual({ scheme: "models", ...expected });
  });

  it.each(["models:/", "models:churn/1", "models:/churn/1/extra", "models:/churn/ ", "models:/churn@", "models:/ /1"])(
    "refuses %s naming every accepted form",
    (uri) => {
      const error = validationError(() => parseModelsUri(uri));
      expect(error.rule).toBe("models-uri");
      expect(error.message).toContain(`"${uri}"`);
      expect(error.message).toContain("models:/<name>@<alias>");
      expect(error.message).toMatch(/Fix: /);
    },
  );
});

describe("a models:/ URI with a host part", () => {
  it("is refused without its userinfo in the message", () => {
    const error = validationError(() => parseModelsUri("models://token:secret@databricks/churn/1"));
    expect(error.rule).toBe("models-uri");
    expect(error.message).not.toContain("secret");
    expect(error.message).toContain("@databricks/churn/1");
  });
});

describe("splitModelsUri", () => {
  it.each([
    ["models:/churn/3/data/model.onnx", "models:/churn/3", "data/model.onnx"],
    ["models:/churn@champion/data/model.onnx", "models:/churn@champion", "data/model.onnx"],
    ["models:/churn@champion/MLmodel", "models:/churn@champion", "MLmodel"],
    ["models:/churn/3", "models:/churn/3", ""],
    ["models:/churn/3/", "models:/churn/3", ""],
    ["models:/m-0123456789abcdef0123456789abcdef", "models:/m-0123456789abcdef0123456789abcdef", ""],
    // Python's quirk, kept: a path after a model id makes it read as <name>/<stage>.
    ["models:/m-abc/MLmodel", "models:/m-abc/MLmodel", ""],
  ])("splits %s into %s and %j", (uri, root, path) => {
    expect(splitModelsUri(uri)).toEqual({ root, path });
  });
});

describe("uriRootAndPath", () => {
  // Pairs printed by mlflow 3.17.2's artifact_utils._get_root_uri_and_artifact_path.
  it.each([
    ["runs:/abc", "runs:/", "abc"],
    ["runs:/abc/", "runs:/abc", ""],
    ["runs:/abc/model/", "runs:/abc/model", ""],
    ["runs:/abc/model", "runs:/abc", "model"],
    ["s3://bucket", "s3://bucket", ""],
    ["s3://bucket/a", "s3://bucket/", "a"],
    ["mlflow-artifacts:/1/x", "mlflow-artifacts:/1", "x"],
    ["mlflow-artifacts://host:5000/1/x", "mlflow-artifacts://host:5000/1", "x"],
    ["models:/n/1/", "models:/n/1", ""],
    ["models:/n@a/x/y", "models:/n@a", "x/y"],
    ["file:///tmp/x/y", "file:///tmp/x", "y"],
    ["/tmp/nonexist/a/b", "/tmp/nonexist/a", "b"],
    ["rel/a", "rel", "a"],
    ["http://h/api/2.0/mlflow-artifacts/artifacts/1/x", "http://h/api/2.0/mlflow-artifacts/artifacts/1", "x"],
  ])("splits %s as Python does", (uri, root, path) => {
    expect(uriRootAndPath(uri)).toEqual({ root, path });
  });
});

describe("uriScheme", () => {
  it("reads the scheme in lower case and treats a Windows drive as a path", () => {
    expect(uriScheme("S3://b/k")).toBe("s3");
    expect(uriScheme("C:\\models\\m")).toBeUndefined();
    expect(uriScheme("/abs/path")).toBeUndefined();
  });
});
