/**
 * What the SIGKILL-then-recover suites share (journal-recovery.test.ts, logger-journal.test.ts):
 * an experiment on the direct server and the temporary folders of its trials, a training child
 * started in a fresh folder and killed, its journal recovered with the run ended KILLED, and the
 * rows PostgreSQL then holds, each step checked to sit under its key (`m<step % 3>`).
 *
 * @example
 * const suite = useKillSuite("journal-recovery");
 * const { dir, child, runId } = await startKillTrial(suite, WRITER, "mlflow-ts-recovery-", (dir) => [dir, suite.experimentId]);
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect } from "vitest";
import type { MlflowClient } from "../../../src/client/client.js";
import { recoverJournals } from "../../../src/logging/recovery/recover.js";
import { type Fixture, startFixture } from "../../unit/journal/child.js";
import { runPython } from "./python.js";
import { serverUri, stackClient, stackClientEnv, stackEnv, uniqueName } from "./stack.js";

/** The suite's client and experiment (set in `beforeAll`), and its temporary folders (removed in `afterAll`). */
export interface KillSuite {
  readonly client: MlflowClient;
  readonly experimentId: string;
  /** A fresh temporary folder, removed after the suite. */
  tempDir(prefix: string): Promise<string>;
}

/** Registers the suite's `beforeAll` (a client on the direct server, a new experiment) and `afterAll` (folders, experiment, client). */
export function useKillSuite(name: string): KillSuite {
  let client: MlflowClient | undefined;
  let experimentId: string | undefined;
  const dirs: string[] = [];
  beforeAll(async () => {
    client = stackClient("direct");
    experimentId = await client.experiments.create({ name: uniqueName(name) });
  });
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
    await client?.experiments.delete(experimentId!).catch(() => undefined);
    await client?.close();
  });
  return {
    get client() {
      return client!;
    },
    get experimentId() {
      return experimentId!;
    },
    async tempDir(prefix) {
      const dir = await mkdtemp(join(tmpdir(), prefix));
      dirs.push(dir);
      return dir;
    },
  };
}

/** Starts the training child `script` in a fresh folder on the direct server, and waits for its `run <id>` line. */
export async function startKillTrial(
  suite: KillSuite,
  script: string,
  prefix: string,
  args: (dir: string) => string[],
): Promise<{ dir: string; child: Fixture; runId: string }> {
  const dir = await suite.tempDir(prefix);
  const env = { ...stackClientEnv(serverUri("direct")), MLFLOW_TS_QUIET_RETRIES: "true" };
  const child = startFixture(script, args(dir), env);
  const runId = (await child.waitFor((l) => l.startsWith("run "))).slice(4);
  return { dir, child, runId };
}

/** What {@link recoverJournals} reports about one journal. */
export type RecoveredJournal = Awaited<ReturnType<typeof recoverJournals>>["journals"][number];

/** Recovers the one journal the killed child left in `dir`, expects it delivered with nothing refused and its run ended KILLED, and returns its report. */
export async function expectRecoveredKilled(suite: KillSuite, dir: string, runId: string, child: Fixture): Promise<RecoveredJournal> {
  const { journals } = await recoverJournals({ client: suite.client, dir, deadlineMs: 60_000 });
  expect(journals, child.stderr()).toHaveLength(1);
  expect(journals[0]).toMatchObject({ runId, outcome: "recovered", conflicts: [], refused: [], finalStatus: { set: true, status: "KILLED" } });
  return journals[0]!;
}

/** What test/integration/run-rows.py reads from PostgreSQL for one run (with `steps`). */
export interface RunRows {
  status: string;
  params: Record<string, string>;
  tags: Record<string, string>;
  steps: Record<string, number[]>;
}

/** The rows of `runIds` in PostgreSQL, read by test/integration/run-rows.py. */
export async function serverRows(runIds: string[]): Promise<Record<string, RunRows>> {
  const { runs } = await runPython<{ runs: Record<string, RunRows> }>("test/integration/run-rows.py", {
    run_ids: runIds,
    pg_uri: stackEnv("STACK_PG_URI"),
    steps: true,
  });
  return runs;
}

/** Every step on the server (unsorted, repeats kept), after checking that each sits under its key `m<step % 3>`. */
export function stepsOf(rows: RunRows, runId: string): number[] {
  const steps: number[] = [];
  for (const [key, keySteps] of Object.entries(rows.steps)) {
    for (const step of keySteps) expect(`m${step % 3}`, `${runId} step ${step}`).toBe(key);
    steps.push(...keySteps);
  }
  return steps;
}
