/**
 * The gate's checks without a server: parsing `--metric` and `--threshold` (keys with `/ . - :` and
 * spaces, read from the right), and the comparison edges — exactly at the tolerance, relative
 * tolerances, NaN, ±Infinity, a missing value on either side, bootstrap.
 */
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../../src/core/errors.js";
import { checkThreshold, compareMetric, parseMetricSpec, parseThresholdSpec } from "../../../../src/models/gate/checks.js";

const rule = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return `${error.rule}: ${error.message}`;
    throw error;
  }
  return undefined;
};

describe("parseMetricSpec", () => {
  it.each([
    ["val/accuracy:max:0.005", { key: "val/accuracy", direction: "max", tolerance: { value: 0.005, relative: false } }],
    ["latency_ms:min", { key: "latency_ms", direction: "min", tolerance: { value: 0, relative: false } }],
    ["loss:min:2%", { key: "loss", direction: "min", tolerance: { value: 2, relative: true } }],
    ["eval:f1 score:max:0.5%", { key: "eval:f1 score", direction: "max", tolerance: { value: 0.5, relative: true } }],
    ["a.b-c:max", { key: "a.b-c", direction: "max", tolerance: { value: 0, relative: false } }],
    ["max:min", { key: "max", direction: "min", tolerance: { value: 0, relative: false } }],
  ])("reads %j from the right", (spec, expected) => {
    expect(parseMetricSpec(spec)).toEqual(expected);
  });

  it.each([
    ["accuracy", 'gate-metric: --metric "accuracy" has no direction (max or min). Fix: write it as <key>:<max|min>[:<tolerance>[%]]'],
    ["accuracy:up:0.1", 'gate-metric: --metric "accuracy:up:0.1" has no direction'],
    [":max", 'gate-metric: --metric ":max" names no metric. Fix:'],
    ["acc:max:-0.1", 'gate-metric: --metric "acc:max:-0.1": the tolerance "-0.1" is not a number ≥ 0'],
    ["acc:max:%", 'the tolerance "%" is not a number'],
    ["acc:max:abc", 'the tolerance "abc" is not a number'],
    ["a<b:max", "key-characters"],
  ])("refuses %j with a clear error", (spec, message) => {
    expect(rule(() => parseMetricSpec(spec))).toContain(message);
  });
});

describe("parseThresholdSpec", () => {
  it("splits at the operator (keys never contain <, > or =)", () => {
    expect(parseThresholdSpec("val/accuracy>=0.9")).toEqual({ key: "val/accuracy", operator: ">=", bound: 0.9 });
    expect(parseThresholdSpec("eval:latency ms<=120")).toEqual({ key: "eval:latency ms", operator: "<=", bound: 120 });
  });

  it.each(["acc>0.9", "acc>=", ">=0.9", "acc>=high", "acc>=Infinity"])("refuses %j naming the form", (spec) => {
    expect(rule(() => parseThresholdSpec(spec))).toContain(`gate-threshold: --threshold "${spec}" is not a key, >= or <=, and a finite number. Fix:`);
  });
});

describe("compareMetric", () => {
  const acc = parseMetricSpec("acc:max:0.005");
  const latency = parseMetricSpec("latency:min:5%");

  it("passes a candidate exactly at the tolerance, despite binary rounding (0.9 − 0.895)", () => {
    expect(compareMetric(acc, 0.9, 0.895)).toMatchObject({ passed: true, reason: expect.stringContaining("within the tolerance 0.005") });
    expect(compareMetric(latency, 0.2, 0.21).passed).toBe(true);
  });

  it("fails a candidate just beyond the tolerance", () => {
    expect(compareMetric(acc, 0.9, 0.8949)).toMatchObject({ passed: false, reason: expect.stringContaining("more than the tolerance 0.005") });
    expect(compareMetric(latency, 0.2, 0.2101).passed).toBe(false);
  });

  it("passes a better or equal candidate whatever the direction, and reports the delta", () => {
    expect(compareMetric(acc, 0.9, 0.95)).toMatchObject({ passed: true, delta: expect.closeTo(0.05, 12) });
    expect(compareMetric(latency, 20, 15)).toMatchObject({ passed: true, delta: -5 });
    expect(compareMetric(acc, 0.9, 0.9)).toMatchObject({ passed: true, reason: "equal to the baseline", delta: 0 });
  });

  it("with no tolerance, fails any worse value", () => {
    expect(compareMetric(parseMetricSpec("acc:max"), 0.9, 0.8999999).passed).toBe(false);
  });

  it("fails a missing or NaN candidate", () => {
    expect(compareMetric(acc, 0.9, undefined)).toMatchObject({ passed: false, reason: "the candidate has no such metric", delta: undefined });
    expect(compareMetric(acc, 0.9, Number.NaN)).toMatchObject({ passed: false, reason: "the candidate's value is NaN", delta: undefined });
    expect(compareMetric(acc, undefined, undefined, { bootstrap: true }).passed).toBe(false);
  });

  it("fails a missing or NaN baseline unless allowed", () => {
    expect(compareMetric(acc, undefined, 0.9)).toMatchObject({ passed: false, reason: expect.stringContaining("Fix: --allow-missing-baseline") });
    expect(compareMetric(acc, Number.NaN, 0.9)).toMatchObject({ passed: false, reason: expect.stringContaining("the baseline's value is NaN") });
    expect(compareMetric(acc, undefined, 0.9, { allowMissingBaseline: true })).toMatchObject({
      passed: true,
      reason: "the baseline has no such metric (allowed)",
    });
  });

  it("compares infinities as numbers: against −∞ a max metric always passes, against +∞ only +∞ does", () => {
    expect(compareMetric(acc, Number.NEGATIVE_INFINITY, -1e308).passed).toBe(true);
    expect(compareMetric(acc, Number.POSITIVE_INFINITY, 1e308).passed).toBe(false);
    expect(compareMetric(acc, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY)).toMatchObject({ passed: true, delta: undefined });
    expect(compareMetric(acc, 0.9, Number.NEGATIVE_INFINITY).passed).toBe(false);
    expect(compareMetric(latency, 20, Number.POSITIVE_INFINITY).passed).toBe(false);
    expect(compareMetric(latency, Number.POSITIVE_INFINITY, 1e308).passed).toBe(true);
  });

  it("with a relative tolerance against an infinite baseline, allows nothing worse", () => {
    expect(compareMetric(parseMetricSpec("x:min:50%"), Number.NEGATIVE_INFINITY, 0).passed).toBe(false);
  });

  it("passes every present candidate when there is no baseline yet (bootstrap)", () => {
    expect(compareMetric(acc, undefined, 0.1, { bootstrap: true })).toMatchObject({ passed: true, reason: "no baseline yet (bootstrap)" });
  });
});

describe("checkThreshold", () => {
  it("includes the bound", () => {
    expect(checkThreshold(parseThresholdSpec("acc>=0.9"), 0.9).passed).toBe(true);
    expect(checkThreshold(parseThresholdSpec("acc>=0.9"), 0.8999).passed).toBe(false);
    expect(checkThreshold(parseThresholdSpec("ms<=100"), 100).passed).toBe(true);
    expect(checkThreshold(parseThresholdSpec("ms<=100"), Number.POSITIVE_INFINITY).passed).toBe(false);
  });

  it("fails a missing or NaN candidate", () => {
    expect(checkThreshold(parseThresholdSpec("acc>=0.9"), undefined)).toMatchObject({ passed: false, reason: "the candidate has no such metric" });
    expect(checkThreshold(parseThresholdSpec("ms<=100"), Number.NaN)).toMatchObject({ passed: false, reason: "the candidate's value is NaN" });
  });
});
