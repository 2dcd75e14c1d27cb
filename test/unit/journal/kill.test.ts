/**
 * SIGKILL at seeded random moments of a process that group-commits in a loop (20 trials; some killed
 * the moment a commit begins): afterwards the journal holds a prefix of what was written, every entry
 * the child had reported durable is present exactly once (or acknowledged and gone with its segment),
 * values are exactly what was written, the only damage is a torn tail of the last segment, and the
 * dead process's journal can be claimed and its unacknowledged entries read back.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { AckLog } from "../../../src/journal/ack-log.js";
import { Journal } from "../../../src/journal/journal.js";
import { listSegmentFiles } from "../../../src/journal/scan.js";
import { startFixture } from "./child.js";
import { readFolder, seeded, tempDir } from "./helpers.js";

const TRIALS = 20;

interface Reported {
  metrics: number;
  params: number;
  tags: number;
  acked: number;
}

function lastDurable(lines: string[]): Reported {
  const line = lines.filter((l) => l.startsWith("durable ")).at(-1);
  if (line === undefined) return { metrics: 0, params: 0, tags: 0, acked: 0 };
  const [metrics, params, tags, acked] = line.split(" ").slice(1).map(Number);
  return { metrics: metrics!, params: params!, tags: tags!, acked: acked! };
}

/** Checks that the seqs present, plus those acknowledged in the file, are each there once and make a prefix covering `durable`. */
function expectPrefix(present: number[], acked: (seq: number) => boolean, durable: number, label: string): void {
  const seen = new Set<number>();
  for (const seq of present) {
    if (seen.has(seq)) expect.fail(`${label} ${seq} is in the journal twice`);
    seen.add(seq);
  }
  const highestPresent = present.reduce((max, seq) => Math.max(max, seq), -1);
  const highest = Math.max(durable - 1, highestPresent);
  for (let seq = 0; seq <= highest; seq++) {
    if (!seen.has(seq) && !acked(seq)) expect.fail(`${label} ${seq} is missing (durable ${durable}, highest present ${highestPresent})`);
  }
}

describe("SIGKILL during group commits", () => {
  it(`keeps every entry reported durable, exactly once, over ${TRIALS} seeded kills`, async () => {
    const random = seeded(0x14_2026);
    let killedMidCommit = 0;
    let tornTails = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      const dir = await tempDir();
      const fixture = startFixture("commit-loop.ts", [dir, String(1000 + trial)]);
      const path = (await fixture.waitFor((l) => l.startsWith("path "))).slice(5);
      if (trial % 2 === 0) {
        // Kill as soon as commit n begins: inside the write or the fdatasync of a group.
        const n = 1 + Math.floor(random() * 6);
        await fixture.waitFor((l) => l === `begin ${n}`);
      } else {
        await fixture.waitFor((l) => l.startsWith("durable "));
        await sleep(Math.floor(random() * 400));
      }
      await fixture.kill();
      const reported = lastDurable(fixture.lines);
      if (fixture.lines.at(-1)?.startsWith("begin ")) killedMidCommit++;

      const { records, damage } = await readFolder(path);
      const segments = await listSegmentFiles(path);
      for (const d of damage) {
        expect(d.reason, JSON.stringify(d)).toBe("truncated");
        expect(d.file).toBe(segments.at(-1)!.path);
      }
      tornTails += damage.length;

      const metricSeqs: number[] = [];
      const paramSeqs: number[] = [];
      const tagSeqs: number[] = [];
      for (const record of records) {
        if (record.kind === "metrics") {
          for (let i = 0; i < record.count; i++) {
            const s: number = record.firstSeq + i;
            metricSeqs.push(s);
            if (record.steps[i] !== s || record.values[i] !== s / 4 || record.timestamps[i] !== 1_700_000_000_000 + s || record.keys[i] !== `k${s % 13}`) {
              expect.fail(`point ${s} reads back as ${record.keys[i]} ${record.values[i]} ${record.timestamps[i]} ${record.steps[i]}`);
            }
          }
        } else if (record.kind === "params") {
          for (const [i, e] of record.entries.entries()) expect(e).toEqual({ key: `p${record.firstSeq + i}`, value: `v${record.firstSeq + i}` });
          for (let i = 0; i < record.count; i++) paramSeqs.push(record.firstSeq + i);
        } else if (record.kind === "tags") {
          for (const [i, e] of record.entries.entries()) expect(e).toEqual({ key: `t${(record.firstSeq + i) % 5}`, value: String(record.firstSeq + i) });
          for (let i = 0; i < record.count; i++) tagSeqs.push(record.firstSeq + i);
        }
      }
      const { log } = await AckLog.load(path);
      for (let seq = 0; seq < reported.acked; seq++)
        if (!log.acked.metric.has(seq)) expect.fail(`acknowledgement of point ${seq} was reported written but is not in the file`);
      expectPrefix(metricSeqs, (s) => log.acked.metric.has(s), reported.metrics, "point");
      expectPrefix(paramSeqs, () => false, reported.params, "param");
      expectPrefix(tagSeqs, () => false, reported.tags, "tag write");

      // The dead process's journal is claimed, and its unacknowledged points read back once each.
      const claim = await Journal.claim(path);
      expect(claim.claimed).toBe(true);
      if (!claim.claimed) return;
      const cursor = claim.journal.cursor();
      const pending: number[] = [];
      for (let r = await cursor.next(); r !== undefined; r = await cursor.next()) if (r.kind === "metrics") pending.push(...r.steps);
      await cursor.close();
      expect(pending).toEqual(metricSeqs.filter((s) => !log.acked.metric.has(s)));
      expect(claim.scan.pending.metric).toBe(pending.length);
      await claim.journal.remove();
    }
    expect(killedMidCommit).toBeGreaterThan(0);
    console.log(`kill trials: ${TRIALS}, killed while a commit was in progress: ${killedMidCommit}, torn tails met: ${tornTails}`);
  }, 300_000);
});
