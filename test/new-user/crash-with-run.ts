/**
 * `withRun` with a body that throws: the run ends FAILED and the error reaches the caller. Prints
 * the run id, then crashes.
 */
import { withRun } from "mlflow-ts";

await withRun({ experimentName: process.env.EXPERIMENT_NAME, runName: "crash-with-run" }, async (run) => {
  console.log(JSON.stringify({ runId: run.runId }));
  run.logMetric("loss", 1, { step: 0 });
  throw new Error("the training step crashed");
});
