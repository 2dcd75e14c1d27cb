/** pythonStr writes scalars as Python's str() does, the form mlflow.log_params stores. */
import { describe, expect, it } from "vitest";
import { pythonStr } from "../../../src/core/python-format.js";

describe("pythonStr", () => {
  it.each([
    [null, "None"],
    [undefined, "None"],
    [true, "True"],
    [false, "False"],
    ["adam", "adam"],
    [32, "32"],
    [0.001, "0.001"],
    [0.0001, "0.0001"],
    [1e-5, "1e-05"],
    [1e-7, "1e-07"],
    [1.5e-10, "1.5e-10"],
    [123.25, "123.25"],
    [2.5e16, "2.5e+16"],
    [1e100, "1e+100"],
    [Number.NaN, "nan"],
    [Number.POSITIVE_INFINITY, "inf"],
    [Number.NEGATIVE_INFINITY, "-inf"],
  ])("%s → %s", (value, expected) => {
    expect(pythonStr(value)).toBe(expected);
  });
});
