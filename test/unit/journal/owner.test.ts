/**
 * The lock that dies with its owner: a live process's journal is never claimed, a killed one's is;
 * a pid reused by another process does not keep a dead journal locked; two claims at once give the
 * journal to exactly one; a journal from another machine is left alone unless forced, and one from
 * an earlier boot of this host counts as dead. Also: the listing recover --list uses.
 */
import { mkdir, readdir, readFile, rename } from "node:fs/promises";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { listJournals } from "../../../src/journal/discovery.js";
import { Journal } from "../../../src/journal/journal.js";
import { writeMeta } from "../../../src/journal/meta.js";
import { currentOwner, describeMachine, formatJournalName, machineTag, ownerState, parseJournalName, processStartTicks } from "../../../src/journal/owner.js";
import { startFixture } from "./child.js";
import { columns, tempDir, testOptions } from "./helpers.js";

const RUN_ID = "abcdefabcdefabcdefabcdefabcdef01";

/** A journal folder named as if `owner` had created it, holding one committed group. */
async function journalOwnedBy(dir: string, owner: { pid: number; startTicks: number; machine: string }, machine = describeMachine()): Promise<string> {
  const created = await Journal.create({ runId: RUN_ID, trackingUri: "http://127.0.0.1:5000", options: testOptions(dir) });
  created.appendMetrics(columns(10), 0, 10);
  await created.commit({ sync: true });
  await created.close();
  const name = formatJournalName({ runKey: RUN_ID, owner, serial: 0 });
  await rename(created.path, join(dir, name));
  await writeMeta(join(dir, name), {
    format: 1,
    runId: RUN_ID,
    trackingUri: "http://127.0.0.1:5000",
    createdMs: 1,
    owner: name.slice(name.indexOf(".") + 1),
    machine,
  });
  return join(dir, name);
}

describe("journal ownership", () => {
  it("never claims the journal of a live process, and claims it once that process is killed", async () => {
    const dir = await tempDir();
    const fixture = startFixture("hold-journal.ts", [dir]);
    try {
      const path = (await fixture.waitFor((l) => l.startsWith("ready "))).slice(6);
      const live = await Journal.claim(path);
      expect(live).toMatchObject({ claimed: false, reason: "live" });
      const [listed] = await listJournals(dir);
      expect(listed).toMatchObject({
        path,
        runId: "feedfacefeedfacefeedfacefeedface",
        trackingUri: "http://127.0.0.1:5000",
        owner: { pid: fixture.child.pid, state: "live" },
      });
      expect(listed?.pending).toBeUndefined(); // a live journal's segments are not read
      expect(JSON.stringify(listed)).not.toContain("secret-password");
      expect(await readFile(join(path, "meta.json"), "utf8")).not.toContain("secret-password");

      await fixture.kill();
      const [dead] = await listJournals(dir);
      expect(dead).toMatchObject({ path, owner: { state: "dead" }, pending: { metric: 100, param: 1, tag: 0, control: 0 }, damage: [] });
      const claim = await Journal.claim(path);
      expect(claim.claimed).toBe(true);
      if (!claim.claimed) return;
      expect(parseJournalName(basename(claim.journal.path))?.owner).toEqual(currentOwner());
      expect(await readdir(dir)).toEqual([basename(claim.journal.path)]);
      expect(claim.scan.pending).toEqual({ metric: 100, param: 1, tag: 0, control: 0 });
      const [mine] = await listJournals(dir);
      expect(mine?.owner.state).toBe("live"); // now this process owns it
      await claim.journal.remove();
    } finally {
      await fixture.kill();
    }
  });

  it("treats a pid now used by another process as a dead owner (the start time differs)", async () => {
    const dir = await tempDir();
    const me = currentOwner();
    expect(me.startTicks).toBeGreaterThan(0);
    expect(processStartTicks(process.pid)).toBe(me.startTicks);
    expect(ownerState(me)).toBe("live");
    const reused = { ...me, startTicks: me.startTicks - 1 }; // same pid, an earlier process
    expect(ownerState(reused)).toBe("dead");
    const path = await journalOwnedBy(dir, reused);
    const claim = await Journal.claim(path);
    expect(claim.claimed).toBe(true);
    if (claim.claimed) await claim.journal.remove();
  });

  it("treats a pid no process has as a dead owner", async () => {
    const gone = { ...currentOwner(), pid: 2 ** 22 + 12345 }; // above Linux's pid_max limit
    expect(processStartTicks(gone.pid)).toBeUndefined();
    expect(ownerState(gone)).toBe("dead");
  });

  it("gives a dead journal to exactly one of two claims made at once", async () => {
    const dir = await tempDir();
    const path = await journalOwnedBy(dir, { ...currentOwner(), startTicks: 1 });
    const results = await Promise.all([Journal.claim(path), Journal.claim(path), Journal.claim(path)]);
    expect(results.filter((r) => r.claimed)).toHaveLength(1);
    expect(results.filter((r) => !r.claimed).map((r) => !r.claimed && r.reason)).toEqual(["taken", "taken"]);
    expect(await readdir(dir)).toHaveLength(1);
    for (const r of results) if (r.claimed) await r.journal.remove();
  });

  it("leaves a journal from another machine alone unless forced", async () => {
    const dir = await tempDir();
    const other = { host: "gpu-node-17", bootId: "11111111-2222-3333-4444-555555555555", pidNamespace: "pid:[4026531836]" };
    const path = await journalOwnedBy(dir, { pid: 4242, startTicks: 99, machine: machineTag(other) }, other);
    expect((await listJournals(dir))[0]?.owner).toEqual({ pid: 4242, state: "foreign", host: "gpu-node-17" });
    expect(await Journal.claim(path)).toMatchObject({ claimed: false, reason: "foreign" });
    const forced = await Journal.claim(path, { force: true });
    expect(forced.claimed).toBe(true);
    if (forced.claimed) await forced.journal.remove();
  });

  it("counts a journal from an earlier boot of this host as dead", async () => {
    const dir = await tempDir();
    const earlier = { ...describeMachine(), bootId: "00000000-0000-0000-0000-000000000000" };
    const path = await journalOwnedBy(dir, { pid: process.pid, startTicks: currentOwner().startTicks, machine: machineTag(earlier) }, earlier);
    expect((await listJournals(dir))[0]?.owner.state).toBe("dead");
    const claim = await Journal.claim(path);
    expect(claim.claimed).toBe(true);
    if (claim.claimed) await claim.journal.remove();
  });

  it("gives two processes of the same run a journal each", async () => {
    const dir = await tempDir();
    const fixture = startFixture("hold-journal.ts", [dir]);
    try {
      const theirs = (await fixture.waitFor((l) => l.startsWith("ready "))).slice(6);
      const mine = await Journal.create({ runId: "feedfacefeedfacefeedfacefeedface", trackingUri: "http://127.0.0.1:5000", options: testOptions(dir) });
      expect(mine.path).not.toBe(theirs);
      const listed = await listJournals(dir);
      expect(listed.map((j) => j.runId)).toEqual(["feedfacefeedfacefeedfacefeedface", "feedfacefeedfacefeedfacefeedface"]);
      expect(listed.map((j) => j.owner.state)).toEqual(["live", "live"]);
      await mine.remove();
    } finally {
      await fixture.kill();
    }
  });

  it("lists nothing for a missing cache folder and skips what is not a journal", async () => {
    const dir = await tempDir();
    expect(await listJournals(join(dir, "absent"))).toEqual([]);
    await mkdir(join(dir, "not-a-journal"));
    expect(await listJournals(dir)).toEqual([]);
    expect(await Journal.claim(join(dir, "not-a-journal"))).toMatchObject({ claimed: false, reason: "not-a-journal" });
  });
});
