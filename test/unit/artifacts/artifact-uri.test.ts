import { describe, expect, it } from "vitest";
import { joinArtifactPath, objectKey, parseArtifactUri } from "../../../src/artifacts/artifact-uri.js";
import { UnsupportedArtifactStoreError } from "../../../src/artifacts/errors.js";
import { ConfigurationError } from "../../../src/core/errors.js";

const RUN = "0123456789abcdef0123456789abcdef";

describe("parseArtifactUri", () => {
  it("reads an s3 URI as bucket and key prefix", () => {
    expect(parseArtifactUri(`s3://mlflow/1/${RUN}/artifacts`)).toEqual({
      kind: "s3",
      uri: `s3://mlflow/1/${RUN}/artifacts`,
      bucket: "mlflow",
      prefix: `1/${RUN}/artifacts`,
    });
  });

  it("reads a bucket-only s3 URI with an empty prefix", () => {
    expect(parseArtifactUri("s3://mlflow/")).toMatchObject({ kind: "s3", bucket: "mlflow", prefix: "" });
    expect(parseArtifactUri("s3://mlflow")).toMatchObject({ kind: "s3", bucket: "mlflow", prefix: "" });
  });

  it("refuses an s3 URI without a bucket", () => {
    expect(() => parseArtifactUri("s3:///x")).toThrow(/has no bucket/);
  });

  it("resolves mlflow-artifacts:/ against the tracking URI, keeping its path prefix", () => {
    expect(parseArtifactUri(`mlflow-artifacts:/1/${RUN}/artifacts`, "https://mlflow.example.com/team-a")).toMatchObject({
      kind: "proxy",
      serverUrl: "https://mlflow.example.com/team-a",
      root: `1/${RUN}/artifacts`,
    });
  });

  it("takes the host of mlflow-artifacts://host:port/path and the scheme and prefix of the tracking URI", () => {
    expect(parseArtifactUri("mlflow-artifacts://artifacts.internal:8080/5/x/artifacts", "http://127.0.0.1:5000/mlflow/")).toMatchObject({
      kind: "proxy",
      serverUrl: "http://artifacts.internal:8080/mlflow",
      root: "5/x/artifacts",
    });
  });

  it("never copies tracking URI credentials into the server URL", () => {
    const location = parseArtifactUri("mlflow-artifacts:/1/x", "http://bob:hunter22@127.0.0.1:5000");
    expect(location).toMatchObject({ serverUrl: "http://127.0.0.1:5000" });
  });

  it("refuses mlflow-artifacts://<port>/ (a port without a host), as MLflow does", () => {
    expect(() => parseArtifactUri("mlflow-artifacts://5000/1/x", "http://127.0.0.1:5000")).toThrow(ConfigurationError);
  });

  it("requires an http(s) tracking URI for mlflow-artifacts URIs", () => {
    expect(() => parseArtifactUri("mlflow-artifacts:/1/x", undefined)).toThrow(/MLFLOW_TRACKING_URI=http/);
    expect(() => parseArtifactUri("mlflow-artifacts:/1/x", "sqlite:///mlflow.db")).toThrow(ConfigurationError);
  });

  it("treats an http(s) URL of the artifact service as proxied", () => {
    expect(parseArtifactUri(`http://srv:5000/pfx/api/2.0/mlflow-artifacts/artifacts/1/${RUN}/artifacts`)).toMatchObject({
      kind: "proxy",
      serverUrl: "http://srv:5000/pfx",
      root: `1/${RUN}/artifacts`,
    });
  });

  it("reads file: URIs and plain paths as local directories", () => {
    expect(parseArtifactUri("file:///srv/mlruns/1/x/artifacts")).toEqual({
      kind: "local",
      uri: "file:///srv/mlruns/1/x/artifacts",
      directory: "/srv/mlruns/1/x/artifacts",
    });
    expect(parseArtifactUri("/srv/mlruns/1/x/artifacts")).toMatchObject({ kind: "local", directory: "/srv/mlruns/1/x/artifacts" });
    expect(parseArtifactUri("file:/srv/a%20b")).toMatchObject({ kind: "local", directory: "/srv/a b" });
  });

  it.each([
    ["gs://bucket/x", "gs", "Google Cloud Storage"],
    ["wasbs://c@acct.blob.core.windows.net/x", "wasbs", "Azure"],
    ["dbfs:/databricks/mlflow", "dbfs", "Databricks"],
    ["hdfs://nn/x", "hdfs", "HDFS"],
    ["ftp://host/x", "ftp", "FTP"],
    ["http://example.com/some/other/path", "http", ""],
  ])("refuses %s naming the scheme", (uri, scheme, what) => {
    let error: unknown;
    try {
      parseArtifactUri(uri, "http://127.0.0.1:5000");
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UnsupportedArtifactStoreError);
    expect((error as UnsupportedArtifactStoreError).scheme).toBe(scheme);
    expect((error as Error).message).toContain(`Unsupported artifact store "${scheme}:"`);
    expect((error as Error).message).toContain(what);
  });

  it("does not print credentials of an unsupported URI", () => {
    expect(() => parseArtifactUri("ftp://user:s3cr3t-pass@host/x")).toThrow(/ftp:\/\/\*\*\*@host/);
  });
});

describe("objectKey (MLflow's posixpath.join of prefix, artifact path and file)", () => {
  it.each([
    [`1/${RUN}/artifacts`, "model", "model.pkl", `1/${RUN}/artifacts/model/model.pkl`],
    [`1/${RUN}/artifacts`, undefined, "model.pkl", `1/${RUN}/artifacts/model.pkl`],
    [`1/${RUN}/artifacts`, "", "model.pkl", `1/${RUN}/artifacts/model.pkl`],
    ["", "model", "model.pkl", "model/model.pkl"],
    ["", undefined, "a.txt", "a.txt"],
    ["prefix/", "dir/", "f", "prefix/dir/f"],
    [`1/${RUN}/artifacts`, "model/v1", "sub/dir/weights.bin", `1/${RUN}/artifacts/model/v1/sub/dir/weights.bin`],
  ])("objectKey(%j, %j, %j) = %j", (prefix, artifactPath, file, key) => {
    expect(objectKey(prefix, artifactPath, file)).toBe(key);
  });

  it("joins any number of parts", () => {
    expect(joinArtifactPath("a", undefined, "", "b/", "c")).toBe("a/b/c");
    expect(joinArtifactPath()).toBe("");
  });
});
