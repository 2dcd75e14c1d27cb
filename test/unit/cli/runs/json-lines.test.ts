/**
 * The JSON-lines format of `mlflow-ts runs log-batch`: what each line may hold, and for each kind
 * of bad line a reason that names the field and ends with the fix.
 */
import { describe, expect, it } from "vitest";
import { parseEntryLine } from "../../../../src/cli/commands/runs/json-lines.js";

describe("a good line", () => {
  it("reads a metric with its step and timestamp", () => {
    expect(parseEntryLine('{"metric": "loss", "value": 0.25, "step": 3, "timestamp": 1733500000000}')).toEqual({
      entry: { kind: "metric", key: "loss", value: 0.25, step: 3, timestamp: 1733500000000 },
    });
  });

  it("leaves step and timestamp to the logger's defaults when absent", () => {
    expect(parseEntryLine('{"metric":"loss","value":1}')).toEqual({ entry: { kind: "metric", key: "loss", value: 1, step: undefined, timestamp: undefined } });
  });

  it.each([
    ['"NaN"', Number.NaN],
    ['"Infinity"', Number.POSITIVE_INFINITY],
    ['"-Infinity"', Number.NEGATIVE_INFINITY],
    ['"-inf"', Number.NEGATIVE_INFINITY],
    ['"1e-3"', 0.001],
  ])("reads the metric value %s (JSON has no NaN or Infinity)", (json, expected) => {
    const parsed = parseEntryLine(`{"metric":"m","value":${json}}`);
    expect("entry" in parsed && parsed.entry.value).toBe(expected);
  });

  it("keeps -0, written as a number or a string", () => {
    for (const json of ["-0", '"-0"', "-0.0"]) {
      const parsed = parseEntryLine(`{"metric":"m","value":${json}}`);
      expect("entry" in parsed && Object.is(parsed.entry.value, -0)).toBe(true);
    }
  });

  it("reads params and tags, numbers and booleans as their text", () => {
    expect(parseEntryLine('{"param":"lr","value":"0.001"}')).toEqual({ entry: { kind: "param", key: "lr", value: "0.001" } });
    expect(parseEntryLine('{"param":"layers","value":3}')).toEqual({ entry: { kind: "param", key: "layers", value: "3" } });
    expect(parseEntryLine('{"tag":"ok","value":true}')).toEqual({ entry: { kind: "tag", key: "ok", value: "true" } });
  });

  it("skips blank lines", () => {
    expect(parseEntryLine("")).toEqual({ blank: true });
    expect(parseEntryLine("  \t")).toEqual({ blank: true });
  });
});

describe("a bad line", () => {
  it.each([
    ["not json", /^not valid JSON \(.*\)\. Fix: write one JSON object per line/],
    ["[1,2]", /^expected a JSON object, got \[1,2\]\. Fix:/],
    ['"loss"', /^expected a JSON object, got "loss"/],
    ['{"value": 1}', /names exactly one of "metric", "param" or "tag"; this one has none of them\. Fix:/],
    ['{"metric":"a","param":"b","value":1}', /this one has "metric" and "param"/],
    ['{"metric": 3, "value": 1}', /^"metric" must be the metric's key as a string, got 3\. Fix:/],
    ['{"metric":"loss"}', /^the metric "loss" has no "value"\. Fix: add "value"/],
    ['{"metric":"loss","value":null}', /^the value of metric "loss" must be a number, or a string such as "NaN".*got null\. Fix:/],
    ['{"metric":"loss","value":"fast"}', /got "fast"\. Fix:/],
    ['{"metric":"loss","value":1,"step":1.5}', /^the step of metric "loss" must be a whole number, got 1\.5\. Fix:/],
    ['{"metric":"loss","value":1,"step":"3"}', /step of metric "loss" must be a whole number, got "3"/],
    ['{"metric":"loss","value":1,"timestamp":"now"}', /^the timestamp of metric "loss" must be whole milliseconds since the epoch, got "now"\. Fix:/],
    ['{"metric":"loss","value":1,"stp":2}', /^unknown field "stp" in a metric entry \(a metric has "metric", "value", "step", "timestamp"\)\. Fix:/],
    ['{"param":"lr","value":"1","step":2}', /^unknown field "step" in a param entry/],
    ['{"param":"lr","value":{"a":1}}', /^the value of param "lr" must be a string .*got \{"a":1\}\. Fix: quote it/],
    ['{"tag":"t","value":null}', /^the value of tag "t" must be a string/],
  ])("%s", (line, reason) => {
    const parsed = parseEntryLine(line);
    expect(parsed).toHaveProperty("problem");
    expect((parsed as { problem: string }).problem).toMatch(reason);
  });

  it("shortens a long value in the reason", () => {
    const parsed = parseEntryLine(`{"metric":"m","value":"${"x".repeat(500)}"}`) as { problem: string };
    expect(parsed.problem.length).toBeLessThan(300);
    expect(parsed.problem).toContain("xxx...");
  });
});
