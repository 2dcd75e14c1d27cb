/**
 * Starting a run against an address where nothing listens (MLFLOW_TRACKING_URI points at a closed
 * port): the call must fail on its own, soon, with an error that names the address. Prints the
 * error as one JSON line.
 */
import { startRun } from "mlflow-ts";

try {
  const run = await startRun({ experimentName: "new-user-refused" });
  console.log(JSON.stringify({ started: run.runId }));
} catch (error) {
  console.log(JSON.stringify({ name: (error as Error).name, message: (error as Error).message }));
  process.exitCode = 1;
}
