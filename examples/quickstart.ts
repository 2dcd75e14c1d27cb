/**
 * Quickstart: logs one run through the training-loop logger — params, a metric per epoch, a tag
 * and a JSON artifact — then prints how to look at it. With no MLFLOW_TRACKING_URI the run goes to
 * ./mlflow.db (the embedded store, in MLflow's own SQLite schema; artifacts under ./mlruns), which
 * `mlflow ui` opens and `mlflow-ts sync` copies to a server; with MLFLOW_TRACKING_URI=http://host:5000
 * it goes to that server.
 *
 * Run: npm run quickstart
 */
import { existsSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { type ActiveRun, withRun } from "../src/index.js";

const EPOCHS = 20;

/** Stands in for training: a loss that decreases with the epoch, and an accuracy that grows. */
function trainEpoch(epoch: number): { loss: number; accuracy: number } {
  const loss = Math.exp(-epoch / 5);
  return { loss, accuracy: 1 - loss / 2 };
}

async function main(): Promise<void> {
  const experimentName = process.env.MLFLOW_EXPERIMENT_NAME ?? "mlflow-ts-quickstart";
  const run = await withRun(
    { experimentName, runName: "quickstart", params: { lr: 0.01, epochs: EPOCHS, optimizer: "adam" }, tags: { team: "quickstart" } },
    async (run) => {
      for (let epoch = 0; epoch < EPOCHS; epoch++) run.logMetrics(trainEpoch(epoch), { step: epoch });
      await run.logJson({ epochs: EPOCHS, finalLoss: trainEpoch(EPOCHS - 1).loss }, "summary.json");
      return run;
    },
  );
  console.log(`\nLogged run ${run.runId} ("quickstart", experiment "${experimentName}") to ${run.client.trackingUri}.`);
  console.log(howToLook(run));
  await run.client.close();
}

/** Where to look at the run: `mlflow ui` on the local file (or sync it to a server), or the server's UI. */
function howToLook(run: ActiveRun): string {
  const tracking = run.client.config.tracking;
  if (tracking.kind === "rest") return `Open it: ${tracking.displayUri}/#/experiments/${run.experimentId}/runs/${run.runId}`;
  const folder = dirname(tracking.path);
  const here = folder === process.cwd();
  const database = here ? "sqlite:///mlflow.db" : tracking.uri;
  const repository = join(dirname(fileURLToPath(import.meta.url)), "..");
  const build = existsSync(join(repository, "dist/cli/main.js")) ? "" : "\n  (from this clone, run `npm run build` once first)";
  return [
    `Look at it with the MLflow UI${here ? "" : ` (in ${relative(process.cwd(), folder) || "."})`}:`,
    `  mlflow ui --backend-store-uri ${database}        # then open http://127.0.0.1:5000`,
    "Or copy it to a tracking server:",
    `  npx mlflow-ts sync --from ${database} --to http://<server>:5000${build}`,
  ].join("\n");
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
