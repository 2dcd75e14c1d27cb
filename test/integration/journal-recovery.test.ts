/**
 * Recovery exactly once on the real stack (issue #14, item 3): a training process (a child) creates
 * a run on the server and group-commits a journal, delivering part of it itself, until it is
 * SIGKILLed at a seeded random moment (20 trials, half of them the moment a commit begins). Then
 * `recoverJournals` delivers the rest, and PostgreSQL must hold every point that was durable before
 * the kill exactly once, nothing beyond what was appended, the params and the last tag writes, with
 * the run KILLED, not RUNNING. `mlflow-ts recover --list` then shows nothing pending, and the Python
 * client reads one recovered run's metric history back.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/program.js";
import { seeded } from "../unit/journal/helpers.js";
import { expectRecoveredKilled, serverRows, startKillTrial, stepsOf, useKillSuite } from "./support/kill-trials.js";
import { runPython } from "./support/python.js";

const WRITER = fileURLToPath(new URL("./fixtures/journal-writer.ts", import.meta.url));
const TRIALS = 20;
/** Points each child appends at most: a few thousand, so the 20 trials stay well under two minutes. */
const POINTS = 3000;

interface Counts {
  metrics: number;
  params: number;
  tags: number;
}

interface Trial {
  runId: string;
  dir: string;
  /** Durable before the kill (the last `durable` line). */
  durable: Counts;
  /** Appended before the kill (the last `begin` line): nothing beyond may reach the server. */
  appended: Counts;
}

const suite = useKillSuite("journal-recovery");

function countsOf(line: string | undefined, skip: number): Counts {
  const [metrics, params, tags] = (line ?? "").split(" ").slice(skip).map(Number);
  return { metrics: metrics ?? 0, params: params ?? 0, tags: tags ?? 0 };
}

/** The tags after tag writes 0…n-1 (write i is `t<i % 3>` = i): the last write of each key. */
function tagsAfter(n: number): Record<string, string> {
  const tags: Record<string, string> = {};
  for (let i = 0; i < n; i++) tags[`t${i % 3}`] = String(i);
  return tags;
}

describe("SIGKILL of a training process, then recovery", () => {
  it(`delivers every durable entry exactly once and ends the run KILLED, over ${TRIALS} seeded kills`, async () => {
    const random = seeded(0x14_0003);
    const trials: Trial[] = [];
    let killedMidCommit = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      const { dir, child, runId } = await startKillTrial(suite, WRITER, "mlflow-ts-recovery-", (dir) => [
        dir,
        suite.experimentId,
        String(7000 + trial),
        String(POINTS),
      ]);
      if (trial % 2 === 0) {
        // The moment commit n begins: inside its write(2) or its fdatasync.
        const n = 1 + Math.floor(random() * 6);
        await child.waitFor((l) => l.startsWith(`begin ${n} `) || l === "done");
      } else {
        await child.waitFor((l) => l.startsWith("durable "));
        await sleep(Math.floor(random() * 300));
      }
      await child.kill();
      const begins = child.lines.filter((l) => l.startsWith("begin "));
      if (child.lines.at(-1)?.startsWith("begin ")) killedMidCommit++;
      trials.push({
        runId,
        dir,
        durable: countsOf(child.lines.filter((l) => l.startsWith("durable ")).at(-1), 1),
        appended: countsOf(begins.at(-1), 2),
      });

      const journal = await expectRecoveredKilled(suite, dir, runId, child);
      for (const damage of journal.damage) expect(damage.reason).toBe("truncated"); // only a torn tail
    }

    const runs = await serverRows(trials.map((t) => t.runId));
    for (const { runId, durable, appended } of trials) {
      const rows = runs[runId]!;
      expect(rows.status, runId).toBe("KILLED");
      // Every point once: step s only under key m<s % 3>, no step twice, a prefix from 0.
      const steps = stepsOf(rows, runId);
      steps.sort((a, b) => a - b);
      expect(steps, runId).toEqual(Array.from({ length: steps.length }, (_, i) => i));
      expect(steps.length, runId).toBeGreaterThanOrEqual(durable.metrics);
      expect(steps.length, runId).toBeLessThanOrEqual(appended.metrics);
      // Params: a prefix p0…, every durable one, none beyond what was appended.
      const params = Object.keys(rows.params).length;
      expect(params).toBeGreaterThanOrEqual(durable.params);
      expect(params).toBeLessThanOrEqual(appended.params);
      expect(rows.params).toEqual(Object.fromEntries(Array.from({ length: params }, (_, i) => [`p${i}`, `v${i}`])));
      // Tags: the last write of each key among a prefix of the writes that holds every durable one.
      const userTags = Object.fromEntries(Object.entries(rows.tags).filter(([key]) => /^t\d$/.test(key)));
      const prefixes = Array.from({ length: appended.tags - durable.tags + 1 }, (_, i) => tagsAfter(durable.tags + i));
      expect(prefixes, `${runId} tags ${JSON.stringify(userTags)}`).toContainEqual(userTags);
    }
    expect(killedMidCommit).toBeGreaterThan(0);

    // Nothing waits any more.
    for (const { dir } of trials) {
      const out: string[] = [];
      const io = {
        stdout: { write: (t: string) => out.push(t) },
        stderr: { write: (t: string) => out.push(t) },
        env: { HOME: "/nonexistent-mlflow-ts-test-home" },
      };
      expect(await runCli(["recover", "--list", "--json", "--dir", dir], io)).toBe(0);
      expect(JSON.parse(out.join(""))).toEqual([]);
    }

    // The reference client reads a recovered run back: status and full metric history.
    const first = trials[0]!;
    const { runs: read } = await runPython<{ runs: { info: { status: string }; histories: Record<string, { step: number }[]> }[] }>(
      "test/conformance/python/read_run.py",
      { run_ids: [first.runId], history_keys: ["m0", "m1", "m2"] },
    );
    expect(read[0]!.info.status).toBe("KILLED");
    for (const key of ["m0", "m1", "m2"]) {
      expect(read[0]!.histories[key]!.map((p) => p.step).sort((a, b) => a - b)).toEqual(runs[first.runId]!.steps[key] ?? []);
    }
    console.log(`recovery kill trials: ${TRIALS}, killed while a commit was in progress: ${killedMidCommit}`);
  }, 300_000);
});
