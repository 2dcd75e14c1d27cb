/**
 * Two requests writing the same metric rows at once, on the real stack. MLflow 3.17.2's
 * `_log_metrics` survives one primary-key violation (it looks up which rows exist and inserts the
 * rest) but not a second: when another request commits those rows between its lookup and its
 * insert, the server answers 400 BAD_REQUEST with PostgreSQL's `UniqueViolation … "metric_pk"`.
 * That is what a journal recovery meets when it replays a batch the killed process still had in
 * flight (it failed CI once: logger-journal.test.ts), and what two processes logging one run meet.
 *
 * Shape of the race, per round: a run holds rows 0–399; request A sends rows 400–999 and, a seeded
 * moment later, request B sends rows 0–999. B's insert fails on 0–399, its lookup does not yet see
 * A's uncommitted 400–999, its second insert then collides with A's commit. One key per row makes
 * A's transaction (its latest-metric updates) long enough for the race to be met in about one round
 * in ten here. The rounds go on until the server has answered the race at least once (bounded in
 * count and time); the client must retry that answer, and every row must be in PostgreSQL once.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MlflowClient } from "../../src/index.js";
import { seeded } from "../unit/journal/seeded.js";
import { checkRuns } from "./load/check-runs.js";
import { startProxy, type TestProxy } from "./support/http-proxy.js";
import { serverUri, stackClient, uniqueName } from "./support/stack.js";

const ROWS = 1000;
const COMMITTED_FIRST = 400;
const MAX_ROUNDS = 120;
const MAX_DURATION_MS = 240_000;
const RACE_ANSWER = /duplicate key value violates unique constraint \\?"(?:latest_)?metric_pk/;

/** Row i of every run: key `m<i>`, step 0, value i/16 (the shape `checkRuns` matches). */
function rows(from: number, to: number) {
  return Array.from({ length: to - from }, (_, j) => ({ key: `m${from + j}`, value: (from + j) / 16, timestamp: 1_700_000_000_000, step: 0 }));
}

let proxy: TestProxy;
let client: MlflowClient;
let experimentName: string;
let experimentId: string;

beforeAll(async () => {
  proxy = await startProxy(serverUri("direct"));
  client = stackClient("direct", { trackingUri: proxy.url });
  experimentName = uniqueName("concurrent-duplicates");
  experimentId = await client.experiments.create({ name: experimentName });
});

afterAll(async () => {
  await client.experiments.delete(experimentId).catch(() => undefined);
  await client.close();
  await proxy.close();
});

describe("two log-batch requests racing on the same metric rows", () => {
  it("the server's 400 'duplicate key … metric_pk' is retried: every request succeeds and every row is stored once", async () => {
    const random = seeded(0x17_0001);
    const runIds: string[] = [];
    const startedAtMs = Date.now();
    let raceAnswers = 0;
    while (runIds.length < MAX_ROUNDS && raceAnswers === 0 && Date.now() - startedAtMs < MAX_DURATION_MS) {
      const run = await client.runs.create({ experiment_id: experimentId, run_name: `round-${runIds.length}` });
      const runId = run.info.run_id;
      runIds.push(runId);
      await client.runs.logBatch(runId, { metrics: rows(0, COMMITTED_FIRST) });
      const a = client.runs.logBatch(runId, { metrics: rows(COMMITTED_FIRST, ROWS) });
      await sleep(Math.floor(random() * 60));
      const b = client.runs.logBatch(runId, { metrics: rows(0, ROWS) });
      // Both resolve: a rejection here is the bug (the race answer reaching the caller).
      await Promise.all([a, b]);
      raceAnswers = proxy.requests.filter((r) => r.upstreamStatus === 400 && RACE_ANSWER.test(r.upstreamError ?? "")).length;
    }
    // The race was really met (else the test proved nothing), and its answer never reached the caller.
    expect(raceAnswers, `rounds played: ${runIds.length}`).toBeGreaterThan(0);
    expect(proxy.requests.filter((r) => r.upstreamStatus !== undefined && r.upstreamStatus >= 400 && !RACE_ANSWER.test(r.upstreamError ?? ""))).toEqual([]);

    const check = await checkRuns(experimentName);
    for (const runId of runIds) {
      expect(check.runs.find((r) => r.run_id === runId)).toMatchObject({
        metric_rows: ROWS,
        distinct_points: ROWS,
        matching_values: ROWS,
        duplicate_groups: 0,
        latest_metric_rows: ROWS,
      });
    }
  }, 300_000);
});
