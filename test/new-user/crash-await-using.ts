/**
 * The README's way to hold a run yourself: `await using run = await startRun(…)` with the documented
 * catch that ends it FAILED (a disposer cannot see the exception), and a training step that throws.
 * Prints the run id, then crashes.
 */
import { type ActiveRun, startRun } from "mlflow-ts";

function train(run: ActiveRun): void {
  run.logMetric("loss", 1, { step: 0 });
  throw new Error("the training step crashed");
}

await using run = await startRun({ experimentName: process.env.EXPERIMENT_NAME, runName: "crash-await-using" });
console.log(JSON.stringify({ runId: run.runId }));
try {
  train(run);
} catch (error) {
  await run.end({ status: "FAILED" });
  throw error;
}
