/**
 * Metric points linked to a logged model and a dataset (MLflow 3's `model_id`, `dataset_name`,
 * `dataset_digest`) through the journal, on the real stack (issue #14):
 *
 * - a training child (fixtures/linked-writer.ts) logs linked points with its journal on, behind a
 *   proxy that lets its first two `log-batch` requests through and answers 503 to the rest, and is
 *   SIGKILLed once every point is durable; `recoverJournals` then delivers what is not acknowledged
 *   in the journal (points the child delivered but had not yet recorded as acknowledged are sent
 *   again, and the server must store them once);
 * - a run in this process spills linked points to its journal while the MLflow server is stopped
 *   (scripts/stack/stop-service), and reads them back once it is started again.
 *
 * Either way PostgreSQL must hold each point once in `metrics`, and once in `logged_model_metrics`
 * with its model id and dataset (the table MLflow's SQL store writes links to), and the Python
 * client must read the same links back from `mlflow.get_logged_model(model_id).metrics`.
 */
import { execFileSync } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { describe, expect, it, onTestFinished } from "vitest";
import { startRun } from "../../src/logging/fluent.js";
import { recoverJournals } from "../../src/logging/recovery/recover.js";
import type { ActiveRun } from "../../src/logging/run.js";
import { startFixture } from "../unit/journal/child.js";
import { startProxy } from "./support/http-proxy.js";
import { serverRows, stepsOf, useKillSuite } from "./support/kill-trials.js";
import { runPython } from "./support/python.js";
import { serverUri, stackClient, stackClientEnv, stackEnv } from "./support/stack.js";

const WRITER = fileURLToPath(new URL("./fixtures/linked-writer.ts", import.meta.url));
/** The dataset odd steps are linked to (even steps: the model only). */
const DATASET = { datasetName: "holdout", datasetDigest: "d0d0" };
/** Bound of every polling loop, in polls of 50 ms (2 minutes). */
const MAX_POLLS = 2400;

const suite = useKillSuite("logger-metric-links");

/** What test/integration/linked-metric-rows.py reads. */
interface LinkedRows {
  rows: number;
  distinct: number;
  links: Record<string, number>;
  python: { metrics: number; links: Record<string, number> };
}

async function newModel(name: string): Promise<string> {
  const model = await suite.client.loggedModels.create({ experiment_id: suite.experimentId, name });
  return model.info.model_id;
}

/** Expects every step below `points` once in PostgreSQL's metrics, and once in logged_model_metrics with its links (read by Python too). */
async function expectLinkedOnce(runId: string, modelId: string, points: number): Promise<LinkedRows> {
  const rows = (await serverRows([runId]))[runId]!;
  const steps = stepsOf(rows, runId);
  expect(steps.length, "a point stored twice").toBe(points);
  expect(new Set(steps).size).toBe(points);
  const linked = await runPython<LinkedRows>("test/integration/linked-metric-rows.py", { run_id: runId, model_id: modelId, pg_uri: stackEnv("STACK_PG_URI") });
  const links = { [`${modelId}||`]: Math.ceil(points / 2), [`${modelId}|holdout|d0d0`]: Math.floor(points / 2) };
  expect(linked).toEqual({ rows: points, distinct: points, links, python: { metrics: points, links } });
  return linked;
}

async function until(done: () => boolean, what: string): Promise<void> {
  for (let poll = 0; poll < MAX_POLLS && !done(); poll++) await sleep(50);
  if (!done()) throw new Error(`gave up waiting for ${what}`);
}

function logLinked(run: ActiveRun, modelId: string, from: number, to: number): void {
  for (let s = from; s < to; s++) run.logMetric(`m${s % 3}`, s / 4, { step: s, timestamp: 1_700_000_000_000 + s, modelId, ...(s % 2 === 1 ? DATASET : {}) });
}

describe("metric links through the journal on the real stack", () => {
  it("a SIGKILLed process's linked points are delivered by recovery with their model and dataset, each once", async () => {
    const points = 6000;
    const modelId = await newModel("linked-kill");
    let logBatches = 0;
    let answering = false;
    // The child delivers its first two requests; the server then "stops answering" it until the recovery.
    const proxy = await startProxy(serverUri("direct"), {
      fault: (request) => (!answering && request.path.includes("/runs/log-batch") && logBatches++ >= 2 ? { kind: "refuse", status: 503 } : undefined),
    });
    onTestFinished(() => proxy.close());
    // The journal names the tracking URI the child logged to (the proxy's): recovery uses the same one.
    const client = stackClient("direct", { trackingUri: proxy.url });
    onTestFinished(() => client.close());
    const dir = await suite.tempDir("mlflow-ts-linked-");
    const child = startFixture(WRITER, [dir, suite.experimentId, modelId, String(points)], { ...stackClientEnv(proxy.url), MLFLOW_TS_QUIET_RETRIES: "true" });
    const runId = (await child.waitFor((l) => l.startsWith("run "))).slice(4);
    const [, durable, , sentByChild] = (await child.waitFor((l) => l.startsWith("durable "))).split(" ").map(Number) as number[];
    await child.kill();
    expect(durable, child.stderr()).toBe(points);
    // The child's own deliveries: the server stored them; the journal may not have their acknowledgement yet.
    expect(sentByChild).toBeGreaterThan(0);

    answering = true;
    const { journals } = await recoverJournals({ client, dir, deadlineMs: 60_000 });
    expect(journals, child.stderr()).toHaveLength(1);
    const report = journals[0]!;
    expect(report).toMatchObject({ runId, outcome: "recovered", conflicts: [], refused: [], finalStatus: { set: true, status: "KILLED" } });
    expect(report.delivered.metrics).toBeGreaterThan(0);
    const linked = await expectLinkedOnce(runId, modelId, points); // what both sent, stored once
    console.log(
      `linked kill: ${sentByChild} points delivered by the child, ${report.delivered.metrics} of ${points} by recovery; logged_model_metrics ${JSON.stringify(linked.links)}`,
    );
  }, 300_000);

  it("linked points spilled during an MLflow outage are read back from the journal with their links, each once", async () => {
    const points = 12_000;
    const modelId = await newModel("linked-outage");
    const dir = await suite.tempDir("mlflow-ts-linked-");
    const run = await startRun({
      client: suite.client,
      experimentId: suite.experimentId,
      runName: "linked-outage",
      journalDir: dir,
      journalRecover: false,
      exitHooks: false,
      maxBufferedEntries: 2000,
      spillAfterMs: 0,
    });
    logLinked(run, modelId, 0, 2000);
    await run.flush();
    execFileSync("bash", ["scripts/stack/stop-service", "mlflow-direct"], { stdio: "pipe", timeout: 180_000 });
    try {
      for (let s = 2000; s < points; s += 1000) {
        logLinked(run, modelId, s, s + 1000);
        await sleep(20);
      }
      await until(() => run.stats().spilled >= 6000, "linked chunks to leave memory while the server is stopped");
    } finally {
      execFileSync("bash", ["scripts/stack/start-service", "mlflow-direct"], { stdio: "pipe", timeout: 180_000 });
    }
    await run.flush();
    const stats = run.stats();
    expect(stats).toMatchObject({ sent: points, failed: 0, pending: 0 });
    expect(stats.readBack).toBe(stats.spilled);
    await run.end();
    const linked = await expectLinkedOnce(run.runId, modelId, points);
    console.log(`linked outage: spilled ${stats.spilled}, read back ${stats.readBack}; logged_model_metrics ${JSON.stringify(linked.links)}`);
  }, 600_000);
});
