/**
 * A new user's first training script: settings straight from the environment (RUN_NAME may be
 * unset), 2,000 points of one metric, then the whole history read back with `await` — with pages
 * of 500, so a first page mistaken for the whole would show. Prints one JSON line.
 */
import { MlflowClient, startRun } from "mlflow-ts";

const client = new MlflowClient();
const run = await startRun({ client, experimentName: process.env.EXPERIMENT_NAME, runName: process.env.RUN_NAME, params: { lr: 0.01 } });
for (let step = 0; step < 2000; step++) run.logMetric("loss", 1 / (step + 1), { step });
await run.end();

const history = await client.metrics.getHistory(run.runId, "loss", { pageSize: 500 });
const stored = await client.runs.get(run.runId);
console.log(
  JSON.stringify({ runId: run.runId, points: history.length, lastStep: history.at(-1)?.step, lr: stored.data.paramsByKey.lr, status: stored.info.status }),
);
await client.close();
