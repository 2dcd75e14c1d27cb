/**
 * `mlflow-ts recover` and `mlflow-ts recover --list` in-process against the in-memory tracking
 * server: the list shows a dead journal with its pending counts, recovery delivers it and prints
 * the table, the list is then empty; a journal whose delivery fails makes the exit code 1; `--json`.
 */
import { describe, expect, it } from "vitest";
import { runCli } from "../../../../src/cli/program.js";
import type { JournalListing } from "../../../../src/journal/index.js";
import type { RecoveryReport } from "../../../../src/logging/recovery/report.js";
import { BASE, EMPTY_HOME, useMockServer } from "../../helpers/mock-server.js";
import { columns, tempDir } from "../../journal/helpers.js";
import { deadJournal, fakeTracking } from "../../logging/recovery/helpers.js";

const server = useMockServer();
const RUN = "cccccccccccccccccccccccccccccc03";

async function cli(argv: string[], dir: string) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io = {
    stdout: { write: (text: string) => stdout.push(text) },
    stderr: { write: (text: string) => stderr.push(text) },
    env: { HOME: EMPTY_HOME, MLFLOW_TRACKING_URI: BASE, MLFLOW_HTTP_REQUEST_MAX_RETRIES: "0", MLFLOW_TS_JOURNAL_DIR: dir },
  };
  const code = await runCli(argv, io);
  return { code, stdout: stdout.join(""), stderr: stderr.join("") };
}

describe("mlflow-ts recover", () => {
  it("lists a dead journal with what it holds, recovers it, and then lists nothing waiting", async () => {
    const run = fakeTracking(server).addRun(RUN);
    const dir = await tempDir();
    await deadJournal(dir, RUN, (journal) => {
      journal.appendMetrics(columns(1500, 3), 0, 1500);
      journal.appendParams([{ key: "lr", value: "0.01" }]);
    });

    const listed = await cli(["recover", "--list"], dir);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`${RUN}\\s+\\d+ dead\\s+${BASE}\\s+1,500 metric points, 1 param\\s+\\d{4}-`));
    expect(listed.stdout).toContain("1 journal of dead processes waits for delivery. Run: mlflow-ts recover");

    const recovered = await cli(["recover"], dir);
    expect(recovered).toMatchObject({ code: 0, stderr: "" });
    expect(recovered.stdout).toMatch(new RegExp(`${RUN}\\s+\\d+\\s+recovered\\s+1,500 metric points, 1 param\\s+set KILLED`));
    expect(run.pointsReceived).toBe(1500);
    expect(run.status).toBe("KILLED");

    const after = await cli(["recover", "--list", "--json"], dir);
    expect(JSON.parse(after.stdout) as JournalListing[]).toEqual([]);
    expect((await cli(["recover"], dir)).stdout).toContain("nothing to recover");
  });

  it("exits 1 and keeps the journal when delivery fails; --json carries the report", async () => {
    const fake = fakeTracking(server);
    fake.addRun(RUN);
    const dir = await tempDir();
    await deadJournal(dir, RUN, (journal) => journal.appendMetrics(columns(10), 0, 10));
    fake.failNext(1, 503);

    const failed = await cli(["recover", "--json"], dir);

    expect(failed.code).toBe(1);
    const report = JSON.parse(failed.stdout) as RecoveryReport;
    expect(report.journals).toMatchObject([{ runId: RUN, outcome: "incomplete", delivered: { metrics: 0 } }]);
    expect(report.journals[0]!.detail).toContain("Fix: run `mlflow-ts recover`");
    const [kept] = JSON.parse((await cli(["recover", "--list", "--json"], dir)).stdout) as JournalListing[];
    // Kept, claimed by the recovering process (this test's): once a CLI process exits, it is dead again.
    expect(kept).toMatchObject({ runId: RUN, owner: { pid: process.pid, state: "live" } });
  });

  it("prints its help with the exit codes", async () => {
    const { code, stdout } = await cli(["recover", "--help"], "/nonexistent");
    expect(code).toBe(0);
    expect(stdout).toContain("Usage: mlflow-ts recover");
    expect(stdout).toContain("Exit codes: 0 when every journal was recovered");
  });
});
