/**
 * The doctor's `journals` check: it lists the journals dead processes left for this tracking server
 * (warn, with the fix), passes when none wait, mentions those of other servers, ignores live ones,
 * does not apply to the embedded store, and never fails.
 */
import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../../src/config/resolve.js";
import { journalsCheck } from "../../../src/doctor/checks/journals.js";
import { SetupContext } from "../../../src/doctor/context.js";
import { Journal } from "../../../src/journal/journal.js";
import { BASE, EMPTY_HOME } from "../helpers/mock-server.js";
import { columns, tempDir, testOptions } from "../journal/helpers.js";
import { deadJournal } from "../logging/recovery/helpers.js";

const RUN = "eeeeeeeeeeeeeeeeeeeeeeeeeeeeee05";

function contextFor(trackingUri: string | undefined, dir: string): SetupContext {
  const env: Record<string, string> = { HOME: EMPTY_HOME, MLFLOW_TS_JOURNAL_DIR: dir, ...(trackingUri ? { MLFLOW_TRACKING_URI: trackingUri } : {}) };
  const context = new SetupContext({ experimentName: undefined, write: false, roundTrip: false, timeoutMs: 1000, client: { env }, requireServer: false });
  context.config = resolveConfig({ env });
  return context;
}

describe("doctor: journals waiting for delivery", () => {
  it("passes when no journal waits", async () => {
    const dir = await tempDir();
    const outcome = await journalsCheck.run(contextFor(BASE, dir), new AbortController().signal);
    expect(outcome).toMatchObject({ status: "pass" });
    expect(outcome.detail).toContain(`No journal of a dead process waits for delivery to ${BASE}`);
  });

  it("warns with the run, its pending entries and the fix when a dead process's journal waits; live ones and other servers' are not listed", async () => {
    const dir = await tempDir();
    await deadJournal(dir, RUN, (journal) => journal.appendMetrics(columns(1500), 0, 1500));
    await deadJournal(dir, "ffffffffffffffffffffffffffffff06", (journal) => journal.appendMetrics(columns(10), 0, 10), "http://elsewhere:5000");
    const live = await Journal.create({ runId: "0000000000000000000000000000aa07", trackingUri: BASE, options: testOptions(dir) });
    live.appendMetrics(columns(10), 0, 10);
    await live.commit();

    const outcome = await journalsCheck.run(contextFor(BASE, dir), new AbortController().signal);

    expect(outcome.status).toBe("warn");
    expect(outcome.detail).toMatch(
      new RegExp(`^1 journal of dead processes waits for delivery to ${BASE}: run ${RUN} \\(process \\d+, 1,500 pending entries, oldest from \\d{4}-`),
    );
    expect(outcome.detail).toContain("(1 journal of other tracking servers also waits)");
    expect(outcome.detail).not.toContain("aa07");
    expect(outcome.hint).toContain("mlflow-ts recover");
    await live.remove();
  });

  it("does not apply to the embedded store", async () => {
    const outcome = await journalsCheck.run(contextFor(undefined, await tempDir()), new AbortController().signal);
    expect(outcome.status).toBe("skip");
  });
});
