/**
 * Wire encoding: NaN, +Infinity and -Infinity travel as "NaN", "Infinity", "-Infinity" wherever a
 * double is sent (never `null`), and responses are read whether int64 fields are numbers or strings.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { encodeDouble } from "../../../src/advanced.js";
import { decodeDouble, double, int64, toWireJson } from "../../../src/core/wire.js";
import { API, RUN_ID, record, testClient, useMockServer } from "../helpers/mock-server.js";

const server = useMockServer();
const SPECIALS = [
  [Number.NaN, "NaN"],
  [Number.POSITIVE_INFINITY, "Infinity"],
  [Number.NEGATIVE_INFINITY, "-Infinity"],
] as const;

describe("sending doubles", () => {
  it.each(SPECIALS)("runs.logMetric sends %s as %j", async (value, wire) => {
    const seen = record(server, "post", `${API}/runs/log-metric`);
    await testClient().runs.logMetric(RUN_ID, "loss", value, { timestamp: 1, step: 0 });
    expect(seen[0]!.body).toEqual({ run_id: RUN_ID, key: "loss", value: wire, timestamp: 1, step: 0 });
  });

  it("runs.logBatch sends every special value as a string, never null", async () => {
    const seen = record(server, "post", `${API}/runs/log-batch`);
    const metrics = [...SPECIALS.map(([value], i) => ({ key: "m", value, timestamp: i, step: i })), { key: "m", value: -0.5, timestamp: 9, step: 9 }];
    await testClient().runs.logBatch(RUN_ID, { metrics });
    expect((seen[0]!.body as { metrics: { value: unknown }[] }).metrics.map((m) => m.value)).toEqual(["NaN", "Infinity", "-Infinity", -0.5]);
  });

  it("encodes non-finite numbers at any depth of a body", () => {
    expect(toWireJson({ a: [Number.NaN, { b: Number.NEGATIVE_INFINITY }], c: 1.5 })).toBe('{"a":["NaN",{"b":"-Infinity"}],"c":1.5}');
    expect(encodeDouble(2.5)).toBe(2.5);
    for (const [value, wire] of SPECIALS) expect(encodeDouble(value)).toBe(wire);
  });
});

describe("reading wire values", () => {
  it("reads doubles as numbers or MLflow's string spellings", () => {
    expect(double.parse(0.25)).toBe(0.25);
    expect(double.parse("0.25")).toBe(0.25);
    expect(double.parse("NaN")).toBeNaN();
    expect(double.parse("Infinity")).toBe(Number.POSITIVE_INFINITY);
    expect(double.parse("-Infinity")).toBe(Number.NEGATIVE_INFINITY);
    expect(decodeDouble("inf")).toBe(Number.POSITIVE_INFINITY);
    expect(decodeDouble("-inf")).toBe(Number.NEGATIVE_INFINITY);
    expect(double.safeParse("abc").success).toBe(false);
  });

  it("reads int64 as a number or a numeric string", () => {
    expect(int64.parse(1_700_000_000_000)).toBe(1_700_000_000_000);
    expect(int64.parse("1700000000000")).toBe(1_700_000_000_000);
    expect(int64.parse("-5")).toBe(-5);
    expect(int64.safeParse("1.5").success).toBe(false);
    expect(int64.safeParse(true).success).toBe(false);
    expect(z.object({ t: int64.optional() }).parse({})).toEqual({});
  });
});
