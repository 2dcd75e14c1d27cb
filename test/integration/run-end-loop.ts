/**
 * A plain training loop for test/integration/run-end.test.ts, run as a child process: `startRun`
 * (tracking URI, experiment and exit timeout from the environment), then a `for` loop that logs a
 * point per step and yields every 100 steps, as a training step's await does, and never ends the
 * run itself before the signal comes. Prints `run <id>` first, `ready` at step 1000, and the run's
 * counters (`stats {…}`) when the process exits. Bounded: 100,000 steps at most.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { startRun } from "../../src/logging/fluent.js";

const run = await startRun({ runName: "loop-until-signal", params: { lr: 0.01 } });
process.stdout.write(`run ${run.runId}\n`);
process.on("exit", () => process.stdout.write(`stats ${JSON.stringify({ ...run.stats(), ignored: run.ignoredOnExit })}\n`));
for (let step = 0; step < 100_000; step++) {
  run.logMetric("loss", 1 / (step + 1), { step });
  if (step === 1000) process.stdout.write("ready\n");
  if (step % 100 === 99) await sleep(5);
}
await run.end();
