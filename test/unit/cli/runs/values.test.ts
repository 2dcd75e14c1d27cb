/**
 * Numbers typed in a shell are read as MLflow's Python client reads them (`float()`, `int()`), so a
 * metric logged with `mlflow-ts runs log-metric` stores the double Python would store.
 */
import { describe, expect, it } from "vitest";
import { formatMetricValue, parseFloatLikePython, parseIntegerLikePython } from "../../../../src/cli/commands/runs/values.js";

describe("parseFloatLikePython", () => {
  it.each([
    ["0.5", 0.5],
    ["  -1.25e-3 ", -0.00125],
    ["+7", 7],
    ["1.", 1],
    [".5", 0.5],
    ["1_000.5", 1000.5],
    ["1E3", 1000],
    ["Infinity", Number.POSITIVE_INFINITY],
    ["inf", Number.POSITIVE_INFINITY],
    ["+INF", Number.POSITIVE_INFINITY],
    ["-Infinity", Number.NEGATIVE_INFINITY],
    ["-inf", Number.NEGATIVE_INFINITY],
    ["NaN", Number.NaN],
    ["nan", Number.NaN],
    ["-nan", Number.NaN],
  ])("reads %j as Python's float() does", (text, expected) => {
    expect(parseFloatLikePython(text)).toBe(expected);
  });

  it("keeps the sign of -0", () => {
    expect(Object.is(parseFloatLikePython("-0"), -0)).toBe(true);
    expect(Object.is(parseFloatLikePython("-0.0"), -0)).toBe(true);
  });

  it.each(["", "  ", "0x10", "1e", "1__0", "_1", "1_", "1,5", "abc", "Infinityy", "1 2", "0b1", "--1"])(
    "refuses %j, which Python's float() refuses",
    (text) => {
      expect(parseFloatLikePython(text)).toBeUndefined();
    },
  );
});

describe("parseIntegerLikePython", () => {
  it.each([
    ["3", 3],
    [" -12 ", -12],
    ["1_000", 1000],
    ["+4", 4],
  ])("reads %j", (text, expected) => {
    expect(parseIntegerLikePython(text)).toBe(expected);
  });

  it.each(["1.5", "", "1e3", "0x1", "NaN"])("refuses %j", (text) => {
    expect(parseIntegerLikePython(text)).toBeUndefined();
  });
});

describe("formatMetricValue", () => {
  it("prints -0 with its sign and non-finite values by name", () => {
    expect([-0, 0, Number.NaN, Number.NEGATIVE_INFINITY, 0.25].map(formatMetricValue)).toEqual(["-0", "0", "NaN", "-Infinity", "0.25"]);
  });
});
