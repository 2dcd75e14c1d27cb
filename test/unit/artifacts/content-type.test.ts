import { describe, expect, it } from "vitest";
import { proxyContentType, s3ContentHeaders } from "../../../src/artifacts/content-type.js";

describe("s3ContentHeaders (Python's mimetypes.guess_type, as boto3 uploads get it)", () => {
  it.each([
    ["data.csv", { ContentType: "text/csv" }],
    ["eval/data.csv.gz", { ContentType: "text/csv", ContentEncoding: "gzip" }],
    ["archive.tar.gz", { ContentType: "application/x-tar", ContentEncoding: "gzip" }],
    ["raw.gz", { ContentEncoding: "gzip" }],
    ["model.onnx", {}],
    ["MLmodel", {}],
    ["report.json", { ContentType: "application/json" }],
  ])("%s → %j", (name, headers) => {
    expect(s3ContentHeaders(name)).toEqual(headers);
  });
});

describe("proxyContentType (MLflow's _guess_mime_type)", () => {
  it.each([
    ["MLmodel", "text/plain"],
    ["conda.yaml", "text/plain"],
    ["metrics.json", "text/plain"],
    ["model.pkl", "application/octet-stream"],
    ["image.png", "image/png"],
  ])("%s → %s", (name, type) => {
    expect(proxyContentType(name)).toBe(type);
  });
});
