/**
 * Disk trouble degrades the journal, never the training loop: a file where the folder should be, a
 * read-only mount, and a disk that fills up mid-run (a small tmpfs) each give one degraded report
 * naming the code and the fix, no throw from appends or commits, and counters that keep counting.
 * Mounting needs root: CI runs as root; elsewhere those two tests are skipped (and say so).
 */
import { execFileSync } from "node:child_process";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import type { JournalDegraded } from "../../../src/journal/degraded.js";
import { Journal } from "../../../src/journal/journal.js";
import { columns, tempDir, testOptions } from "./helpers.js";

const RUN_ID = "d15cfu11d15cfu11d15cfu11d15cfu11".replace(/u/g, "0");
const ROOT = process.getuid?.() === 0;
const CAN_MOUNT = ROOT || process.env.CI === "true"; // under CI a missing mount is a failure, not a skip

function mount(args: string[], target: string): void {
  execFileSync("mount", [...args, target], { stdio: "pipe" });
  onTestFinished(() => {
    execFileSync("umount", ["-l", target], { stdio: "pipe" });
  });
}

async function degradedJournal(dir: string): Promise<{ journal: Journal; reports: JournalDegraded[] }> {
  const reports: JournalDegraded[] = [];
  const journal = await Journal.create({
    runId: RUN_ID,
    trackingUri: "https://alice:hunter2-password@mlflow.example.com",
    options: testOptions(dir),
    onDegraded: (d) => reports.push(d),
  });
  return { journal, reports };
}

/** Appends and commits through a degraded journal: nothing throws, the counters count. */
async function expectStillCounts(journal: Journal): Promise<void> {
  const before = journal.stats().appended;
  expect(journal.appendMetrics(columns(1000), 0, 1000)).toBe(before.metric);
  expect(journal.appendParams([{ key: "lr", value: "1" }])).toBe(before.param);
  expect(journal.appendTags([{ key: "t", value: "1" }])).toBe(before.tag);
  expect(journal.appendEnd("FINISHED", Date.now())).toBe(before.control);
  const result = await journal.commit({ sync: true });
  expect(result.degraded).toBeDefined();
  expect(journal.stats().appended).toEqual({ metric: before.metric + 1000, param: before.param + 1, tag: before.tag + 1, control: before.control + 1 });
}

describe("journal on a troubled disk", () => {
  it("degrades once, naming the code and the fix, when a file stands where the folder should be", async () => {
    const dir = await tempDir();
    const blocked = join(dir, "journal");
    await writeFile(blocked, "not a folder");
    const { journal, reports } = await degradedJournal(blocked);
    expect(reports).toHaveLength(1);
    expect(journal.degraded).toBe(reports[0]);
    expect(["ENOTDIR", "EEXIST"]).toContain(reports[0]!.code);
    expect(reports[0]!.message).toMatch(/delivered from memory only.*Fix: a file stands where the journal folder should be/);
    expect(reports[0]!.message).not.toContain("hunter2");
    await expectStillCounts(journal);
    expect(reports).toHaveLength(1);
    expect(await journal.close()).toBe(false);
  });

  it.skipIf(!CAN_MOUNT)("degrades with EROFS when the folder is on a read-only mount", async () => {
    const dir = await tempDir();
    const source = join(dir, "source");
    const readOnly = join(dir, "ro");
    await mkdir(source);
    await mkdir(readOnly);
    mount(["--bind", source], readOnly);
    execFileSync("mount", ["-o", "remount,bind,ro", readOnly]);
    const { journal, reports } = await degradedJournal(join(readOnly, "journal"));
    expect(reports.map((r) => r.code)).toEqual(["EROFS"]);
    expect(reports[0]!.message).toContain("Fix: set MLFLOW_TS_JOURNAL_DIR to a writable folder.");
    await expectStillCounts(journal);
    expect(reports).toHaveLength(1);
  });

  it.skipIf(!CAN_MOUNT)("degrades once with ENOSPC when the disk fills up mid-run, and frees the disk once everything is acknowledged", async () => {
    const dir = await tempDir();
    mount(["-t", "tmpfs", "-o", "size=256k", "tmpfs"], dir);
    const { journal, reports } = await degradedJournal(join(dir, "journal"));
    expect(journal.degraded).toBeUndefined();
    const cols = columns(1000);
    let first: JournalDegraded | undefined;
    for (let group = 0; group < 40 && first === undefined; group++) {
      journal.appendMetrics(cols, 0, 1000);
      first = (await journal.commit()).degraded;
    }
    expect(first?.code).toBe("ENOSPC");
    expect(first?.message).toContain("Fix: free space on that disk, or set MLFLOW_TS_JOURNAL_DIR");
    const durable = journal.stats().durable.metric;
    expect(durable).toBeGreaterThan(0);
    await expectStillCounts(journal);
    expect(journal.stats().durable.metric).toBe(durable); // nothing more is written
    expect(reports).toHaveLength(1);

    // Delivery went on from memory; once it is all acknowledged the journal removes itself.
    const { appended } = journal.stats();
    for (const stream of ["metric", "param", "tag", "control"] as const) journal.acknowledge(stream, 0, appended[stream]);
    expect(await journal.close()).toBe(true);
    expect(await readdir(join(dir, "journal"))).toEqual([]);
  });
});
