/**
 * The recovery `startRun` starts in the background: it does not hold up the new run, delivers a dead
 * process's journal for the same server, counts it in `run.stats().recovered`, prints one stderr line
 * per journal (none with MLFLOW_TS_QUIET_RECOVERY), is off with MLFLOW_TS_RECOVER=false, and stops
 * when the run that started it ends, leaving the journal for the next recovery.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { listJournals } from "../../../../src/journal/discovery.js";
import { RUN_ID, useMockServer } from "../../helpers/mock-server.js";
import { captureStderr } from "../../helpers/stderr.js";
import { columns, tempDir } from "../../journal/helpers.js";
import { gate, openTestRun } from "../helpers.js";
import { deadJournal, fakeTracking } from "./helpers.js";

const server = useMockServer();
const DEAD_RUN = "dddddddddddddddddddddddddddddd04";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("recovery in the background of startRun", () => {
  it("starts without holding up the run, delivers a dead journal, counts it in stats().recovered and prints one line", async () => {
    const fake = fakeTracking(server);
    fake.addRun(RUN_ID);
    const dead = fake.addRun(DEAD_RUN);
    const dir = await tempDir();
    await deadJournal(dir, DEAD_RUN, (journal) => journal.appendMetrics(columns(1200, 3), 0, 1200));
    const held = gate();
    fake.beforeGet = (runId) => (runId === DEAD_RUN ? held.wait() : undefined);
    const stderr = captureStderr();

    const { run } = await openTestRun(server, {}, { env: { MLFLOW_TS_JOURNAL_DIR: dir } });

    // The run is ready while the recovery still waits on the server.
    expect(run.stats().recovered).toBe(0);
    expect(dead.pointsReceived).toBe(0);
    held.open();
    await vi.waitFor(() => expect(run.stats().recovered).toBe(1200), { timeout: 10_000 });
    await vi.waitFor(() => expect(stderr.join("")).toContain(`recovered run ${DEAD_RUN}`), { timeout: 10_000 });
    await run.end();

    expect(dead.pointsReceived).toBe(1200);
    expect(dead.status).toBe("KILLED");
    const lines = stderr.filter((line) => line.includes(DEAD_RUN));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^mlflow-ts: recovered run d+04 left by process \d+: 1,200 metric points delivered; run set KILLED\. Set MLFLOW_TS_QUIET_RECOVERY=true to hide this line\.\n$/,
    );
    expect(await listJournals(dir)).toEqual([]);
  });

  it("prints nothing with MLFLOW_TS_QUIET_RECOVERY=true, and still delivers", async () => {
    const fake = fakeTracking(server);
    fake.addRun(RUN_ID);
    const dead = fake.addRun(DEAD_RUN);
    const dir = await tempDir();
    await deadJournal(dir, DEAD_RUN, (journal) => journal.appendMetrics(columns(10), 0, 10));
    const stderr = captureStderr();

    const { run } = await openTestRun(server, {}, { env: { MLFLOW_TS_JOURNAL_DIR: dir, MLFLOW_TS_QUIET_RECOVERY: "true" } });
    await vi.waitFor(() => expect(dead.status).toBe("KILLED"), { timeout: 10_000 });
    await run.end();

    expect(run.stats().recovered).toBe(10);
    expect(stderr.join("")).not.toContain("recover");
  });

  it("does nothing with MLFLOW_TS_RECOVER=false: the journal waits, untouched", async () => {
    const fake = fakeTracking(server);
    fake.addRun(RUN_ID);
    const dead = fake.addRun(DEAD_RUN);
    const dir = await tempDir();
    const path = await deadJournal(dir, DEAD_RUN, (journal) => journal.appendMetrics(columns(10), 0, 10));
    const gets: string[] = [];
    fake.beforeGet = (runId) => void gets.push(runId);

    const { run } = await openTestRun(server, {}, { env: { MLFLOW_TS_JOURNAL_DIR: dir, MLFLOW_TS_RECOVER: "false" } });
    await run.end();

    expect(gets).not.toContain(DEAD_RUN);
    expect(dead.logBatches).toBe(0);
    expect(run.stats().recovered).toBe(0);
    expect(await listJournals(dir)).toMatchObject([{ path, owner: { state: "dead" }, pending: { metric: 10 } }]);
  });

  it("stops when the run that started it ends; the journal keeps what was not delivered", async () => {
    const fake = fakeTracking(server);
    fake.addRun(RUN_ID);
    const dead = fake.addRun(DEAD_RUN);
    const dir = await tempDir();
    await deadJournal(dir, DEAD_RUN, (journal) => journal.appendMetrics(columns(10), 0, 10));
    const never = gate(); // the dead run's server never answers
    let asked = false;
    fake.beforeGet = (runId) => {
      if (runId !== DEAD_RUN) return undefined;
      asked = true;
      return never.wait();
    };
    const stderr = captureStderr();

    const { run } = await openTestRun(server, {}, { env: { MLFLOW_TS_JOURNAL_DIR: dir } });
    await vi.waitFor(() => expect(asked).toBe(true), { timeout: 10_000 });
    await run.end();

    await vi.waitFor(() => expect(stderr.join("")).toContain(`could not finish recovering run ${DEAD_RUN}`), { timeout: 10_000 });
    expect(stderr.join("")).toContain("the run that started it ended");
    expect(dead.pointsReceived).toBe(0);
    expect(dead.status).toBe("RUNNING");
    expect(await listJournals(dir)).toMatchObject([{ runId: DEAD_RUN }]); // kept (claimed by this process until it exits)
    never.open();
  });
});
