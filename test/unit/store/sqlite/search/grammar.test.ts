/**
 * The search grammar of the embedded store: filters and order clauses parsed, and refused, as MLflow does.
 */
import { describe, expect, it } from "vitest";
import { EXPERIMENT_SEARCH, parseFilter, parseOrderBy, RUN_SEARCH } from "../../../../../src/store/sqlite/search/grammar.js";

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
