/**
 * Int64 values are read exactly or not at all, over REST and from the embedded store: a value
 * within ±(2^53 − 1) is a number; one beyond (a step of 9007199254740993, written by another
 * client) fails the read with UnsafeIntegerError naming the field, never comes back rounded; and
 * the SDK refuses to write a step or timestamp it could not send exactly.
 */
import { join } from "node:path";
import Database from "better-sqlite3";
import { HttpResponse, http } from "msw";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { ResponseValidationError, UnsafeIntegerError, ValidationError } from "../../../src/core/errors.js";
import { int64 } from "../../../src/core/wire.js";
import { API, RUN_ID, runJson, testClient, useMockServer } from "../helpers/mock-server.js";
import { openTestRun } from "../logging/helpers.js";
import { removeTempDirs, sqliteClient, tempDir } from "../store/sqlite/helpers.js";

const server = useMockServer();
afterEach(removeTempDirs);

const BEYOND = "9007199254740993"; // 2^53 + 1: as a number it would read 9007199254740992

/** A get-history answer written as raw text, so the big integer reaches the client's parser unrounded. */
function historyText(step: string): HttpResponse<string> {
  return new HttpResponse(
    `{"metrics":[{"key":"loss","value":0.5,"timestamp":1700000000000,"step":1},{"key":"loss","value":0.25,"timestamp":1700000000001,"step":${step}}]}`,
    {
      headers: { "content-type": "application/json" },
    },
  );
}

async function historyOf(): Promise<unknown> {
  return testClient()
    .metrics.getHistory(RUN_ID, "loss")
    .toArray(10)
    .catch((e: unknown) => e);
}

describe("int64 fields", () => {
  it("reads the largest exact integers as numbers, from numbers, strings and bigints", () => {
    expect(int64.parse(9_007_199_254_740_991)).toBe(9_007_199_254_740_991);
    expect(int64.parse("-9007199254740991")).toBe(-9_007_199_254_740_991);
    expect(int64.parse(42n)).toBe(42);
    expect(z.object({ t: int64.optional() }).parse({})).toEqual({});
  });

  it("refuses, never rounds, a value beyond ±(2^53 − 1): exact when it came as a string", () => {
    for (const value of [BEYOND, BigInt(BEYOND), "-9007199254740993"]) {
      const result = int64.safeParse(value);
      expect(result.success).toBe(false);
      expect(result.error!.issues[0]!.message).toContain(String(value));
    }
    expect(int64.safeParse(Number(BEYOND)).error!.issues[0]!.message).toContain("about 9007199254740992");
  });

  it("getHistory over REST: a step beyond 2^53 − 1 sent as a number fails with UnsafeIntegerError naming the field", async () => {
    server.use(http.get(`${API}/metrics/get-history`, () => historyText(BEYOND)));
    const error = (await historyOf()) as UnsafeIntegerError;
    expect(error).toBeInstanceOf(UnsafeIntegerError);
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect(error.field).toBe("metrics[1].step");
    expect(error.value).toBe("about 9007199254740992");
    expect(error.message).toContain("GET /api/2.0/mlflow/metrics/get-history");
    expect(error.message).toContain("Fix:");
  });

  it("getHistory over REST: the same step sent as a string is named exactly", async () => {
    server.use(http.get(`${API}/metrics/get-history`, () => historyText(`"${BEYOND}"`)));
    const error = (await historyOf()) as UnsafeIntegerError;
    expect(error).toBeInstanceOf(UnsafeIntegerError);
    expect(error.value).toBe(BEYOND);
    expect(error.message).toContain(`metrics[1].step = ${BEYOND} is beyond ±9007199254740991`);
  });

  it("getHistory over REST: 2^53 − 1 itself comes back exact", async () => {
    server.use(http.get(`${API}/metrics/get-history`, () => historyText("9007199254740991")));
    const points = (await historyOf()) as { step: number }[];
    expect(points.map((point) => point.step)).toEqual([1, 9_007_199_254_740_991]);
  });

  it("runs.get: a latest metric with such a timestamp fails the read rather than return it rounded", async () => {
    const run = runJson();
    const body = JSON.stringify({ run: { ...run, data: { metrics: [{ key: "loss", value: 1, timestamp: 0, step: 0 }] } } }).replace(
      '"timestamp":0',
      `"timestamp":${BEYOND}`,
    );
    server.use(http.get(`${API}/runs/get`, () => new HttpResponse(body, { headers: { "content-type": "application/json" } })));
    const error = (await testClient()
      .runs.get(RUN_ID)
      .catch((e: unknown) => e)) as UnsafeIntegerError;
    expect(error).toBeInstanceOf(UnsafeIntegerError);
    expect(error.field).toBe("run.data.metrics[0].timestamp");
  });

  it("the embedded store: a step another client wrote beyond 2^53 − 1 fails the read; safe steps read exactly", async () => {
    const dir = tempDir();
    const client = sqliteClient(dir);
    const runId = (await client.runs.create({ experiment_id: "0" })).info.run_id;
    await client.runs.logBatch(runId, { metrics: [{ key: "loss", value: 1, step: 9_007_199_254_740_991, timestamp: 5 }] });
    expect((await client.metrics.getHistory(runId, "loss").toArray(10)).map((point) => point.step)).toEqual([9_007_199_254_740_991]);
    // What Python's client (whose ints are exact) could have written into the same file:
    const db = new Database(join(dir, "mlflow.db"));
    db.prepare('INSERT INTO metrics ("key", value, timestamp, run_uuid, step, is_nan) VALUES (?, ?, ?, ?, ?, 0)').run("loss", 2, 6, runId, BigInt(BEYOND));
    db.close();
    const error = (await client.metrics
      .getHistory(runId, "loss")
      .toArray(10)
      .catch((e: unknown) => e)) as UnsafeIntegerError;
    expect(error).toBeInstanceOf(UnsafeIntegerError);
    expect(error.field).toBe("metrics[1].step");
    expect(error.endpoint).toBe("sqlite:metrics.getHistory");
    await client.close();
  });

  it.each([
    ["a step of 2^53", { step: 2 ** 53 }, "metric-step"],
    ["a timestamp of 2^53", { timestamp: 2 ** 53 }, "metric-timestamp"],
  ])("refuses to write %s: it could not be sent exactly", async (_what, position, rule) => {
    const error = (await testClient()
      .runs.logBatch(RUN_ID, { metrics: [{ key: "loss", value: 1, ...position }] })
      .catch((e: unknown) => e)) as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.rule).toBe(rule);
    expect(error.message).toContain("within ±9007199254740991");
    expect(error.message).toContain("Fix:");
  });

  it("the logger refuses such a step at the call, and the buffer is untouched", async () => {
    const { run } = await openTestRun(server);
    const error = (() => {
      try {
        run.logMetric("loss", 1, { step: 2 ** 53 + 2 });
      } catch (e) {
        return e;
      }
    })() as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toContain("may already have been rounded");
    expect(run.stats()).toMatchObject({ logged: 0, queued: 0 });
  });
});
