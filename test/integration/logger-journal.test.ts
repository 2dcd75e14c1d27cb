/**
 * The real logger's journal on the real stack (issue #14): a training process (a child running
 * `startRun` and a bounded `logMetric` loop, test/integration/fixtures/logger-writer.ts) is
 * SIGKILLed at 20 seeded random moments. What was durable before the kill is what its journal's
 * files hold after it (a write(2) that returned is in the files; a torn tail is dropped by the
 * reader), read before recovery. After `recoverJournals`, PostgreSQL must hold every durable point
 * and param, each point once, nothing the child never logged, and the run must be KILLED.
 *
 * Then disk trouble (a file where the journal folder should be, a full 256 KiB tmpfs): one warning,
 * every point still delivered (rows counted in PostgreSQL), nothing thrown; and two processes
 * resuming one run (MLFLOW_RUN_ID): two journals, both deliver, counts exact.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { startRun } from "../../src/logging/fluent.js";
import { startFixture } from "../unit/journal/child.js";
import { readFolder, seeded } from "../unit/journal/helpers.js";
import { expectRecoveredKilled, serverRows, startKillTrial, stepsOf, useKillSuite } from "./support/kill-trials.js";
import { runPython } from "./support/python.js";
import { serverUri, stackClientEnv, stackEnv } from "./support/stack.js";

const WRITER = fileURLToPath(new URL("./fixtures/logger-writer.ts", import.meta.url));
const RESUMER = fileURLToPath(new URL("./fixtures/logger-resume.ts", import.meta.url));
const CAN_MOUNT = process.getuid?.() === 0 || process.env.CI === "true"; // under CI a missing mount is a failure, not a skip
const TRIALS = 20;
/** Points each child logs at most (about a second of its loop). */
const POINTS = 30_000;
/** Latest kill, ms after the child's run started. */
const MAX_KILL_DELAY_MS = 1_200;

interface Trial {
  runId: string;
  /** Steps and params in the journal's files after the kill: what was durable. */
  durableSteps: number[];
  durableParams: string[];
  /** Points the child had logged at its last report before the kill. */
  loggedAtLeast: number;
  /** The last `stats().durable` the child reported. */
  reportedDurable: number;
}

const suite = useKillSuite("logger-journal");

function lastNumber(lines: string[], prefix: string): number {
  return Number(
    lines
      .filter((l) => l.startsWith(prefix))
      .at(-1)
      ?.slice(prefix.length) ?? 0,
  );
}

describe("SIGKILL of a process logging with the real logger, then recovery", () => {
  it(`delivers every point durable before the kill exactly once and ends the run KILLED, over ${TRIALS} seeded kills`, async () => {
    const random = seeded(0x14_0014);
    const trials: Trial[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const { dir, child, runId } = await startKillTrial(suite, WRITER, "mlflow-ts-logger-journal-", (dir) => [dir, suite.experimentId, String(POINTS)]);
      const path = (await child.waitFor((l) => l.startsWith("path "))).slice(5);
      await sleep(Math.floor(random() * MAX_KILL_DELAY_MS));
      await child.kill();

      const { records, damage } = await readFolder(path);
      for (const d of damage) expect(d.reason, child.stderr()).toBe("truncated"); // only a torn tail
      const durableSteps: number[] = [];
      const durableParams: string[] = [];
      for (const record of records) {
        if (record.kind === "metrics") for (let i = 0; i < record.count; i++) durableSteps.push(record.steps[i]!);
        if (record.kind === "params") durableParams.push(...record.entries.map((e) => e.key));
      }
      trials.push({
        runId,
        durableSteps,
        durableParams,
        loggedAtLeast: lastNumber(child.lines, "logged "),
        reportedDurable: lastNumber(child.lines, "durable "),
      });

      await expectRecoveredKilled(suite, dir, runId, child);
    }

    const runs = await serverRows(trials.map((t) => t.runId));
    const summary: string[] = [];
    for (const { runId, durableSteps, durableParams, loggedAtLeast, reportedDurable } of trials) {
      const rows = runs[runId]!;
      expect(rows.status, runId).toBe("KILLED");
      const steps = stepsOf(rows, runId);
      const onServer = new Set(steps);
      // Each point once (rows counted in PostgreSQL), every durable one, none the child never logged.
      expect(steps.length, `${runId}: a point stored twice`).toBe(onServer.size);
      for (const step of durableSteps) expect(onServer.has(step), `${runId}: durable step ${step} missing`).toBe(true);
      expect(Math.max(-1, ...steps), runId).toBeLessThan(POINTS);
      for (const key of durableParams) expect(rows.params[key], `${runId} param ${key}`).toBe(`v${key.slice(1)}`);
      summary.push(`${steps.length}/${loggedAtLeast}/${reportedDurable}`);
    }
    console.log(`logger kill trials: ${TRIALS}; points on the server / logged / durable (all entries) at the child's last report: ${summary.join(" ")}`);
  }, 600_000);
});

/** Metric rows per key of `runId` in PostgreSQL. */
async function rowCounts(runId: string): Promise<Record<string, number>> {
  const { metrics } = await runPython<{ metrics: Record<string, number> }>("test/integration/run-rows.py", { run_id: runId, pg_uri: stackEnv("STACK_PG_URI") });
  return metrics;
}

/** Warnings emitted while the test runs, by code (the spy is removed when it ends). */
function captureWarnings(): { code: string | undefined; message: string }[] {
  const warnings: { code: string | undefined; message: string }[] = [];
  const spy = vi.spyOn(process, "emitWarning").mockImplementation(((warning: string | Error, options?: { code?: string }) => {
    warnings.push({ message: String(warning), code: options?.code });
  }) as typeof process.emitWarning);
  onTestFinished(() => spy.mockRestore());
  return warnings;
}

/** Logs `points` points to a new run with its journal in `journalDir`, ends it, and returns the run id and its stats. */
async function logRun(journalDir: string, points: number): Promise<{ runId: string; stats: ReturnType<Awaited<ReturnType<typeof startRun>>["stats"]> }> {
  const run = await startRun({ client: suite.client, experimentId: suite.experimentId, journalDir, journalRecover: false, exitHooks: false });
  for (let s = 0; s < points; s++) {
    run.logMetric(`m${s % 3}`, s, { step: s });
    if (s % 5000 === 4999) await sleep(1);
  }
  await run.end();
  return { runId: run.runId, stats: run.stats() };
}

describe("disk trouble with the real logger", () => {
  it("a file where the journal folder should be: one warning, every point delivered, nothing thrown", async () => {
    const dir = await suite.tempDir("mlflow-ts-logger-journal-");
    const blocked = join(dir, "journal");
    await writeFile(blocked, "not a folder");
    const warnings = captureWarnings();
    const { runId, stats } = await logRun(blocked, 5000);
    expect(warnings.filter((w) => w.code === "MLFLOW_TS_JOURNAL_DEGRADED")).toHaveLength(1);
    expect(stats).toMatchObject({ sent: 5000, failed: 0 });
    expect(await rowCounts(runId)).toEqual({ m0: 1667, m1: 1667, m2: 1666 });
  });

  it.skipIf(!CAN_MOUNT)("a disk that fills up mid-run (a 256 KiB tmpfs): one warning, every point delivered, the disk freed", async () => {
    const dir = await suite.tempDir("mlflow-ts-logger-journal-");
    const small = join(dir, "small");
    await mkdir(small);
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=256k", "tmpfs", small], { stdio: "pipe" });
    onTestFinished(() => {
      execFileSync("umount", ["-l", small], { stdio: "pipe" });
    });
    const warnings = captureWarnings();
    // 60,000 points are 1.7 MB of records: the tmpfs fills up after about 9,000.
    const { runId, stats } = await logRun(small, 60_000);
    const degraded = warnings.filter((w) => w.code === "MLFLOW_TS_JOURNAL_DEGRADED");
    expect(degraded).toHaveLength(1);
    expect(degraded[0]!.message).toContain("ENOSPC");
    expect(stats).toMatchObject({ sent: 60_000, failed: 0 });
    expect(await rowCounts(runId)).toEqual({ m0: 20_000, m1: 20_000, m2: 20_000 });
    expect(execFileSync("ls", ["-A", small], { encoding: "utf8" }).trim()).toBe(""); // the journal folder was removed
  });
});

describe("two processes resuming one run", () => {
  it("each keeps its own journal, both deliver, the counts are exact", async () => {
    const dir = await suite.tempDir("mlflow-ts-logger-journal-");
    const created = await suite.client.runs.create({ experiment_id: suite.experimentId, run_name: "resumed-twice" });
    const runId = created.info.run_id;
    const env = { ...stackClientEnv(serverUri("direct")), MLFLOW_TS_QUIET_RETRIES: "true", MLFLOW_RUN_ID: runId };
    const a = startFixture(RESUMER, [dir, "a", "20000"], env);
    const b = startFixture(RESUMER, [dir, "b", "20000"], env);
    const paths = await Promise.all([a, b].map(async (child) => (await child.waitFor((l) => l.startsWith("path "))).slice(5)));
    expect(paths[0]).not.toBe(paths[1]);
    const stats = await Promise.all([a, b].map(async (child) => JSON.parse((await child.waitFor((l) => l.startsWith("stats "))).slice(6))));
    for (const s of stats) expect(s, JSON.stringify(s)).toMatchObject({ sent: 20_000, failed: 0, pending: 0 });
    for (const path of paths) expect(existsSync(path)).toBe(false); // each journal removed: all acknowledged
    expect(await rowCounts(runId)).toEqual({ a0: 6667, a1: 6667, a2: 6666, b0: 6667, b1: 6667, b2: 6666 });
  });
});
