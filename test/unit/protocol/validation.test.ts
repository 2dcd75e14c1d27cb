/**
 * Client-side validation mirrors MLflow 3.17's server rules and fails before any request, naming
 * the key and the rule.
 */
import { describe, expect, it } from "vitest";
import {
  isPathAmbiguous,
  normalizePosix,
  stringifyValue,
  validateAlias,
  validateExperimentName,
  validateKey,
  validateMaxResults,
  validateMetricPosition,
  validateMetricValue,
  validateModelName,
  validateRunId,
} from "../../../src/protocol/validation.js";
import { API, RUN_ID, record, testClient, useMockServer } from "../helpers/mock-server.js";
import { validationError } from "../helpers/validation-error.js";

const server = useMockServer();

/** Records every request to the mocked server, so a test can assert that none was sent. */
function recordAll() {
  return [...["get", "post", "patch", "delete"].map((method) => record(server, method as "get", `${API}/*`))];
}

describe("keys (metrics, params, tags)", () => {
  it.each(["loss", "train/loss", "val loss", "epoch:1", "a_b-c.d", "ключ", "名前", "état-1.x", "λ2", "x".repeat(250)])("accepts %j", (key) => {
    expect(() => validateKey(key, "metric")).not.toThrow();
  });

  it.each([
    ["", "key-empty"],
    ["x".repeat(251), "key-length"],
    ["a!b", "key-characters"],
    ["a\tb", "key-characters"],
    ["a\\b", "key-characters"],
    ["a#b", "key-characters"],
    ["emoji🙂", "key-characters"],
    ["a//b", "key-path"],
    ["./a", "key-path"],
    ["a/", "key-path"],
    ["/a", "key-path"],
    ["..", "key-path"],
    ["../a", "key-path"],
    ["a/../b", "key-path"],
    ["a/./b", "key-path"],
    [".", "key-path"],
  ])("refuses %j (%s)", (key, rule) => {
    const error = validationError(() => validateKey(key, "param"));
    expect(error.rule).toBe(rule);
    expect(error.message).toContain("param");
  });

  it("names the key, the rule and a fix", () => {
    const error = validationError(() => validateKey("a//b", "metric"));
    expect(error).toMatchObject({ key: "a//b", rule: "key-path" });
    expect(error.message).toBe(
      'The metric key "a//b" is path-ambiguous (MLflow refuses empty segments, "." and "..", and a leading or trailing "/"). Fix: e.g. "a/b".',
    );
    expect(validationError(() => validateKey("x".repeat(300), "tag")).message).toMatch(
      /^The tag key "x{57}\.\.\." has 300 characters; MLflow allows at most 250\./,
    );
    expect(validationError(() => validateKey(5, "tag")).rule).toBe("key-type");
  });

  it("normalises paths like Python's posixpath.normpath", () => {
    const cases: [string, string][] = [
      ["a//b", "a/b"],
      ["./a", "a"],
      ["a/", "a"],
      ["/a", "/a"],
      ["//a", "//a"],
      ["///a", "/a"],
      ["a/../b", "b"],
      ["..", ".."],
      ["../a", "../a"],
      ["a/../../b", "../b"],
      ["/../a", "/a"],
      ["", "."],
    ];
    for (const [input, expected] of cases) expect(normalizePosix(input), input).toBe(expected);
    expect(isPathAmbiguous("a/b")).toBe(false);
    expect(isPathAmbiguous("..a")).toBe(true);
  });
});

describe("values", () => {
  it("refuses a param value over 6000 characters, a run tag over 8000, an experiment tag over 20000", async () => {
    const seen = recordAll();
    const client = testClient();
    await expect(client.runs.logParam(RUN_ID, "p", "x".repeat(6001))).rejects.toMatchObject({ key: "p", rule: "value-length" });
    await expect(client.runs.setTag(RUN_ID, "t", "x".repeat(8001))).rejects.toMatchObject({ key: "t", rule: "value-length" });
    await expect(client.experiments.setTag("1", "e", "x".repeat(20_001))).rejects.toMatchObject({ key: "e", rule: "value-length" });
    await expect(client.registeredModels.setTag("m", "r", "x".repeat(100_001))).rejects.toMatchObject({ key: "r", rule: "value-length" });
    expect(seen.flat()).toHaveLength(0);
  });

  it("accepts values at the limits", async () => {
    const seen = recordAll();
    const client = testClient();
    await client.runs.logParam(RUN_ID, "p", "x".repeat(6000));
    await client.runs.setTag(RUN_ID, "t", "x".repeat(8000));
    await client.experiments.setTag("1", "e", "x".repeat(20_000));
    expect(seen.flat()).toHaveLength(3);
  });

  it("says why long values are refused instead of truncated", async () => {
    const error = await testClient()
      .runs.logBatch(RUN_ID, { params: { p: "x".repeat(7000) } })
      .catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      'The param "p" has a value of 7000 characters; MLflow allows at most 6000. mlflow-ts refuses rather than truncating silently. Fix: shorten it, or log it as an artifact.',
    );
  });

  it("converts param and tag values as Python's str() would", () => {
    expect(stringifyValue("k", 0.001)).toBe("0.001");
    expect(stringifyValue("k", true)).toBe("true");
    expect(stringifyValue("k", 12n)).toBe("12");
    expect(stringifyValue("k", null)).toBe("null");
    expect(stringifyValue("k", { a: [1, 2] })).toBe('{"a":[1,2]}');
    expect(validationError(() => stringifyValue("k", undefined))).toMatchObject({ key: "k", rule: "value-type" });
    expect(validationError(() => stringifyValue("k", () => 1)).rule).toBe("value-type");
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(validationError(() => stringifyValue("k", circular)).message).toMatch(/^The value of "k" cannot be converted to JSON/);
    expect(validationError(() => validateRunId(5n)).message).toMatch(/^5n is not a valid run id/);
  });
});

describe("names and ids", () => {
  it("experiment names: non-empty, at most 500 characters", () => {
    expect(() => validateExperimentName("x".repeat(500))).not.toThrow();
    expect(() => validateExperimentName(" ")).not.toThrow();
    expect(validationError(() => validateExperimentName("x".repeat(501))).message).toBe("The experiment name has 501 characters; MLflow allows at most 500.");
    expect(validationError(() => validateExperimentName("")).rule).toBe("experiment-name");
    expect(validationError(() => validateExperimentName(undefined)).message).toContain("must be a non-empty string");
  });

  it.each([RUN_ID, "a", "A-b_9", "x".repeat(256)])("accepts run id %j", (id) => {
    expect(() => validateRunId(id)).not.toThrow();
  });

  it.each(["", "-abc", "_abc", "a/b", "a b", "a.b", "x".repeat(257), 42])("refuses run id %j", (id) => {
    expect(validationError(() => validateRunId(id))).toMatchObject({ key: "run_id", rule: "run-id" });
  });

  it("checks run ids before any request", async () => {
    const seen = recordAll();
    await expect(testClient().runs.get("../../experiments")).rejects.toMatchObject({ rule: "run-id" });
    expect(seen.flat()).toHaveLength(0);
  });

  it.each(["fraud", "fraud detector", "Fraud_v2"])("accepts registered model name %j", (name) => {
    expect(() => validateModelName(name)).not.toThrow();
  });

  it.each(["", "   ", "a/b", "a:b", "..", "."])("refuses registered model name %j", (name) => {
    expect(validationError(() => validateModelName(name)).rule).toBe("model-name");
  });

  it("refuses a bad registered model name or new name before any request", async () => {
    const seen = recordAll();
    await expect(testClient().registeredModels.create({ name: "team/model" })).rejects.toMatchObject({ key: "name", rule: "model-name" });
    await expect(testClient().registeredModels.rename("ok", "a:b")).rejects.toMatchObject({ key: "new_name", rule: "model-name" });
    expect(seen.flat()).toHaveLength(0);
  });

  it.each([
    ["champion", undefined],
    ["prod_2-b", undefined],
    ["latest", "alias-reserved"],
    ["LATEST", "alias-reserved"],
    ["v3", "alias-reserved"],
    ["V12", "alias-reserved"],
    ["a b", "alias"],
    ["", "alias"],
    ["x".repeat(256), "alias"],
  ])("alias %j → %s", (alias, rule) => {
    if (rule === undefined) expect(() => validateAlias(alias)).not.toThrow();
    else expect(validationError(() => validateAlias(alias)).rule).toBe(rule);
  });

  it.each(["a.b", "a/b", "a:b", "a%b", 'a"b', "a'b", ""])("refuses logged model name %j", async (name) => {
    const seen = recordAll();
    await expect(testClient().loggedModels.create({ experiment_id: "1", name })).rejects.toMatchObject({ rule: "logged-model-name" });
    expect(seen.flat()).toHaveLength(0);
  });
});

describe("metrics", () => {
  it("accepts any number, NaN and ±Infinity included", () => {
    for (const value of [0, -1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.MAX_VALUE]) {
      expect(() => validateMetricValue("m", value)).not.toThrow();
    }
  });

  it.each([true, "0.5", null, undefined, 1n])("refuses the value %s", (value) => {
    expect(validationError(() => validateMetricValue("m", value))).toMatchObject({ key: "m", rule: "metric-value" });
  });

  it("refuses a fractional step, and a negative or fractional timestamp", () => {
    expect(validationError(() => validateMetricPosition("m", 1, 1.5))).toMatchObject({ rule: "metric-step" });
    expect(validationError(() => validateMetricPosition("m", -1, 0))).toMatchObject({ rule: "metric-timestamp" });
    expect(validationError(() => validateMetricPosition("m", 1.5, 0))).toMatchObject({ rule: "metric-timestamp" });
    expect(() => validateMetricPosition("m", 0, -3)).not.toThrow();
  });

  it("refuses a boolean metric through the client without sending anything", async () => {
    const seen = recordAll();
    await expect(testClient().runs.logMetric(RUN_ID, "m", true as unknown as number)).rejects.toMatchObject({ rule: "metric-value" });
    await expect(testClient().runs.logMetric(RUN_ID, "m", 1, { step: 0.5 })).rejects.toMatchObject({ rule: "metric-step" });
    expect(seen.flat()).toHaveLength(0);
  });
});

describe("batches", () => {
  it("refuses the same param key twice in one batch, before any request", async () => {
    const seen = recordAll();
    const error = await testClient()
      .runs.logBatch(RUN_ID, {
        params: [
          { key: "lr", value: 0.1 },
          { key: "lr", value: 0.2 },
        ],
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "ValidationError", key: "lr", rule: "duplicate-param" });
    expect((error as Error).message).toBe('The param "lr" appears twice in one batch; MLflow refuses duplicate param keys in a batch.');
    expect(seen.flat()).toHaveLength(0);
  });

  it("validates every entity before the first request", async () => {
    const seen = recordAll();
    const metrics = Array.from({ length: 2500 }, (_, i) => ({ key: i === 2400 ? "bad//key" : "m", value: i, timestamp: 1, step: i }));
    await expect(testClient().runs.logBatch(RUN_ID, { metrics })).rejects.toMatchObject({ key: "bad//key", rule: "key-path" });
    expect(seen.flat()).toHaveLength(0);
  });
});

describe("page sizes", () => {
  it("refuses max_results above the server's cap with a clear error, before any request", () => {
    const seen = recordAll();
    const client = testClient();
    expect(validationError(() => client.experiments.search({ max_results: 50_001 })).message).toBe(
      "max_results must be a whole number from 1 to 50000 (the server refuses others), got 50001. Fix: keep max_results at most 50000 and iterate with `for await` to read every page.",
    );
    expect(validationError(() => client.runs.search({ experiment_ids: ["1"], max_results: 50_001 })).rule).toBe("max-results");
    expect(validationError(() => client.runs.search({ experiment_ids: ["1"], max_results: 0 })).rule).toBe("max-results");
    expect(validationError(() => client.runs.search({ experiment_ids: ["1"], max_results: 1.5 })).rule).toBe("max-results");
    expect(validationError(() => client.registeredModels.search({ max_results: 1001 })).message).toContain("from 1 to 1000");
    expect(validationError(() => client.modelVersions.search({ max_results: 200_001 })).message).toContain("from 1 to 200000");
    expect(validationError(() => client.loggedModels.search({ experiment_ids: ["1"], max_results: 0 })).message).toContain("of at least 1");
    expect(validationError(() => client.metrics.getHistory(RUN_ID, "loss", { pageSize: -1 })).key).toBe("pageSize");
    expect(seen.flat()).toHaveLength(0);
  });

  it("accepts the caps themselves", () => {
    expect(() => validateMaxResults("max_results", 50_000, 50_000)).not.toThrow();
    expect(() => validateMaxResults("max_results", 1)).not.toThrow();
  });
});
