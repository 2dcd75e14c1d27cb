/**
 * Small pieces of the embedded store that must match MLflow byte for byte: page tokens, artifact
 * locations, generated run names, the search grammar and the first-use notice.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { ConfigurationError } from "../../../src/core/errors.js";
import { announceOnce, noticeLine, resetNoticeForTests } from "../../../src/store/sqlite/engine/notice.js";
import { EXPERIMENT_SEARCH, parseFilter, parseOrderBy, RUN_SEARCH } from "../../../src/store/sqlite/search/grammar.js";
import { decodePageToken, encodePageToken } from "../../../src/store/sqlite/search/page-token.js";
import { appendToUriPath, defaultArtifactRoot, resolveIfLocal, validateArtifactLocation } from "../../../src/store/sqlite/tracking/artifact-location.js";
import { generateRunName } from "../../../src/store/sqlite/tracking/run-name.js";

afterEach(() => resetNoticeForTests());

describe("page tokens", () => {
  it("are base64 of Python's json.dumps({'offset': N}) and round-trip", () => {
    expect(encodePageToken(1000)).toBe("eyJvZmZzZXQiOiAxMDAwfQ==");
    expect(decodePageToken(encodePageToken(7))).toBe(7);
    expect(decodePageToken(undefined)).toBe(0);
  });

  it("refuse tokens MLflow refuses", () => {
    expect(() => decodePageToken("abcde")).toThrow("Invalid page token, could not base64-decode");
    expect(() => decodePageToken("%%%")).toThrow("Invalid page token, decoded value=");
    expect(() => decodePageToken(Buffer.from("nope").toString("base64"))).toThrow("Invalid page token, decoded value=nope");
    expect(() => decodePageToken(Buffer.from('{"offset": 0}').toString("base64"))).toThrow("Invalid page token, parsed value");
  });
});

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

describe("run names", () => {
  it("follow MLflow's <adjective>-<noun>-<0..1000> pattern within 20 characters", () => {
    for (let i = 0; i < 200; i++) expect(generateRunName()).toMatch(/^[a-z]+-[a-z]+-(\d|[1-9]\d{1,2}|1000)$/);
    expect(generateRunName(() => 0)).toBe("abundant-ant-0");
    expect(generateRunName(() => 0.999999).length).toBeLessThanOrEqual(20);
  });
});

describe("search grammar", () => {
  it("parses runs filters into MLflow's comparisons", () => {
    expect(parseFilter('metrics.acc >= -1.5e3 and params.`my key` = \'a b\' AND tags."mlflow.runName" like "x%"', RUN_SEARCH)).toEqual([
      { type: "metric", key: "acc", comparator: ">=", value: "-1.5e3" },
      { type: "parameter", key: "my key", comparator: "=", value: "a b" },
      { type: "tag", key: "mlflow.runName", comparator: "LIKE", value: "x%" },
    ]);
    expect(parseFilter("tags.mlflow.source.name IS NOT NULL AND attr.run_id NOT IN ('a', \"b\")", RUN_SEARCH)).toEqual([
      { type: "tag", key: "mlflow.source.name", comparator: "IS NOT NULL", value: null },
      { type: "attribute", key: "run_id", comparator: "NOT IN", value: ["a", "b"] },
    ]);
    expect(parseFilter("start_time > 5 AND end_time < 2.5", RUN_SEARCH)).toEqual([
      { type: "attribute", key: "start_time", comparator: ">", value: 5n },
      { type: "attribute", key: "end_time", comparator: "<", value: 2.5 },
    ]);
    expect(parseFilter("", RUN_SEARCH)).toEqual([]);
  });

  it("parses order clauses", () => {
    expect(parseOrderBy("metrics.`val loss` DESC", RUN_SEARCH)).toEqual({ type: "metric", key: "val loss", ascending: false });
    expect(parseOrderBy("name", EXPERIMENT_SEARCH)).toEqual({ type: "attribute", key: "name", ascending: true });
    expect(() => parseOrderBy("metrics.a DESC extra", RUN_SEARCH)).toThrow("Invalid order_by clause");
  });

  it("refuses malformed filters with INVALID_PARAMETER_VALUE messages", () => {
    expect(() => parseFilter("metrics.acc > 1 OR metrics.acc < 0", RUN_SEARCH)).toThrow("Invalid clause(s)");
    expect(() => parseFilter("  ", RUN_SEARCH)).toThrow("Could not be parsed");
    expect(() => parseFilter("run_id IN ()", RUN_SEARCH)).toThrow("empty list");
    expect(() => parseFilter("params.x = ()", RUN_SEARCH)).toThrow("Expected a quoted string value for parameter");
    expect(() => parseFilter("metrics.acc > 'x'", RUN_SEARCH)).toThrow("Expected numeric value type for metric");
    expect(() => parseFilter("metric.acc = 1", EXPERIMENT_SEARCH)).toThrow("Invalid entity type");
  });
});

describe("first-use notice", () => {
  const facts = { path: "/w/mlflow.db", uri: "sqlite:////w/mlflow.db", isDefault: true, artifactRoot: "/w/mlruns", cwd: "/w" };

  it("says where the runs go and how to view them, once per process", () => {
    expect(noticeLine(facts)).toBe(
      "mlflow-ts: logging to sqlite:////w/mlflow.db, artifacts under /w/mlruns (no MLFLOW_TRACKING_URI set). View with: mlflow ui --backend-store-uri sqlite:///mlflow.db",
    );
    expect(noticeLine({ ...facts, cwd: "/elsewhere", isDefault: false })).toMatch(
      /artifacts under \/w\/mlruns\. View with: mlflow ui --backend-store-uri sqlite:\/\/\/\/w\/mlflow\.db$/,
    );
    const write = vi.fn();
    announceOnce(facts, {}, write);
    announceOnce(facts, {}, write);
    expect(write).toHaveBeenCalledTimes(1);
  });

  it("is silenced by MLFLOW_TS_QUIET_LOCAL_STORE, and a malformed value names the variable", () => {
    const write = vi.fn();
    announceOnce(facts, { MLFLOW_TS_QUIET_LOCAL_STORE: "true" }, write);
    expect(write).not.toHaveBeenCalled();
    expect(() => announceOnce(facts, { MLFLOW_TS_QUIET_LOCAL_STORE: "maybe" }, write)).toThrow(ConfigurationError);
  });
});
