/**
 * Outages with the real logger on the real stack (issue #14 item 2, docs/journal.md "Bounded
 * memory"): a training process (test/integration/fixtures/logger-outage.ts: `startRun`, a paced
 * loop of 1,000,000 points, `end()`) runs while the MLflow server, or PostgreSQL, is stopped for
 * 60 s (scripts/stack/stop-service, then start-service). The MLflow outage outlasts the child's
 * delivery deadline (20 s): the requests past it are kept in the journal, `flush()` resolves with
 * them as pending instead of rejecting (nothing was lost), and the process sends them again once the
 * server is back. Afterwards PostgreSQL holds every point
 * exactly once (0 lost, 0 duplicated: rows counted there), the run is FINISHED, the journal folder
 * is gone (everything acknowledged), and the child's live memory (heap + external after a full GC,
 * sampled every 500 ms) stayed within the bound docs/journal.md states for its `maxBufferedEntries`
 * throughout. Nothing here asserts a time.
 *
 * `MLFLOW_TS_OUTAGE_LONG=1` makes the MLflow outage 10 minutes instead of 60 s (on demand only: about 12 minutes).
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MlflowClient } from "../../src/client/client.js";
import { type Fixture, startFixture } from "../unit/journal/child.js";
import { runPython } from "./support/python.js";
import { serverUri, stackClient, stackClientEnv, stackEnv, stackService, uniqueName } from "./support/stack.js";

const OUTAGE = fileURLToPath(new URL("./fixtures/logger-outage.ts", import.meta.url));
const POINTS = 1_000_000;
/** The child's `maxBufferedEntries`: small, so that a 60 s outage goes far past it. */
const CAP = 50_000;
/** The child sleeps this long every 1000 points: about 40 s of logging for 1,000,000 points. */
const PAUSE_MS = 40;
/**
 * The bound docs/journal.md states, above the run's footprint before logging: the buffer at its cap
 * (36 bytes a point: key reference, value, timestamp, step, link) plus 8 MiB for the rest (one
 * read-back window and read buffer, the journal's pending group, the requests in flight).
 */
const BOUND_BYTES = CAP * 36 + 8 * 1024 * 1024;
/** Longest a child may run (logging, the outage, the drain, `end()`): a bound, not an expectation. */
const LONG = process.env.MLFLOW_TS_OUTAGE_LONG === "1";
const CHILD_LIMIT_MS = (LONG ? 28 : 15) * 60_000;
/** The child's `deliveryTimeoutMs` in the MLflow outage: shorter than the outage, so points go past it. */
const SHORT_DELIVERY_MS = 20_000;

let client: MlflowClient;
let experimentId: string;
const dirs: string[] = [];

beforeAll(async () => {
  client = stackClient("direct");
  experimentId = await client.experiments.create({ name: uniqueName("logger-outage") });
});

afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  await client.experiments.delete(experimentId).catch(() => undefined);
  await client.close();
});

function stack(command: "stop-service" | "start-service", service: string): void {
  execFileSync("bash", [`scripts/stack/${command}`, service], { stdio: "pipe", timeout: 180_000 });
}

/** Resolves once the child exited (SIGKILLed after `limitMs`). */
async function exited(child: Fixture, limitMs: number): Promise<void> {
  const gone = new Promise<void>((resolve) => {
    if (child.child.exitCode !== null) resolve();
    else child.child.on("exit", () => resolve());
  });
  const timer = setTimeout(() => child.child.kill("SIGKILL"), limitMs);
  await gone;
  clearTimeout(timer);
}

interface OutageReport {
  runId: string;
  path: string;
  stats: Record<string, number>;
  baseline: number;
  /** What the child's `flush()` resolved with (it died instead of printing it if the flush rejected). */
  flushed: { delivered: number; pending: number; journalPath?: string };
  /** Highest live (after GC) heap + external, bytes; and raw, and RSS. */
  peakLive: number;
  peakRaw: number;
  peakRss: number;
  samples: number;
}

/**
 * Runs the child (with `deliveryTimeoutMs`, 0: the default), stops `service` for `outageMs` once
 * 100,000 points are logged, and collects what it printed.
 */
async function outage(service: string, outageMs: number, deliveryTimeoutMs = 0): Promise<OutageReport> {
  const dir = await mkdtemp(join(tmpdir(), "mlflow-ts-outage-"));
  dirs.push(dir);
  const env = { ...stackClientEnv(serverUri("direct")), MLFLOW_TS_QUIET_RETRIES: "true", NODE_OPTIONS: "--expose-gc" };
  const child = startFixture(OUTAGE, [dir, experimentId, String(POINTS), String(CAP), String(PAUSE_MS), String(deliveryTimeoutMs)], env);
  const runId = (await child.waitFor((l) => l.startsWith("run "))).slice(4);
  const path = (await child.waitFor((l) => l.startsWith("path "))).slice(5);
  await child.waitFor((l) => l === "logged 100000");
  stack("stop-service", service);
  try {
    await sleep(outageMs);
  } finally {
    stack("start-service", service);
  }
  await exited(child, CHILD_LIMIT_MS);
  const line = (prefix: string): string => child.lines.find((l) => l.startsWith(prefix))?.slice(prefix.length) ?? "";
  expect(line("stats "), child.stderr().slice(-3000)).not.toBe("");
  const [peakRaw, peakLive, peakRss] = line("peak ").split(" ").map(Number) as [number, number, number];
  return {
    runId,
    path,
    stats: JSON.parse(line("stats ")) as Record<string, number>,
    flushed: JSON.parse(line("flushed ")) as OutageReport["flushed"],
    baseline: Number(line("baseline ")),
    peakLive,
    peakRaw,
    peakRss,
    samples: child.lines.filter((l) => l.startsWith("mem ")).length,
  };
}

/** Checks what PostgreSQL holds and the memory bound, and prints the report line. */
async function expectExactAndBounded(name: string, report: OutageReport): Promise<void> {
  const { runs } = await runPython<{ runs: Record<string, { status: string; steps: Record<string, number[]> }> }>("test/integration/run-rows.py", {
    run_ids: [report.runId],
    pg_uri: stackEnv("STACK_PG_URI"),
    steps: true,
  });
  const rows = runs[report.runId]!;
  let count = 0;
  const distinct = new Set<number>();
  for (const [key, steps] of Object.entries(rows.steps)) {
    for (const step of steps) {
      expect(key, `step ${step}`).toBe(`m${step % 3}`);
      distinct.add(step);
    }
    count += steps.length;
  }
  const mib = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);
  console.log(
    `${name}: rows ${count}, distinct steps ${distinct.size}; spilled ${report.stats.spilled}, read back ${report.stats.readBack}, sent ${report.stats.sent}; ` +
      `live heap+external above baseline: peak ${mib(report.peakLive - report.baseline)} MiB (bound ${mib(BOUND_BYTES)} MiB), ` +
      `raw peak ${mib(report.peakRaw)} MiB, RSS peak ${mib(report.peakRss)} MiB, ${report.samples} samples; ` +
      `flush() resolved with ${JSON.stringify(report.flushed)}`,
  );
  expect(count, "rows in PostgreSQL (a lost point)").toBe(POINTS);
  expect(distinct.size, "distinct steps (a point stored twice)").toBe(POINTS);
  expect(rows.status).toBe("FINISHED");
  expect(report.stats).toMatchObject({ logged: POINTS, sent: POINTS, failed: 0, pending: 0 });
  expect(report.stats.spilled, "the outage went past the cap: chunks must have left memory").toBeGreaterThan(0);
  expect(report.samples).toBeGreaterThan(0);
  expect(report.peakLive - report.baseline, "live memory above the stated bound").toBeLessThanOrEqual(BOUND_BYTES);
  expect(existsSync(report.path), "the journal folder (everything acknowledged: removed)").toBe(false);
}

describe("outages during a 1,000,000-point run with the real logger", () => {
  // One MLflow outage test whose length the environment chooses (never a skipped twin): 60 s in CI,
  // 10 minutes on demand with MLFLOW_TS_OUTAGE_LONG=1.
  const mlflowOutage = LONG ? { ms: 600_000, label: "10 minutes", limitMs: 1_800_000 } : { ms: 60_000, label: "60 s", limitMs: 900_000 };
  it(
    `the MLflow server stopped for ${mlflowOutage.label}, past the delivery deadline: flush() resolves with what is pending, every point on the server once, memory within the bound`,
    async () => {
      const report = await outage(stackService("direct"), mlflowOutage.ms, SHORT_DELIVERY_MS);
      await expectExactAndBounded(`mlflow ${mlflowOutage.label}`, report);
      // The outage outlasted the delivery deadline: requests past it were kept in the journal and
      // read back again once the server answered (beyond the spilled points), yet flush() resolved
      // (the child printed what it resolved with: a rejection would have killed it before its stats).
      expect(report.stats.readBack, "points kept past the deadline, sent again by this process").toBeGreaterThan(report.stats.spilled ?? 0);
    },
    mlflowOutage.limitMs,
  );

  it("PostgreSQL stopped for 60 s: every point on the server once, memory within the bound", async () => {
    await expectExactAndBounded("postgresql 60 s", await outage("pg", 60_000));
  }, 900_000);
});
